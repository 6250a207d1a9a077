"""Every built-in rule, found by walking the rule packages (one rule class per module).

The registry refuses two rules with the same ID, and lists rules in ID order.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil

from heiki.rules.base import Rule

_RULE_PACKAGES = (
    "heiki.rules.dns",
    "heiki.rules.net",
    "heiki.rules.nsg",
    "heiki.rules.fw",
    "heiki.rules.exf",
    "heiki.rules.aml",
    "heiki.rules.pe",
    "heiki.rules.rdy",
    "heiki.rules.cls",
    "heiki.rules.toil",
)


class DuplicateRuleError(RuntimeError):
    pass


@functools.cache
def all_rules() -> tuple[type[Rule], ...]:
    found: dict[str, type[Rule]] = {}
    for package_name in _RULE_PACKAGES:
        package = importlib.import_module(package_name)
        for info in pkgutil.iter_modules(package.__path__):
            if info.name.startswith("_"):
                continue  # shared helpers, not rules
            module = importlib.import_module(f"{package_name}.{info.name}")
            for obj in vars(module).values():
                # the module test first: an ABC subclass check on every imported class is slow
                if (
                    isinstance(obj, type)
                    and obj.__module__ == module.__name__
                    and issubclass(obj, Rule)
                    and obj is not Rule
                ):
                    rule_id = obj.meta.id
                    if rule_id in found and found[rule_id] is not obj:
                        raise DuplicateRuleError(f"rule ID {rule_id} is used twice")
                    if rule_id != info.name:
                        raise DuplicateRuleError(f"rule {rule_id} must live in {rule_id}.py")
                    found[rule_id] = obj
    return tuple(found[k] for k in sorted(found))


def rule_by_id(rule_id: str) -> type[Rule] | None:
    for rule in all_rules():
        if rule.meta.id.lower() == rule_id.lower():
            return rule
    return None
