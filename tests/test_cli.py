"""The CLI: documented commands and exit codes (0 clean, 1 findings, 2 usage or input error)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from heiki import __version__
from heiki.cli.main import cli


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_version() -> None:
    code, output = run("--version")
    assert code == 0 and __version__ in output


def test_designs_lists_exactly_the_six() -> None:
    code, output = run("designs")
    assert code == 0
    names = [line.split()[0] for line in output.splitlines() if line.strip()]
    assert names == [
        "closed-aml",
        "nsg-only",
        "locked-down",
        "a-record-dns",
        "manual-upload",
        "dev-prod",
    ]


def test_check_without_argument_uses_closed_aml() -> None:
    code, output = run("check")
    assert code == 0
    assert "closed-aml" in output and "valid" in output


def test_check_json_is_machine_readable() -> None:
    code, output = run("check", "nsg-only", "--format", "json")
    assert code == 0
    document = json.loads(output)
    assert document["environment"] == "nsg-only"
    assert [d["code"] for d in document["diagnostics"]] == ["IN032"]
    code, _ = run("check", "nsg-only", "--fail-on", "warning")
    assert code == 1


def test_show_text_and_json(tmp_path: Path) -> None:
    code, output = run("show", "closed-aml")
    assert code == 0
    for fragment in ("vnet-hub", "AzureFirewallSubnet", "privatelink.api.azureml.ms", "dnspr-hub"):
        assert fragment in output
    code, output = run("show", "closed-aml", "--format", "json")
    assert code == 0
    assert json.loads(output)["summary"]["workspaces"] == 1


def test_show_is_deterministic() -> None:
    assert run("show", "dev-prod", "--format", "json") == run(
        "show", "dev-prod", "--format", "json"
    )
    assert run("show", "dev-prod") == run("show", "dev-prod")


def test_usage_and_input_errors_exit_2() -> None:
    assert run("check", "--no-such-option")[0] == 2
    code, output = run("show", "no-such-design")
    assert code == 2 and "IN040" in output
    assert run("check", "--format", "xml")[0] == 2
