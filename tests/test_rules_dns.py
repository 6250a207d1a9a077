"""DNS rules: each has a named passing case (the reference design) and failing cases."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import replace

import pytest

from dnshelp import CATALOG, design, hub_spoke, replace_in
from heiki.diagnostics import Severity
from heiki.model.dns import ForwardingRule, PrivateDnsZone, RecordSet, RecordType, TargetDnsServer
from heiki.model.environment import Environment
from heiki.model.firewall import (
    FirewallAction,
    FirewallDnsSettings,
    FirewallSku,
    NetworkProtocol,
    NetworkRule,
    RuleCollection,
    RuleCollectionGroup,
    RuleCollectionKind,
)
from heiki.model.onprem import ConditionalForwarder, OnPremDnsZone
from heiki.model.values import DnsName, PortRange, ResourceId
from heiki.rules.base import Rule
from heiki.rules.engine import INTERNAL_ERROR, run_rules
from heiki.rules.registry import all_rules, rule_by_id

IP = ipaddress.IPv4Address
CLOSED = design("closed-aml")
INBOUND = CLOSED.dns_resolvers[0].inbound_endpoints[0].private_ip_address
assert INBOUND is not None


def _onprem_server(env: Environment, **changes: object) -> Environment:
    assert env.on_premises is not None
    server = env.on_premises.dns_servers[0]
    return replace(
        env, on_premises=replace(env.on_premises, dns_servers=(replace(server, **changes),))
    )


def no_zone_group(env: Environment) -> Environment:
    return replace_in(
        env, "private_endpoints", lambda p: "vault" in p.group_ids, dns_zone_groups=()
    )


def wrong_zone(env: Environment) -> Environment:
    vault_zone = next(
        z for z in env.private_dns_zones if z.name == "privatelink.vaultcore.azure.net"
    )
    wrong_id = ResourceId(vault_zone.id.text.replace("vaultcore", "vault"))
    zones = tuple(
        replace(
            z,
            id=wrong_id,
            name="privatelink.vault.azure.net",
            zone=DnsName("privatelink.vault.azure.net"),
        )
        if z.id == vault_zone.id
        else z
        for z in env.private_dns_zones
    )
    endpoints = tuple(
        replace(
            pe,
            dns_zone_groups=tuple(
                replace(
                    g,
                    zone_configs=tuple(
                        replace(c, private_dns_zone=wrong_id) for c in g.zone_configs
                    ),
                )
                for g in pe.dns_zone_groups
            ),
        )
        if "vault" in pe.group_ids
        else pe
        for pe in env.private_endpoints
    )
    return replace(env, private_dns_zones=zones, private_endpoints=endpoints)


def unlinked(env: Environment) -> Environment:
    return replace_in(
        env,
        "private_dns_zones",
        lambda z: z.name == "privatelink.api.azureml.ms",
        virtual_network_links=(),
    )


def no_notebooks(env: Environment) -> Environment:
    return replace(
        env,
        private_endpoints=tuple(
            replace(
                pe,
                dns_zone_groups=tuple(
                    replace(
                        g,
                        zone_configs=tuple(
                            c for c in g.zone_configs if "notebooks" not in c.private_dns_zone.name
                        ),
                    )
                    for g in pe.dns_zone_groups
                ),
            )
            if "amlworkspace" in pe.group_ids
            else pe
            for pe in env.private_endpoints
        ),
    )


def lake_without_dfs(env: Environment) -> Environment:
    return replace(
        env,
        private_endpoints=tuple(pe for pe in env.private_endpoints if "dfs" not in pe.group_ids),
    )


def dns_not_a_server(env: Environment) -> Environment:
    return replace_in(
        env, "virtual_networks", lambda v: v.name == "vnet-ml", dns_servers=(IP("10.1.1.37"),)
    )


def dns_unreachable(env: Environment) -> Environment:
    git_ip = next(n.private_ip_address for n in env.network_interfaces if "git" in n.name)
    vms = tuple(
        replace(
            vm,
            role=vm.role.__class__("dns-server"),
            dns_forwarders=((DnsName("."), (CATALOG.azure_dns,)),),
        )
        if vm.name.startswith("vm-git")
        else vm
        for vm in env.virtual_machines
    )
    env = replace(env, virtual_machines=vms)
    return replace_in(env, "virtual_networks", lambda v: v.name == "vnet-ml", dns_servers=(git_ip,))


def forward_privatelink(env: Environment) -> Environment:
    assert env.on_premises is not None
    server = env.on_premises.dns_servers[0]
    extra = ConditionalForwarder(
        DnsName("privatelink.blob.core.windows.net"), server.conditional_forwarders[0].targets
    )
    return _onprem_server(env, conditional_forwarders=(*server.conditional_forwarders, extra))


def forward_to_azure_dns(env: Environment) -> Environment:
    return _onprem_server(
        env,
        conditional_forwarders=(
            ConditionalForwarder(DnsName("api.azureml.ms"), (CATALOG.azure_dns,)),
        ),
    )


def forward_to_endpoint(env: Environment) -> Environment:
    return _onprem_server(
        env,
        conditional_forwarders=(
            ConditionalForwarder(DnsName("api.azureml.ms"), (IP("10.1.1.40"),)),
        ),
    )


def rule_to_endpoint(env: Environment) -> Environment:
    return replace(
        env,
        dns_forwarding_rulesets=tuple(
            replace(
                r,
                forwarding_rules=(
                    ForwardingRule("x", DnsName("x.com"), (TargetDnsServer(IP("10.1.1.40")),)),
                ),
            )
            for r in env.dns_forwarding_rulesets
        ),
    )


def basic_with_dns(env: Environment) -> Environment:
    return replace_in(env, "firewalls", lambda f: True, sku_tier=FirewallSku.BASIC)


def fqdn_rules(
    env: Environment, proxy: bool, servers: tuple[ipaddress.IPv4Address, ...] = ()
) -> Environment:
    rule = NetworkRule(
        "ntp",
        (NetworkProtocol.UDP,),
        source_addresses=("10.1.0.0/16",),
        destination_fqdns=(DnsName("time.windows.com"),),
        destination_ports=(PortRange(123, 123),),
    )
    group = RuleCollectionGroup(
        "extra",
        400,
        (RuleCollection("fqdn", 100, RuleCollectionKind.FILTER, FirewallAction.ALLOW, (rule,)),),
    )
    policy = env.firewall_policies[0]
    return replace_in(
        env,
        "firewall_policies",
        lambda p: True,
        rule_collection_groups=(*policy.rule_collection_groups, group),
        dns_settings=FirewallDnsSettings(enable_proxy=proxy, servers=servers),
    )


def duplicate_zone(env: Environment) -> Environment:
    zone = next(z for z in env.private_dns_zones if z.name == "privatelink.blob.core.windows.net")
    copy = replace(zone, id=ResourceId(zone.id.text.replace("rg-closed-aml", "rg-other")))
    return replace(env, private_dns_zones=(*env.private_dns_zones, copy))


def stale_a_record(env: Environment) -> Environment:
    assert env.on_premises is not None
    server = env.on_premises.dns_servers[0]
    zone = server.zones[0]
    bad = OnPremDnsZone(zone.zone, (replace(zone.record_sets[0], a_records=(IP("10.1.1.99"),)),))
    return _onprem_server(env, zones=(bad, *server.zones[1:]))


def zone_without_records_for_ci(env: Environment) -> Environment:
    # a private zone for instances.azureml.ms linked to the hub shadows the public CNAME
    hub = env.vnet_by_name("vnet-hub")
    assert hub is not None
    zone = PrivateDnsZone(
        id=ResourceId(env.private_dns_zones[0].id.text.rsplit("/", 1)[0] + "/instances.azureml.ms"),
        name="instances.azureml.ms",
        zone=DnsName("instances.azureml.ms"),
        record_sets=(RecordSet("other.japaneast", RecordType.A, a_records=(IP("10.1.1.50"),)),),
        virtual_network_links=(replace(env.private_dns_zones[0].virtual_network_links[0]),),
    )
    return replace(env, private_dns_zones=(*env.private_dns_zones, zone))


Case = tuple[str, Callable[[], Environment], str]

FAILING: dict[str, Case] = {
    "DNS001-vault-endpoint-without-zone-group": (
        "DNS001",
        lambda: no_zone_group(CLOSED),
        "no DNS zone group",
    ),
    "DNS002-vault-in-privatelink.vault": (
        "DNS002",
        lambda: wrong_zone(CLOSED),
        "privatelink.vault.azure.net",
    ),
    "DNS003-api-zone-not-linked-to-resolver-vnet": (
        "DNS003",
        lambda: unlinked(CLOSED),
        "is not linked to vnet-hub",
    ),
    "DNS004-workspace-without-notebooks-zone": (
        "DNS004",
        lambda: no_notebooks(CLOSED),
        "privatelink.notebooks.azure.net",
    ),
    "DNS005-lake-without-dfs": (
        "DNS005",
        lambda: lake_without_dfs(CLOSED),
        "no dfs private endpoint",
    ),
    "DNS006-dns-server-is-an-endpoint": (
        "DNS006",
        lambda: dns_not_a_server(CLOSED),
        "nothing answers DNS there",
    ),
    "DNS006-dns-server-not-reachable": ("DNS006", lambda: dns_unreachable(CLOSED), "cannot reach"),
    "DNS007-forwarder-on-privatelink-zone": (
        "DNS007",
        lambda: forward_privatelink(CLOSED),
        "forward the public zone blob.core.windows.net",
    ),
    "DNS008-forwarder-to-azure-dns": (
        "DNS008",
        lambda: forward_to_azure_dns(CLOSED),
        "to 168.63.129.16",
    ),
    "DNS009-forwarder-to-private-endpoint": (
        "DNS009",
        lambda: forward_to_endpoint(CLOSED),
        "nothing answers DNS",
    ),
    "DNS009-ruleset-to-private-endpoint": (
        "DNS009",
        lambda: rule_to_endpoint(CLOSED),
        "ruleset dnsfrs-hub",
    ),
    "DNS010-basic-firewall-with-dns-settings": (
        "DNS010",
        lambda: basic_with_dns(CLOSED),
        "is Basic",
    ),
    "DNS011-fqdn-rules-proxy-off": (
        "DNS011",
        lambda: fqdn_rules(CLOSED, proxy=False),
        "never match",
    ),
    "DNS011-clients-not-using-proxy": (
        "DNS011",
        lambda: fqdn_rules(CLOSED, proxy=True),
        "not through the firewall DNS proxy",
    ),
    "DNS012-two-blob-zones-linked-to-hub": (
        "DNS012",
        lambda: duplicate_zone(CLOSED),
        "linked to two zones",
    ),
    "DNS013-stale-onprem-a-record": (
        "DNS013",
        lambda: stale_a_record(design("a-record-dns")),
        "10.1.1.99",
    ),
    "DNS014-ci-name-shadowed-by-own-zone": (
        "DNS014",
        lambda: zone_without_records_for_ci(CLOSED),
        "ci-alice.japaneast.instances.azureml.ms",
    ),
    "DNS015-a-record-design": ("DNS015", lambda: design("a-record-dns"), "new compute instance"),
}


def private_aks(env: Environment, zone: str, link_hub: bool = False) -> Environment:
    """A private AKS cluster with its nodes in the ML spoke's cluster subnet (custom DNS: the
    hub resolver), its API server zone as ``apiServerAccessProfile.privateDNSZone`` says; with
    ``link_hub`` the brought zone privatelink.japaneast.azmk8s.io exists, linked to the hub."""
    from heiki.model.coverage import ServiceSurface, UnmodelledResource
    from heiki.model.dns import VirtualNetworkLink
    from heiki.model.ml import PublicNetworkAccess

    ml = next(v for v in env.virtual_networks if v.name == "vnet-ml")
    hub = next(v for v in env.virtual_networks if v.name == "vnet-hub")
    subnet = next(s for s in ml.subnets if s.name == "snet-cluster")
    group = str(ml.id).split("/providers/")[0]
    zone_id = f"{group}/providers/Microsoft.Network/privateDnsZones/privatelink.japaneast.azmk8s.io"
    cluster = UnmodelledResource(
        resource_id=f"{group}/providers/Microsoft.ContainerService/managedClusters/aks-infer",
        type="Microsoft.ContainerService/managedClusters",
        name="aks-infer",
        label="AKS cluster",
        surface=ServiceSurface(public_network_access=PublicNetworkAccess.DISABLED),
        subnets=(str(subnet.id),),
        api_server_zone=zone_id if zone == "byo" else zone,
    )
    env = replace(env, unmodelled=(*env.unmodelled, cluster))
    if zone == "byo":
        links = (VirtualNetworkLink("link-hub", hub.id),) if link_hub else ()
        aks_zone = PrivateDnsZone(
            id=ResourceId(zone_id),
            name="privatelink.japaneast.azmk8s.io",
            zone=DnsName("privatelink.japaneast.azmk8s.io"),
            virtual_network_links=(*links, VirtualNetworkLink("link-ml", ml.id)),
        )
        env = replace(env, private_dns_zones=(*env.private_dns_zones, aks_zone))
    return env


FAILING["DNS016-private-aks-with-the-system-zone-behind-custom-dns"] = (
    "DNS016",
    lambda: private_aks(CLOSED, "system"),
    "is private with the API server zone AKS creates, linked to vnet-ml only",
)
FAILING["DNS016-brought-zone-not-linked-where-the-dns-servers-are"] = (
    "DNS016",
    lambda: private_aks(CLOSED, "byo"),
    "which is not linked to vnet-hub",
)

PASSING: dict[str, Case] = {
    "DNS016-brought-zone-linked-to-the-hub": (
        "DNS016",
        lambda: private_aks(CLOSED, "byo", link_hub=True),
        "",
    ),
    "DNS016-public-dns-for-the-api-server": ("DNS016", lambda: private_aks(CLOSED, "none"), ""),
    "closed-aml-has-no-dns-finding": ("DNS", lambda: CLOSED, ""),
    "firewall-proxy-design-is-clean": ("DNS", lambda: hub_spoke(dns="firewall-proxy"), ""),
    "dns-vm-design-is-clean": ("DNS", lambda: hub_spoke(dns="dns-vm"), ""),
    "DNS011-clients-share-the-proxy-upstream": (
        "DNS011",
        lambda: fqdn_rules(CLOSED, proxy=True, servers=(INBOUND,)),
        "",
    ),
}


@pytest.mark.parametrize("case", sorted(FAILING))
def test_rule_fails(case: str) -> None:
    rule_id, build, fragment = FAILING[case]
    findings = run_rules(build(), CATALOG, select=[rule_id])
    assert findings, f"{rule_id} did not fire"
    assert all(f.rule_id == rule_id for f in findings)
    assert any(fragment in f.message for f in findings), [f.message for f in findings]


@pytest.mark.parametrize("case", sorted(PASSING))
def test_rule_passes(case: str) -> None:
    rule_id, build, _ = PASSING[case]
    assert run_rules(build(), CATALOG, select=[rule_id]) == ()


def test_every_dns_rule_has_a_failing_case() -> None:
    covered = {rule_id for rule_id, _, _ in FAILING.values()}
    assert {r.meta.id for r in all_rules() if r.meta.id.startswith("DNS")} <= covered


def test_rule_metadata_is_complete() -> None:
    for rule in all_rules():
        meta = rule.meta
        assert meta.title and not meta.title.endswith(".")
        assert meta.rationale and meta.fix and meta.references
        assert all(r.startswith("https://") for r in meta.references)
    assert rule_by_id("dns003") is rule_by_id("DNS003")


def test_findings_carry_location_and_evidence() -> None:
    findings = run_rules(unlinked(CLOSED), CATALOG, select=["DNS003"])
    assert findings[0].location is not None
    assert any("private zone" in e or "public DNS" in e for e in findings[0].evidence)


def test_a_crashing_rule_becomes_an_internal_finding() -> None:
    from heiki.rules.base import RuleMeta

    class Broken(Rule):
        meta = RuleMeta("TST001", "broken", "Broken rule", Severity.ERROR, "r", "f", ("https://x",))

        def check(self, ctx):  # type: ignore[no-untyped-def]
            raise KeyError("boom")

    findings = run_rules(CLOSED, CATALOG, rules=[Broken, *all_rules()])
    assert [f.rule_id for f in findings] == [INTERNAL_ERROR]
    assert "TST001 crashed: KeyError" in findings[0].message
