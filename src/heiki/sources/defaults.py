"""Platform defaults every source applies the same way (the NSG default rules, from the catalog)."""

from __future__ import annotations

import functools

from heiki.catalog import Catalog
from heiki.model.network import Access, Direction, NsgProtocol, SecurityRule


@functools.cache
def default_security_rules(catalog: Catalog) -> tuple[SecurityRule, ...]:
    """The six rules Azure adds to every NSG (priorities 65000-65500)."""
    return tuple(
        SecurityRule(
            name=rule.name,
            priority=rule.priority,
            direction=Direction(rule.direction),
            access=Access(rule.access),
            protocol=NsgProtocol(rule.protocol),
            source_address_prefixes=(rule.source,),
            destination_address_prefixes=(rule.destination,),
            is_default=True,
        )
        for rule in catalog.nsg_default_rules
    )
