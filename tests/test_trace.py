"""Traces: one named case per filtering and forwarding behaviour, asserting verdict and decider."""

from __future__ import annotations

import ipaddress
from dataclasses import replace

from heiki.analyses.trace import StepKind, Verdict
from heiki.model.endpoints import ConnectionState
from heiki.model.environment import Environment
from heiki.model.firewall import (
    ApplicationProtocol,
    ApplicationRule,
    FirewallAction,
    FirewallDnsSettings,
    FirewallPolicy,
    IpGroup,
    NetworkProtocol,
    NetworkRule,
    RuleCollection,
    RuleCollectionGroup,
    RuleCollectionKind,
)
from heiki.model.network import (
    Access,
    ApplicationSecurityGroup,
    Direction,
    NatGateway,
    NetworkSecurityGroup,
    NextHopType,
    NsgProtocol,
    PrivateEndpointNetworkPolicies,
    PublicIpAddress,
    Route,
    SecurityRule,
)
from heiki.model.values import DnsName, FqdnPattern, PortRange, ResourceId
from nethelp import CATALOG, design, replace_in, replace_subnet, replace_vnet, steps, trace

IP = ipaddress.IPv4Address
CLOSED = design("closed-aml")
NSG_ONLY = design("nsg-only")
WS_IP = str(
    next(pe for pe in CLOSED.private_endpoints if "amlworkspace" in pe.group_ids)
    .ip_configurations[0]
    .private_ip_address
)
GIT_IP = str(next(n for n in CLOSED.network_interfaces if "git" in n.name).private_ip_address)


def decider(result) -> str:  # type: ignore[no-untyped-def]
    step = result.deciding_step
    assert step is not None
    return f"{step.kind.value}: {step.detail}"


def add_policy_group(env: Environment, group: RuleCollectionGroup) -> Environment:
    policy = env.firewall_policies[0]
    return replace_in(
        env,
        "firewall_policies",
        lambda p: p.id == policy.id,
        rule_collection_groups=(*policy.rule_collection_groups, group),
    )


def collection(name: str, priority: int, action: FirewallAction, *rules: object) -> RuleCollection:
    return RuleCollection(name, priority, RuleCollectionKind.FILTER, action, tuple(rules))  # type: ignore[arg-type]


def add_nsg_rule(env: Environment, nsg_name: str, rule: SecurityRule) -> Environment:
    nsg = next(n for n in env.network_security_groups if n.name == nsg_name)
    return replace_in(
        env,
        "network_security_groups",
        lambda n: n.id == nsg.id,
        security_rules=(*nsg.security_rules, rule),
    )


# -- the headline cases ------------------------------------------------------------------


def test_nsg_only_pip_files_dropped_by_the_named_nsg_rule() -> None:
    result = trace(NSG_ONLY, "ml/compute", "files.pythonhosted.org", 443)
    assert result.verdict is Verdict.DROPPED
    assert "DenyInternetOutBound" in decider(result)


def test_nsg_only_foreign_storage_delivered_via_the_storage_tag() -> None:
    result = trace(NSG_ONLY, "ml/compute", "foreign-storage", 443)
    assert result.verdict is Verdict.DELIVERED
    assert "Allow-storagejapaneast-tcp" in steps(result)
    assert result.egress == "Azure default outbound access"


def test_closed_aml_pip_files_delivered_by_the_application_rule() -> None:
    result = trace(CLOSED, "ml/compute", "files.pythonhosted.org", 443)
    assert result.verdict is Verdict.DELIVERED and result.crossed_firewall
    assert "application rule files.pythonhosted.org" in steps(result)


def test_closed_aml_foreign_storage_dropped_by_the_firewall() -> None:
    # the runners' subnet has no storage service endpoint: the firewall decides
    result = trace(CLOSED, "devops/runners", "foreign-storage", 443)
    assert result.verdict is Verdict.DROPPED
    assert "denies by default" in decider(result)


def test_closed_aml_foreign_storage_dropped_by_the_service_endpoint_policy() -> None:
    # the compute subnets reach storage over a service endpoint a policy scopes to their
    # workspace's account and Azure ML's alias
    result = trace(CLOSED, "ml/compute", "foreign-storage", 443)
    assert result.verdict is Verdict.DROPPED
    assert "service endpoint policy sep-ml does not allow" in decider(result)
    batch = trace(CLOSED, "ml/compute", "heiki-batch.blob.core.windows.net", 443)
    assert (
        batch.verdict is Verdict.DELIVERED and batch.egress == "service endpoint scoped by sep-ml"
    )


# -- NSGs -----------------------------------------------------------------------------------------


def test_nsg_default_deny_all_outbound_to_unknown_private_space() -> None:
    # neither VirtualNetwork (no default UDR here) nor Internet covers 10.200.0.5
    result = trace(NSG_ONLY, "ml/compute", "10.200.0.5", 443)
    assert result.verdict is Verdict.DROPPED
    assert "default rule DenyAllOutBound (65500)" in decider(result)


def test_reserved_range_none_route_drops_when_the_nsg_allows() -> None:
    env = add_nsg_rule(
        NSG_ONLY,
        "nsg-ml",
        SecurityRule(
            "AllowPrivate",
            300,
            Direction.OUTBOUND,
            Access.ALLOW,
            NsgProtocol.ANY,
            destination_address_prefixes=("10.0.0.0/8",),
        ),
    )
    result = trace(env, "ml/compute", "10.200.0.5", 443)
    assert result.verdict is Verdict.DROPPED and "next hop None" in decider(result)


def test_nsg_inbound_deny_at_the_destination_subnet() -> None:
    env = add_nsg_rule(
        CLOSED,
        "nsg-devops",
        SecurityRule(
            "DenyMlInbound",
            200,
            Direction.INBOUND,
            Access.DENY,
            NsgProtocol.TCP,
            source_address_prefixes=("10.1.0.0/16",),
        ),
    )
    result = trace(env, "ml/compute", GIT_IP, 443)
    assert result.verdict is Verdict.DROPPED
    assert "DenyMlInbound" in decider(result)


def test_nsg_rule_with_destination_asg_applies_only_to_members() -> None:
    asg = ApplicationSecurityGroup(
        id=ResourceId.build(
            "00000000-0000-0000-0000-000000000000",
            "rg-closed-aml",
            "Microsoft.Network/applicationSecurityGroups",
            "asg-git",
        ),
        name="asg-git",
        location="japaneast",
    )
    rule = SecurityRule(
        "DenyGit",
        200,
        Direction.INBOUND,
        Access.DENY,
        NsgProtocol.ANY,
        destination_application_security_groups=(asg.id,),
    )
    env = add_nsg_rule(replace(CLOSED, application_security_groups=(asg,)), "nsg-devops", rule)
    nic = next(n for n in env.network_interfaces if "git" in n.name)
    nic_nsg = NetworkSecurityGroup(
        id=ResourceId(nic.id.text.replace("networkInterfaces", "networkSecurityGroups")),
        name="nsg-nic-git",
        location="japaneast",
        security_rules=(rule,),
        default_security_rules=env.network_security_groups[0].default_security_rules,
    )
    member = replace(
        env,
        network_security_groups=(*env.network_security_groups, nic_nsg),
        network_interfaces=tuple(
            replace(n, application_security_groups=(asg.id,), network_security_group=nic_nsg.id)
            if n.id == nic.id
            else n
            for n in env.network_interfaces
        ),
    )
    blocked = trace(member, "ml/compute", GIT_IP, 443)
    assert blocked.verdict is Verdict.DROPPED and "DenyGit" in decider(blocked)
    runner_ip = str(
        next(n for n in env.network_interfaces if "runner" in n.name).private_ip_address
    )
    assert trace(member, "ml/compute", runner_ip, 443).verdict is Verdict.DELIVERED  # not a member


def test_nsg_rule_with_source_asg_is_undecidable_for_a_whole_subnet() -> None:
    asg_id = ResourceId.build(
        "00000000-0000-0000-0000-000000000000",
        "rg-closed-aml",
        "Microsoft.Network/applicationSecurityGroups",
        "asg-x",
    )
    env = add_nsg_rule(
        CLOSED,
        "nsg-ml",
        SecurityRule(
            "DenyFromAsg",
            100,
            Direction.OUTBOUND,
            Access.DENY,
            NsgProtocol.ANY,
            source_application_security_groups=(asg_id,),
        ),
    )
    assert trace(env, "ml/compute", "pypi.org", 443).verdict is Verdict.UNKNOWN


def test_nsg_source_port_rule_is_undecidable() -> None:
    env = add_nsg_rule(
        CLOSED,
        "nsg-ml",
        SecurityRule(
            "OddSourcePort",
            100,
            Direction.OUTBOUND,
            Access.DENY,
            NsgProtocol.TCP,
            source_port_ranges=(PortRange(1024, 2048),),
        ),
    )
    result = trace(env, "ml/compute", "pypi.org", 443)
    assert result.verdict is Verdict.UNKNOWN
    assert "cannot be decided offline" in decider(result)


def test_virtualnetwork_tag_covers_everything_with_a_default_udr() -> None:
    result = trace(CLOSED, "ml/compute", "pypi.org", 443)
    assert "AllowInternetOutBound" not in steps(result) or "AllowVnetOutBound" in steps(result)
    spoke_to_spoke = trace(CLOSED, "ml/compute", GIT_IP, 443)
    assert spoke_to_spoke.verdict is Verdict.DELIVERED
    assert "AllowVnetOutBound" in steps(spoke_to_spoke)


# -- internet egress ------------------------------------------------------------------------------


def test_private_subnet_without_outbound_path_drops_internet_traffic() -> None:
    env = replace_subnet(NSG_ONLY, "vnet-ml", "snet-compute", default_outbound_access=False)
    result = trace(env, "ml/compute", "foreign-storage", 443)
    assert result.verdict is Verdict.DROPPED
    assert "private subnet" in decider(result)


def test_nat_gateway_is_a_direct_internet_path() -> None:
    nat = NatGateway(
        id=ResourceId.build(
            "00000000-0000-0000-0000-000000000000",
            "rg-nsg-only",
            "Microsoft.Network/natGateways",
            "nat-ml",
        ),
        name="nat-ml",
        location="japaneast",
    )
    env = replace_subnet(
        replace(NSG_ONLY, nat_gateways=(nat,)),
        "vnet-ml",
        "snet-compute",
        nat_gateway=nat.id,
        default_outbound_access=False,
    )
    result = trace(env, "ml/compute", "foreign-storage", 443)
    assert result.verdict is Verdict.DELIVERED and result.egress == "NAT gateway nat-ml"


def test_vm_public_ip_is_a_direct_internet_path() -> None:
    env = design("manual-upload")
    jump = next(n for n in env.network_interfaces if "jump" in n.name)
    pip = PublicIpAddress(
        id=ResourceId(jump.id.text.replace("networkInterfaces", "publicIPAddresses")),
        name="pip-jump",
        location="japaneast",
    )
    env = replace(
        env,
        public_ip_addresses=(*env.public_ip_addresses, pip),
        network_interfaces=tuple(
            replace(n, public_ip_address=pip.id) if n.id == jump.id else n
            for n in env.network_interfaces
        ),
    )
    env = replace_in(
        env, "route_tables", lambda t: t.name == "rt-ml", routes=()
    )  # no firewall route left
    result = trace(env, "vm-jump", "any-internet", 443)
    assert result.verdict is Verdict.DELIVERED and result.egress.startswith("the public IP")


def test_compute_with_public_ip_goes_out_directly() -> None:
    env = replace_in(
        NSG_ONLY, "computes", lambda c: c.name == "ci-alice", enable_node_public_ip=True
    )
    env = replace_subnet(env, "vnet-ml", "snet-compute", default_outbound_access=False)
    result = trace(env, "ci-alice", "foreign-storage", 443)
    assert result.verdict is Verdict.DELIVERED and "compute ci-alice" in result.egress


def test_service_endpoint_bypasses_the_firewall() -> None:
    env = replace_subnet(
        CLOSED,
        "vnet-ml",
        "snet-compute",
        service_endpoints=("Microsoft.Storage",),
        service_endpoint_policies=(),  # unscoped: any account
    )
    result = trace(env, "ml/compute", "foreign-storage", 443)
    assert result.verdict is Verdict.DELIVERED
    assert "service endpoint" in steps(result) and not result.crossed_firewall


# -- Azure Firewall -------------------------------------------------------------------------------


def test_firewall_default_deny() -> None:
    result = trace(CLOSED, "ml/compute", "any-internet", 443)
    assert result.verdict is Verdict.DROPPED and "denies by default" in decider(result)


def test_wildcard_application_rule_does_not_match_the_apex() -> None:
    # the conda profile allows *.anaconda.org but not anaconda.org itself
    assert trace(CLOSED, "ml/compute", "conda.anaconda.org", 443).verdict is Verdict.DELIVERED
    assert trace(CLOSED, "ml/compute", "x.anaconda.org", 443).verdict is Verdict.DELIVERED
    assert trace(CLOSED, "ml/compute", "anaconda.org", 443).verdict is Verdict.DROPPED


def test_application_rules_apply_to_http_ports_only() -> None:
    result = trace(CLOSED, "ml/compute", "pypi.org", 8080)
    assert result.verdict is Verdict.DROPPED


def test_network_rules_run_before_application_rules_whatever_the_priority() -> None:
    deny_app = collection(
        "deny-pypi",
        100,
        FirewallAction.DENY,
        ApplicationRule(
            "no-pypi",
            (ApplicationProtocol("Https", 443),),
            source_addresses=("*",),
            target_fqdns=(FqdnPattern("pypi.org"),),
        ),
    )
    allow_net = collection(
        "allow-all-443",
        64000,
        FirewallAction.ALLOW,
        NetworkRule(
            "any-443",
            (NetworkProtocol.TCP,),
            source_addresses=("*",),
            destination_addresses=("*",),
            destination_ports=(PortRange(443, 443),),
        ),
    )
    env = add_policy_group(CLOSED, RuleCollectionGroup("late", 65000, (deny_app, allow_net)))
    result = trace(env, "ml/compute", "pypi.org", 443)
    assert result.verdict is Verdict.DELIVERED
    assert "network rule any-443" in decider(result) or "any-443" in steps(result)


def test_a_matching_network_deny_stops_processing() -> None:
    deny_net = collection(
        "deny-443",
        100,
        FirewallAction.DENY,
        NetworkRule(
            "no-443",
            (NetworkProtocol.TCP,),
            source_addresses=("*",),
            destination_addresses=("Internet",),
            destination_ports=(PortRange(443, 443),),
        ),
    )
    env = add_policy_group(CLOSED, RuleCollectionGroup("first", 100, (deny_net,)))
    result = trace(env, "ml/compute", "pypi.org", 443)
    assert result.verdict is Verdict.DROPPED and "no-443" in decider(result)


def test_parent_policy_groups_come_before_the_child_groups() -> None:
    child = CLOSED.firewall_policies[0]
    parent = FirewallPolicy(
        id=ResourceId(child.id.text + "-parent"),
        name="afwp-parent",
        location="japaneast",
        rule_collection_groups=(
            RuleCollectionGroup(
                "parent",
                65000,
                (
                    collection(
                        "deny-pypi",
                        65000,
                        FirewallAction.DENY,
                        ApplicationRule(
                            "no-pypi",
                            (ApplicationProtocol("Https", 443),),
                            source_addresses=("*",),
                            target_fqdns=(FqdnPattern("pypi.org"),),
                        ),
                    ),
                ),
            ),
        ),
    )
    env = replace(CLOSED, firewall_policies=(parent, replace(child, base_policy=parent.id)))
    result = trace(env, "ml/compute", "pypi.org", 443)
    assert result.verdict is Verdict.DROPPED
    assert "policy afwp-parent" in decider(result)


def test_fqdn_network_rule_needs_the_dns_proxy() -> None:
    rule = NetworkRule(
        "ntp",
        (NetworkProtocol.UDP,),
        source_addresses=("10.1.0.0/16",),
        destination_fqdns=(DnsName("time.windows.com"),),
        destination_ports=(PortRange(123, 123),),
    )
    env = add_policy_group(
        CLOSED,
        RuleCollectionGroup("fqdn", 400, (collection("ntp", 100, FirewallAction.ALLOW, rule),)),
    )
    assert trace(env, "ml/compute", "time.windows.com", 123, "udp").verdict is Verdict.DELIVERED
    no_proxy = replace_in(
        env,
        "firewall_policies",
        lambda p: True,
        dns_settings=FirewallDnsSettings(enable_proxy=False),
    )
    result = trace(no_proxy, "ml/compute", "time.windows.com", 123, "udp")
    assert result.verdict is Verdict.DROPPED
    assert "ignored: the DNS proxy is off" in steps(result)


def test_ip_groups_in_network_rules() -> None:
    group = IpGroup(
        id=ResourceId.build(
            "00000000-0000-0000-0000-000000000000",
            "rg-closed-aml",
            "Microsoft.Network/ipGroups",
            "ipg-ntp",
        ),
        name="ipg-ntp",
        location="japaneast",
        ip_addresses=("52.1.2.3",),
    )
    rule = NetworkRule(
        "ntp-ip",
        (NetworkProtocol.UDP,),
        source_addresses=("10.1.0.0/16",),
        destination_ip_groups=(group.id,),
        destination_ports=(PortRange(123, 123),),
    )
    env = add_policy_group(
        replace(CLOSED, ip_groups=(group,)),
        RuleCollectionGroup("ipg", 400, (collection("ntp", 100, FirewallAction.ALLOW, rule),)),
    )
    assert trace(env, "ml/compute", "52.1.2.3", 123, "udp").verdict is Verdict.DELIVERED
    assert trace(env, "ml/compute", "52.1.2.4", 123, "udp").verdict is Verdict.DROPPED


def test_network_rule_to_private_space_does_not_snat_and_app_rules_do() -> None:
    private = trace(CLOSED, "ml/compute", GIT_IP, 443)
    assert "SNAT" not in steps(private)
    public = trace(CLOSED, "ml/compute", "pypi.org", 443)
    assert "SNAT" in steps(public)


def test_firewall_service_tag_rule_on_a_public_ip_literal_is_undecidable() -> None:
    result = trace(CLOSED, "ml/compute", "52.1.2.3", 443)
    assert result.verdict is Verdict.UNKNOWN  # AzureMachineLearning etc. tags vs a literal IP


# -- peerings, gateway, return paths ---------------------------------------------------------------


def test_onprem_reaches_the_workspace_endpoint_through_gateway_and_firewall() -> None:
    result = trace(CLOSED, "onprem", WS_IP, 443)
    assert result.verdict is Verdict.DELIVERED and result.crossed_firewall
    nodes = [h.node for h in result.hops]
    assert nodes[:3] == ["on-premises", "vnet-hub/GatewaySubnet", "firewall afw-hub"]


def test_peering_without_virtual_network_access_drops() -> None:
    ml = CLOSED.vnet_by_name("vnet-ml")
    assert ml is not None
    env = replace_vnet(
        CLOSED,
        "vnet-ml",
        peerings=tuple(replace(p, allow_virtual_network_access=False) for p in ml.peerings),
    )
    result = trace(env, "ml/compute", GIT_IP, 443)
    assert result.verdict is Verdict.DROPPED and "allowVirtualNetworkAccess is off" in decider(
        result
    )


def test_forwarded_traffic_into_a_spoke_needs_the_flag() -> None:
    ml = CLOSED.vnet_by_name("vnet-ml")
    assert ml is not None
    env = replace_vnet(
        CLOSED,
        "vnet-ml",
        peerings=tuple(replace(p, allow_forwarded_traffic=False) for p in ml.peerings),
    )
    result = trace(env, "onprem", WS_IP, 443)
    assert result.verdict is Verdict.DROPPED
    assert "does not allow forwarded traffic" in decider(result)


def test_replies_from_the_internet_need_the_spoke_flag() -> None:
    ml = CLOSED.vnet_by_name("vnet-ml")
    assert ml is not None
    env = replace_vnet(
        CLOSED,
        "vnet-ml",
        peerings=tuple(replace(p, allow_forwarded_traffic=False) for p in ml.peerings),
    )
    result = trace(env, "ml/compute", "pypi.org", 443)
    assert result.verdict is Verdict.DROPPED
    assert any(h.node == "return path" for h in result.hops)


def test_asymmetric_when_the_gateway_subnet_bypasses_the_firewall() -> None:
    table = next(t for t in CLOSED.route_tables if t.name == "rt-hub-gateway")
    env = replace_in(
        CLOSED,
        "route_tables",
        lambda t: t.id == table.id,
        routes=tuple(r for r in table.routes if r.address_prefix != "10.2.0.0/16"),
    )
    result = trace(env, "onprem", GIT_IP, 443)
    assert result.verdict is Verdict.DROPPED and result.reason == "asymmetric routing"
    assert "never saw the request" in decider(result)


def test_asymmetric_when_the_spoke_learns_onprem_routes() -> None:
    env = replace_in(
        CLOSED, "route_tables", lambda t: t.name == "rt-devops", disable_bgp_route_propagation=False
    )
    result = trace(env, "onprem", GIT_IP, 443)
    assert result.verdict is Verdict.DROPPED and result.reason == "asymmetric routing"
    assert "bypassing the firewall" in decider(result)


def test_spoke_to_onprem_through_the_firewall() -> None:
    result = trace(CLOSED, "data/shir", "192.168.20.10", 1433)
    assert result.verdict is Verdict.DELIVERED
    assert "shir-to-sales-db" in steps(result)


def test_spoke_to_spoke_goes_through_the_hub_firewall() -> None:
    result = trace(CLOSED, "devops/runners", WS_IP, 443)
    assert result.verdict is Verdict.DELIVERED and result.crossed_firewall
    assert "private-east-west" in steps(result)


def test_spoke_to_spoke_port_not_allowed_by_the_firewall() -> None:
    result = trace(CLOSED, "devops/runners", WS_IP, 8443)
    assert result.verdict is Verdict.DROPPED and "denies by default" in decider(result)


# -- private endpoints -----------------------------------------------------------------------------


def test_endpoint_nsg_not_applied_when_policies_are_disabled() -> None:
    env = add_nsg_rule(
        CLOSED,
        "nsg-ml-pe",
        SecurityRule("DenyAllIn", 100, Direction.INBOUND, Access.DENY, NsgProtocol.ANY),
    )
    assert trace(env, "ml/compute", WS_IP, 443).verdict is Verdict.DROPPED  # policies Enabled
    off = replace_subnet(
        env,
        "vnet-ml",
        "snet-pe",
        private_endpoint_network_policies=PrivateEndpointNetworkPolicies.DISABLED,
    )
    result = trace(off, "ml/compute", WS_IP, 443)
    assert result.verdict is Verdict.DELIVERED
    assert "not applied to private endpoints" in steps(result)


def test_endpoint_must_be_approved() -> None:
    env = replace_in(
        CLOSED,
        "private_endpoints",
        lambda p: "amlworkspace" in p.group_ids,
        connection_state=ConnectionState.PENDING,
    )
    result = trace(env, "ml/compute", WS_IP, 443)
    assert result.verdict is Verdict.DROPPED and "Pending" in decider(result)


def test_public_endpoint_of_our_storage_refuses_public_traffic() -> None:
    env = design("closed-aml")
    storage = env.workspaces[0].storage_account.name
    env = replace_in(
        env,
        "private_dns_zones",
        lambda z: z.name == "privatelink.blob.core.windows.net",
        virtual_network_links=(),
    )
    env = add_policy_group(
        env,
        RuleCollectionGroup(
            "blob",
            400,
            (
                collection(
                    "blob",
                    100,
                    FirewallAction.ALLOW,
                    ApplicationRule(
                        "blob",
                        (ApplicationProtocol("Https", 443),),
                        source_addresses=("*",),
                        target_fqdns=(FqdnPattern("*.blob.core.windows.net"),),
                    ),
                ),
            ),
        ),
    )
    result = trace(env, "ml/compute", f"{storage}.blob.core.windows.net", 443)
    assert result.verdict is Verdict.DROPPED
    assert "public network access disabled" in decider(result)


# -- next hops and names -----------------------------------------------------------------------------


def test_udr_to_an_address_where_nothing_listens_blackholes() -> None:
    table = next(t for t in CLOSED.route_tables if t.name == "rt-ml")
    env = replace_in(
        CLOSED,
        "route_tables",
        lambda t: t.id == table.id,
        routes=(
            Route("to-old-firewall", "0.0.0.0/0", NextHopType.VIRTUAL_APPLIANCE, IP("10.0.1.5")),
        ),
    )
    result = trace(env, "ml/compute", "pypi.org", 443)
    assert result.verdict is Verdict.DROPPED and "blackholed" in decider(result)


def test_udr_to_a_third_party_appliance_is_unknown() -> None:
    nic = next(n for n in CLOSED.network_interfaces if "runner-devops-1" in n.name)
    env = replace_in(
        CLOSED, "network_interfaces", lambda n: n.id == nic.id, enable_ip_forwarding=True
    )
    table = next(t for t in env.route_tables if t.name == "rt-ml")
    env = replace_in(
        env,
        "route_tables",
        lambda t: t.id == table.id,
        routes=(
            Route("to-nva", "0.0.0.0/0", NextHopType.VIRTUAL_APPLIANCE, nic.private_ip_address),
        ),
    )
    result = trace(env, "ml/compute", "pypi.org", 443)
    assert result.verdict is Verdict.UNKNOWN and "appliance" in decider(result)


def test_a_name_that_does_not_resolve_is_dropped_at_dns() -> None:
    result = trace(CLOSED, "ml/compute", "nothing.corp.example.com", 443)
    assert result.verdict is Verdict.DROPPED
    assert result.hops[0].steps[0].kind is StepKind.DNS


def test_onprem_internet_egress_is_not_modelled() -> None:
    result = trace(CLOSED, "onprem", "any-internet", 443)
    assert result.verdict is Verdict.UNKNOWN


def test_onprem_without_gateway_cannot_reach_azure() -> None:
    assert CLOSED.on_premises is not None
    env = replace(CLOSED, on_premises=replace(CLOSED.on_premises, connection=None))
    result = trace(env, "onprem", WS_IP, 443)
    assert result.verdict is Verdict.DROPPED and "no connection" in result.reason


def test_trace_to_a_service_tag_destination() -> None:
    result = trace(CLOSED, "ml/cluster", "tag:BatchNodeManagement.japaneast", 443)
    assert result.verdict is Verdict.DELIVERED
    assert "batchnodemanagement.japaneast" in steps(result).lower()


def test_traces_are_deterministic() -> None:
    first = trace(CLOSED, "onprem", WS_IP, 443)
    assert trace(CLOSED, "onprem", WS_IP, 443) == first
    assert CATALOG is not None
