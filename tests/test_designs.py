"""The six built-in designs: expansion golden files and what each must contain."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from heiki.designs import BUILTIN_DESIGNS
from heiki.model.network import NextHopType
from heiki.reports.serialize import dumps
from heiki.reports.show import environment_document
from heiki.sources import load


@pytest.mark.parametrize("design", BUILTIN_DESIGNS)
def test_expansion_matches_golden(design: str, golden: Callable[[str, str], None]) -> None:
    result = load(design)
    text = dumps(environment_document(result.environment, result.source_name))
    golden(f"expand/{design}.json", text)
    # same input, same bytes
    again = load(design)
    assert dumps(environment_document(again.environment, again.source_name)) == text


def test_designs_are_the_talks_six_and_closed_genai() -> None:
    assert BUILTIN_DESIGNS == (
        "closed-aml",
        "nsg-only",
        "locked-down",
        "a-record-dns",
        "manual-upload",
        "dev-prod",
        "closed-genai",
    )


def test_closed_aml_has_what_the_issue_asks_for() -> None:
    env = load("closed-aml").environment
    doc = json.loads(dumps(environment_document(env, "x")))["environment"]
    hub = next(v for v in doc["virtual_networks"] if v["name"] == "vnet-hub")
    spokes = [v for v in doc["virtual_networks"] if v["name"] != "vnet-hub"]
    assert {s["name"] for s in spokes} >= {"vnet-ml", "vnet-devops"}
    for spoke in spokes:
        remote = {p["remote_virtual_network"] for p in spoke["peerings"]}
        assert hub["id"] in remote
        assert any(p["remote_virtual_network"] == spoke["id"] for p in hub["peerings"])
    assert doc["firewalls"] and doc["firewalls"][0]["firewall_policy"]
    assert doc["dns_resolvers"][0]["inbound_endpoints"][0]["private_ip_address"]
    zones = {z["id"]: z for z in doc["private_dns_zones"]}
    expected = {
        "amlworkspace": {"privatelink.api.azureml.ms", "privatelink.notebooks.azure.net"},
        "blob": {"privatelink.blob.core.windows.net"},
        "file": {"privatelink.file.core.windows.net"},
        "dfs": {"privatelink.dfs.core.windows.net"},
        "vault": {"privatelink.vaultcore.azure.net"},
        "registry": {"privatelink.azurecr.io"},
    }
    seen: dict[str, set[str]] = {}
    for pe in doc["private_endpoints"]:
        for group in pe["group_ids"]:
            names = {
                zones[c["private_dns_zone"]]["name"]
                for g in pe["dns_zone_groups"]
                for c in g["zone_configs"]
            }
            seen.setdefault(group, set()).update(names)
            # each zone is linked to the VNet whose resolver uses it (the hub)
            for zone_id in (
                c["private_dns_zone"] for g in pe["dns_zone_groups"] for c in g["zone_configs"]
            ):
                links = {
                    link["virtual_network"] for link in zones[zone_id]["virtual_network_links"]
                }
                assert hub["id"] in links
    for group, zone_names in expected.items():
        assert zone_names <= seen.get(group, set()), group


def test_closed_aml_routes_spokes_through_the_firewall() -> None:
    env = load("closed-aml").environment
    firewall_ip = env.firewalls[0].private_ip_address
    for vnet in env.virtual_networks:
        if vnet.name == "vnet-hub":
            continue
        assert vnet.dns_servers == (env.dns_resolvers[0].inbound_endpoints[0].private_ip_address,)
        for subnet in vnet.subnets:
            table = next(rt for rt in env.route_tables if rt.id == subnet.route_table)
            default = next(r for r in table.routes if r.address_prefix == "0.0.0.0/0")
            assert default.next_hop_type is NextHopType.VIRTUAL_APPLIANCE
            assert default.next_hop_ip_address == firewall_ip


def test_closed_aml_onprem_forwards_every_needed_zone_to_the_resolver() -> None:
    env = load("closed-aml").environment
    assert env.on_premises is not None
    inbound = env.dns_resolvers[0].inbound_endpoints[0].private_ip_address
    forwarders = {
        str(f.zone): f.targets for f in env.on_premises.dns_servers[0].conditional_forwarders
    }
    for zone in (
        "api.azureml.ms",
        "notebooks.azure.net",
        "instances.azureml.ms",
        "instances.ml.azure.ms",
        "blob.core.windows.net",
        "dfs.core.windows.net",
        "vault.azure.net",
        "azurecr.io",
    ):
        assert forwarders.get(zone) == (inbound,), zone


def test_nsg_only_has_no_firewall_and_denies_internet_by_nsg() -> None:
    result = load("nsg-only")
    env = result.environment
    assert not env.firewalls
    ml = next(n for n in env.network_security_groups if n.name == "nsg-ml")
    tags = {p for r in ml.security_rules for p in r.destination_address_prefixes}
    assert "Storage.japaneast" in tags  # the slide-9 hole: any account in the region
    assert any(r.name == "DenyInternetOutBound" for r in ml.security_rules)
    assert any(d.code == "IN032" for d in result.diagnostics)


def test_a_record_dns_has_one_record_per_private_name() -> None:
    env = load("a-record-dns").environment
    assert env.on_premises is not None
    server = env.on_premises.dns_servers[0]
    assert not server.conditional_forwarders
    zones = {str(z.zone) for z in server.zones}
    assert "ci-alice.japaneast.instances.azureml.ms" in zones
    workspace_pe = next(p for p in env.private_endpoints if "amlworkspace" in p.group_ids)
    api_ip = workspace_pe.ip_configurations[0].private_ip_address
    for zone in server.zones:
        if "instances" in str(zone.zone):
            assert zone.record_sets[0].a_records == (api_ip,)


def test_dev_prod_stages_and_registry() -> None:
    env = load("dev-prod").environment
    stages = {w.name: w.tag("heiki-stage") for w in env.workspaces}
    assert stages == {"mlw-dev": "dev", "mlw-prod": "prod"}
    assert env.registries and all(w.registries for w in env.workspaces)
    assert sum("amlregistry" in pe.group_ids for pe in env.private_endpoints) == 2


def test_manual_upload_has_a_stray_public_blob_and_no_pipeline() -> None:
    env = load("manual-upload").environment
    assert not env.data_factories
    stray = next(s for s in env.storage_accounts if s.name == "ststrayupload")
    assert stray.public_network_access.value == "Enabled"


def test_locked_down_allows_no_package_sources() -> None:
    env = load("locked-down").environment
    fqdns = {
        str(f)
        for policy in env.firewall_policies
        for group in policy.rule_collection_groups
        for collection in group.rule_collections
        for rule in collection.rules
        for f in getattr(rule, "target_fqdns", ())
    }
    assert "pypi.org" not in fqdns and "huggingface.co" not in fqdns
    assert "mcr.microsoft.com" in fqdns
