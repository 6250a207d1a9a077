"""Run the rules: select, check, turn violations into findings; a crashing rule becomes INT001."""

from __future__ import annotations

import traceback
from collections.abc import Iterable

from heiki.catalog import Catalog
from heiki.diagnostics import Severity
from heiki.model.environment import Environment
from heiki.rules.base import Rule
from heiki.rules.context import RuleContext
from heiki.rules.findings import Finding
from heiki.rules.registry import all_rules

INTERNAL_ERROR = "INT001"


def _selected(rule_id: str, select: Iterable[str], ignore: Iterable[str]) -> bool:
    """Selection by ID prefix (``DNS`` selects every DNS rule; ``DNS00`` DNS001-DNS009)."""
    selects = [s.upper() for s in select]
    if selects and not any(rule_id.startswith(s) for s in selects):
        return False
    return not any(rule_id.startswith(i.upper()) for i in ignore)


def run_rules(
    env: Environment,
    catalog: Catalog,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    rules: Iterable[type[Rule]] | None = None,
    context: RuleContext | None = None,
) -> tuple[Finding, ...]:
    ctx = context or RuleContext(env, catalog)
    select, ignore = tuple(select), tuple(ignore)
    findings: list[Finding] = []
    for rule_class in rules if rules is not None else all_rules():
        meta = rule_class.meta
        if not _selected(meta.id, select, ignore):
            continue
        try:
            for violation in rule_class().check(ctx):
                findings.append(
                    Finding(
                        rule_id=meta.id,
                        title=meta.title,
                        severity=meta.severity,
                        message=violation.message,
                        resource=str(violation.resource) if violation.resource else None,
                        location=violation.location or ctx.location(violation.resource),
                        evidence=violation.evidence,
                        fix=meta.fix,
                        references=meta.references,
                    )
                )
        except Exception as exc:  # a broken rule must not stop the run
            where = traceback.extract_tb(exc.__traceback__)[-1]
            findings.append(
                Finding(
                    rule_id=INTERNAL_ERROR,
                    title="A rule crashed",
                    severity=Severity.ERROR,
                    message=f"rule {meta.id} crashed: {type(exc).__name__}: {exc} "
                    f"({where.filename.rsplit('/', 1)[-1]}:{where.lineno})",
                    resource=None,
                    location=None,
                    evidence=(),
                    fix="Report this as a heiki bug; the other rules ran normally.",
                )
            )
    return tuple(sorted(findings, key=Finding.sort_key))
