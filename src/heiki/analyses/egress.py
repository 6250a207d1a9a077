"""Egress and exfiltration, per workload subnet.

For every subnet that holds compute, runners, an integration runtime or other VMs: which of the
destinations its role needs (from the catalog's egress profiles) are delivered and which dropped;
whether ``any-internet`` or ``foreign-storage`` is reachable, and over which path; and whether any
path to the internet bypasses the firewall.
"""

from __future__ import annotations

from dataclasses import dataclass

from heiki.analyses.addressing import ANY_INTERNET, FOREIGN_STORAGE
from heiki.analyses.trace import Trace, Tracer, Verdict
from heiki.analyses.vantage import Vantage, VantageKind, list_vantages
from heiki.catalog import Catalog, EgressDestination
from heiki.model.environment import Environment
from heiki.model.ml import ComputeType
from heiki.model.network import NetworkInterface, VirtualMachine, VmRole

PROBE_LABEL = "heiki-probe"
"""First label used to turn a wildcard destination (``*.azureml.ms``) into a concrete name."""


@dataclass(frozen=True, slots=True)
class RequiredTrace:
    profile: str
    """The egress profile, or ``in-network git server`` when a Git server replaces github.com."""
    label: str
    target: str
    trace: Trace


@dataclass(frozen=True, slots=True)
class SubnetEgress:
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
            and t.egress != "firewall"
            and not t.crossed_firewall
        )


@dataclass(frozen=True)
class EgressReport:
    subnets: tuple[SubnetEgress, ...]


def _roles(env: Environment, vantage: Vantage) -> tuple[str, ...]:
    roles: list[str] = []
    for compute in env.computes:
        if compute.subnet == vantage.subnet:
            roles.append(
                "compute" if compute.compute_type is ComputeType.COMPUTE_INSTANCE else "cluster"
            )
    for nic in env.network_interfaces:
        if nic.subnet != vantage.subnet or nic.virtual_machine is None:
            continue
        vm = env.get_typed(nic.virtual_machine, VirtualMachine)
        if vm is not None:
            roles.append(vm.role.value)
    return tuple(dict.fromkeys(roles))


def role_profiles(
    catalog: Catalog, roles: tuple[str, ...], products: tuple[str, ...], in_network_git: bool
) -> tuple[str, ...]:
    """The egress profiles a subnet's roles need (Azure ML, its inner loop, CI, the runtime).

    With a Git server inside the network, source code and CI runners use it instead of the
    hosted service's profile.
    """
    hosted_git = {"github", "github-actions", "azure-devops"}
    profiles: list[str] = []
    if "compute" in roles or "cluster" in roles:
        profiles += ["azure-ml", "mcr"]
        for _, names in catalog.capabilities:
            profiles += list(names)
    if VmRole.CI_RUNNER.value in roles:
        profiles.append(
            "azure-devops" if any("pipelines" in p for p in products) else "github-actions"
        )
    if VmRole.INTEGRATION_RUNTIME.value in roles:
        profiles.append("data-factory-shir")
    if in_network_git:
        profiles = [p for p in profiles if p not in hosted_git]
    return tuple(dict.fromkeys(profiles))


def probe_target(destination: EgressDestination) -> str:
    if destination.fqdn:
        return destination.fqdn.replace("*", PROBE_LABEL)
    return f"tag:{destination.service_tag}"


def _applies(destination: EgressDestination, env: Environment) -> bool:
    """Conditional requirements of the catalog (``when``)."""
    if destination.when == "no-ampls":
        return not any(env.private_endpoints_for(scope.id) for scope in env.private_link_scopes)
    return True


def egress_report(env: Environment, catalog: Catalog, tracer: Tracer | None = None) -> EgressReport:
    tracer = tracer or Tracer(env, catalog)
    world_env = tracer.env
    git_servers = [
        (vm.name, nic.private_ip_address)
        for vm in world_env.virtual_machines
        if vm.role is VmRole.GIT_SERVER
        for nic_id in vm.network_interfaces[:1]
        if (nic := world_env.get_typed(nic_id, NetworkInterface)) and nic.private_ip_address
    ]
    results: list[SubnetEgress] = []
    for vantage in list_vantages(world_env):
        if vantage.kind is not VantageKind.SUBNET:
            continue
        roles = _roles(world_env, vantage)
        if not roles:
            continue
        products = tuple(
            vm.product
            for nic in world_env.network_interfaces
            if nic.subnet == vantage.subnet
            if isinstance(nic, NetworkInterface) and nic.virtual_machine
            for vm in (world_env.get_typed(nic.virtual_machine, VirtualMachine),)
            if vm
        )
        required: list[RequiredTrace] = []
        for profile_name in role_profiles(catalog, roles, products, bool(git_servers)):
            profile = catalog.egress_profile(profile_name)
            for destination in profile.destinations if profile else ():
                if not _applies(destination, world_env):
                    continue
                destination = destination.for_region(world_env.location)
                target = probe_target(destination)
                protocol = "udp" if destination.protocol.lower() == "udp" else "tcp"
                port = destination.ports[0]
                label = f"{destination.service_tag or destination.fqdn}:{port}/{protocol}"
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
