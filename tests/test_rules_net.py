"""Reachability rules: a named failing and passing case for each."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import replace

import pytest

from heiki.model.coverage import NodePool, UnmodelledResource
from heiki.model.environment import Environment
from heiki.model.firewall import (
    ApplicationProtocol,
    ApplicationRule,
    FirewallAction,
    NetworkProtocol,
    NetworkRule,
    RuleCollection,
    RuleCollectionGroup,
    RuleCollectionKind,
)
from heiki.model.ml import KubernetesCompute, ScoringExposure
from heiki.model.network import (
    Access,
    Direction,
    NextHopType,
    NsgProtocol,
    PrivateEndpointNetworkPolicies,
    Route,
    SecurityRule,
)
from heiki.model.values import DnsName, FqdnPattern, PortRange, Prefix
from heiki.rules.engine import run_rules
from heiki.rules.registry import all_rules
from nethelp import CATALOG, design, replace_in, replace_subnet

CLOSED = design("closed-aml")
NSG_ONLY = design("nsg-only")


def with_group(
    env: Environment, *rules: object, action: FirewallAction = FirewallAction.ALLOW
) -> Environment:
    group = RuleCollectionGroup(
        "extra",
        500,
        (RuleCollection("extra", 100, RuleCollectionKind.FILTER, action, tuple(rules)),),
    )  # type: ignore[arg-type]
    policy = env.firewall_policies[0]
    return replace_in(
        env,
        "firewall_policies",
        lambda p: p.id == policy.id,
        rule_collection_groups=(*policy.rule_collection_groups, group),
    )


def nsg_allow_only(env: Environment) -> Environment:
    nsg = next(n for n in env.network_security_groups if n.name == "nsg-ml")
    return replace_in(
        env,
        "network_security_groups",
        lambda n: n.id == nsg.id,
        security_rules=tuple(r for r in nsg.security_rules if r.access is Access.ALLOW),
    )


def compute_public_ip(env: Environment) -> Environment:
    return replace_in(env, "computes", lambda c: c.name == "ci-alice", enable_node_public_ip=True)


def datastores_with_keys(env: Environment) -> Environment:
    from heiki.model.ml import DatastoresAuthMode

    return replace_in(
        env,
        "workspaces",
        lambda w: True,
        system_datastores_auth_mode=DatastoresAuthMode.ACCESS_KEY,
    )


def storage_firewall_without_workspace(env: Environment) -> Environment:
    from heiki.model.ml import PublicNetworkAccess
    from heiki.model.services import DefaultAction, NetworkAcls

    storage = env.workspaces[0].storage_account
    return replace_in(
        env,
        "storage_accounts",
        lambda a: a.id == storage,
        public_network_access=PublicNetworkAccess.ENABLED,
        network_acls=NetworkAcls(default_action=DefaultAction.DENY, bypass=()),
    )


def vault_firewall_without_bypass(env: Environment) -> Environment:
    from heiki.model.ml import PublicNetworkAccess
    from heiki.model.services import DefaultAction, NetworkAcls

    vault = env.workspaces[0].key_vault
    return replace_in(
        env,
        "key_vaults",
        lambda v: v.id == vault,
        public_network_access=PublicNetworkAccess.ENABLED,
        network_acls=NetworkAcls(default_action=DefaultAction.DENY, bypass=()),
    )


def workspace_without_endpoint(env: Environment) -> Environment:
    return replace(
        env,
        private_endpoints=tuple(
            pe for pe in env.private_endpoints if "amlworkspace" not in pe.group_ids
        ),
    )


def huge_cluster(env: Environment) -> Environment:
    from heiki.model.ml import ComputeType

    return replace_in(
        env, "computes", lambda c: c.compute_type is ComputeType.AML_COMPUTE, max_nodes=400
    )


def managed_with_subnet(env: Environment) -> Environment:
    """closed-aml's computes keep their subnets while the workspace turns a managed VNet on."""
    from heiki.model.ml import IsolationMode, ManagedNetwork

    return replace_in(
        env,
        "workspaces",
        lambda w: True,
        managed_network=ManagedNetwork(IsolationMode.ALLOW_INTERNET_OUTBOUND),
    )


def no_firewall_route(env: Environment) -> Environment:
    return replace_in(env, "route_tables", lambda t: t.name == "rt-ml", routes=())


def stale_next_hop(env: Environment) -> Environment:
    return replace_in(
        env,
        "route_tables",
        lambda t: t.name == "rt-ml",
        routes=(
            Route(
                "old", "0.0.0.0/0", NextHopType.VIRTUAL_APPLIANCE, ipaddress.IPv4Address("10.0.1.9")
            ),
        ),
    )


def no_forwarded(env: Environment) -> Environment:
    ml = env.vnet_by_name("vnet-ml")
    assert ml is not None
    return replace(
        env,
        virtual_networks=tuple(
            replace(
                v, peerings=tuple(replace(p, allow_forwarded_traffic=False) for p in v.peerings)
            )
            if v.id == ml.id
            else v
            for v in env.virtual_networks
        ),
    )


def asymmetric(env: Environment) -> Environment:
    return replace_in(
        env, "route_tables", lambda t: t.name == "rt-devops", disable_bgp_route_propagation=False
    )


def overlap(env: Environment) -> Environment:
    assert env.on_premises is not None
    return replace(
        env,
        on_premises=replace(
            env.on_premises, address_space=(*env.on_premises.address_space, Prefix("10.3.0.0/24"))
        ),
    )


def pe_policies_off(env: Environment, deny_others: bool = True) -> Environment:
    """ "Only the office reaches the endpoints": an allow for the office and (``deny_others``) a
    deny for the rest of the VNet - the deny is what disabled network policies lose."""
    nsg = next(n for n in env.network_security_groups if n.name == "nsg-ml-pe")
    rules = [
        SecurityRule(
            "OnlyOffice",
            100,
            Direction.INBOUND,
            Access.ALLOW,
            NsgProtocol.TCP,
            source_address_prefixes=("192.168.10.0/24",),
        )
    ]
    if deny_others:
        rules.append(
            SecurityRule(
                "DenyVnetInBound",
                200,
                Direction.INBOUND,
                Access.DENY,
                NsgProtocol.ANY,
                source_address_prefixes=("VirtualNetwork",),
                destination_address_prefixes=("VirtualNetwork",),
            )
        )
    env = replace_in(
        env, "network_security_groups", lambda n: n.id == nsg.id, security_rules=tuple(rules)
    )
    return replace_subnet(
        env,
        "vnet-ml",
        "snet-pe",
        private_endpoint_network_policies=PrivateEndpointNetworkPolicies.DISABLED,
    )


def pypi_half(env: Environment) -> Environment:
    policy = env.firewall_policies[0]
    groups = tuple(
        replace(
            g,
            rule_collections=tuple(
                replace(c, rules=tuple(r for r in c.rules if r.name != "files.pythonhosted.org"))
                for c in g.rule_collections
            ),
        )
        for g in policy.rule_collection_groups
    )
    return replace_in(
        env, "firewall_policies", lambda p: p.id == policy.id, rule_collection_groups=groups
    )


def malformed_wildcard(env: Environment) -> Environment:
    return with_group(
        env,
        ApplicationRule(
            "torch",
            (ApplicationProtocol("Https", 443),),
            source_addresses=("10.1.0.0/16",),
            target_fqdns=(FqdnPattern("*pytorch.org"),),
        ),
    )


AKS_HTTPS = (
    "mcr.microsoft.com",
    "*.data.mcr.microsoft.com",
    "management.azure.com",
    "login.microsoftonline.com",
    "packages.microsoft.com",
    "acs-mirror.azureedge.net",
    "packages.aks.azure.com",
)


def aks_allowed(env: Environment, ntp: bool) -> Environment:
    """AKS's required outbound allowed: the HTTPS names as an application rule and, with
    ``ntp``, NTP to ntp.ubuntu.com as a network rule (an FQDN on UDP 123)."""
    rules: list[object] = [
        ApplicationRule(
            "aks",
            (ApplicationProtocol("Https", 443),),
            source_addresses=("10.1.0.0/16",),
            target_fqdns=tuple(FqdnPattern(f) for f in AKS_HTTPS),
        )
    ]
    if ntp:
        rules.append(
            NetworkRule(
                "aks-ntp",
                (NetworkProtocol.UDP,),
                source_addresses=("10.1.0.0/16",),
                destination_fqdns=(DnsName("ntp.ubuntu.com"),),
                destination_ports=(PortRange(123, 123),),
            )
        )
    return with_group(env, *rules)


def allow_everything(env: Environment) -> Environment:
    return with_group(
        env,
        NetworkRule(
            "all", (NetworkProtocol.ANY,), source_addresses=("*",), destination_addresses=("*",)
        ),
    )


def firewall_storage_tag(env: Environment) -> Environment:
    return with_group(
        env,
        NetworkRule(
            "storage",
            (NetworkProtocol.TCP,),
            source_addresses=("10.1.0.0/16",),
            destination_addresses=("Storage.japaneast",),
        ),
    )


Case = tuple[str, Callable[[], Environment], str]
FAILING: dict[str, Case] = {
    "NSG001-allow-rules-no-deny": ("NSG001", lambda: nsg_allow_only(NSG_ONLY), "no deny"),
    "NSG002-storage-tag": ("NSG002", lambda: NSG_ONLY, "Storage.japaneast"),
    "AML001-compute-public-ip": ("AML001", lambda: compute_public_ip(CLOSED), "ci-alice"),
    "AML003-storage-firewall-shuts-out-the-workspace": (
        "AML003",
        lambda: storage_firewall_without_workspace(CLOSED),
        "admits neither the workspace",
    ),
    "AML003-key-vault-without-trusted-services": (
        "AML003",
        lambda: vault_firewall_without_bypass(CLOSED),
        "without the trusted-services bypass",
    ),
    "AML009-managed-network-with-a-customer-subnet": (
        "AML009",
        lambda: managed_with_subnet(CLOSED),
        "has a managed network",
    ),
    "AML010-managed-network-allows-internet": (
        "AML010",
        lambda: managed_with_subnet(CLOSED),
        "is AllowInternetOutbound",
    ),
    "AML008-v1-legacy-mode": (
        "AML008",
        lambda: replace_in(CLOSED, "workspaces", lambda w: True, v1_legacy_mode=True),
        "v1 legacy mode",
    ),
    "AML007-public-compute-behind-forced-tunnel": (
        "AML007",
        lambda: compute_public_ip(CLOSED),
        "has no Internet route for AzureMachineLearning, BatchNodeManagement.japaneast",
    ),
    "AML006-no-file-endpoint-for-studio": (
        "AML006",
        lambda: replace(
            CLOSED,
            private_endpoints=tuple(
                pe for pe in CLOSED.private_endpoints if "file" not in pe.group_ids
            ),
        ),
        "has no file private endpoint",
    ),
    "AML004-no-public-ip-without-workspace-endpoint": (
        "AML004",
        lambda: workspace_without_endpoint(CLOSED),
        "has no private endpoint",
    ),
    "AML005-cluster-larger-than-its-subnet": (
        "AML005",
        lambda: huge_cluster(CLOSED),
        "its computes can take 400",
    ),
    "AML002-datastores-with-account-keys": (
        "AML002",
        lambda: datastores_with_keys(CLOSED),
        "does not allow shared keys",
    ),
    "NET001-no-route-to-firewall": (
        "NET001",
        lambda: no_firewall_route(CLOSED),
        "not to the firewall",
    ),
    "NET002-stale-next-hop": ("NET002", lambda: stale_next_hop(CLOSED), "10.0.1.9"),
    "NET003-spoke-rejects-forwarded": (
        "NET003",
        lambda: no_forwarded(CLOSED),
        "does not allow forwarded",
    ),
    "NET004-asymmetric-routing": ("NET004", lambda: asymmetric(CLOSED), "reply does not take"),
    "NET005-overlap-with-onprem": ("NET005", lambda: overlap(CLOSED), "overlaps on-premises"),
    "PE001-policies-disabled": (
        "PE001",
        lambda: pe_policies_off(CLOSED),
        "denies traffic to them in DenyVnetInBound (200), but network policies are Disabled",
    ),
    "FW001-pypi-without-files": ("FW001", lambda: pypi_half(CLOSED), "files.pythonhosted.org"),
    "FW001-aks-without-ntp": ("FW001", lambda: aks_allowed(CLOSED, ntp=False), "ntp.ubuntu.com"),
    "FW001-wildcard-without-dot": ("FW001", lambda: malformed_wildcard(CLOSED), "*.pytorch.org"),
    "FW002-allow-everything": ("FW002", lambda: allow_everything(CLOSED), "any destination"),
    "FW003-storage-tag": ("FW003", lambda: firewall_storage_tag(CLOSED), "Storage.japaneast"),
    "EXF001-foreign-storage": ("EXF001", lambda: NSG_ONLY, "foreign storage"),
    "EXF002-default-outbound": ("EXF002", lambda: NSG_ONLY, "default outbound access"),
    "EXF003-any-internet": ("EXF003", lambda: nsg_allow_only(NSG_ONLY), "any-internet"),
}


def kubernetes_compute(env: Environment, exposure: ScoringExposure) -> Environment:
    """The closed design's workspace with an AKS compute whose front end is ``exposure``."""
    workspace = env.workspaces[0]
    compute = KubernetesCompute(
        id=workspace.id.child("computes", "aks-score"),
        name="aks-score",
        location=workspace.location,
        workspace=workspace.id,
        attach_type="AKS",
        exposure=exposure,
        exposure_reason=f"loadBalancerType {exposure.value}",
    )
    return replace(env, kubernetes_computes=(compute,))


def aks_in_compute_subnet(env: Environment, nodes: int, overlay: bool) -> Environment:
    """The closed design with an Azure CNI AKS cluster of ``nodes`` nodes on its compute subnet
    (30 pods per node reserve node-subnet addresses unless the plugin runs as an overlay)."""
    subnet = next(s for v in env.virtual_networks for s in v.subnets if "compute" in s.name)
    cluster = UnmodelledResource(
        resource_id=f"{env.workspaces[0].id.text.rsplit('/providers/', 1)[0]}/providers/"
        "Microsoft.ContainerService/managedClusters/aks-big",
        type="Microsoft.ContainerService/managedClusters",
        name="aks-big",
        subnets=(subnet.id.text,),
        node_pools=(NodePool("system", subnet.id.text, nodes),),
        network_plugin="azure",
        network_plugin_mode="overlay" if overlay else "",
    )
    return replace(env, unmodelled=(*env.unmodelled, cluster))


FAILING["NET006-azure-cni-pods-fill-the-subnet"] = (
    "NET006",
    lambda: aks_in_compute_subnet(CLOSED, nodes=10, overlay=False),
    "cannot hold the",
)
FAILING["AML011-kubernetes-front-end-public"] = (
    "AML011",
    lambda: kubernetes_compute(CLOSED, ScoringExposure.PUBLIC),
    "serves predictions through a public load balancer",
)

PASSING: dict[str, Case] = {
    # the same ten nodes with Azure CNI Overlay: pods take no node-subnet addresses
    "NET006-overlay-takes-nodes-only": (
        "",
        lambda: aks_in_compute_subnet(CLOSED, nodes=10, overlay=True),
        "",
    ),
    "AML011-kubernetes-front-end-internal": (
        "",
        lambda: kubernetes_compute(CLOSED, ScoringExposure.INTERNAL),
        "",
    ),
    # an allow rule loses nothing when policies are off: the defaults let the VNet in anyway
    "PE001-allow-only-with-policies-off": (
        "PE001",
        lambda: pe_policies_off(CLOSED, deny_others=False),
        "",
    ),
    # an FQDN on another port than 80/443 is a network rule's: it counts for the allow-list
    "FW001-aks-ntp-in-a-network-rule": ("", lambda: aks_allowed(CLOSED, ntp=True), ""),
    "closed-aml-is-clean": ("", lambda: CLOSED, ""),
    "locked-down-is-clean": ("", lambda: design("locked-down"), ""),
    "dev-prod-is-clean": ("", lambda: design("dev-prod"), ""),
}
NETWORK_PREFIXES = ("NSG", "NET", "FW", "EXF", "AML", "PE")


@pytest.mark.parametrize("case", sorted(FAILING))
def test_rule_fails(case: str) -> None:
    rule_id, build, fragment = FAILING[case]
    findings = run_rules(build(), CATALOG, select=[rule_id])
    assert findings, f"{rule_id} did not fire"
    assert any(fragment in f.message for f in findings), [f.message for f in findings]


@pytest.mark.parametrize("case", sorted(PASSING))
def test_designs_are_clean(case: str) -> None:
    _, build, _ = PASSING[case]
    assert run_rules(build(), CATALOG, select=list(NETWORK_PREFIXES)) == ()


def test_every_network_rule_has_a_failing_case() -> None:
    covered = {rule_id for rule_id, _, _ in FAILING.values()}
    ids = {r.meta.id for r in all_rules() if r.meta.id.startswith(NETWORK_PREFIXES)}
    assert ids <= covered, ids - covered


def test_exfiltration_findings_carry_the_trace() -> None:
    finding = run_rules(NSG_ONLY, CATALOG, select=["EXF001"])[0]
    assert finding.evidence[0].startswith("trace ml/")
    assert any("Allow-storagejapaneast-tcp" in line for line in finding.evidence)


def test_public_compute_with_the_service_routes_passes_aml007() -> None:
    env = compute_public_ip(CLOSED)
    table = next(t for t in env.route_tables if t.name == "rt-ml")
    routes = (
        *table.routes,
        Route("aml", "AzureMachineLearning", NextHopType.INTERNET),
        Route("batch", "BatchNodeManagement.japaneast", NextHopType.INTERNET),
    )
    fixed = replace_in(env, "route_tables", lambda t: t.id == table.id, routes=routes)
    assert run_rules(fixed, CATALOG, select=["AML007"]) == ()
    assert run_rules(env, CATALOG, select=["AML007"])  # and without them it fires
