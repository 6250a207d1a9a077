"""The round trip as a user runs it, through the ``heiki`` command: build a design, check what
was built with the parameter file and the on-premises side the build wrote, and get the verdict
of the design itself - for all seven built-in designs, ARM and Bicep outputs.

The Bicep project is compiled by the test-only subset reader (no Bicep compiler is installable
here); the ARM output is checked exactly as written."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from bicep_subset import compile_to_file
from heiki.designs import BUILTIN_DESIGNS
from heiki.generators.arm import resource_group_of
from heiki.sources import load

KEY = "adminSshPublicKey=ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIheikiroundtrip heiki@test"


def heiki(*args: str) -> subprocess.CompletedProcess[str]:
    script = shutil.which("heiki", path=str(Path(sys.executable).parent))
    command = [script] if script else [sys.executable, "-m", "heiki"]
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, timeout=300, check=False
    )


def verdict(stdout: str) -> dict[str, Any]:
    """What a reviewer reads: the verdict, every capability, closure check and toil event, and
    the findings by rule, resource and message."""
    record = json.loads(stdout)
    # the counts include input diagnostics, which differ by nature (a blueprint's IN032 "FQDNs an
    # NSG cannot express" has no counterpart in a template); the findings are compared instead
    summary = {k: v for k, v in record["verdict"].items() if k not in ("errors", "warnings")}
    return {
        "verdict": summary,
        "readiness": [(c["capability"], c["status"], c["summary"]) for c in record["readiness"]],
        "closure": [(c["check"], c["status"], c["summary"]) for c in record["closure"]["checks"]],
        "toil": [(e["event"], e["manual_changes"]) for e in record["toil"]["events"]],
        "findings": sorted((f["rule"], f["resource"], f["message"]) for f in record["findings"]),
        "coverage": record["coverage"],
    }


@cache
def design_verdict(design: str) -> dict[str, Any]:
    done = heiki("check", design, "--format", "json")
    assert done.returncode in (0, 1), done.stderr
    return verdict(done.stdout)


@pytest.mark.parametrize("design", BUILTIN_DESIGNS)
@pytest.mark.parametrize("output", ["arm", "bicep"])
def test_the_built_output_checks_as_the_design(design: str, output: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    built = heiki("build", design, "--to", output, "-o", str(out))
    assert built.returncode == 0, built.stderr
    onprem = out / "onprem" / "onprem.yaml"
    assert onprem.is_file()
    if output == "arm":
        template, parameters = out / "azuredeploy.json", out / "azuredeploy.parameters.json"
        scope: list[str] = []
    else:
        template = compile_to_file(out / "main.bicep", out / "main.json")
        parameters = out / "main.parameters.json"
        env = load(design).environment
        scope = ["--resource-group", resource_group_of(env), "--location", env.location]
    # the SSH key where the template has VMs (a parameter it does not declare is an error)
    declared = json.loads(Path(template).read_text(encoding="utf-8"))["parameters"]
    key = ["--parameters", KEY] if "adminSshPublicKey" in declared else []
    done = heiki(
        "check",
        str(template),
        "--parameters",
        str(parameters),
        *key,
        "--onprem",
        str(onprem),
        *scope,
        "--format",
        "json",
    )
    assert done.returncode in (0, 1), done.stderr
    checked = verdict(done.stdout)
    # the template holds the data-role assignments of identity-based datastores, which heiki
    # lists as not modelled (RBAC is not part of the network verdict); nothing else differs
    expected = dict(design_verdict(design))
    written = {gap["what"] for gap in expected.pop("coverage")}  # AI services, online endpoints
    assert {gap["what"] for gap in checked.pop("coverage")} <= {
        "Microsoft.Authorization/roleAssignments",
        *written,
    }
    assert checked == expected
    assert "IN065" not in done.stderr and "ssh-ed25519" not in done.stdout + done.stderr


def test_an_invalid_name_that_would_crash_the_dns_analysis_is_located(tmp_path: Path) -> None:
    """A Key Vault name that is no DNS label (Azure refuses it anyway) used to fail deep in the
    DNS analysis; it is an IN017 at the name now."""
    (tmp_path / "main.tf").write_text(
        'resource "azurerm_key_vault" "kv" {\n  name = "my vault"\n  location = "japaneast"\n'
        '  resource_group_name = "rg"\n  sku_name = "standard"\n  tenant_id = "t"\n}\n',
        encoding="utf-8",
    )
    done = heiki("check", str(tmp_path))
    assert done.returncode == 2, done.stderr
    assert "main.tf:1:1: error IN017: 'my vault'" in done.stderr


def test_an_internal_error_is_int002_with_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A failure inside the analyses is a summary naming the command, never a bare traceback;
    --debug shows it."""
    import heiki.reports.record
    from heiki.cli.main import main

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("an analysis failed")

    monkeypatch.setattr(heiki.reports.record, "check_environment", broken)
    monkeypatch.setattr("sys.argv", ["heiki", "check", "nsg-only"])
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "INT002" in err and "heiki check nsg-only" in err and "Traceback" not in err
    monkeypatch.setattr("sys.argv", ["heiki", "--debug", "check", "nsg-only"])
    with pytest.raises(RuntimeError):
        main()
