"""DNS resolution, one named case per behaviour: the answer and the step that decided it."""

from __future__ import annotations

import ipaddress
from dataclasses import replace

from dnshelp import (
    api_name,
    ask,
    design,
    details,
    hub_spoke,
    pe_ip,
    replace_in,
    with_internet_fallback,
)
from heiki.analyses.dns import Outcome, StepKind
from heiki.model.dns import (
    DnsForwardingRuleset,
    ForwardingRule,
    RecordSet,
    RecordType,
    TargetDnsServer,
    VirtualNetworkLink,
)
from heiki.model.firewall import FirewallDnsSettings, FirewallSku
from heiki.model.onprem import ConditionalForwarder
from heiki.model.values import DnsName

IP = ipaddress.IPv4Address


def kinds(resolution) -> list[StepKind]:  # type: ignore[no-untyped-def]
    return [s.kind for s in resolution.steps]


# -- the talk's path: on-premises -> forwarder -> resolver -> linked privatelink zone -------------


def test_onprem_workspace_api_via_forwarder_resolver_and_linked_zone() -> None:
    env = design("closed-aml")
    r = ask(env, "onprem", api_name(env))
    assert r.outcome is Outcome.PRIVATE
    assert r.addresses == (pe_ip(env, "amlworkspace"),)
    order = kinds(r)
    assert order.index(StepKind.CONDITIONAL_FORWARDER) < order.index(StepKind.PRIVATE_ZONE)
    text = details(r)
    assert "conditional forwarder api.azureml.ms -> 10.0.1.132" in text
    assert "DNS Private Resolver dnspr-hub inbound endpoint" in text
    assert r.deciding_step is not None
    assert "private zone privatelink.api.azureml.ms" in r.deciding_step.detail


def test_spoke_with_custom_dns_uses_the_resolver_inbound_endpoint() -> None:
    env = design("closed-aml")
    r = ask(env, "ml/compute", api_name(env))
    assert r.addresses == (pe_ip(env, "amlworkspace"),)
    assert "uses custom DNS servers 10.0.1.132" in details(r)


def test_cert_notebooks_and_acr_data_names_get_their_member_ips() -> None:
    env = design("closed-aml")
    ws = env.workspaces[0]
    cert = ask(env, "ml/compute", f"{ws.workspace_id}.workspace.japaneast.cert.api.azureml.ms")
    assert cert.addresses == (pe_ip(env, "amlworkspace", 0),)
    from heiki.catalog import notebook_host

    notebooks = ask(
        env,
        "onprem",
        f"{notebook_host(ws.name, 'japaneast', ws.workspace_id)}.japaneast.notebooks.azure.net",
    )
    assert notebooks.addresses == (pe_ip(env, "amlworkspace", 1),)
    acr = env.container_registries[0].name
    data = ask(env, "onprem", f"{acr}.japaneast.data.azurecr.io")
    assert data.addresses == (pe_ip(env, "registry", 1),)
    login = ask(env, "onprem", f"{acr}.azurecr.io")
    assert login.addresses == (pe_ip(env, "registry", 0),)


def test_inference_wildcard_record() -> None:
    env = design("closed-aml")
    ws = env.workspaces[0]
    r = ask(
        env,
        "ml/compute",
        f"my-endpoint.{ws.workspace_id}.inference.japaneast.privatelink.api.azureml.ms",
    )
    assert r.addresses == (pe_ip(env, "amlworkspace", 2),)


def test_compute_instance_names_resolve_to_the_workspace_endpoint_for_both_suffixes() -> None:
    env = design("closed-aml")
    api_ip = pe_ip(env, "amlworkspace")
    for name in (
        "ci-alice.japaneast.instances.azureml.ms",
        "ci-alice.japaneast.instances.ml.azure.ms",
        "ci-alice-22.japaneast.instances.ml.azure.ms",
    ):
        r = ask(env, "onprem", name)
        assert r.addresses == (api_ip,), details(r)
        assert "compute instance ci-alice" in details(r)


def test_storage_sub_resources_and_key_vault() -> None:
    env = design("closed-aml")
    storage = env.workspaces[0].storage_account.name
    vault = env.workspaces[0].key_vault.name
    assert ask(env, "onprem", f"{storage}.file.core.windows.net").addresses == (
        pe_ip(env, "file", target=storage),
    )
    r = ask(env, "onprem", f"{vault}.vault.azure.net")
    assert r.addresses == (pe_ip(env, "vault"),)
    assert "privatelink.vaultcore.azure.net" in details(r)
    lake = ask(env, "data/shir", "stlakeclosed.dfs.core.windows.net")
    assert lake.addresses == (pe_ip(env, "dfs", target="stlakeclosed"),)


# -- Azure DNS in a VNet --------------------------------------------------------------------------


def test_azure_provided_dns_answers_from_zones_linked_to_the_vnet() -> None:
    env = design("a-record-dns")
    r = ask(env, "ml/compute", api_name(env))
    assert r.addresses == (pe_ip(env, "amlworkspace"),)
    assert "uses Azure-provided DNS (168.63.129.16)" in details(r)


def test_zone_not_linked_to_the_vnet_falls_through_to_the_public_endpoint() -> None:
    env = design("a-record-dns")
    ml = env.vnet_by_name("vnet-ml")
    assert ml is not None
    env = replace(
        env,
        private_dns_zones=tuple(
            replace(
                z,
                virtual_network_links=tuple(
                    link for link in z.virtual_network_links if link.virtual_network != ml.id
                ),
            )
            for z in env.private_dns_zones
        ),
    )
    r = ask(env, "ml/compute", api_name(env))
    assert r.outcome is Outcome.PUBLIC
    assert r.public is not None and "AzureMachineLearning" in r.public.service_tags


def test_linked_zone_without_the_record_is_authoritative_nxdomain() -> None:
    env = design("closed-aml")
    storage = env.workspaces[0].storage_account
    env = replace(
        env,
        private_endpoints=tuple(
            replace(pe, dns_zone_groups=()) if pe.private_link_service == storage else pe
            for pe in env.private_endpoints
        ),
    )
    r = ask(env, "ml/compute", f"{storage.name}.blob.core.windows.net")
    assert r.outcome is Outcome.NXDOMAIN
    assert r.deciding_step is not None and "authoritative" in r.deciding_step.detail


def test_nxdomain_redirect_link_falls_back_to_the_internet() -> None:
    env = design("closed-aml")
    storage = env.workspaces[0].storage_account
    env = replace(
        env,
        private_endpoints=tuple(
            replace(pe, dns_zone_groups=()) if pe.private_link_service == storage else pe
            for pe in env.private_endpoints
        ),
    )
    env = with_internet_fallback(env)
    r = ask(env, "ml/compute", f"{storage.name}.blob.core.windows.net")
    assert r.outcome is Outcome.PUBLIC
    assert "NxDomainRedirect" in details(r)


def test_most_specific_linked_zone_is_authoritative() -> None:
    env = design("closed-aml")
    hub = env.vnet_by_name("vnet-hub")
    assert hub is not None
    from heiki.model.dns import PrivateDnsZone
    from heiki.model.values import ResourceId

    zone = PrivateDnsZone(
        id=ResourceId(
            f"{hub.id.text.rsplit('/providers', 1)[0]}/providers/Microsoft.Network/"
            "privateDnsZones/corp.example.com"
        ),
        name="corp.example.com",
        zone=DnsName("corp.example.com"),
        record_sets=(RecordSet("db", RecordType.A, a_records=(IP("10.9.9.9"),)),),
        virtual_network_links=(VirtualNetworkLink("l", hub.id),),
    )
    env = replace(env, private_dns_zones=(*env.private_dns_zones, zone))
    r = ask(env, "ml/compute", "db.corp.example.com")
    assert r.addresses == (IP("10.9.9.9"),)  # the zone wins over the forwarding rule
    # the step names the linked VNet, not the link ("l")
    assert [s.detail for s in r.steps if "corp.example.com (linked" in s.detail] == [
        "private zone corp.example.com (linked: vnet-hub) answers 10.9.9.9 from its record set db"
    ]
    r = ask(env, "ml/compute", "sales-db.corp.example.com")
    assert r.outcome is Outcome.NXDOMAIN


def test_forwarding_ruleset_sends_onprem_zones_to_onprem() -> None:
    env = design("closed-aml")
    r = ask(env, "ml/compute", "sales-db.corp.example.com")
    assert r.addresses == (IP("192.168.20.10"),)
    assert StepKind.FORWARDING_RULE in kinds(r)
    assert "hosted zone corp.example.com answers 192.168.20.10" in details(r)


def test_longest_forwarding_rule_wins() -> None:
    env = design("closed-aml")
    ruleset = env.dns_forwarding_rulesets[0]
    broad = ForwardingRule("broad", DnsName("example.com"), (TargetDnsServer(IP("10.0.1.200")),))
    env = replace_in(
        env,
        "dns_forwarding_rulesets",
        lambda r: r.id == ruleset.id,
        forwarding_rules=(broad, *ruleset.forwarding_rules),
    )
    r = ask(env, "ml/compute", "sales-db.corp.example.com")
    assert r.addresses == (IP("192.168.20.10"),)
    r = ask(env, "ml/compute", "other.example.com")
    assert r.outcome is Outcome.UNREACHABLE  # 10.0.1.200 is not a DNS server
    assert "not a DNS server" in details(r)


def test_cname_in_onprem_zone_is_followed_at_the_same_server() -> None:
    env = design("closed-aml")
    from heiki.model.onprem import OnPremDnsZone

    assert env.on_premises is not None
    server = env.on_premises.dns_servers[0]
    zone = OnPremDnsZone(
        DnsName("corp.example.com"),
        (
            RecordSet("db", RecordType.A, a_records=(IP("192.168.20.10"),)),
            RecordSet("alias", RecordType.CNAME, cname=DnsName("db.corp.example.com")),
        ),
    )
    onprem = replace(env.on_premises, dns_servers=(replace(server, zones=(zone,)),))
    env = replace(env, on_premises=onprem)
    r = ask(env, "onprem", "alias.corp.example.com")
    assert r.addresses == (IP("192.168.20.10"),)
    assert r.cname_chain == (DnsName("db.corp.example.com"),)


# -- firewall DNS proxy, DNS VM ------------------------------------------------------------------


def test_firewall_dns_proxy_answers_from_azure_dns_in_the_firewall_vnet() -> None:
    env = hub_spoke(dns="firewall-proxy")
    firewall_ip = env.firewalls[0].private_ip_address
    r = ask(env, "onprem", api_name(env))
    assert r.addresses == (pe_ip(env, "amlworkspace"),)
    assert f"conditional forwarder api.azureml.ms -> {firewall_ip}" in details(r)
    assert StepKind.PROXY in kinds(r)


def test_firewall_proxy_on_basic_does_not_answer() -> None:
    env = hub_spoke(dns="firewall-proxy")
    env = replace_in(env, "firewalls", lambda f: True, sku_tier=FirewallSku.BASIC)
    r = ask(env, "ml/compute", api_name(env))
    assert r.outcome is Outcome.UNREACHABLE
    assert "has no DNS proxy" in details(r)


def test_firewall_with_proxy_off_does_not_answer() -> None:
    env = hub_spoke(dns="firewall-proxy")
    env = replace_in(
        env,
        "firewall_policies",
        lambda p: True,
        dns_settings=FirewallDnsSettings(enable_proxy=False),
    )
    r = ask(env, "ml/compute", api_name(env))
    assert r.outcome is Outcome.UNREACHABLE
    assert "DNS proxy off" in details(r)


def test_firewall_proxy_forwards_to_its_custom_servers() -> None:
    env = hub_spoke(dns="private-resolver")
    firewall_ip = env.firewalls[0].private_ip_address
    env = replace(
        env,
        virtual_networks=tuple(
            replace(v, dns_servers=(firewall_ip,)) if v.name == "vnet-ml" else v
            for v in env.virtual_networks
        ),
    )
    r = ask(env, "ml/compute", api_name(env))
    assert r.addresses == (pe_ip(env, "amlworkspace"),)
    text = details(r)
    assert "DNS proxy forwards to 10.0.1.132" in text and "DNS Private Resolver" in text


def test_dns_vm_forwards_to_azure_dns_and_onprem_zones_to_onprem() -> None:
    env = hub_spoke(dns="dns-vm")
    r = ask(env, "onprem", api_name(env))
    assert r.addresses == (pe_ip(env, "amlworkspace"),)
    assert "DNS VM vm-dns" in details(r)
    r = ask(env, "ml/compute", "db.corp.example.com")
    assert r.addresses == (IP("192.168.20.10"),)
    assert "forwarder corp.example.com -> 192.168.0.53" in details(r)


# -- on-premises servers -------------------------------------------------------------------------


def test_onprem_a_record_answers_from_the_hosted_zone() -> None:
    env = design("a-record-dns")
    r = ask(env, "onprem", api_name(env))
    assert r.addresses == (pe_ip(env, "amlworkspace"),)
    assert r.deciding_step is not None and r.deciding_step.kind is StepKind.LOCAL_ZONE


def test_onprem_hosted_zone_without_the_record_is_nxdomain() -> None:
    env = hub_spoke()
    r = ask(env, "onprem", "missing.corp.example.com")
    assert r.outcome is Outcome.NXDOMAIN
    assert "hosted zone corp.example.com is authoritative" in details(r)


def test_onprem_longest_conditional_forwarder_wins() -> None:
    env = hub_spoke()
    assert env.on_premises is not None
    server = env.on_premises.dns_servers[0]
    bogus = ConditionalForwarder(DnsName("azureml.ms"), (IP("192.168.0.99"),))
    onprem = replace(
        env.on_premises,
        dns_servers=(
            replace(server, conditional_forwarders=(bogus, *server.conditional_forwarders)),
        ),
    )
    env = replace(env, on_premises=onprem)
    r = ask(env, "onprem", api_name(env))
    assert r.addresses == (pe_ip(env, "amlworkspace"),)  # api.azureml.ms beats azureml.ms


def test_onprem_cannot_forward_to_azure_dns() -> None:
    env = hub_spoke(forward_to="none")
    assert env.on_premises is not None
    server = env.on_premises.dns_servers[0]
    wrong = ConditionalForwarder(DnsName("api.azureml.ms"), (IP("168.63.129.16"),))
    env = replace(
        env,
        on_premises=replace(
            env.on_premises, dns_servers=(replace(server, conditional_forwarders=(wrong,)),)
        ),
    )
    r = ask(env, "onprem", api_name(env))
    assert r.outcome is Outcome.UNREACHABLE
    assert "reachable only from inside an Azure VNet" in details(r)


def test_onprem_without_forwarders_gets_the_public_endpoint() -> None:
    env = hub_spoke(forward_to="none")
    r = ask(env, "onprem", api_name(env))
    assert r.outcome is Outcome.PUBLIC
    assert r.cname_chain and "privatelink" in str(r.cname_chain[0])


def test_onprem_default_forwarders_are_used() -> None:
    env = hub_spoke(forward_to="none")
    inbound = env.dns_resolvers[0].inbound_endpoints[0].private_ip_address
    assert env.on_premises is not None and inbound is not None
    server = env.on_premises.dns_servers[0]
    env = replace(
        env,
        on_premises=replace(
            env.on_premises, dns_servers=(replace(server, default_forwarders=(inbound,)),)
        ),
    )
    r = ask(env, "onprem", api_name(env))
    assert r.addresses == (pe_ip(env, "amlworkspace"),)
    assert "default forwarders" in details(r)


# -- failures that must end, never hang -----------------------------------------------------------


def _with_zone_records(env, zone_name: str, records):  # type: ignore[no-untyped-def]
    return replace(
        env,
        private_dns_zones=tuple(
            replace(z, record_sets=(*z.record_sets, *records)) if z.name == zone_name else z
            for z in env.private_dns_zones
        ),
    )


def test_cname_loop_is_servfail() -> None:
    env = _with_zone_records(
        design("closed-aml"),
        "privatelink.blob.core.windows.net",
        (
            RecordSet("a", RecordType.CNAME, cname=DnsName("b.privatelink.blob.core.windows.net")),
            RecordSet("b", RecordType.CNAME, cname=DnsName("a.privatelink.blob.core.windows.net")),
        ),
    )
    r = ask(env, "ml/compute", "a.privatelink.blob.core.windows.net")
    assert r.outcome is Outcome.SERVFAIL
    assert "CNAME loop" in details(r)


def test_overlong_cname_chain_is_servfail() -> None:
    zone = "privatelink.blob.core.windows.net"
    records = tuple(
        RecordSet(f"n{i}", RecordType.CNAME, cname=DnsName(f"n{i + 1}.{zone}")) for i in range(40)
    )
    env = _with_zone_records(design("closed-aml"), zone, records)
    r = ask(env, "ml/compute", f"n0.{zone}")
    assert r.outcome is Outcome.SERVFAIL
    assert "CNAME chain longer than" in details(r)


def test_forwarding_loop_between_onprem_and_azure_is_servfail() -> None:
    env = design("closed-aml")
    assert env.on_premises is not None
    inbound = env.dns_resolvers[0].inbound_endpoints[0].private_ip_address
    assert inbound is not None
    server = env.on_premises.dns_servers[0]
    back = ConditionalForwarder(DnsName("corp.example.com"), (inbound,))
    env = replace(
        env,
        on_premises=replace(
            env.on_premises,
            dns_servers=(
                replace(
                    server, zones=(), conditional_forwarders=(back, *server.conditional_forwarders)
                ),
            ),
        ),
    )
    r = ask(env, "onprem", "sales-db.corp.example.com")
    assert r.outcome is Outcome.SERVFAIL
    assert "forwarding loop" in details(r)


def test_custom_dns_that_is_not_a_dns_server() -> None:
    env = design("closed-aml")
    env = replace(
        env,
        virtual_networks=tuple(
            replace(v, dns_servers=(IP("10.1.1.37"),)) if v.name == "vnet-ml" else v
            for v in env.virtual_networks
        ),
    )
    r = ask(env, "ml/compute", "pypi.org")
    assert r.outcome is Outcome.UNREACHABLE
    assert "not a DNS server" in details(r)


def test_dns_server_in_an_unpeered_vnet_is_unreachable() -> None:
    env = design("closed-aml")
    devops = env.vnet_by_name("vnet-devops")
    git_ip = next(n.private_ip_address for n in env.network_interfaces if "git" in n.name)
    assert devops is not None and git_ip is not None
    env = replace(
        env,
        virtual_networks=tuple(
            replace(v, dns_servers=(git_ip,)) if v.name == "vnet-ml" else v
            for v in env.virtual_networks
        ),
    )
    r = ask(env, "ml/compute", "pypi.org")
    assert r.outcome is Outcome.UNREACHABLE
    assert "not peered" in details(r)


def test_second_dns_server_is_used_when_the_first_is_unreachable() -> None:
    env = design("closed-aml")
    inbound = env.dns_resolvers[0].inbound_endpoints[0].private_ip_address
    assert inbound is not None
    env = replace(
        env,
        virtual_networks=tuple(
            replace(v, dns_servers=(IP("10.2.0.4"), inbound)) if v.name == "vnet-ml" else v
            for v in env.virtual_networks
        ),
    )
    r = ask(env, "ml/compute", api_name(env))
    assert r.addresses == (pe_ip(env, "amlworkspace"),)


# -- public names ---------------------------------------------------------------------------------


def test_names_outside_the_environment_are_symbolic_public_endpoints() -> None:
    env = design("closed-aml")
    pypi = ask(env, "ml/compute", "pypi.org")
    assert pypi.outcome is Outcome.PUBLIC and pypi.public is not None
    assert pypi.public.service_tags == ("Internet",)
    foreign = ask(env, "ml/compute", "someoneelse.blob.core.windows.net")
    assert foreign.public is not None
    assert foreign.public.service_tags[0] == "Storage.japaneast"


def test_privatelink_name_of_a_resource_seen_publicly() -> None:
    env = hub_spoke(forward_to="none")
    storage = env.workspaces[0].storage_account.name
    r = ask(env, "onprem", f"{storage}.blob.core.windows.net")
    assert r.outcome is Outcome.PUBLIC
    assert r.cname_chain == (DnsName(f"{storage}.privatelink.blob.core.windows.net"),)


def test_onprem_only_zone_is_nxdomain_publicly() -> None:
    env = design("closed-aml")
    env = replace(
        env,
        dns_forwarding_rulesets=tuple(
            replace(r, forwarding_rules=()) for r in env.dns_forwarding_rulesets
        ),
    )
    r = ask(env, "ml/compute", "sales-db.corp.example.com")
    assert r.outcome is Outcome.NXDOMAIN


# -- private endpoint IPs left to Azure ----------------------------------------------------------


def test_endpoint_ips_left_to_azure_are_allocated_deterministically() -> None:
    from heiki.analyses.allocation import allocate_endpoint_ips
    from heiki.catalog import load_catalog

    env = design("closed-aml")
    bare = replace(
        env,
        private_endpoints=tuple(replace(pe, ip_configurations=()) for pe in env.private_endpoints),
    )
    allocated = allocate_endpoint_ips(bare, load_catalog())
    first = allocated.private_endpoints[0].ip_configurations[0]
    assert first.allocated_by_heiki
    subnet = env.subnet(allocated.private_endpoints[0].subnet)
    assert subnet is not None
    # the first address after the four reserved at the start of the subnet
    assert first.private_ip_address == subnet.address_prefix.network_address + 4
    ips = [c.private_ip_address for pe in allocated.private_endpoints for c in pe.ip_configurations]
    assert len(ips) == len(set(ips))
    assert allocate_endpoint_ips(bare, load_catalog()) == allocated
    r = ask(bare, "onprem", api_name(bare))
    ws_pe = next(pe for pe in allocated.private_endpoints if "amlworkspace" in pe.group_ids)
    assert r.addresses == (ws_pe.ip_configurations[0].private_ip_address,)


def test_ruleset_rule_disabled_is_ignored() -> None:
    env = design("closed-aml")
    from heiki.model.dns import RuleState

    env = replace(
        env,
        dns_forwarding_rulesets=tuple(
            replace(
                r,
                forwarding_rules=tuple(
                    replace(x, state=RuleState.DISABLED) for x in r.forwarding_rules
                ),
            )
            for r in env.dns_forwarding_rulesets
        ),
    )
    assert ask(env, "ml/compute", "sales-db.corp.example.com").outcome is Outcome.NXDOMAIN
    assert isinstance(env.dns_forwarding_rulesets[0], DnsForwardingRuleset)
