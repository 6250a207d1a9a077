"""One finding per root cause: what a defect causes is attached to it as consequences (JSON
``caused_by``, folded under the root in text and Markdown, SARIF related locations) and the
verdict counts root causes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from heiki.cli.main import cli
from test_coverage import ml_template, write
from test_service_firewalls import _misnamed_vault_zone


def _report(tmp_path: Path, document: dict[str, Any], output: str = "json") -> Any:
    result = CliRunner().invoke(cli, ["check", write(tmp_path, document), "--format", output])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout) if output in ("json", "sarif") else result.stdout


def test_a_wrong_zone_name_is_one_root_cause(tmp_path: Path) -> None:
    record = _report(tmp_path, _misnamed_vault_zone())
    by_rule: dict[str, list[dict[str, Any]]] = {}
    for finding in record["findings"]:
        by_rule.setdefault(finding["rule"], []).append(finding)
    (root,) = by_rule["DNS002"]
    assert root["caused_by"] is None
    assert by_rule["DNS003"] and all(f["caused_by"] == root["id"] for f in by_rule["DNS003"])
    vault = [f for f in by_rule["DNS014"] if "kv-ml.vault.azure.net" in f["message"]]
    assert vault and all(f["caused_by"] == root["id"] for f in vault)
    assert "DNS015" not in by_rule  # not toil of the design: a defect already reported
    roots = [f for f in record["findings"] if f["caused_by"] is None]
    errors = sum(1 for f in roots if f["severity"] == "error")
    assert record["verdict"]["errors"] == errors + sum(
        1 for d in record["diagnostics"] if d["severity"] == "error"
    )


def test_text_and_markdown_fold_consequences_under_the_root(tmp_path: Path) -> None:
    text = _report(tmp_path, _misnamed_vault_zone(), "text")
    root = text.index("  DNS002 zone group")
    assert "      consequence: DNS003" in text[root:]
    assert "\n  DNS003 " not in text  # never a root of its own
    markdown = _report(tmp_path, _misnamed_vault_zone(), "markdown")
    assert "  - consequences (" in markdown and "    - `DNS003`" in markdown


def test_sarif_carries_consequences_as_related_locations(tmp_path: Path) -> None:
    sarif = _report(tmp_path, _misnamed_vault_zone(), "sarif")
    results = sarif["runs"][0]["results"]
    assert not [r for r in results if r["ruleId"] in ("DNS003",)]
    (root,) = [r for r in results if r["ruleId"] == "DNS002"]
    messages = [related["message"]["text"] for related in root["relatedLocations"]]
    assert any(m.startswith("consequence DNS003") for m in messages)


def test_a_compute_public_ip_is_aml001_with_closure_as_its_consequence(tmp_path: Path) -> None:
    document = ml_template()
    compute = next(r for r in document["resources"] if r["name"] == "mlw/cluster")
    compute["properties"]["properties"]["enableNodePublicIp"] = True
    record = _report(tmp_path, document)
    (root,) = [f for f in record["findings"] if f["rule"] == "AML001"]
    public = [f for f in record["findings"] if f["rule"] == "CLS001"]
    assert public and all(f["caused_by"] == root["id"] for f in public)
    assert root["caused_by"] is None


def test_independent_defects_stay_roots(tmp_path: Path) -> None:
    record = _report(tmp_path, ml_template())
    assert all(f["caused_by"] is None for f in record["findings"] if f["rule"] != "CLS001")
