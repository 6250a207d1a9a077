"""Rule metadata and its generated docs: complete, unique, and docs/rules/ up to date."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from heiki.cli.main import cli
from heiki.reports.ruledocs import doc_pages, rule_docs
from heiki.rules.registry import all_rules

DOCS = Path(__file__).resolve().parent.parent / "docs" / "rules"


def test_docs_rules_is_current() -> None:
    """Fails when a rule changed without `python scripts/generate_rule_docs.py`."""
    pages = doc_pages()
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in DOCS.glob("*.md")}
    assert sorted(on_disk) == sorted(pages), "run python scripts/generate_rule_docs.py"
    stale = [name for name, text in pages.items() if on_disk[name] != text]
    assert not stale, f"stale rule docs {stale}; run python scripts/generate_rule_docs.py"


def test_every_rule_has_complete_metadata() -> None:
    names: set[str] = set()
    for doc in rule_docs():
        meta = doc.meta
        assert re.fullmatch(r"[A-Z]{2,4}\d{3}", meta.id)
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", meta.name), meta.id
        assert meta.name not in names, f"{meta.id} reuses the name {meta.name}"
        names.add(meta.name)
        assert meta.title and not meta.title.endswith("."), meta.id
        assert len(meta.rationale) > 40 and len(meta.fix) > 10, meta.id
        assert all(ref.startswith("https://") for ref in meta.references), meta.id
    assert len(all_rules()) >= 30


def test_rules_command_lists_every_rule() -> None:
    result = CliRunner().invoke(cli, ["rules", "--format", "json"])
    assert result.exit_code == 0
    ids = [rule["id"] for rule in json.loads(result.output)["rules"]]
    assert ids == [doc.meta.id for doc in rule_docs()]
    assert {"DNS003", "EXF001", "RDY001", "CLS001", "TOIL001", "CFG001", "INT001"} <= set(ids)
    text = CliRunner().invoke(cli, ["rules"]).output
    assert "zone-not-linked" in text


def test_explain_prints_the_doc_page() -> None:
    result = CliRunner().invoke(cli, ["explain", "dns003"])
    assert result.exit_code == 0
    assert result.output == (DOCS / "DNS003.md").read_text(encoding="utf-8")
    assert "## Why" in result.output and "## Fix" in result.output
    missing = CliRunner().invoke(cli, ["explain", "XYZ999"])
    assert missing.exit_code == 2 and "no rule 'XYZ999'" in missing.output
