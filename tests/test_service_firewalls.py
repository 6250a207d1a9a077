"""Service firewalls in every trace: Key Vault, Container Registry (Premium) and storage decide a
flow to their public endpoint by public access, default action, virtual-network rules (which
need the subnet's service endpoint) and IP rules; the deciding step names the service's rule."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from heiki.analyses.readiness import Status
from heiki.analyses.trace import Tracer, Verdict
from heiki.analyses.vantage import find_vantage
from heiki.catalog import load_catalog
from heiki.reports.record import check_environment
from heiki.sources import load
from test_coverage import NET, ml_template, resource, rid, write

SUBNET = rid(f"{NET}/virtualNetworks/subnets", "vnet-ml", "snet-compute")


def _template(**changes: Any) -> dict[str, Any]:
    """The small ML template with a Key Vault, storage or registry changed as given."""
    document = ml_template(*changes.pop("extra", ()))
    by_name = {r["name"]: r for r in document["resources"]}
    for name, properties in changes.items():
        by_name[name.replace("_", "-")]["properties"].update(properties)
    return document


def _trace(tmp_path: Path, document: dict[str, Any], destination: str, port: int = 443) -> Any:
    env = load([write(tmp_path, document)]).environment
    tracer = Tracer(env, load_catalog())
    return tracer.trace(find_vantage(env, "vnet-ml/snet-compute"), destination, port)


def test_key_vault_deny_by_default_refuses_internet_traffic(tmp_path: Path) -> None:
    document = _template(
        kv_ml={"publicNetworkAccess": "Enabled", "networkAcls": {"defaultAction": "Deny"}}
    )
    trace = _trace(tmp_path, document, "kv-ml.vault.azure.net")
    assert trace.verdict is Verdict.DROPPED
    assert trace.deciding_step is not None
    assert "kv-ml's firewall denies traffic from the internet" in trace.deciding_step.detail


def test_key_vault_allow_by_default_admits(tmp_path: Path) -> None:
    document = _template(
        kv_ml={"publicNetworkAccess": "Enabled", "networkAcls": {"defaultAction": "Allow"}}
    )
    assert _trace(tmp_path, document, "kv-ml.vault.azure.net").verdict is Verdict.DELIVERED


def test_ip_rules_leave_a_public_source_unknown(tmp_path: Path) -> None:
    document = _template(
        kv_ml={
            "publicNetworkAccess": "Enabled",
            "networkAcls": {"defaultAction": "Deny", "ipRules": [{"value": "203.0.113.0/24"}]},
        }
    )
    trace = _trace(tmp_path, document, "kv-ml.vault.azure.net")
    assert trace.verdict is Verdict.UNKNOWN and "203.0.113.0/24" in trace.reason


def _with_service_endpoint(document: dict[str, Any], service: str) -> dict[str, Any]:
    document = copy.deepcopy(document)
    subnet = document["resources"][0]["properties"]["subnets"][0]
    subnet["properties"]["serviceEndpoints"] = [{"service": service}]
    return document


def test_storage_virtual_network_rule_admits_over_the_service_endpoint(tmp_path: Path) -> None:
    acls = {"defaultAction": "Deny", "virtualNetworkRules": [{"id": SUBNET, "action": "Allow"}]}
    document = _with_service_endpoint(
        _template(stml={"publicNetworkAccess": "Enabled", "networkAcls": acls}),
        "Microsoft.Storage",
    )
    trace = _trace(tmp_path, document, "stml.blob.core.windows.net")
    assert trace.verdict is Verdict.DELIVERED
    assert any(
        "virtual network rule for snet-compute" in s.detail for h in trace.hops for s in h.steps
    )


def test_storage_without_the_virtual_network_rule_refuses_the_service_endpoint(
    tmp_path: Path,
) -> None:
    document = _with_service_endpoint(
        _template(
            stml={
                "publicNetworkAccess": "Enabled",
                "networkAcls": {"defaultAction": "Deny", "ipRules": [{"value": "203.0.113.9"}]},
            }
        ),
        "Microsoft.Storage",
    )
    trace = _trace(tmp_path, document, "stml.blob.core.windows.net")
    # IP rules never match traffic that arrives over a service endpoint
    assert trace.verdict is Verdict.DROPPED
    assert "no virtual network rule for snet-compute" in trace.reason


def _registry(sku: str) -> dict[str, Any]:
    return resource(
        "Microsoft.ContainerRegistry/registries",
        "crmlteam",
        {"publicNetworkAccess": "Enabled", "networkRuleSet": {"defaultAction": "Deny"}},
        sku={"name": sku},
    )


def test_premium_registry_rules_refuse(tmp_path: Path) -> None:
    trace = _trace(tmp_path, _template(extra=[_registry("Premium")]), "crmlteam.azurecr.io")
    assert trace.verdict is Verdict.DROPPED and "crmlteam's firewall" in trace.reason


def test_rules_of_a_basic_registry_do_nothing(tmp_path: Path) -> None:
    trace = _trace(tmp_path, _template(extra=[_registry("Basic")]), "crmlteam.azurecr.io")
    assert trace.verdict is Verdict.DELIVERED


def _misnamed_vault_zone() -> dict[str, Any]:
    """The Key Vault has a private endpoint whose zone is privatelink.vault.azure.net (Key
    Vault's is privatelink.vaultcore.azure.net), and a firewall that denies by default."""
    zone = "privatelink.vault.azure.net"
    vault = rid("Microsoft.KeyVault/vaults", "kv-ml")
    endpoint = resource(
        f"{NET}/privateEndpoints",
        "pe-kv",
        {
            "subnet": {"id": rid(f"{NET}/virtualNetworks/subnets", "vnet-ml", "snet-pe")},
            "privateLinkServiceConnections": [
                {"name": "kv", "properties": {"privateLinkServiceId": vault, "groupIds": ["vault"]}}
            ],
        },
    )
    group = {
        "type": f"{NET}/privateEndpoints/privateDnsZoneGroups",
        "apiVersion": "2024-05-01",
        "name": "pe-kv/default",
        "properties": {
            "privateDnsZoneConfigs": [
                {
                    "name": "vault",
                    "properties": {"privateDnsZoneId": rid(f"{NET}/privateDnsZones", zone)},
                }
            ]
        },
    }
    private_zone = {**resource(f"{NET}/privateDnsZones", zone), "location": "global"}
    link = {
        **resource(
            f"{NET}/privateDnsZones/virtualNetworkLinks",
            f"{zone}/vnet-ml",
            {
                "virtualNetwork": {"id": rid(f"{NET}/virtualNetworks", "vnet-ml")},
                "registrationEnabled": False,
            },
        ),
        "location": "global",
    }
    return _template(
        kv_ml={"publicNetworkAccess": "Enabled", "networkAcls": {"defaultAction": "Deny"}},
        extra=[endpoint, group, private_zone, link],
    )


def test_misnamed_zone_and_vault_firewall_make_tuning_compute_not_ready(tmp_path: Path) -> None:
    env = load([write(tmp_path, _misnamed_vault_zone())]).environment
    result = check_environment(env, load_catalog())
    tuning = result.readiness.get("tuning compute")
    assert tuning.status is Status.NOT_READY
    evidence = "\n".join(tuning.evidence)
    assert "kv-ml.vault.azure.net" in evidence
    assert "kv-ml's firewall denies traffic from the internet" in evidence
    (failing,) = [t for t in tuning.failing if t.destination == "kv-ml.vault.azure.net"]
    assert failing.deciding_step is not None and failing.deciding_step.resource is not None
    assert failing.deciding_step.resource.name == "kv-ml"


def test_a_name_that_resolves_publicly_is_not_ready_even_when_delivered(tmp_path: Path) -> None:
    document = _misnamed_vault_zone()
    by_name = {r["name"]: r for r in document["resources"]}
    by_name["kv-ml"]["properties"]["networkAcls"] = {"defaultAction": "Allow"}
    env = load([write(tmp_path, document)]).environment
    tuning = check_environment(env, load_catalog()).readiness.get("tuning compute")
    assert tuning.status is Status.NOT_READY
    assert any("not its private endpoint" in e for e in tuning.evidence), tuning.evidence


def test_types_heiki_does_not_simulate_decide_by_their_surface_too(tmp_path: Path) -> None:
    search = resource(
        "Microsoft.Search/searchServices", "srch-ml", {"publicNetworkAccess": "disabled"}
    )
    ais = resource(
        "Microsoft.CognitiveServices/accounts",
        "ais-ml",
        {"publicNetworkAccess": "Enabled", "networkAcls": {"defaultAction": "Deny"}},
        kind="AIServices",
    )
    open_ais = resource("Microsoft.CognitiveServices/accounts", "ais-open", {}, kind="AIServices")
    document = _template(extra=[search, ais, open_ais])
    refused = _trace(tmp_path, document, "srch-ml.search.windows.net")
    assert refused.verdict is Verdict.DROPPED
    assert "srch-ml refuses public traffic" in refused.reason
    firewall = _trace(tmp_path, document, "ais-ml.openai.azure.com")
    assert firewall.verdict is Verdict.DROPPED and "ais-ml's firewall" in firewall.reason
    assert _trace(tmp_path, document, "ais-open.cognitiveservices.azure.com").verdict is (
        Verdict.DELIVERED
    )
