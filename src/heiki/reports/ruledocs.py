"""Rule documentation from rule metadata: ``heiki rules``, ``heiki explain`` and ``docs/rules/``.

The pages are generated (``python scripts/generate_rule_docs.py``) and a test fails when the files
in ``docs/rules/`` differ from what the rules say, so the docs cannot drift from the code.
"""

from __future__ import annotations

import importlib
import itertools
from dataclasses import dataclass
from typing import Any

from rich.console import RenderableType
from rich.table import Table

from heiki.rules.base import Rule, RuleMeta
from heiki.rules.engine import ENGINE_RULES
from heiki.rules.registry import all_rules


@dataclass(frozen=True, slots=True)
class RuleDoc:
    """A rule's generated documentation page: its metadata, category and source."""

    meta: RuleMeta
    category: str
    """One line from the rule package's docstring (``DNS rules: ...``)."""
    source: str
    """Where the rule lives, relative to ``src/``."""


def _category(prefix: str) -> str:
    package = importlib.import_module(f"heiki.rules.{prefix.lower()}")
    return (package.__doc__ or prefix).strip().splitlines()[0].rstrip(".")


def _doc(rule: type[Rule]) -> RuleDoc:
    meta = rule.meta
    prefix = meta.id.rstrip("0123456789")
    return RuleDoc(meta, _category(prefix), f"{rule.__module__.replace('.', '/')}.py")


def rule_docs() -> tuple[RuleDoc, ...]:
    """Every rule in ID order, then the engine's own findings (a crashing rule, a stale suppression)."""
    engine = tuple(
        RuleDoc(meta, "Engine findings: problems of the run itself", "heiki/rules/engine.py")
        for meta in ENGINE_RULES
    )
    return tuple(_doc(rule) for rule in all_rules()) + engine


def find_rule_doc(rule_id: str) -> RuleDoc | None:
    return next((d for d in rule_docs() if d.meta.id.lower() == rule_id.strip().lower()), None)


def rules_document() -> dict[str, Any]:
    return {
        "rules": [
            {
                "id": d.meta.id,
                "name": d.meta.name,
                "title": d.meta.title,
                "severity": d.meta.severity.value,
                "category": d.category,
                "rationale": d.meta.rationale,
                "fix": d.meta.fix,
                "references": list(d.meta.references),
                "source": d.source,
            }
            for d in rule_docs()
        ]
    }


def render_rules() -> RenderableType:
    table = Table(title="heiki rules", title_justify="left")
    for column in ("id", "severity", "name", "title"):
        table.add_column(column, no_wrap=column != "title")
    for doc in rule_docs():
        meta = doc.meta
        table.add_row(meta.id, meta.severity.value, meta.name, meta.title)
    return table


def rule_page(doc: RuleDoc) -> str:
    """The Markdown page of one rule (also what ``heiki explain`` prints)."""
    meta = doc.meta
    lines = [
        f"# {meta.id}: {meta.title}",
        "",
        f"- **Name:** `{meta.name}`",
        f"- **Default severity:** {meta.severity.value}",
        f"- **Category:** {doc.category}",
        f"- **Source:** `src/{doc.source}`",
        "",
        "## Why",
        "",
        meta.rationale,
        "",
        "## Fix",
        "",
        meta.fix,
        "",
    ]
    if meta.references:
        lines += ["## References", ""] + [f"- <{ref}>" for ref in meta.references] + [""]
    lines += [
        "## Configure",
        "",
        "```toml",
        "# heiki.toml (or [tool.heiki] in pyproject.toml)",
        f'ignore = ["{meta.id}"]            # do not run it',
        "[severity]",
        f'{meta.id} = "{_other_severity(meta)}"           # change its severity',
        "[[suppress]]",
        f'rule = "{meta.id}"',
        'resource = "name-of-the-resource"  # matched against resource ID and message',
        'reason = "why this is accepted, and until when"',
        "```",
        "",
    ]
    return "\n".join(lines)


def _other_severity(meta: RuleMeta) -> str:
    return "warning" if meta.severity.value == "error" else "error"


def index_page() -> str:
    lines = [
        "# Rules",
        "",
        "Generated from the rule metadata by `python scripts/generate_rule_docs.py`; do not edit.",
        "`heiki rules` lists the same table and `heiki explain ID` prints a page.",
        "",
    ]
    for category, docs in itertools.groupby(rule_docs(), key=lambda d: d.category):
        lines += [f"## {category}", "", "| ID | severity | title |", "|---|---|---|"]
        lines += [
            f"| [{d.meta.id}]({d.meta.id}.md) | {d.meta.severity.value} | {d.meta.title} |"
            for d in docs
        ]
        lines.append("")
    return "\n".join(lines)


def doc_pages() -> dict[str, str]:
    """File name -> content of every page in ``docs/rules/``."""
    pages = {f"{doc.meta.id}.md": rule_page(doc) for doc in rule_docs()}
    pages["README.md"] = index_page()
    return dict(sorted(pages.items()))
