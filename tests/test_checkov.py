"""External validation: checkov finds no failed check in the ARM template, the Bicep project and
the Terraform module heiki generates for the good designs (except suppressions written into the
output, each with its reason), and flags the same stray storage account in manual-upload that
heiki's CLS001 does.

checkov pins old versions of common packages, so .ci/run installs it into its own venv and points
HEIKI_CHECKOV at it; without checkov the test is skipped."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from heiki.generators.arm import arm_template
from heiki.reports.serialize import dumps
from heiki.sources import load

CHECKOV = os.environ.get("HEIKI_CHECKOV") or shutil.which("checkov")
pytestmark = pytest.mark.skipif(CHECKOV is None, reason="checkov not installed")


def run_checkov(*arguments: str) -> dict[str, Any]:
    """checkov offline (no download, no platform mapping), its JSON report for one framework."""
    assert CHECKOV is not None
    done = subprocess.run(
        [CHECKOV, *arguments, "--skip-download", "-o", "json"],
        capture_output=True,
        text=True,
        env={**os.environ, "BC_SKIP_MAPPING": "TRUE"},
        timeout=600,
        check=False,
    )
    report = json.loads(done.stdout)
    return report[0] if isinstance(report, list) else report  # type: ignore[no-any-return]


def pycep_resources(folder: Path) -> dict[str, int] | None:
    """How many resources checkov's Bicep parser (pycep, beside checkov) reads from each module:
    a module it cannot parse is only a parsing error, and one it half-reads none at all."""
    assert CHECKOV is not None
    python = Path(CHECKOV).parent / "python"
    if not python.exists():  # checkov not in a venv of its own: pycep is not importable here
        return None
    script = (
        "import json, sys, pathlib\n"
        "from pycep import BicepParser\n"
        "parser = BicepParser()\n"
        "print(json.dumps({p.name: len(parser.parse(file_path=p)['resources'])"
        " for p in sorted(pathlib.Path(sys.argv[1]).glob('*.bicep'))}))\n"
    )
    done = subprocess.run(
        [str(python), "-c", script, str(folder / "modules")],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def assert_pycep_reads_every_resource(folder: Path) -> None:
    counts = pycep_resources(folder)
    assert counts is None or counts == {
        path.name: path.read_text(encoding="utf-8").count("\nresource ")
        for path in sorted((folder / "modules").glob("*.bicep"))
    }


def checkov(design: str, folder: Path) -> dict[str, Any]:
    path = folder / f"{design}.json"
    # the resource-group template that `heiki build --to arm` nests in its subscription wrapper
    # (checkov does not descend into nested deployments)
    template = arm_template(load(design).environment)
    path.write_text(dumps(template), encoding="utf-8")
    report = run_checkov("-f", str(path), "--framework", "arm", "--quiet")
    report["template"] = template
    return report


@pytest.mark.parametrize("design", ["closed-aml", "dev-prod", "locked-down", "closed-genai"])
def test_generated_template_passes_checkov(design: str, tmp_path: Path) -> None:
    report = checkov(design, tmp_path)
    summary = report["summary"]
    assert summary["parsing_errors"] == 0
    failed = report.get("results", {}).get("failed_checks", [])
    assert failed == [], [(c["check_id"], c["resource"]) for c in failed]
    assert summary["passed"] > 20
    # every suppression carries a reason
    for resource in report["template"]["resources"]:
        for entry in resource.get("metadata", {}).get("checkov", []):
            check, _, reason = entry.partition(":")
            assert check.startswith("CKV_AZURE_") and len(reason.strip()) > 20, entry


def test_checkov_agrees_with_heiki_on_the_stray_upload_storage(tmp_path: Path) -> None:
    report = checkov("manual-upload", tmp_path)
    failed = {(c["check_id"], c["resource"]) for c in report["results"]["failed_checks"]}
    assert failed == {
        ("CKV_AZURE_35", "Microsoft.Storage/storageAccounts.ststrayupload"),
        ("CKV_AZURE_59", "Microsoft.Storage/storageAccounts.ststrayupload"),
    }


@pytest.mark.parametrize("design", ["closed-aml", "dev-prod", "locked-down", "closed-genai"])
def test_generated_bicep_parses_and_passes_checkov(design: str, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from heiki.cli.main import cli

    out = tmp_path / "bicep"
    result = CliRunner().invoke(cli, ["build", design, "--to", "bicep", "-o", str(out)])
    assert result.exit_code == 0, result.output
    report = run_checkov("-d", str(out), "--framework", "bicep")
    # every module parsed (address parameters use octet arithmetic pycep understands)
    assert report["summary"]["parsing_errors"] == 0
    assert_pycep_reads_every_resource(out)
    assert report["summary"]["passed"] > 20
    failed = report.get("results", {}).get("failed_checks", [])
    assert failed == [], [(c["check_id"], c["resource"]) for c in failed]
    skipped = report["results"]["skipped_checks"]
    assert skipped and all(len(c["check_result"]["suppress_comment"]) > 20 for c in skipped)


def test_cut_and_grouped_bicep_parses(tmp_path: Path) -> None:
    """Object parameters (resourceNames.x, split(addressSpaces.x, ...)) and cut modules parse
    with checkov's Bicep parser too."""
    from dataclasses import replace

    from heiki.catalog import DeploymentLimits, load_catalog
    from heiki.generators.bicep import bicep_project

    tight = replace(load_catalog(), deployment_limits=DeploymentLimits(parameters=8, resources=25))
    out = tmp_path / "bicep"
    for name, text in bicep_project(load("closed-aml").environment, tight).items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    report = run_checkov("-d", str(out), "--framework", "bicep")
    assert report["summary"]["parsing_errors"] == 0
    assert_pycep_reads_every_resource(out)


def terraform_checkov(design: str, folder: Path) -> dict[str, Any]:
    from heiki.generators.terraform import terraform_project

    out = folder / "tf"
    out.mkdir()
    for name, text in terraform_project(load(design).environment).items():
        (out / name).write_text(text, encoding="utf-8")
    return run_checkov("-d", str(out), "--framework", "terraform")


CHECKED_AS_AZURERM = {
    "azurerm_storage_account",
    "azurerm_key_vault",
    "azurerm_container_registry",
    "azurerm_machine_learning_workspace",
    "azurerm_machine_learning_compute_cluster",
    "azurerm_network_security_group",
    "azurerm_virtual_network",
    "azurerm_firewall",
}
"""The types checkov has Terraform checks for that every good design has: written as azurerm
(checkov has no check for azapi_resource), so checkov reads them."""


@pytest.mark.parametrize("design", ["closed-aml", "dev-prod", "locked-down", "closed-genai"])
def test_generated_terraform_passes_checkov(design: str, tmp_path: Path) -> None:
    report = terraform_checkov(design, tmp_path)
    assert report["summary"]["parsing_errors"] == 0
    failed = report.get("results", {}).get("failed_checks", [])
    assert failed == [], [(c["check_id"], c["resource"]) for c in failed]
    results = report["results"]
    checked = {
        c["resource"].split(".")[0] for c in results["passed_checks"] + results["skipped_checks"]
    }
    assert checked >= CHECKED_AS_AZURERM
    assert report["summary"]["passed"] > 35
    # every suppression carries its reason
    skipped = results["skipped_checks"]
    assert skipped and all(len(c["check_result"]["suppress_comment"]) > 20 for c in skipped)


def test_checkov_on_terraform_flags_the_stray_upload_storage(tmp_path: Path) -> None:
    report = terraform_checkov("manual-upload", tmp_path)
    failed = {(c["check_id"], c["resource"]) for c in report["results"]["failed_checks"]}
    stray = "azurerm_storage_account.storage_accounts_ststrayupload"
    # open to the internet (CKV_AZURE_35, _59), keys allowed (CKV2_AZURE_40, _41) and no
    # private endpoint (CKV2_AZURE_33): what heiki's CLS001 says of it
    assert failed == {
        (check, stray)
        for check in (
            "CKV_AZURE_35",
            "CKV_AZURE_59",
            "CKV2_AZURE_33",
            "CKV2_AZURE_40",
            "CKV2_AZURE_41",
        )
    }
