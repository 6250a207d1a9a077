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


def test_designs_lists_the_six_and_closed_genai() -> None:
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
        "closed-genai",
    ]


def test_check_without_argument_uses_closed_aml() -> None:
    code, output = run("check")
    assert code == 0
    assert "closed-aml" in output and "Result: no findings." in output


def test_check_json_is_machine_readable() -> None:
    code, output = run("check", "nsg-only", "--format", "json")
    assert code == 1  # the slide-9 design has errors: foreign storage is reachable
    document = json.loads(output)
    assert document["environment"] == "nsg-only"
    assert [d["code"] for d in document["diagnostics"]] == ["IN032"]
    assert {"EXF001", "EXF002", "NSG002"} <= {f["rule"] for f in document["findings"]}
    assert run("check", "nsg-only", "--fail-on", "never")[0] == 0
    # locked-down is closed but not workable: RDY001 / TOIL001 are warnings, not errors.
    assert run("check", "locked-down")[0] == 0
    assert run("check", "locked-down", "--fail-on", "warning")[0] == 1


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


def test_check_reports_dns_matrix_toil_and_findings_as_json() -> None:
    code, output = run("check", "a-record-dns", "--format", "json")
    assert code == 0  # DNS015 is a warning
    document = json.loads(output)
    assert document["dns"]["failures"] == 0 and document["dns"]["cells"]
    events = {e["event"]: e["manual_changes"] for e in document["toil"]["events"]}
    assert events["new compute instance"] == 1
    assert {f["rule"] for f in document["findings"]} == {"DNS015", "RDY001"}
    assert run("check", "a-record-dns", "--fail-on", "warning")[0] == 1
    quiet = ("--ignore", "DNS015", "--ignore", "RDY", "--ignore", "TOIL", "--fail-on", "warning")
    assert run("check", "a-record-dns", *quiet)[0] == 0


def test_closed_aml_has_zero_toil() -> None:
    code, output = run("check", "--format", "json")
    assert code == 0
    document = json.loads(output)
    assert document["toil"]["total"] == 0 and document["findings"] == []


def test_resolve_prints_steps_and_sets_the_exit_code() -> None:
    from heiki.sources import load

    ws = load("closed-aml").environment.workspaces[0]
    name = f"{ws.workspace_id}.workspace.japaneast.api.azureml.ms"
    code, output = run("resolve", name, "--from", "onprem", "closed-aml")
    assert code == 0
    assert "private" in output and "conditional forwarder api.azureml.ms" in output
    code, output = run("resolve", name, "--from", "onprem", "closed-aml", "--format", "json")
    assert json.loads(output)["resolution"]["outcome"] == "private"
    code, _ = run("resolve", "nothing.corp.example.com", "--from", "onprem", "closed-aml")
    assert code == 1  # NXDOMAIN from the hosted zone
    code, output = run("resolve", "pypi.org", "--from", "nowhere", "closed-aml")
    assert code == 2 and "unknown vantage" in output


def test_vantages_lists_onprem_subnets_vms_and_computes() -> None:
    code, output = run("vantages", "closed-aml", "--format", "json")
    assert code == 0
    names = [v["name"] for v in json.loads(output)["vantages"]]
    assert names[0] == "onprem" and "ml/compute" in names and "ci-alice" in names


def test_trace_cli_headline_cases() -> None:
    code, output = run(
        "trace", "--from", "ml/compute", "--to", "files.pythonhosted.org:443", "nsg-only"
    )
    assert code == 1 and "dropped" in output and "DenyInternetOutBound" in output
    code, output = run("trace", "--from", "ml/compute", "--to", "foreign-storage:443", "nsg-only")
    assert code == 0 and "Storage" in output
    code, output = run(
        "trace",
        "--from",
        "ml/compute",
        "--to",
        "files.pythonhosted.org",
        "closed-aml",
        "--format",
        "json",
    )
    assert code == 0
    document = json.loads(output)
    assert document["trace"]["verdict"] == "delivered" and document["trace"]["crossed_firewall"]
    assert run("trace", "--from", "ml/compute", "--to", "foreign-storage", "closed-aml")[0] == 1


def test_trace_cli_rejects_bad_targets() -> None:
    assert run("trace", "--from", "ml/compute", "--to", "pypi.org:99999")[0] == 2
    assert run("trace", "--from", "ml/compute", "--to", "pypi.org/sctp")[0] == 2
    assert run("trace", "--from", "nowhere", "--to", "pypi.org")[0] == 2


def test_routes_cli() -> None:
    code, output = run("routes", "hub/GatewaySubnet", "--format", "json")
    assert code == 0
    routes = json.loads(output)["routes"]
    assert any(
        r["state"] == "Invalid" and r["next_hop_type"] == "InterfaceEndpoint" for r in routes
    )
    code, output = run("routes", "ml/compute")
    assert code == 0 and "VirtualAppliance" in output


def test_an_unknown_input_is_named_before_options_that_do_not_fit_it(tmp_path: Path) -> None:
    """`heiki resolve FILE NAME` (arguments swapped) with --parameters: the name taken for an
    input is what is wrong, not --parameters for a blueprint."""
    template = tmp_path / "main.json"
    template.write_text('{"resources": []}', encoding="utf-8")
    swapped = [str(template), "st1.blob.core.windows.net", "--parameters", "a=1"]
    result = CliRunner().invoke(cli, ["resolve", *swapped, "--from", "onprem"])
    assert result.exit_code == 2
    assert "IN040" in result.output and "'st1.blob.core.windows.net' is neither" in result.output
    assert "IN041" not in result.output
    # a known design with an option for templates still says why the option does not fit
    result = CliRunner().invoke(cli, ["check", "nsg-only", "--parameters", "a=1"])
    assert result.exit_code == 2 and "IN041" in result.output
