"""Closure: is the environment closed? Five checks, each passed, failed or not applicable.

1. no public inbound: PaaS public network access off (workspace, storage, Key Vault, registries,
   Data Factory, and every type the model does not simulate whose surface the catalog
   describes: AI Services, AI Search, Event Hubs, SQL, Cosmos DB...), no public IPs on compute,
   no NSG rule letting the internet in;
2. all internet egress through an inspecting firewall, or none (from the egress traces);
3. no path to a storage account outside the environment;
4. prod without internet, where dev/prod stages are declared;
5. local authentication off (storage shared keys, ACR admin user, keys and local accounts of the
   other types).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from heiki.analyses.bastion import bastion_nsgs, is_bastion_rule
from heiki.analyses.egress import EgressReport
from heiki.analyses.trace import Trace, Verdict
from heiki.catalog import Catalog, load_catalog
from heiki.model.base import STAGE_TAG
from heiki.model.environment import Environment
from heiki.model.ml import IsolationMode, PublicNetworkAccess, ScoringExposure, Workspace
from heiki.model.network import Access, Direction, VirtualNetwork
from heiki.model.services import ContainerRegistry, DefaultAction, NetworkAcls
from heiki.model.values import ResourceId


class CheckStatus(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    NOT_APPLICABLE = "not-applicable"


@dataclass(frozen=True, slots=True)
class ClosureCheck:
    """One closure check (no public inbound, inspected egress...): its status and evidence."""

    name: str
    status: CheckStatus
    summary: str
    evidence: tuple[str, ...] = ()
    resources: tuple[ResourceId, ...] = ()
    traces: tuple[Trace, ...] = ()
    """The delivered flows that make the check fail (for reports that draw them)."""


@dataclass(frozen=True)
class Closure:
    """Whether the environment stays closed: the closure checks."""

    checks: tuple[ClosureCheck, ...]

    @property
    def closed(self) -> bool:
        return all(c.status is not CheckStatus.FAIL for c in self.checks)

    def get(self, name: str) -> ClosureCheck:
        return next(c for c in self.checks if c.name == name)


_OPEN_SOURCES = ("*", "internet", "0.0.0.0/0", "any")


def _check(
    name: str,
    problems: list[tuple[str, ResourceId | None]],
    ok: str,
    traces: tuple[Trace, ...] = (),
) -> ClosureCheck:
    if not problems:
        return ClosureCheck(name, CheckStatus.PASS, ok)
    return ClosureCheck(
        name,
        CheckStatus.FAIL,
        problems[0][0] + (f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""),
        tuple(p for p, _ in problems),
        tuple(r for _, r in problems if r is not None),
        traces,
    )


def _public_exposure(resource: object) -> str:
    """How a service's public endpoint is open, or "" when it is not reachable from the internet.

    Storage and Key Vault with public access Enabled but a service firewall that denies by default
    ("enabled from selected networks") are reachable only from the listed IP ranges and VNets;
    decision ``service-firewall-selected-networks`` in the catalog.
    """
    if getattr(resource, "public_network_access", None) is not PublicNetworkAccess.ENABLED:
        return ""
    acls = getattr(resource, "network_acls", None)
    if isinstance(resource, ContainerRegistry) and not resource.network_rules_apply:
        # decision acr-network-rules-premium: below Premium the rule set does nothing
        acls = None
    if isinstance(acls, NetworkAcls) and acls.default_action is DefaultAction.DENY:
        if not acls.ip_rules:
            return ""
        return (
            f"accepts public network access from {len(acls.ip_rules)} IP range(s) "
            f"({', '.join(acls.ip_rules[:3])})"
        )
    return "accepts public network access"


def public_inbound(env: Environment, catalog: Catalog | None = None) -> ClosureCheck:
    """PaaS public access, public IPs on compute and VMs, NSG rules that let the internet in -
    except Azure Bastion's documented rules on its own subnet, listed as an access path."""
    catalog = catalog or load_catalog()
    bastion = bastion_nsgs(env)
    access_paths = sorted(f"Azure Bastion {host.name}" for host in env.bastion_hosts)
    problems: list[tuple[str, ResourceId | None]] = []
    for resource in (
        *(w for w in env.workspaces if w.hub is None),  # a project is open when its hub is
        *env.storage_accounts,
        *env.key_vaults,
        *env.container_registries,
        *env.registries,
        *env.data_factories,
    ):
        exposure = _public_exposure(resource)
        if exposure:
            names = project_names(env, resource.id)
            shared = f" (and so do its project(s) {names})" if names else ""
            problems.append((f"{resource.name} {exposure}{shared}", resource.id))
    for other in env.unmodelled:
        exposure = _public_exposure(other.surface) if other.surface is not None else ""
        if exposure:
            problems.append((f"{other.title} {other.name} {exposure}", _rid(other.resource_id)))
    for compute in env.computes:
        if compute.enable_node_public_ip and compute.subnet is not None:
            problems.append((f"compute {compute.name} has a public IP", compute.id))
    for attached in env.kubernetes_computes:
        if attached.exposure is ScoringExposure.PUBLIC:
            problems.append(
                (
                    f"Kubernetes compute {attached.name} serves predictions on a public IP "
                    f"({attached.exposure_reason})",
                    attached.id,
                )
            )
    for nic in env.network_interfaces:
        if nic.public_ip_address is not None:
            problems.append((f"{nic.name} has a public IP", nic.id))
    for nsg in env.network_security_groups:
        for rule in nsg.security_rules:
            if nsg.id in bastion and is_bastion_rule(catalog, rule):
                continue  # Bastion's entry point, as Microsoft documents it
            if (
                rule.direction is Direction.INBOUND
                and rule.access is Access.ALLOW
                and any(p.strip().lower() in _OPEN_SOURCES for p in rule.source_address_prefixes)
                and not rule.source_application_security_groups
            ):
                problems.append(
                    (f"NSG {nsg.name} rule {rule.name} allows inbound from the internet", nsg.id)
                )
    paths = f"; access path: {', '.join(access_paths)}" if access_paths else ""
    check = _check(
        "no public inbound",
        problems,
        "no public endpoint, public IP or open NSG rule"
        + _surfaces_read(env, "public access")
        + paths,
    )
    if access_paths and check.status is CheckStatus.PASS:
        check = replace(check, evidence=tuple(f"access path: {p}" for p in access_paths))
    return check


def _rid(text: str) -> ResourceId | None:
    try:
        return ResourceId(text)
    except ValueError:
        return None


def _surfaces_read(env: Environment, what: str) -> str:
    """The types beyond the modelled ones whose ``what`` closure read, so that a pass names what
    it covers; and those it could not read, so that it never passes silently over them."""
    read = sorted({r.title for r in env.unmodelled if r.surface is not None}, key=str.lower)
    unread = sorted(
        {r.type for r in env.unmodelled if r.surface is None and not r.no_surface and not r.reason},
        key=str.lower,
    )
    text = f" (also read: {what} of {', '.join(read)})" if read else ""
    if unread:
        text += f"; not checked: {len(unread)} type(s) heiki cannot judge ({', '.join(unread[:4])}"
        text += ", ...)" if len(unread) > 4 else ")"
    return text


def open_managed_networks(env: Environment) -> list[Workspace]:
    """Workspaces whose managed network allows internet outbound: every compute, serverless
    job and endpoint they ever run reaches the internet and any storage account, whether or not
    a compute is declared today."""
    return [
        w
        for w in env.workspaces
        if w.managed_network.isolation_mode is IsolationMode.ALLOW_INTERNET_OUTBOUND
        and w.hub is None  # a project runs in its hub's managed network: named with the hub
    ]


def project_names(env: Environment, hub: ResourceId) -> str:
    """The projects of a hub, named ("" when none): they share its network and public access,
    so its defects are theirs."""
    return ", ".join(w.name for w in env.workspaces if w.hub == hub)


def egress_inspected(env: Environment, egress: EgressReport) -> ClosureCheck:
    problems: list[tuple[str, ResourceId | None]] = [
        (
            f"workspace {w.name}'s managed network is AllowInternetOutbound: every compute and "
            "serverless job it runs reaches the internet and foreign storage, uninspected"
            + (
                f" - and so does every compute and job of its project(s) {names}"
                if (names := project_names(env, w.id))
                else ""
            ),
            w.id,
        )
        for w in open_managed_networks(env)
    ]
    # under a workspace managed network, the managed network decides (legacy flags lapse)
    managed = tuple(
        f"{w.id.text.lower()}/"
        for w in env.workspaces
        if w.managed_network.isolation_mode is not IsolationMode.DISABLED
    )
    for other in env.unmodelled:
        says = other.surface.uninspected_says if other.surface else ""
        under_managed = any(other.resource_id.lower().startswith(m) for m in managed)
        if says and not under_managed:
            problems.append(
                (f"{other.title} {other.name.rsplit('/', 1)[-1]}: {says}", _rid(other.resource_id))
            )
    if not egress.subnets and not problems:
        return ClosureCheck(
            "egress through an inspecting firewall",
            CheckStatus.NOT_APPLICABLE,
            "no workload subnet (compute, runner, integration runtime) to trace from",
        )
    traces: list[Trace] = []
    for subnet in egress.subnets:
        for trace in subnet.bypasses[:1]:
            problems.append(
                (
                    f"{subnet.vantage.name} reaches the internet via {trace.egress}",
                    subnet.vantage.subnet,
                )
            )
            traces.append(trace)
    return _check(
        "egress through an inspecting firewall",
        problems,
        "every internet path crosses a firewall, or there is none",
        tuple(traces),
    )


def no_foreign_storage(egress: EgressReport) -> ClosureCheck:
    if not egress.subnets:
        return ClosureCheck(
            "no path to foreign storage",
            CheckStatus.NOT_APPLICABLE,
            "no workload subnet (compute, runner, integration runtime) to trace from",
        )
    problems = [
        (
            f"{s.vantage.name} reaches a foreign storage account ({s.foreign_storage.reason})",
            s.vantage.subnet,
        )
        for s in egress.subnets
        if s.foreign_storage.verdict is Verdict.DELIVERED
    ]
    return _check(
        "no path to foreign storage",
        problems,
        "no workload reaches a storage account outside the environment",
        tuple(
            s.foreign_storage
            for s in egress.subnets
            if s.foreign_storage.verdict is Verdict.DELIVERED
        ),
    )


def prod_without_internet(env: Environment, egress: EgressReport) -> ClosureCheck:
    name = "prod without internet"
    prod = {v.id for v in env.virtual_networks if v.tag(STAGE_TAG) == "prod"}
    if not prod:
        return ClosureCheck(name, CheckStatus.NOT_APPLICABLE, "no dev/prod stages declared")
    problems: list[tuple[str, ResourceId | None]] = []
    traces: list[Trace] = []
    for subnet in egress.subnets:
        if subnet.vantage.vnet not in prod:
            continue
        open_paths = [
            r
            for r in subnet.required
            if r.profile not in ("azure-ml", "azure-ml-batch", "mcr", "in-network git server")
            and r.trace.verdict is Verdict.DELIVERED
        ]
        if subnet.any_internet.verdict is Verdict.DELIVERED:
            problems.append(
                (f"prod {subnet.vantage.name} reaches any internet address", subnet.vantage.subnet)
            )
            traces.append(subnet.any_internet)
        elif open_paths:
            traces += [r.trace for r in open_paths]
            problems.append(
                (
                    f"prod {subnet.vantage.name} reaches "
                    f"{', '.join(r.label for r in open_paths[:3])}",
                    subnet.vantage.subnet,
                )
            )
    vnets = ", ".join(
        sorted(
            v.name for v in env.virtual_networks if isinstance(v, VirtualNetwork) and v.id in prod
        )
    )
    return _check(
        name, problems, f"prod ({vnets}) reaches only Azure ML's own dependencies", tuple(traces)
    )


def local_auth_off(env: Environment) -> ClosureCheck:
    problems: list[tuple[str, ResourceId | None]] = []
    for account in env.storage_accounts:
        if account.allow_shared_key_access:
            problems.append(
                (f"storage account {account.name} allows shared-key access", account.id)
            )
    for registry in env.container_registries:
        if registry.admin_user_enabled:
            problems.append(
                (f"container registry {registry.name} has the admin user enabled", registry.id)
            )
    # the Azure ML extension does not support AKS without local accounts (catalog decision
    # aks-local-accounts): demanding it of a cluster the extension runs on would break serving
    extension_clusters = {
        c.cluster.text.lower()
        for c in env.kubernetes_computes
        if c.cluster is not None and c.attach_type == "Kubernetes"
    }
    kept: list[str] = []
    for other in env.unmodelled:
        enabled = other.surface is not None and other.surface.local_auth_enabled
        if enabled and other.resource_id.lower() in extension_clusters:
            kept.append(other.name)
            continue
        if enabled:
            problems.append(
                (
                    f"{other.title} {other.name} accepts local authentication (keys or local "
                    "accounts)",
                    _rid(other.resource_id),
                )
            )
    accepted = (
        f"; AKS cluster(s) {', '.join(kept)} keep local accounts, which the Azure ML extension "
        "requires"
        if kept
        else ""
    )
    return _check(
        "local authentication off",
        problems,
        "no storage shared keys, no registry admin user"
        + _surfaces_read(env, "local authentication")
        + accepted,
    )


def closure(env: Environment, egress: EgressReport, catalog: Catalog | None = None) -> Closure:
    return Closure(
        (
            public_inbound(env, catalog),
            egress_inspected(env, egress),
            no_foreign_storage(egress),
            prod_without_internet(env, egress),
            local_auth_off(env),
        )
    )
