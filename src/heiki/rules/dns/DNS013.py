"""DNS013: an on-premises A record points to an address that is not the current endpoint IP."""

from __future__ import annotations

from collections.abc import Iterable

from heiki.diagnostics import Severity
from heiki.rules.base import Rule, RuleMeta, Violation
from heiki.rules.context import RuleContext
from heiki.rules.dns._common import DOCS_AML_DNS


class StaleOnPremARecord(Rule):
    meta = RuleMeta(
        id="DNS013",
        name="stale-onprem-a-record",
        title="On-premises A record does not match the private endpoint IP",
        severity=Severity.ERROR,
        rationale=(
            "Hand-maintained A records drift: an endpoint re-created gets a new IP, a compute "
            "instance name must point at the workspace endpoint (not the instance). Clients then "
            "connect to nothing, or to the wrong resource."
        ),
        fix="Replace the A records by conditional forwarders to the hub DNS endpoint, or correct "
        "the record.",
        references=(DOCS_AML_DNS,),
    )

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        env = ctx.world.env
        expected = {n.name: n for n in ctx.private_names}
        onprem = env.on_premises
        for server in onprem.dns_servers if onprem else ():
            for zone in server.zones:
                for record in zone.record_sets:
                    name = zone.zone.join(record.name)
                    needed = expected.get(name)
                    if needed is None or needed.address is None or not record.a_records:
                        continue
                    if needed.address not in record.a_records:
                        have = ", ".join(str(a) for a in record.a_records)
                        yield Violation(
                            f"on-premises DNS {server.name} answers {name} with {have}, but "
                            f"{needed.why} is at {needed.address}",
                            needed.resource,
                            zone.source or server.source,
                        )
