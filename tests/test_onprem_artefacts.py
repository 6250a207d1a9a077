"""The changes handed to the on-premises teams: conditional forwarders (Windows DNS, BIND) and
the firewall rule table."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from heiki.analyses.dns.forwarders import forwarder_plan
from heiki.catalog import load_catalog
from heiki.cli.main import cli
from heiki.generators.onprem import bind_fragment, firewall_table, windows_dns_script
from heiki.sources import load

HUB_FORWARDING = ("closed-aml", "nsg-only", "locked-down", "manual-upload", "dev-prod")


@pytest.mark.parametrize("design", HUB_FORWARDING)
def test_forwarders_are_exactly_what_the_verified_design_uses(design: str) -> None:
    env = load(design).environment
    plan = forwarder_plan(env, load_catalog())
    assert env.on_premises is not None
    verified = {
        (str(f.zone), tuple(str(t) for t in f.targets))
        for server in env.on_premises.dns_servers
        for f in server.conditional_forwarders
    }
    generated = {(zone, tuple(str(t) for t in plan.targets)) for zone in plan.zones}
    assert generated == verified
    assert plan.target_kind == "DNS Private Resolver inbound endpoint"


def test_bind_fragment_shape() -> None:
    plan = forwarder_plan(load("closed-aml").environment, load_catalog())
    text = bind_fragment(plan, "closed-aml")
    zones = re.findall(r'^zone "([^"]+)" \{$', text, re.MULTILINE)
    assert zones == list(plan.zones) and "api.azureml.ms" in zones
    assert text.count("type forward;") == len(zones)
    assert text.count("forwarders { 10.0.1.132; };") == len(zones)


@pytest.mark.skipif(shutil.which("named-checkconf") is None, reason="bind9 not installed")
def test_bind_fragment_passes_named_checkconf(tmp_path: Path) -> None:
    plan = forwarder_plan(load("closed-aml").environment, load_catalog())
    path = tmp_path / "named.conf.forwarders"
    path.write_text(bind_fragment(plan, "closed-aml"), encoding="utf-8")
    done = subprocess.run(["named-checkconf", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_windows_script_is_idempotent_powershell() -> None:
    plan = forwarder_plan(load("dev-prod").environment, load_catalog())
    text = windows_dns_script(plan, "dev-prod")
    assert '$targets = @("10.0.1.132")' in text
    for zone in plan.zones:
        assert f'    "{zone}"' in text
    assert "Add-DnsServerConditionalForwarderZone" in text
    assert "Set-DnsServerConditionalForwarderZone" in text  # re-running updates, never duplicates


def test_firewall_table_lists_every_rule_with_its_reason() -> None:
    env = load("closed-aml").environment
    table = firewall_table(env)
    rules = [
        r
        for p in env.firewall_policies
        for g in p.rule_collection_groups
        for c in g.rule_collections
        for r in c.rules
    ]
    rows = [
        line
        for line in table.splitlines()
        if line.startswith("| ") and "---" not in line and not line.startswith("| group")
    ]
    assert len(rows) == len(rules)
    assert any("files.pythonhosted.org" in row for row in rows)
    assert any(
        "Self-hosted integration runtime reads the on-premises source." in row for row in rows
    )
    assert all(not row.rstrip().endswith("| - |") for row in rows)  # every rule says why
    assert any("required by egress profile azure-ml" in row for row in rows)


def test_build_without_a_hub_dns_endpoint_warns_and_writes_no_forwarders(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["build", "a-record-dns", "-o", str(tmp_path / "out")])
    assert result.exit_code == 0
    assert "IN071" in result.output
    # no forwarder files; the on-premises side (its A records) is still written
    written = sorted(p.name for p in (tmp_path / "out" / "onprem").iterdir())
    assert written == ["onprem.yaml"]
