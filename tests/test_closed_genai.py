"""closed-genai: the closed design serving online endpoints and calling Azure OpenAI / AI
Services and AI Search over private endpoints (issue 14). The design is ready - foundation models
and serving included -, closed and without toil; each variant opens one thing and fails with its
finding and the evidence, pointing at the line that opened it."""

from __future__ import annotations

import json
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from dnshelp import CATALOG, design, env_of
from heiki.analyses.closure import CheckStatus
from heiki.analyses.readiness import Status
from heiki.cli.main import cli
from heiki.designs import design_file
from heiki.generators.arm import arm_template
from heiki.model.environment import Environment
from heiki.rules.context import RuleContext
from heiki.rules.engine import run_rules
from heiki.sources import load

BASE = design_file("closed-genai").read_text(encoding="utf-8")  # type: ignore[union-attr]
ACCOUNT = "{name: ais-genai, kind: AIServices}"
ENDPOINTS = "online_endpoints: [ep-chat]"


@cache
def _context(text: str) -> RuleContext:
    return RuleContext(env_of(text), CATALOG)


def _variant(old: str, new: str) -> str:
    assert old in BASE
    return BASE.replace(old, new, 1)


def test_the_design_is_ready_closed_and_without_toil() -> None:
    ctx = RuleContext(design("closed-genai"), CATALOG)
    statuses = {c.name: c.status for c in ctx.readiness.capabilities}
    assert statuses["foundation models"] is Status.READY
    assert statuses["serving"] is Status.READY
    assert all(
        c.status in (Status.READY, Status.NOT_APPLICABLE) for c in ctx.readiness.capabilities
    )
    assert ctx.closure.closed
    assert ctx.toil.total == 0
    assert [f for f in run_rules(ctx.env, CATALOG, context=ctx) if f.severity.value != "info"] == []


def test_the_design_holds_the_services_with_their_surfaces() -> None:
    env = design("closed-genai")
    by_type = {u.type: u for u in env.unmodelled}
    account = by_type["Microsoft.CognitiveServices/accounts"]
    assert account.kind == "AIServices" and account.host == "ais-genai"
    assert account.surface is not None and account.surface.local_auth_enabled is False
    online = by_type["Microsoft.MachineLearningServices/workspaces/onlineEndpoints"]
    assert online.name == "mlw-genai/ep-chat" and online.source is not None
    targets = {pe.private_link_service.resource_type for pe in env.private_endpoints}
    assert {"Microsoft.CognitiveServices/accounts", "Microsoft.Search/searchServices"} <= targets


def _finding(text: str, rule: str) -> Any:
    ctx = _context(text)
    found = [f for f in run_rules(ctx.env, CATALOG, context=ctx) if f.rule_id == rule]
    assert found, rule
    return found[0]


def test_a_public_openai_account_fails_closure_at_its_line() -> None:
    text = _variant(ACCOUNT, "{name: ais-genai, kind: OpenAI, public_network_access: enabled}")
    ctx = _context(text)
    check = ctx.closure.get("no public inbound")
    assert check.status is CheckStatus.FAIL
    assert check.evidence == ("Azure OpenAI account ais-genai accepts public network access",)
    finding = _finding(text, "CLS001")
    assert (
        finding.location is not None
        and finding.location.line == BASE[: BASE.index(ACCOUNT)].count("\n") + 1
    )


def test_api_keys_on_the_account_fail_local_authentication() -> None:
    text = _variant(ACCOUNT, "{name: ais-genai, kind: AIServices, local_auth: true}")
    check = _context(text).closure.get("local authentication off")
    assert check.status is CheckStatus.FAIL
    assert "ais-genai accepts local authentication" in check.evidence[0]
    assert "ais-genai" in _finding(text, "CLS002").message


def test_a_public_or_key_authenticated_online_endpoint_fails_closure() -> None:
    public = _variant(
        ENDPOINTS, "online_endpoints: [{name: ep-chat, public_network_access: enabled}]"
    )
    assert _context(public).closure.get("no public inbound").status is CheckStatus.FAIL
    assert "mlw-genai/ep-chat" in _finding(public, "CLS001").message
    keys = _variant(ENDPOINTS, "online_endpoints: [{name: ep-chat, auth_mode: key}]")
    assert _context(keys).closure.get("local authentication off").status is CheckStatus.FAIL


def test_a_workspace_managed_network_open_to_the_internet_fails_closure() -> None:
    text = _variant(
        "      name: mlw-genai\n",
        "      name: mlw-genai\n      managed_network: {isolation_mode: allow_internet_outbound}\n",
    )
    ctx = _context(text)
    assert ctx.closure.get("egress through an inspecting firewall").status is CheckStatus.FAIL
    assert "AllowInternetOutbound" in _finding(text, "AML010").message
    # its compute now runs in the managed VNet, which has no endpoint to the AI account
    models = ctx.readiness.get("foundation models")
    assert models.status is Status.NOT_READY
    assert any("refuses public traffic" in e for e in models.evidence)


def test_an_endpoint_without_the_services_ai_zone_leaves_that_name_public() -> None:
    env = design("closed-genai")
    zone = "privatelink.services.ai.azure.com"
    endpoints = []
    for pe in env.private_endpoints:
        groups = tuple(
            replace(
                g,
                zone_configs=tuple(c for c in g.zone_configs if c.name != zone.replace(".", "-")),
            )
            for g in pe.dns_zone_groups
        )
        endpoints.append(replace(pe, dns_zone_groups=groups))
    env = replace(env, private_endpoints=tuple(endpoints))
    ctx = RuleContext(env, CATALOG)
    failing = [
        f
        for f in run_rules(env, CATALOG, context=ctx)
        if "ais-genai.services.ai.azure.com" in f.message
    ]
    assert failing, "the name that resolves publicly is named"
    assert {f.severity.value for f in failing} & {"error", "warning"}


def _with_aks(env: Environment, tmp_path: Path, outbound: str) -> Environment:
    template = arm_template(env, address_parameters=False, name_parameters=False)
    vnet = next(v for v in env.virtual_networks if v.name == "vnet-ml")
    subnet = next(s for s in vnet.subnets if s.name.endswith("cluster"))
    template["resources"].append(
        {
            "type": "Microsoft.ContainerService/managedClusters",
            "apiVersion": "2025-05-01",
            "name": "aks-inference",
            "location": "japaneast",
            "properties": {
                "dnsPrefix": "aks-inference",
                "agentPoolProfiles": [
                    {
                        "name": "system",
                        "count": 2,
                        "mode": "System",
                        "vnetSubnetID": "[resourceId('Microsoft.Network/virtualNetworks/subnets', "
                        f"'vnet-ml', '{subnet.name}')]",
                    }
                ],
                "networkProfile": {"networkPlugin": "azure", "outboundType": outbound},
                "apiServerAccessProfile": {"enablePrivateCluster": True},
                "disableLocalAccounts": True,
            },
        }
    )
    path = tmp_path / "azuredeploy.json"
    path.write_text(json.dumps(template), encoding="utf-8")
    onprem = tmp_path / "onprem.yaml"
    onprem.write_text(
        "onprem:\n  address_space: [192.168.0.0/16]\n"
        "  clients: [{name: office, prefix: 192.168.10.0/24}]\n"
        "  dns:\n    servers: [192.168.0.53]\n    forward_to: hub\n",
        encoding="utf-8",
    )
    return load([str(path)], onprem=str(onprem)).environment


@pytest.mark.parametrize("outbound", ["loadBalancer", "userDefinedRouting"])
def test_an_aks_inference_cluster_egress_must_cross_the_firewall(
    outbound: str, tmp_path: Path
) -> None:
    env = _with_aks(design("closed-genai"), tmp_path, outbound)
    ctx = RuleContext(env, CATALOG)
    check = ctx.closure.get("egress through an inspecting firewall")
    if outbound == "loadBalancer":
        assert check.status is CheckStatus.FAIL
        assert any("aks-inference" in e and "loadBalancer" in e for e in check.evidence)
    else:
        assert check.status is CheckStatus.PASS, check.evidence


def test_the_shown_by_commands_show_the_private_paths() -> None:
    runner = CliRunner()
    traced = runner.invoke(
        cli,
        [
            "trace",
            "--from",
            "onprem",
            "--to",
            "ep-chat.japaneast.inference.ml.azure.com:443",
            "closed-genai",
        ],
    )
    assert traced.exit_code == 0, traced.output
    assert "delivered" in traced.output.splitlines()[0]
    assert "private endpoint pep-mlw-genai-amlworkspace" in traced.output
    resolved = runner.invoke(
        cli, ["resolve", "ais-genai.openai.azure.com", "--from", "ml/compute", "closed-genai"]
    )
    assert resolved.exit_code == 0, resolved.output
    assert "from ml/compute: private 10.1." in resolved.output
    assert "privatelink.openai.azure.com" in resolved.output


def test_the_generated_template_writes_the_services_back() -> None:
    env = design("closed-genai")
    resources = arm_template(env)["resources"]
    by_type = {r["type"]: r for r in resources}
    account = by_type["Microsoft.CognitiveServices/accounts"]
    assert account["kind"] == "AIServices"
    assert account["properties"]["disableLocalAuth"] is True
    assert account["properties"]["publicNetworkAccess"] == "Disabled"
    assert account["properties"]["customSubDomainName"]
    search = by_type["Microsoft.Search/searchServices"]
    assert search["properties"]["publicNetworkAccess"] == "disabled"
    online = by_type["Microsoft.MachineLearningServices/workspaces/onlineEndpoints"]
    assert online["properties"] == {"authMode": "AMLToken", "publicNetworkAccess": "Disabled"}


def test_batch_deployments_need_the_storage_queue_and_table_endpoints() -> None:
    env = design("closed-genai")
    groups = {g for pe in env.private_endpoints for g in pe.group_ids}
    assert {"queue", "table"} <= groups  # added for the batch endpoint
    ready = RuleContext(env, CATALOG).readiness.get("serving")
    assert ready.status is Status.READY and "queue, table" in ready.summary
    without = replace(
        env,
        private_endpoints=tuple(
            pe for pe in env.private_endpoints if not {"queue", "table"} & set(pe.group_ids)
        ),
    )
    serving = RuleContext(without, CATALOG).readiness.get("serving")
    assert serving.status is Status.NOT_READY
    assert any(
        "batch endpoint mlw-genai/bep-score" in e and "no queue, table private endpoint" in e
        for e in serving.evidence
    )


def test_the_batch_endpoint_is_written_back() -> None:
    resources = arm_template(design("closed-genai"))["resources"]
    (batch,) = [
        r
        for r in resources
        if r["type"] == "Microsoft.MachineLearningServices/workspaces/batchEndpoints"
    ]
    assert batch["properties"] == {"authMode": "AADToken"}


def test_compute_in_a_managed_vnet_is_named_as_left_out_of_the_dns_matrix(
    tmp_path: Path,
) -> None:
    """Compute in a workspace's managed VNet resolves with Microsoft-managed private zones heiki
    cannot see: the matrix leaves it out and every format says so - never "every name resolves
    as expected" about vantages it did not ask from."""
    text = _variant(
        "      name: mlw-genai\n",
        "      name: mlw-genai\n      managed_network: {isolation_mode: allow_internet_outbound}\n",
    )
    ctx = _context(text)
    managed = ctx.dns_matrix.managed
    assert managed and not {v.name for v in ctx.dns_matrix.vantages} & set(managed)
    blueprint = tmp_path / "managed.yaml"
    blueprint.write_text(text, encoding="utf-8")
    runner = CliRunner()
    record = json.loads(runner.invoke(cli, ["check", str(blueprint), "--format", "json"]).output)
    assert record["dns"]["managed_vnet_vantages"] == list(managed)
    note = "Not in the DNS matrix (not modelled): compute in a workspace's managed VNet"
    assert note in runner.invoke(cli, ["check", str(blueprint)]).output.replace("\n", " ")
    assert note in runner.invoke(cli, ["check", str(blueprint), "--format", "markdown"]).output
    page = runner.invoke(cli, ["check", str(blueprint), "--format", "html"]).output
    assert note.replace("'", "&#x27;") in page
    # the built-in design has no managed VNet: nothing is said
    assert (
        json.loads(runner.invoke(cli, ["check", "closed-genai", "--format", "json"]).output)["dns"][
            "managed_vnet_vantages"
        ]
        == []
    )
