"""Egress and exfiltration, per workload subnet.

For every subnet that holds compute, runners, an integration runtime or other VMs: which of the
destinations its role needs (from the catalog's egress profiles) are delivered and which dropped;
whether ``any-internet`` or ``foreign-storage`` is reachable, and over which path; and whether any
path to the internet bypasses the firewall.
"""

from __future__ import annotations

from dataclasses import dataclass

from heiki.analyses.addressing import ANY_INTERNET, FOREIGN_STORAGE, MICROSOFT_PROBE_LABEL
from heiki.analyses.bulk import collector_paused
from heiki.analyses.endpoint_policy import SCOPED_SERVICE_ENDPOINT
from heiki.analyses.trace import Trace, Tracer, Verdict
from heiki.analyses.vantage import Vantage, VantageKind, list_vantages
from heiki.catalog import Catalog, EgressDestination
from heiki.model.environment import Environment
from heiki.model.ml import Compute, ComputeType
from heiki.model.network import NetworkInterface, VirtualMachine, VmRole
from heiki.model.values import ResourceId

PROBE_LABEL = "heiki-probe"
AKS_NODES = "aks-nodes"
"""The role of a subnet that holds an AKS cluster's node pool."""
INSPECTED_EGRESS = ("firewall", "managed VNet firewall")
"""Internet exits that pass an inspecting firewall (the hub's, or a managed VNet's)."""
"""First label used to turn a wildcard destination (``*.azureml.ms``) into a concrete name."""


@dataclass(frozen=True, slots=True)
class RequiredTrace:
    """A destination a workload needs (from an egress profile) and its trace."""

    profile: str
    """The egress profile, or ``in-network git server`` when a Git server replaces github.com."""
    label: str
    target: str
    trace: Trace


@dataclass(frozen=True, slots=True)
class SubnetEgress:
    """A workload subnet's egress: required destinations, any-internet and foreign storage."""

    vantage: Vantage
    roles: tuple[str, ...]
    required: tuple[RequiredTrace, ...]
    any_internet: Trace
    foreign_storage: Trace

    @property
    def dropped(self) -> tuple[RequiredTrace, ...]:
        return tuple(r for r in self.required if r.trace.verdict is not Verdict.DELIVERED)

    @property
    def bypasses(self) -> tuple[Trace, ...]:
        """Delivered internet paths that do not cross a firewall."""
        traces = [r.trace for r in self.required] + [self.any_internet, self.foreign_storage]
        return tuple(
            t
            for t in traces
            if t.verdict is Verdict.DELIVERED
            and t.egress
            and t.egress not in INSPECTED_EGRESS
            and not t.egress.startswith(SCOPED_SERVICE_ENDPOINT)
            and not t.crossed_firewall
        )


@dataclass(frozen=True)
class EgressReport:
    """The egress of every workload subnet."""

    subnets: tuple[SubnetEgress, ...]


def _roles_by_subnet(env: Environment) -> dict[ResourceId, tuple[str, ...]]:
    """What each subnet hosts: compute instances, clusters and the roles of its VMs."""
    roles: dict[ResourceId, list[str]] = {}
    for compute in env.computes:
        if compute.subnet is not None:
            kind = "compute" if compute.compute_type is ComputeType.COMPUTE_INSTANCE else "cluster"
            roles.setdefault(compute.subnet, []).append(kind)
    for nic in env.network_interfaces:
        vm = env.get_typed(nic.virtual_machine, VirtualMachine)
        if vm is not None:
            roles.setdefault(nic.subnet, []).append(vm.role.value)
    for other in env.unmodelled:
        for text in other.subnets:  # the nodes of a resource heiki does not simulate (AKS)
            try:
                roles.setdefault(ResourceId(text), []).append(AKS_NODES)
            except ValueError:
                continue
    return {k: tuple(dict.fromkeys(v)) for k, v in roles.items()}


def _managed_roles(env: Environment, vantage: Vantage) -> tuple[str, ...]:
    compute = env.get_typed(vantage.resource, Compute) if vantage.resource else None
    if compute is None:
        return ()
    return ("compute" if compute.compute_type is ComputeType.COMPUTE_INSTANCE else "cluster",)


def _products_by_subnet(env: Environment) -> dict[ResourceId, tuple[str, ...]]:
    products: dict[ResourceId, list[str]] = {}
    for nic in env.network_interfaces:
        vm = env.get_typed(nic.virtual_machine, VirtualMachine)
        if vm is not None and vm.product:
            products.setdefault(nic.subnet, []).append(vm.product)
    return {k: tuple(v) for k, v in products.items()}


def role_profiles(
    catalog: Catalog,
    roles: tuple[str, ...],
    products: tuple[str, ...],
    in_network_git: bool,
    customer_vnet: bool = True,
) -> tuple[str, ...]:
    """The egress profiles a subnet's roles need (Azure ML, its inner loop, CI, the runtime).

    With a Git server inside the network, source code and CI runners use it instead of the
    hosted service's profile. Compute in a customer VNet also needs Azure Batch's storage; a
    workspace's managed VNet has its own list.
    """
    hosted_git = {"github", "github-actions", "azure-devops"}
    profiles: list[str] = []
    if "compute" in roles or "cluster" in roles:
        profiles += ["azure-ml", "mcr"]
        if customer_vnet:
            profiles.append("azure-ml-batch")
        for _, names in catalog.capabilities:
            profiles += list(names)
    if VmRole.CI_RUNNER.value in roles:
        profiles.append(
            "azure-devops" if any("pipelines" in p for p in products) else "github-actions"
        )
    if VmRole.INTEGRATION_RUNTIME.value in roles:
        profiles.append("data-factory-shir")
    if AKS_NODES in roles:
        profiles.append("aks")
    if in_network_git:
        profiles = [p for p in profiles if p not in hosted_git]
    return tuple(dict.fromkeys(profiles))


def probe_target(destination: EgressDestination) -> str:
    if destination.fqdn:
        label = MICROSOFT_PROBE_LABEL if destination.owner == "microsoft" else PROBE_LABEL
        return destination.fqdn.replace("*", label)
    return f"tag:{destination.service_tag}"


def _conditions(env: Environment) -> set[str]:
    """The catalog conditions (``when``) that hold for this environment."""
    scopes = {scope.id for scope in env.private_link_scopes}
    has_ampls = any(pe.private_link_service in scopes for pe in env.private_endpoints)
    return set() if has_ampls else {"no-ampls"}


def _flows(
    catalog: Catalog,
    roles: tuple[str, ...],
    products: tuple[str, ...],
    in_network_git: bool,
    customer_vnet: bool,
    conditions: set[str],
    env: Environment,
) -> tuple[tuple[str, str, str, int, str], ...]:
    """(profile, label, probe target, port, protocol) of each required destination."""
    flows = []
    for profile_name in role_profiles(catalog, roles, products, in_network_git, customer_vnet):
        profile = catalog.egress_profile(profile_name)
        for destination in profile.destinations if profile else ():
            if destination.when and destination.when not in conditions:
                continue
            destination = destination.for_region(env.location)
            protocol = "udp" if destination.protocol.lower() == "udp" else "tcp"
            port = destination.ports[0]
            label = f"{destination.service_tag or destination.fqdn}:{port}/{protocol}"
            flows.append((profile_name, label, probe_target(destination), port, protocol))
    return tuple(flows)


def _egress_report(
    env: Environment, catalog: Catalog, tracer: Tracer | None = None
) -> EgressReport:
    tracer = tracer or Tracer(env, catalog)
    world_env = tracer.env
    git_servers = [
        (vm.name, nic.private_ip_address)
        for vm in world_env.virtual_machines
        if vm.role is VmRole.GIT_SERVER
        for nic_id in vm.network_interfaces[:1]
        if (nic := world_env.get_typed(nic_id, NetworkInterface)) and nic.private_ip_address
    ]
    roles_by_subnet = _roles_by_subnet(world_env)
    products_by_subnet = _products_by_subnet(world_env)
    conditions = _conditions(world_env)
    # subnets of the same roles need the same flows: the catalog is read once per role set
    plans: dict[tuple[object, ...], tuple[tuple[str, str, str, int, str], ...]] = {}
    results: list[SubnetEgress] = []
    for vantage in list_vantages(world_env):
        if vantage.kind is VantageKind.MANAGED:
            roles = _managed_roles(world_env, vantage)
        elif vantage.kind is not VantageKind.SUBNET or vantage.subnet is None:
            continue
        else:
            roles = roles_by_subnet.get(vantage.subnet, ())
        if not roles:
            continue
        products = products_by_subnet.get(vantage.subnet, ()) if vantage.subnet else ()
        required: list[RequiredTrace] = []
        customer_vnet = vantage.kind is not VantageKind.MANAGED
        plan_key = (roles, products, customer_vnet)
        plan = plans.get(plan_key)
        if plan is None:
            plan = plans[plan_key] = _flows(
                catalog, roles, products, bool(git_servers), customer_vnet, conditions, world_env
            )
        for profile_name, label, target, port, protocol in plan:
            trace = tracer.trace(vantage, target, port, protocol)
            required.append(RequiredTrace(profile_name, label, target, trace))
        needs_git = {"compute", "cluster", VmRole.CI_RUNNER.value} & set(roles)
        for name, address in git_servers if needs_git else ():
            trace = tracer.trace(vantage, str(address), 443, "tcp")
            required.append(
                RequiredTrace("in-network git server", f"{name}:443/tcp", str(address), trace)
            )
        results.append(
            SubnetEgress(
                vantage,
                roles,
                tuple(required),
                tracer.trace(vantage, ANY_INTERNET, 443, "tcp"),
                tracer.trace(vantage, FOREIGN_STORAGE, 443, "tcp"),
            )
        )
    return EgressReport(tuple(results))


def egress_report(env: Environment, catalog: Catalog, tracer: Tracer | None = None) -> EgressReport:
    """Trace every workload subnet's required destinations, any-internet and foreign-storage."""
    with collector_paused():
        return _egress_report(env, catalog, tracer)
