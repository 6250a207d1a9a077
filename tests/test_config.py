"""Configuration: severity overrides, suppressions with a reason, select/ignore, fail_on, errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from heiki.catalog import load_catalog
from heiki.cli.main import cli
from heiki.config import load_config, parse_config
from heiki.diagnostics import InputError, Severity
from heiki.rules.engine import check_rules
from heiki.sources import load

STRAY = "ststrayupload"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output  # stdout and stderr interleaved


def check_json(*args: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(cli, ["check", *args, "--format", "json"])
    return result.exit_code, json.loads(result.stdout)


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def rules_of(document: dict[str, Any]) -> list[str]:
    return [f["rule"] for f in document["findings"]]


def test_severity_override_changes_the_finding_and_the_exit_code(workdir: Path) -> None:
    assert check_json("a-record-dns")[0] == 0  # DNS015 is a warning by default
    (workdir / "heiki.toml").write_text('[severity]\nDNS015 = "error"\n')
    code, document = check_json("a-record-dns")
    assert code == 1
    assert {f["severity"] for f in document["findings"] if f["rule"] == "DNS015"} == {"error"}
    # rule metadata keeps the default severity; the finding carries the override
    assert next(r for r in document["rules"] if r["id"] == "DNS015")["severity"] == "warning"


def test_suppression_with_reason_hides_the_finding_and_keeps_it_visible(workdir: Path) -> None:
    (workdir / "heiki.toml").write_text(
        f'[[suppress]]\nrule = "CLS001"\nresource = "{STRAY}"\nreason = "migration CHG-1234"\n'
    )
    code, document = check_json("manual-upload")
    assert "CLS001" not in rules_of(document)
    assert [(s["rule"], s["reason"]) for s in document["suppressed"]] == [
        ("CLS001", "migration CHG-1234")
    ]
    assert document["suppressed"][0]["suppression"] == "heiki.toml:1"
    assert "CLS002" in rules_of(document)  # only the named rule is suppressed
    assert code == 0  # the only error was suppressed; the rest are warnings


def test_unused_suppression_is_reported_where_it_is_written(workdir: Path) -> None:
    (workdir / "heiki.toml").write_text(
        'select = ["DNS"]\n\n[[suppress]]\nrule = "EXF001"\nreason = "legacy"\n'
    )
    _, document = check_json("closed-aml")
    [finding] = document["findings"]
    assert finding["rule"] == "CFG001" and finding["severity"] == "warning"
    assert finding["location"] == {"file": "heiki.toml", "line": 3, "column": None, "pointer": None}
    assert "EXF001" in finding["message"] and "legacy" in finding["message"]


def test_select_and_ignore_from_config_and_command_line(workdir: Path) -> None:
    _, everything = check_json("manual-upload")
    assert {"CLS001", "CLS002", "RDY001", "TOIL001"} <= set(rules_of(everything))
    _, cls_only = check_json("manual-upload", "--select", "CLS")
    assert set(rules_of(cls_only)) == {"CLS001", "CLS002"}
    _, ignored = check_json("manual-upload", "--select", "CLS", "--ignore", "CLS002")
    assert set(rules_of(ignored)) == {"CLS001"}
    (workdir / "heiki.toml").write_text('ignore = ["RDY", "TOIL"]\n')
    _, configured = check_json("manual-upload")
    assert set(rules_of(configured)) == {"CLS001", "CLS002"}
    # the command line adds to the configuration
    _, both = check_json("manual-upload", "--ignore", "CLS002")
    assert set(rules_of(both)) == {"CLS001"}


def test_fail_on_from_config_and_the_flag_wins(workdir: Path) -> None:
    assert run("check", "locked-down")[0] == 0
    (workdir / "heiki.toml").write_text('fail_on = "warning"\n')
    assert run("check", "locked-down")[0] == 1
    assert run("check", "locked-down", "--fail-on", "error")[0] == 0
    assert run("check", "nsg-only", "--fail-on", "never")[0] == 0


def test_pyproject_tool_heiki_is_read(workdir: Path) -> None:
    (workdir / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.heiki]\nselect = ["CLS001"]\n'
    )
    _, document = check_json("manual-upload")
    assert rules_of(document) == ["CLS001"]
    config = load_config(directory=workdir)
    assert config.select == ("CLS001",) and config.path == "pyproject.toml"


def test_heiki_toml_wins_over_pyproject(workdir: Path) -> None:
    (workdir / "pyproject.toml").write_text('[tool.heiki]\nselect = ["CLS001"]\n')
    (workdir / "heiki.toml").write_text('select = ["CLS002"]\n')
    assert load_config(directory=workdir).select == ("CLS002",)


def test_explicit_config_file(workdir: Path) -> None:
    other = workdir / "ci.toml"
    other.write_text('select = ["CLS002"]\n')
    _, document = check_json("manual-upload", "--config", str(other))
    assert rules_of(document) == ["CLS002"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('fail_on = "error"\nselect = [\n', "heiki.toml:2: error IN050: TOML syntax"),
        ("colour = 1\n", "heiki.toml:1: error IN050: unknown configuration key 'colour'"),
        ('fail_on = "sometimes"\n', "heiki.toml:1: error IN050: fail_on must be one of"),
        ('select = "DNS"\n', "select must be a list"),
        ('[severity]\nDNS001 = "fatal"\n', "heiki.toml:2: error IN050: severity of DNS001"),
        ('[[suppress]]\nrule = "CLS001"\n', "heiki.toml:1: error IN050: the suppression of CLS001"),
        ('[[suppress]]\nrule = "CLS001"\nreason = "  "\n', "needs a reason"),
        ('[[suppress]]\nreason = "x"\n', "a suppression needs a rule"),
        ('[[suppress]]\nrule = "X"\nreason = "y"\nuntil = 1\n', "unknown key 'until'"),
    ],
)
def test_bad_configuration_exits_2_with_file_and_line(
    workdir: Path, text: str, expected: str
) -> None:
    (workdir / "heiki.toml").write_text(text)
    code, output = run("check", "closed-aml")
    assert code == 2
    assert expected in output
    assert "Traceback" not in output


def test_missing_config_file_exits_2() -> None:
    code, output = run("check", "--config", "/no/such/heiki.toml")
    assert code == 2 and "IN003" in output and "No such file" in output


def test_engine_applies_config_without_the_cli() -> None:
    env = load("manual-upload").environment
    config = parse_config(
        '[severity]\nCLS002 = "info"\n[[suppress]]\nrule = "TOIL"\nreason = "accepted"\n',
        "inline.toml",
    )
    run_result = check_rules(env, load_catalog(), config)
    severities = {f.rule_id: f.severity for f in run_result.findings}
    assert severities["CLS002"] is Severity.INFO
    assert "TOIL001" not in severities
    assert [f.rule_id for f, _ in run_result.suppressed] == ["TOIL001"]


def test_parse_config_reports_toml_syntax_position() -> None:
    with pytest.raises(InputError) as caught:
        parse_config("a = 1\nb = = 2\n", "x.toml")
    [diagnostic] = caught.value.diagnostics
    assert diagnostic.location is not None and diagnostic.location.line == 2
