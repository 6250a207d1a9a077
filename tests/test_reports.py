"""The check reports: four formats from one record, golden files, JSON Schema and SARIF validity."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.validators import validator_for

from heiki.cli.main import cli
from heiki.designs import BUILTIN_DESIGNS

FIXTURES = Path(__file__).parent / "fixtures"
FORMATS = {"text": "txt", "json": "json", "sarif": "sarif.json", "markdown": "md"}


@cache
def check_output(design: str, output_format: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["check", design, "--format", output_format])
    return result.exit_code, result.output


def report_schema() -> dict[str, Any]:
    text = resources.files("heiki").joinpath("reports/schema/check-report.schema.json")
    schema: dict[str, Any] = json.loads(text.read_text(encoding="utf-8"))
    return schema


@pytest.mark.parametrize("output_format", sorted(FORMATS))
@pytest.mark.parametrize("design", BUILTIN_DESIGNS)
def test_report_matches_golden(
    design: str, output_format: str, golden: Callable[[str, str], None]
) -> None:
    code, output = check_output(design, output_format)
    assert code in (0, 1), output
    golden(f"check/{design}.{FORMATS[output_format]}", output)


def test_reports_are_deterministic() -> None:
    for output_format in FORMATS:
        first = CliRunner().invoke(cli, ["check", "dev-prod", "--format", output_format]).output
        second = CliRunner().invoke(cli, ["check", "dev-prod", "--format", output_format]).output
        assert first == second


def test_the_schema_is_a_valid_json_schema() -> None:
    Draft202012Validator.check_schema(report_schema())


@pytest.mark.parametrize("design", BUILTIN_DESIGNS)
def test_json_report_validates_against_the_shipped_schema(design: str) -> None:
    document = json.loads(check_output(design, "json")[1])
    validator = Draft202012Validator(report_schema(), format_checker=FormatChecker())
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


def test_the_schema_rejects_a_wrong_shape() -> None:
    document = json.loads(check_output("closed-aml", "json")[1])
    validator = Draft202012Validator(report_schema())
    document["readiness"][0]["status"] = "almost"
    del document["findings"]
    messages = [e.message for e in validator.iter_errors(document)]
    assert any("'almost' is not one of" in m for m in messages)
    assert any("'findings' is a required property" in m for m in messages)


def test_json_top_level_has_what_the_issue_names() -> None:
    document = json.loads(check_output("nsg-only", "json")[1])
    capability = document["readiness"][0]
    assert {"loop", "capability", "status", "evidence"} <= set(capability)
    assert {"closed", "checks"} <= set(document["closure"])
    assert {"event", "manual_changes", "who"} <= set(document["toil"]["events"][0])
    finding = document["findings"][0]
    assert {"rule", "severity", "resource", "message", "evidence", "fix"} <= set(finding)


@cache
def sarif_validator() -> Any:
    schema = json.loads((FIXTURES / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


@pytest.mark.parametrize("design", BUILTIN_DESIGNS)
def test_sarif_validates_against_the_oasis_schema(design: str) -> None:
    document = json.loads(check_output(design, "sarif")[1])
    errors = list(sarif_validator().iter_errors(document))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    assert document["version"] == "2.1.0"


def test_sarif_lists_only_the_rules_that_fired_and_points_into_the_source() -> None:
    sarif = json.loads(check_output("nsg-only", "sarif")[1])
    record = json.loads(check_output("nsg-only", "json")[1])
    run = sarif["runs"][0]
    listed = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    fired = {r["ruleId"] for r in run["results"]}
    assert set(listed) == fired
    assert fired == {f["rule"] for f in record["findings"]} | {
        d["code"] for d in record["diagnostics"]
    }
    for result in run["results"]:
        assert listed[result["ruleIndex"]] == result["ruleId"]
    located = [
        r["locations"][0]["physicalLocation"] for r in run["results"] if r["ruleId"] == "EXF001"
    ]
    assert located and all(
        p["artifactLocation"]["uri"] == "heiki:designs/nsg-only.yaml" and p["region"]["startLine"]
        for p in located
    )


def test_sarif_of_a_clean_design_has_no_results() -> None:
    run = json.loads(check_output("closed-aml", "sarif")[1])["runs"][0]
    assert run["results"] == [] and run["tool"]["driver"]["rules"] == []


def test_text_report_puts_readiness_first_and_groups_findings() -> None:
    text = check_output("nsg-only", "text")[1]
    order = [
        text.index(title)
        for title in ("Verdict:", "Readiness of the three loops", "Closure:", "Toil:", "errors (")
    ]
    assert order == sorted(order)
    assert text.index("errors (") < text.index("warnings (")
    # the blocked package hosts and the exfiltration path, with the evidence under the finding
    assert "pypi.org" in text and "files.pythonhosted.org" in text
    assert "EXF001" in text and "foreign-account.blob.core.windows.net" in text
    assert "route Default 0.0.0.0/0 -> Internet" in text


def test_markdown_is_a_pull_request_comment() -> None:
    markdown = check_output("locked-down", "markdown")[1]
    assert markdown.startswith("## heiki: locked-down")
    assert "| inner | packages | **NOT READY** |" in markdown
    assert "<details>" in markdown


def test_the_sarif_validator_is_not_vacuous() -> None:
    document = json.loads(check_output("nsg-only", "sarif")[1])
    document["runs"][0]["results"][0]["level"] = "fatal"
    document["version"] = "2.0"
    assert len(list(sarif_validator().iter_errors(document))) >= 2


_JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(_JSON_VALUES)
def test_dumps_writes_what_the_standard_library_writes(value: object) -> None:
    """heiki's JSON writer (fast on a 1,000-spoke report) writes the very text of
    json.dumps(indent=2, sort_keys=True, ensure_ascii=False)."""
    import json

    from heiki.reports.serialize import dumps

    expected = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert dumps(value) == expected


@settings(max_examples=150, deadline=None)
@given(_JSON_VALUES, st.lists(st.integers(0, 3), min_size=1, max_size=6))
def test_a_reused_list_reads_as_its_items_wherever_it_sits(item: object, places: list[int]) -> None:
    """One ReusedList placed at several depths (the egress record's shared ``required``
    arrays) is written as its items at each depth: its text is kept per indent level."""
    import json

    from heiki.reports.serialize import ReusedList, dumps

    shared = ReusedList([item, {"a": item}])
    value: list[object] = []
    for depth in places:
        placed: object = shared
        for _ in range(depth):
            placed = {"in": placed}
        value.append(placed)
    expected = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert dumps(value) == expected
