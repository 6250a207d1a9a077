"""Run the rules: select, check, turn violations into findings; a crashing rule becomes INT001.

The configuration decides which rules run (``select`` / ``ignore`` by ID prefix), overrides
severities, and suppresses findings with a reason; a suppression that matched nothing becomes a
CFG001 finding so that stale ones are noticed.
"""

from __future__ import annotations

import difflib
import re
import traceback
from collections.abc import Iterable
from dataclasses import dataclass, replace

from heiki import diagnostics as dx
from heiki.catalog import Catalog
from heiki.config import Config, Suppression
from heiki.diagnostics import Diagnostic, InputError, Severity
from heiki.model.environment import Environment
from heiki.model.source import SourceLocation
from heiki.rules.base import Rule, RuleMeta
from heiki.rules.context import RuleContext
from heiki.rules.findings import Finding
from heiki.rules.registry import all_rules

INTERNAL_ERROR = "INT001"
UNUSED_SUPPRESSION = "CFG001"

# The engine's own findings are documented like rules (``heiki explain CFG001``), but no rule
# class produces them.
_UNUSED_META = RuleMeta(
    id=UNUSED_SUPPRESSION,
    name="unused-suppression",
    title="A suppression matched no finding",
    severity=Severity.WARNING,
    rationale=(
        "A suppression that no longer matches anything was either fixed or mistyped; left "
        "alone, stale suppressions pile up and a typo silently hides nothing."
    ),
    fix="Remove the suppression, or correct its rule or resource.",
)
_CRASH_META = RuleMeta(
    id=INTERNAL_ERROR,
    name="rule-crashed",
    title="A rule crashed",
    severity=Severity.ERROR,
    rationale=(
        "A rule raised an exception on this environment. The other rules ran normally; the "
        "crashed rule's verdict is unknown, so the run is not clean."
    ),
    fix="Report this as a heiki bug; the other rules ran normally.",
)
ENGINE_RULES = (_UNUSED_META, _CRASH_META)


@dataclass(frozen=True)
class RuleRun:
    """The findings of a run and those the configuration suppressed."""

    findings: tuple[Finding, ...]
    suppressed: tuple[tuple[Finding, Suppression], ...] = ()


def _selected(rule_id: str, select: Iterable[str], ignore: Iterable[str]) -> bool:
    """Selection by ID prefix (``DNS`` selects every DNS rule; ``DNS00`` DNS001-DNS009)."""
    selects = [s.upper() for s in select]
    if selects and not any(rule_id.startswith(s) for s in selects):
        return False
    return not any(rule_id.startswith(i.upper()) for i in ignore)


def _check_rule(rule_class: type[Rule], ctx: RuleContext, config: Config) -> list[Finding]:
    meta = rule_class.meta
    severity = config.severity_of(meta.id, meta.severity)
    try:
        return [
            Finding(
                rule_id=meta.id,
                title=meta.title,
                severity=severity,
                message=violation.message,
                resource=str(violation.resource) if violation.resource else None,
                location=violation.location or ctx.location(violation.resource),
                evidence=violation.evidence,
                fix=meta.fix,
                references=meta.references,
                defects=violation.defects,
                causes=violation.causes,
            )
            for violation in rule_class().check(ctx)
        ]
    except Exception as exc:  # a broken rule must not stop the run
        where = traceback.extract_tb(exc.__traceback__)[-1]
        return [
            Finding(
                rule_id=_CRASH_META.id,
                title=_CRASH_META.title,
                severity=_CRASH_META.severity,
                message=f"rule {meta.id} crashed: {type(exc).__name__}: {exc} "
                f"({where.filename.rsplit('/', 1)[-1]}:{where.lineno})",
                resource=None,
                location=None,
                evidence=(),
                fix=_CRASH_META.fix,
            )
        ]


def selection_errors(
    config: Config, select: Iterable[str] = (), ignore: Iterable[str] = ()
) -> list[Diagnostic]:
    """What is wrong with a rule selection, before anything runs: a selector or rule ID that
    names no rule (a typo would silently switch rules off - in CI a silent pass), an empty
    selector, and a selection that leaves no rule to run."""
    ids = [r.meta.id for r in all_rules()]
    problems: list[Diagnostic] = []
    where_config = SourceLocation(config.path) if config.path else None
    entries = [
        *((f"--select {s!r}", s, None, True) for s in select),
        *((f"--ignore {i!r}", i, None, True) for i in ignore),
        *((f"select {s!r}", s, where_config, True) for s in config.select),
        *((f"ignore {i!r}", i, where_config, True) for i in config.ignore),
        *((f"[severity] {k}", k, where_config, False) for k, _ in config.severity),
        *((f"suppression of {x.rule}", x.rule, x.location, True) for x in config.suppressions),
    ]
    for label, value, where, prefix in entries:
        text = value.strip().upper()
        matches = any(i.startswith(text) for i in ids) if prefix and text else text in ids
        if matches:
            continue
        close = difflib.get_close_matches(text, ids, n=1)
        hint = f"; did you mean {close[0]}?" if close else "; `heiki rules` lists them"
        reason = "is empty" if not text else "names no rule"
        problems.append(Diagnostic(dx.CONFIG, Severity.ERROR, f"{label} {reason}{hint}", where))
    if not problems:
        selects = (*config.select, *select)
        ignores = (*config.ignore, *ignore)
        if not any(_selected(i, selects, ignores) for i in ids):
            problems.append(
                Diagnostic(
                    dx.CONFIG,
                    Severity.ERROR,
                    "the rule selection (--select / --ignore and the configuration's select / "
                    "ignore) leaves no rule to run",
                    where_config,
                )
            )
    return problems


def check_selection(config: Config, select: Iterable[str] = (), ignore: Iterable[str] = ()) -> None:
    errors = selection_errors(config, select, ignore)
    if errors:
        raise InputError(errors)


def check_rules(
    env: Environment,
    catalog: Catalog,
    config: Config | None = None,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    rules: Iterable[type[Rule]] | None = None,
    context: RuleContext | None = None,
) -> RuleRun:
    """Run the selected rules and apply the configuration (severities, suppressions)."""
    config = config or Config()
    ctx = context or RuleContext(env, catalog)
    selects = (*config.select, *select)
    ignores = (*config.ignore, *ignore)
    findings: list[Finding] = []
    for rule_class in rules if rules is not None else all_rules():
        if _selected(rule_class.meta.id, selects, ignores):
            findings += _check_rule(rule_class, ctx, config)
    kept: list[Finding] = []
    suppressed: list[tuple[Finding, Suppression]] = []
    used: set[int] = set()
    for finding in findings:
        match = next(
            (
                i
                for i, s in enumerate(config.suppressions)
                if s.matches(finding.rule_id, finding.resource, finding.message)
            ),
            None,
        )
        if match is None:
            kept.append(finding)
        else:
            used.add(match)
            suppressed.append((finding, config.suppressions[match]))
    for index, suppression in enumerate(config.suppressions):
        if index not in used:
            kept.append(
                Finding(
                    rule_id=_UNUSED_META.id,
                    title=_UNUSED_META.title,
                    severity=config.severity_of(_UNUSED_META.id, _UNUSED_META.severity),
                    message=f"suppression of {suppression.rule}"
                    f"{' for ' + repr(suppression.resource) if suppression.resource else ''} "
                    f"matched nothing (reason given: {suppression.reason})",
                    resource=None,
                    location=suppression.location,
                    evidence=(),
                    fix=_UNUSED_META.fix,
                )
            )
    return RuleRun(
        link_instances(link_causes(sorted(kept, key=Finding.sort_key))),
        tuple(sorted(suppressed, key=lambda pair: pair[0].sort_key())),
    )


def link_causes(findings: list[Finding]) -> tuple[Finding, ...]:
    """One defect, one finding: a finding whose ``causes`` name a defect another finding
    reports becomes that finding's consequence; chains lead to their root (a wrong zone name
    -> the zone needed but not linked -> the name that resolves publicly)."""
    producers: dict[str, Finding] = {}
    for finding in findings:
        for defect in finding.defects:
            producers.setdefault(defect, finding)

    def cause_of(finding: Finding) -> Finding | None:
        return next(
            (
                producer
                for key in finding.causes
                if (producer := producers.get(key)) is not None and producer is not finding
            ),
            None,
        )

    def root_of(finding: Finding) -> Finding | None:
        root, seen = cause_of(finding), {finding.id}
        while root is not None:
            if root.id in seen:
                return None  # findings that explain each other: none is folded
            seen.add(root.id)
            above = cause_of(root)
            if above is None:
                return root
            root = above
        return None

    return tuple(
        replace(finding, caused_by=root.id) if (root := root_of(finding)) else finding
        for finding in findings
    )


def link_instances(findings: tuple[Finding, ...]) -> tuple[Finding, ...]:
    """One defect, one finding: root findings of one rule at the same place in the source
    whose messages differ only by their own resource's name are one defect repeated (the
    resources of one copy loop, ``count``, ``for_each`` or module call); each after the first
    becomes an instance of the first."""
    first: dict[tuple[object, ...], str] = {}
    linked: list[Finding] = []
    for finding in findings:
        key = _instance_key(finding)
        if key is None:
            linked.append(finding)
            continue
        found = first.setdefault(key, finding.id)
        linked.append(finding if found == finding.id else replace(finding, instance_of=found))
    return tuple(linked)


def _instance_key(finding: Finding) -> tuple[object, ...] | None:
    where = finding.location
    if finding.caused_by is not None or where is None or where.line is None:
        return None
    message = finding.message
    name = finding.resource.rstrip("/").rsplit("/", 1)[-1] if finding.resource else ""
    if name:
        message = re.sub(rf"(?<![\w.-]){re.escape(name)}(?![\w.-])", "\x00", message)
    return (
        finding.rule_id,
        finding.severity,
        where.file,
        where.line,
        where.column,
        finding.fix,
        message,
    )


def run_rules(
    env: Environment,
    catalog: Catalog,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    rules: Iterable[type[Rule]] | None = None,
    context: RuleContext | None = None,
) -> tuple[Finding, ...]:
    """The findings of the selected rules (no configuration)."""
    return check_rules(env, catalog, None, select, ignore, rules, context).findings
