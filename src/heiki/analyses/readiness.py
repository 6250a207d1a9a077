"""Readiness of the talk's three development loops, judged by DNS and traces.

Each capability of product.md's table is a set of required resolutions and flows from the
vantages that need them (clients, compute, clusters, runners, the integration runtime). A
capability can be met in several ways - pip or conda or an internal package mirror; Hugging Face or
a model mirror or an ML registry; github.com or an in-network Git server - and is ready when, from
every vantage that needs it, one way works entirely. What failed is kept as evidence.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from heiki.analyses.dns.matrix import NeededName, private_names
from heiki.analyses.dns.toil import DnsToil, LifecycleEvent
from heiki.analyses.dns.types import Outcome
from heiki.analyses.egress import AKS_NODES, EgressReport, SubnetEgress, probe_target
from heiki.analyses.trace import Trace, Tracer, Verdict
from heiki.analyses.vantage import Vantage, VantageKind, list_vantages
from heiki.catalog import Catalog
from heiki.catalog.names import (
    compute_instance_names,
    endpoint_records,
    online_endpoint_names,
    public_names_of,
    target_region,
)
from heiki.model.base import STAGE_TAG
from heiki.model.environment import Environment
from heiki.model.ml import (
    Compute,
    ComputeType,
    KubernetesCompute,
    PublicNetworkAccess,
    ScoringExposure,
    Workspace,
)
from heiki.model.network import NetworkInterface, Subnet, VirtualMachine, VmRole
from heiki.model.services import ContainerRegistry
from heiki.model.values import DnsName, ResourceId, first_assignable


class Loop(StrEnum):
    INNER = "inner"
    MIDDLE = "middle"
    OUTER = "outer"


class Status(StrEnum):
    READY = "ready"
    NOT_READY = "not-ready"
    NOT_APPLICABLE = "not-applicable"


@dataclass(frozen=True, slots=True)
class Capability:
    """One capability of a development loop: its status, how it works or why not, the evidence."""

    loop: Loop
    name: str
    status: Status
    summary: str
    via: str = ""
    """Which way made it ready (``pip``, ``internal mirror``...)."""
    evidence: tuple[str, ...] = ()
    failing: tuple[Trace, ...] = ()
    manual: str = ""
    """Ready, but each new item needs a person: e.g. a mirror that cannot reach its upstream."""
    flows: tuple[Trace, ...] = ()
    """For a ready capability: the flows that make it ready, from every vantage."""
    causes: tuple[str, ...] = ()
    """Defects that explain a capability that is not ready, where one does entirely (a public
    scoring front end): the finding that reports the defect carries this one as consequence."""


@dataclass(frozen=True)
class Readiness:
    """The capabilities of the three development loops."""

    capabilities: tuple[Capability, ...]

    def get(self, name: str) -> Capability:
        return next(c for c in self.capabilities if c.name == name)

    def loop_status(self, loop: Loop) -> Status:
        statuses = [c.status for c in self.capabilities if c.loop is loop]
        if Status.NOT_READY in statuses:
            return Status.NOT_READY
        if Status.READY in statuses:
            return Status.READY
        return Status.NOT_APPLICABLE


Target = tuple[str, int, str]
"""(destination, port, protocol) as ``Tracer.trace`` takes it."""


@dataclass(frozen=True, slots=True)
class _Way:
    """One way to provide a capability (e.g. through a private endpoint) and its targets."""

    label: str
    targets: tuple[Target, ...]


class _Judge:
    def __init__(
        self,
        env: Environment,
        catalog: Catalog,
        tracer: Tracer,
        egress: EgressReport,
        toil: DnsToil,
        private: tuple[NeededName, ...] | None = None,
    ) -> None:
        self.catalog = catalog
        self.tracer = tracer
        self.env = tracer.env
        self.egress = egress
        self.toil = toil
        self.region = self.env.location
        del env  # the tracer's environment has the endpoint IPs Azure would allocate
        names = private if private is not None else private_names(self.env, catalog)
        self.expected = {str(n.name): n.address for n in names}
        """Names of private endpoints and compute instances -> the private IP they must give."""
        self._egress_vantages: dict[ResourceId, Vantage] | None = None

    def _failure(self, trace: Trace) -> Trace | None:
        """Why a flow does not count for the capability: it is not delivered, or it reaches a
        name of a private endpoint that resolved elsewhere (the public endpoint, say) - a
        capability is never ready while one of its own names resolves unexpectedly."""
        if trace.verdict is not Verdict.DELIVERED:
            return trace
        if trace.managed_endpoint:
            return None  # the managed VNet's own endpoint, answered by Azure's managed DNS
        expected = self.expected.get(trace.destination.lower().rstrip("."))
        resolution = trace.resolution
        if expected is None or resolution is None:
            return None  # not a private endpoint's name (or its address is not known)
        if resolution.outcome is Outcome.PRIVATE and expected in resolution.addresses:
            return None
        outcome, answer = resolution.outcome.value, resolution.answer_text
        shown = answer if answer.lower().startswith(outcome) else f"{outcome} {answer}"
        return replace(
            trace,
            reason=f"but {trace.destination} resolves to {shown}, not its private endpoint "
            f"{expected}: {trace.reason}",
        )

    # -- building blocks -------------------------------------------------------------------------
    def profile(self, name: str) -> tuple[Target, ...]:
        profile = self.catalog.egress_profile(name)
        targets: list[Target] = []
        for destination in profile.destinations if profile else ():
            destination = destination.for_region(self.region)
            protocol = "udp" if destination.protocol.lower() == "udp" else "tcp"
            targets.append((probe_target(destination), destination.ports[0], protocol))
        return tuple(targets)

    def vms(self, role: VmRole) -> list[tuple[VirtualMachine, str]]:
        found = []
        for vm in self.env.virtual_machines:
            if vm.role is not role or not vm.network_interfaces:
                continue
            nic = self.env.get_typed(vm.network_interfaces[0], NetworkInterface)
            if nic is not None and nic.private_ip_address is not None:
                found.append((vm, str(nic.private_ip_address)))
        return found

    def compute_vantages(
        self, kinds: tuple[str, ...] = ("compute", "cluster"), inner: bool = False
    ) -> list[Vantage]:
        """Compute vantages; for the inner loop, prod is left out where dev/prod is declared -
        people explore in dev, and prod is meant to have no internet."""
        found = [s.vantage for s in self.egress.subnets if set(s.roles) & set(kinds)]
        if inner:
            development = [v for v in found if self.stage(v) != "prod"]
            return development or found
        return found

    def stage(self, vantage: Vantage) -> str | None:
        vnet = self.env.get(vantage.vnet) if vantage.vnet else None
        if vnet is not None and vnet.tag(STAGE_TAG):
            return vnet.tag(STAGE_TAG)
        compute = self.env.get_typed(vantage.resource, Compute) if vantage.resource else None
        workspace = self.env.get_typed(compute.workspace, Workspace) if compute else None
        return workspace.tag(STAGE_TAG) if workspace else None

    def role_vantages(self, role: VmRole) -> list[Vantage]:
        return [s.vantage for s in self.egress.subnets if role.value in s.roles]

    def judge(
        self, loop: Loop, name: str, vantages: list[Vantage], ways: list[_Way], what: str
    ) -> Capability:
        """Ready when from every vantage some way has all its flows delivered."""
        ways = [w for w in ways if w.targets]
        if not vantages:
            # nothing to judge from: never "ready" with nothing behind it
            return Capability(loop, name, Status.NOT_APPLICABLE, f"no vantage to {what} from")
        if not ways:
            return Capability(loop, name, Status.NOT_READY, f"no way to {what} is declared")
        used: list[str] = []
        failing: list[Trace] = []
        flows: list[Trace] = []
        for vantage in vantages:
            working = None
            first_failures: list[Trace] = []
            for way in ways:
                traces = [self.tracer.trace(vantage, *target) for target in way.targets]
                failures = [f for t in traces if (f := self._failure(t)) is not None]
                if not failures:
                    working = way.label
                    flows += traces
                    break
                first_failures = first_failures or failures
            if working is None:
                failing += first_failures
            elif working not in used:
                used.append(working)
        if failing:
            names = sorted({t.destination for t in failing})
            return Capability(
                loop,
                name,
                Status.NOT_READY,
                f"{what}: blocked from {failing[0].vantage} "
                f"({', '.join(names[:4])}{'...' if len(names) > 4 else ''})",
                evidence=tuple(
                    f"{t.vantage} -> {t.destination}:{t.port}: {t.verdict.value} ({t.reason})"
                    for t in failing[:12]
                ),
                failing=tuple(failing),
            )
        return Capability(
            loop,
            name,
            Status.READY,
            f"{what} from {len(vantages)} vantage(s) via {', '.join(used)}",
            via=", ".join(used),
            flows=tuple(flows),
        )

    def private_link_workspaces(self) -> list[Workspace]:
        return [w for w in self.env.workspaces if self.env.private_endpoints_for(w.id)]

    def names_of(self, resource: ResourceId | None, group: str | None = None) -> list[str]:
        if resource is None:
            return []
        names: list[str] = []
        for endpoint in self.env.private_endpoints_for(resource):
            if group and group not in endpoint.group_ids:
                continue
            for record in endpoint_records(self.catalog, self.env, endpoint):
                if record.relative.startswith("*"):
                    continue
                names.append(str(record.public or record.private))
        if not names:
            names = [str(n) for n in public_names_of(self.catalog, self.env, resource)][:1]
        return names

    # -- the capabilities ---------------------------------------------------------------------------
    def packages(self) -> Capability:
        vantages = self.compute_vantages(inner=True)
        if not vantages:
            return Capability(Loop.INNER, "packages", Status.NOT_APPLICABLE, "no compute")
        ways = [_Way("pip", self.profile("pypi")), _Way("conda", self.profile("conda"))]
        ways += [
            _Way(f"package mirror {vm.name}", ((ip, 443, "tcp"),))
            for vm, ip in self.vms(VmRole.PACKAGE_MIRROR)
        ]
        result = self.judge(Loop.INNER, "packages", vantages, ways, "install packages")
        return self._mirror_upstream(result, VmRole.PACKAGE_MIRROR, ("pypi", "conda"))

    def _mirror_upstream(
        self, capability: Capability, role: VmRole, profiles: tuple[str, ...]
    ) -> Capability:
        """A mirror that serves what it has is ready; if it cannot reach any upstream (pip or
        conda, Hugging Face, through the firewall), every new item is copied into it by hand."""
        if capability.status is not Status.READY or "mirror" not in capability.via:
            return capability
        mirrors = [vm for vm, _ in self.vms(role) if vm.name in capability.via]
        notes = []
        for vm in mirrors:
            vantage = next((v for v in list_vantages(self.env) if v.resource == vm.id), None)
            if vantage is None:
                continue
            reached = False
            blocked: list[Trace] = []
            for name in profiles:
                traces = [self.tracer.trace(vantage, *target) for target in self.profile(name)]
                if traces and all(t.verdict is Verdict.DELIVERED for t in traces):
                    reached = True
                    break
                blocked += [t for t in traces if t.verdict is not Verdict.DELIVERED][:2]
            if not reached:
                notes.append(
                    f"mirror {vm.name} cannot reach an upstream ("
                    + ", ".join(f"{t.destination}: {t.reason}" for t in blocked[:2])
                    + "): new items are copied into it by hand"
                )
        if not notes:
            return capability
        return replace(capability, manual=notes[0], evidence=(*capability.evidence, *notes))

    def models(self) -> Capability:
        vantages = self.compute_vantages(inner=True)
        if not vantages:
            return Capability(Loop.INNER, "pretrained models", Status.NOT_APPLICABLE, "no compute")
        ways = [_Way("Hugging Face", self.profile("huggingface"))]
        ways += [
            _Way(f"model mirror {vm.name}", ((ip, 443, "tcp"),))
            for vm, ip in self.vms(VmRole.MODEL_MIRROR)
        ]
        for workspace in self.env.workspaces:
            for registry in workspace.registries:
                names = self.names_of(registry)
                if names:
                    ways.append(
                        _Way(
                            f"ML registry {registry.name}",
                            tuple((n, 443, "tcp") for n in names[:1]),
                        )
                    )
        result = self.judge(Loop.INNER, "pretrained models", vantages, ways, "pull models")
        return self._mirror_upstream(result, VmRole.MODEL_MIRROR, ("huggingface",))

    def foundation_models(self) -> Capability:
        """Compute calls every Azure OpenAI / AI Services account of the environment on the name
        its SDK uses; with public access off, only the private endpoint (and its DNS) reaches it."""
        name = "foundation models"
        kind_of, kinds, suffix = self.catalog.foundation_model_accounts
        wanted = {k.lower() for k in kinds}
        accounts = [
            u
            for u in self.env.unmodelled
            if u.type.lower() == kind_of.lower() and u.kind.lower() in wanted
        ]
        if not accounts:
            return Capability(
                Loop.INNER, name, Status.NOT_APPLICABLE, "no Azure OpenAI or AI Services account"
            )
        vantages = self.compute_vantages(inner=True)
        if not vantages:
            return Capability(Loop.INNER, name, Status.NOT_APPLICABLE, "no compute")
        targets: list[Target] = []
        private = False
        for account in accounts:
            try:
                resource = ResourceId(account.resource_id)
            except ValueError:
                continue  # deployed above a subscription: no name heiki can build
            private = private or bool(self.env.private_endpoints_for(resource))
            names = self.names_of(resource)
            preferred = [n for n in names if n.endswith(f".{suffix}")] or names
            targets += [(n, 443, "tcp") for n in preferred[:1]]
        label = "private endpoints" if private else "their public endpoints"
        ways = [_Way(label, tuple(targets))]
        return self.judge(Loop.INNER, name, vantages, ways, "call the foundation models")

    def source(self) -> Capability:
        vantages = self.compute_vantages(inner=True)
        if not vantages:
            return Capability(Loop.INNER, "source code", Status.NOT_APPLICABLE, "no compute")
        ways = [
            _Way(f"Git server {vm.name}", ((ip, 443, "tcp"),))
            for vm, ip in self.vms(VmRole.GIT_SERVER)
        ]
        ways.append(_Way("github.com", self.profile("github")))
        return self.judge(Loop.INNER, "source code", vantages, ways, "reach the Git host")

    def compute_for_people(self) -> Capability:
        name = "compute for people"
        workspaces = self.private_link_workspaces()
        if not workspaces:
            return Capability(Loop.INNER, name, Status.NOT_APPLICABLE, "no private-link workspace")
        clients = [v for v in list_vantages(self.env) if v.kind is VantageKind.ONPREM]
        clients += [s.vantage for s in self.egress.subnets if VmRole.JUMPBOX.value in s.roles]
        if not clients:
            return Capability(
                Loop.INNER,
                name,
                Status.NOT_APPLICABLE,
                "no client network declared (on-premises or jump box)",
            )
        targets: list[Target] = []
        for workspace in workspaces:
            targets += [(n, 443, "tcp") for n in self.names_of(workspace.id)]
            region = target_region(self.env, workspace.id, self.region)
            for compute in self.env.computes_of(workspace.id):
                targets += [
                    (str(n), 443, "tcp")
                    for n in compute_instance_names(self.catalog, compute, region)[:2]
                ]
        capability = self.judge(
            Loop.INNER,
            name,
            clients,
            [_Way("private endpoint", tuple(targets))],
            "reach the workspace, notebooks and compute instances",
        )
        if capability.status is not Status.READY:
            return capability
        ready_private = self._private_answers(clients, [t[0] for t in targets])
        if ready_private:
            return Capability(
                Loop.INNER, name, Status.NOT_READY, ready_private[0], evidence=tuple(ready_private)
            )
        new_instance = next(
            (e for e in self.toil.events if e.event is LifecycleEvent.NEW_COMPUTE_INSTANCE), None
        )
        if new_instance is not None and new_instance.count:
            return Capability(
                Loop.INNER,
                name,
                Status.NOT_READY,
                f"a new compute instance needs {new_instance.count} manual change(s) before "
                "people can reach it",
                evidence=tuple(
                    f"{c.team}: {c.action}: {'; '.join(c.items)}" for c in new_instance.changes
                ),
            )
        return capability

    def _private_answers(self, vantages: list[Vantage], names: list[str]) -> list[str]:
        """Names that resolve publicly: a delivered flow then goes to the public endpoint."""
        problems = []
        for vantage in vantages:
            for name in names:
                resolution = self.tracer.resolver.resolve(vantage, DnsName(name))
                if resolution.outcome is not Outcome.PRIVATE:
                    problems.append(
                        f"{name} from {vantage.name}: {resolution.outcome.value} "
                        f"{resolution.answer_text}"
                    )
        return problems

    def tuning_compute(self) -> Capability:
        name = "tuning compute"
        clusters = [c for c in self.env.computes if c.compute_type is ComputeType.AML_COMPUTE]
        if not clusters:
            return Capability(Loop.MIDDLE, name, Status.NOT_APPLICABLE, "no compute cluster")
        # Each cluster needs its own workspace's dependencies, not every workspace's.
        owners = self._workspaces_by_vantage()
        what = (
            "reach storage (theirs and Batch's), Key Vault, registries and Azure ML from clusters"
        )
        results: list[Capability] = []
        counted = 0
        # cluster vantages per owning workspace, in egress order (one pass, not one per workspace)
        cluster_vantages: dict[ResourceId, list[Vantage]] = {}
        for s in self.egress.subnets:
            if "cluster" in s.roles:
                for owner in sorted(owners.get(_vantage_key(s.vantage), ()), key=str):
                    cluster_vantages.setdefault(owner, []).append(s.vantage)
        for workspace in self.env.workspaces:
            vantages = cluster_vantages.get(workspace.id, [])
            if not vantages:
                continue
            counted += len(vantages)
            targets: list[Target] = [
                ("mcr.microsoft.com", 443, "tcp"),
                ("tag:AzureMachineLearning", 443, "tcp"),
                (f"tag:BatchNodeManagement.{self.region}", 443, "tcp"),
            ]
            targets += [
                (n, 443, "tcp") for n in self.names_of(workspace.storage_account, "blob")[:1]
            ]
            targets += [
                (n, 445, "tcp") for n in self.names_of(workspace.storage_account, "file")[:1]
            ]
            targets += [(n, 443, "tcp") for n in self.names_of(workspace.key_vault)[:1]]
            targets += [(n, 443, "tcp") for n in self.names_of(workspace.container_registry)[:1]]
            # compute in a customer VNet also runs on Azure Batch's storage accounts; a managed
            # VNet reaches them by itself
            customer = [v for v in vantages if v.kind is not VantageKind.MANAGED]
            managed = [v for v in vantages if v.kind is VantageKind.MANAGED]
            for group, extra in ((customer, self.profile("azure-ml-batch")), (managed, ())):
                if group:
                    results.append(
                        self.judge(
                            Loop.MIDDLE,
                            name,
                            group,
                            [
                                _Way(
                                    "workspace dependencies",
                                    tuple(dict.fromkeys((*targets, *extra))),
                                )
                            ],
                            what,
                        )
                    )
        if not results:
            return Capability(
                Loop.MIDDLE, name, Status.NOT_APPLICABLE, "no cluster in a known subnet"
            )
        return _combine(results, what, counted)

    def _workspaces_by_vantage(self) -> dict[str, set[ResourceId]]:
        """Which workspaces own compute at a vantage (its subnet, or the compute itself)."""
        owners: dict[str, set[ResourceId]] = {}
        for compute in self.env.computes:
            for key in (compute.subnet, compute.id):
                if key is not None:
                    owners.setdefault(str(key).lower(), set()).add(compute.workspace)
        return owners

    def pipelines(self) -> Capability:
        name = "re-runnable pipelines"
        workspaces = self.env.workspaces
        if not workspaces:
            return Capability(Loop.MIDDLE, name, Status.NOT_APPLICABLE, "no workspace")
        problems: list[str] = []
        failing: list[Trace] = []
        flows: list[Trace] = []
        public: list[str] = []
        for workspace in workspaces:
            registry = self.env.get_typed(workspace.container_registry, ContainerRegistry)
            if registry is None:
                problems.append(f"{workspace.name} has no container registry")
                continue
            private = registry.public_network_access is PublicNetworkAccess.DISABLED
            if private and registry.sku != "Premium":
                problems.append(f"{registry.name} is {registry.sku}: only Premium can be private")
            if not private:
                # ACR Tasks and serverless compute can build against a public registry
                public.append(registry.name)
                continue
            builder = next(
                (
                    c
                    for c in self.env.computes_of(workspace.id)
                    if c.name == workspace.image_build_compute
                ),
                None,
            )
            if builder is None:
                problems.append(
                    f"{workspace.name}: the registry is private but no image-build compute is "
                    "set (ACR Tasks and serverless builds cannot reach it)"
                )
                continue
            vantage = self._egress_vantage_of(builder)
            if vantage is None:
                problems.append(f"image-build compute {builder.name} is in no known subnet")
                continue
            for target in [(n, 443, "tcp") for n in self.names_of(registry.id)[:1]] + [
                ("mcr.microsoft.com", 443, "tcp")
            ]:
                trace = self.tracer.trace(vantage, *target)
                failure = self._failure(trace)
                if failure is not None:
                    failing.append(failure)
                    problems.append(f"{builder.name} -> {target[0]}: {failure.reason}")
                else:
                    flows.append(trace)
        if problems:
            return Capability(
                Loop.MIDDLE,
                name,
                Status.NOT_READY,
                problems[0],
                evidence=tuple(problems),
                failing=tuple(failing),
            )
        evidence = tuple(
            f"{r} accepts public network access: images are built by ACR Tasks or serverless "
            "compute outside the network (closure judges the public registry)"
            for r in public
        )
        if not flows:
            # nothing in the network builds images: nothing to judge here, never "ready"
            return Capability(
                Loop.MIDDLE,
                name,
                Status.NOT_APPLICABLE,
                f"{', '.join(public)} public: image builds run outside the network",
                evidence=evidence,
            )
        return Capability(
            Loop.MIDDLE,
            name,
            Status.READY,
            "image builds run on compute in the network that reaches the registry",
            evidence=evidence,
            flows=tuple(flows),
        )

    def data(self) -> Capability:
        name = "data"
        lakes = [s for s in self.env.storage_accounts if s.is_hns_enabled]
        onprem = self.env.on_premises
        sources = onprem.data_sources if onprem else ()
        if not lakes and not sources:
            return Capability(
                Loop.MIDDLE,
                name,
                Status.NOT_APPLICABLE,
                "no data lake or on-premises data source declared",
            )
        if not lakes:
            return Capability(
                Loop.MIDDLE,
                name,
                Status.NOT_READY,
                f"on-premises data ({', '.join(s.name for s in sources)}) has no "
                "lake to land in: data arrives by hand",
                evidence=(
                    *(
                        f"on-premises source {s.name} ({s.address}:{s.port}) is declared"
                        for s in sources
                    ),
                    "no storage account with a hierarchical namespace (ADLS Gen2) in the environment",
                    f"{len(self.env.data_factories)} Data Factory instance(s) write to a lake",
                ),
            )
        lake = lakes[0]
        targets = tuple(
            (n, 443, "tcp") for g in ("dfs", "blob") for n in self.names_of(lake.id, g)[:1]
        )
        reach = self.judge(
            Loop.MIDDLE,
            name,
            self.compute_vantages(),
            [_Way(f"lake {lake.name}", targets)],
            f"read the lake {lake.name}",
        )
        if reach.status is not Status.READY:
            return reach
        problems = self._pipeline_problems(lake.id, [s.name for s in sources])
        if problems:
            return Capability(
                Loop.MIDDLE, name, Status.NOT_READY, problems[0], evidence=tuple(problems)
            )
        return Capability(
            Loop.MIDDLE,
            name,
            Status.READY,
            f"compute reads {lake.name} privately; a pipeline feeds it",
            flows=reach.flows,
        )

    def _pipeline_problems(self, lake: ResourceId, sources: list[str]) -> list[str]:
        factories = [f for f in self.env.data_factories if lake in f.linked_sinks]
        if not factories:
            return ["no Data Factory pipeline writes to the lake: data arrives by hand"]
        problems: list[str] = []
        factory = factories[0]
        missing = [s for s in sources if s not in factory.linked_sources]
        if missing:
            problems.append(f"no pipeline copies {', '.join(missing)} into the lake")
        onprem = self.env.on_premises
        runtimes = [r for r in factory.integration_runtimes if r.nodes]
        for source_name in factory.linked_sources:
            source = onprem.data_source(source_name) if onprem else None
            if source is None:
                continue
            reached = False
            for runtime in runtimes:
                for node in runtime.nodes:
                    vantage = next((v for v in list_vantages(self.env) if v.resource == node), None)
                    if vantage is None:
                        continue
                    trace = self.tracer.trace(
                        vantage, str(source.address), source.port, source.protocol.lower()
                    )
                    reached = reached or trace.verdict is Verdict.DELIVERED
                    if not reached:
                        problems.append(f"{vantage.name} -> {source.name}: {trace.reason}")
            if not reached and not runtimes:
                problems.append(f"no self-hosted integration runtime can reach {source.name}")
        approved = {
            (m.private_link_resource_id, m.group_id)
            for m in factory.managed_private_endpoints
            if m.connection_state.value == "Approved"
        }
        if factory.managed_virtual_network and not {(lake, "dfs"), (lake, "blob")} & approved:
            problems.append(f"{factory.name} has no approved managed private endpoint to the lake")
        return problems

    def triggerable_pipelines(self) -> Capability:
        name = "triggerable pipelines"
        vantages = self.role_vantages(VmRole.CI_RUNNER)
        if not vantages:
            return Capability(Loop.OUTER, name, Status.NOT_APPLICABLE, "no self-hosted runner")
        targets: list[Target] = []
        for workspace in self.private_link_workspaces() or self.env.workspaces:
            targets += [(n, 443, "tcp") for n in self.names_of(workspace.id)[:1]]
            targets += [(n, 443, "tcp") for n in self.names_of(workspace.container_registry)[:1]]
            targets += [
                (n, 443, "tcp") for n in self.names_of(workspace.storage_account, "blob")[:1]
            ]
        git = [(ip, 443, "tcp") for _, ip in self.vms(VmRole.GIT_SERVER)]
        ways = [_Way("in-network Git server", tuple(targets + git[:1]))] if git else []
        ways.append(_Way("github.com", tuple(targets) + self.profile("github-actions")))
        return self.judge(
            Loop.OUTER,
            name,
            vantages,
            ways,
            "reach the workspace, registry, storage and the Git service from runners",
        )

    def serving(self) -> Capability:
        """Predictions are served: every AKS cluster's nodes reach what AKS needs, the callers
        reach every online endpoint (see ``online_endpoints``) and batch deployments have the
        storage endpoints they need (see ``batch_endpoints``)."""
        online = self._endpoint_serving()
        batch = self.batch_endpoints()
        if batch.status is Status.NOT_APPLICABLE:
            return online
        if online.status is Status.NOT_APPLICABLE:
            return batch
        if Status.NOT_READY in (online.status, batch.status):
            return _combine([online, batch], "serve", 0)
        return replace(
            online,
            summary=f"{online.summary}; {batch.summary}",
            via=f"{online.via}, {batch.via}",
            evidence=(*online.evidence, *batch.evidence),
        )

    def batch_endpoints(self) -> Capability:
        """Batch endpoints of a private-link workspace are private with it; their deployments
        need the workspace storage's blob, file, queue and table private endpoints (catalog
        ``batch_endpoint_storage``)."""
        name = "serving"
        kind, groups = self.catalog.batch_endpoint_storage
        declared = [u for u in self.env.unmodelled if kind and u.type.lower() == kind.lower()]
        if not declared:
            return Capability(Loop.OUTER, name, Status.NOT_APPLICABLE, "no batch endpoint")
        problems: list[str] = []
        judged = 0
        for endpoint in declared:
            try:
                parent = ResourceId(endpoint.resource_id).parent
            except ValueError:
                continue
            workspace = self.env.get_typed(parent, Workspace) if parent else None
            if workspace is None or not self.env.private_endpoints_for(workspace.id):
                continue
            judged += 1
            present = {
                g.lower()
                for pe in self.env.private_endpoints_for(workspace.storage_account)
                for g in pe.group_ids
            }
            missing = [g for g in groups if g.lower() not in present]
            if missing:
                problems.append(
                    f"batch endpoint {endpoint.name}: storage account "
                    f"{workspace.storage_account.name} has no {', '.join(missing)} private "
                    f"endpoint (batch deployments need {', '.join(groups)})"
                )
        if not judged:
            return Capability(
                Loop.OUTER,
                name,
                Status.NOT_APPLICABLE,
                "no batch endpoint of a private-link workspace",
            )
        if problems:
            return Capability(
                Loop.OUTER, name, Status.NOT_READY, problems[0], evidence=tuple(problems)
            )
        return Capability(
            Loop.OUTER,
            name,
            Status.READY,
            f"batch deployments reach the workspace storage's {', '.join(groups)} private "
            "endpoints",
            via="workspace storage private endpoints",
        )

    def _endpoint_serving(self) -> Capability:
        """Every AKS cluster's nodes reach what AKS needs, the callers reach every online
        endpoint, and every attached Kubernetes compute serves them privately."""
        name = "serving"
        nodes = [s.vantage for s in self.egress.subnets if AKS_NODES in s.roles]
        parts = [self.online_endpoints()]
        if nodes:
            parts.append(
                self.judge(
                    Loop.OUTER,
                    name,
                    nodes,
                    [_Way("AKS required outbound", self.profile("aks"))],
                    "reach what AKS nodes need",
                )
            )
        gaps: list[str] = []
        for compute in self.env.kubernetes_computes:
            part, gap = self.kubernetes_scoring(compute)
            if part is not None:
                parts.append(part)
            if gap:
                gaps.append(gap)
        judged = [p for p in parts if p.status is not Status.NOT_APPLICABLE]
        if not judged:
            if gaps:
                return Capability(
                    Loop.OUTER,
                    name,
                    Status.NOT_APPLICABLE,
                    f"not judged: {gaps[0]}",
                    evidence=tuple(gaps),
                )
            return parts[0]
        if nodes and not self.env.kubernetes_computes and parts[0].status is Status.NOT_APPLICABLE:
            # what was judged is the nodes' egress: say that no scoring path is
            gaps.append("no Azure ML compute attaches the cluster: no scoring path to judge")
        counted = len({t.vantage for p in judged for t in p.flows}) or len(nodes)
        result = judged[0] if len(judged) == 1 else _combine(judged, "serve", counted)
        if gaps and result.status is Status.READY:
            result = replace(
                result,
                summary=f"{result.summary}; not judged: {'; '.join(gaps)}",
                evidence=(*result.evidence, *gaps),
            )
        return result

    def kubernetes_scoring(self, compute: KubernetesCompute) -> tuple[Capability | None, str]:
        """One attached Kubernetes compute: its nodes reach what the Azure ML extension and
        the deployments need (the workspace's registry, storage and API), and the callers reach
        its scoring front end privately. Returns (what was judged, what could not be)."""
        name = "serving"
        label = f"Kubernetes compute {compute.name}"
        why = f" ({compute.exposure_reason})" if compute.exposure_reason else ""
        parts: list[Capability] = []
        gaps: list[str] = []
        if compute.exposure is ScoringExposure.NONE:
            return None, ""  # trains only (enableInference is not set): nothing to serve
        workspace = self.env.get_typed(compute.workspace, Workspace)
        nodes = self._cluster_nodes(compute)
        if nodes and workspace is not None:
            # the Azure ML extension's own hosts; a v1 (AKS) compute runs no extension
            extension = compute.attach_type == "Kubernetes"
            targets: list[Target] = list(self.profile("azureml-kubernetes")) if extension else []
            targets += [(n, 443, "tcp") for n in self.names_of(workspace.container_registry)[:1]]
            targets += [
                (n, 443, "tcp") for n in self.names_of(workspace.storage_account, "blob")[:1]
            ]
            targets += [(n, 443, "tcp") for n in self.names_of(workspace.id)[:1]]
            parts.append(
                self.judge(
                    Loop.OUTER,
                    name,
                    nodes,
                    [
                        _Way(
                            "Azure ML extension outbound"
                            if extension
                            else "workspace dependencies",
                            tuple(dict.fromkeys(targets)),
                        )
                    ],
                    f"reach what {label}'s deployments need (image, model, workspace)",
                )
            )
        elif compute.cluster is not None and not nodes:
            gaps.append(
                f"{label}: its cluster's nodes are not in the input (their egress is not traced)"
            )
        callers = self.callers()
        if compute.exposure is ScoringExposure.PUBLIC:
            problem = (
                f"{label}'s scoring front end (azureml-fe) has a public IP{why}: callers reach "
                "it over the internet, not privately"
            )
            parts.append(
                Capability(
                    Loop.OUTER,
                    name,
                    Status.NOT_READY,
                    problem,
                    evidence=(problem,),
                    causes=(f"public-ip:{compute.id}",),
                )
            )
        elif compute.exposure is ScoringExposure.CLUSTER_IP and callers:
            problem = (
                f"{label}'s scoring front end is reachable only inside the cluster{why}: no "
                "caller outside it can call the endpoints"
            )
            parts.append(
                Capability(Loop.OUTER, name, Status.NOT_READY, problem, evidence=(problem,))
            )
        elif compute.exposure is ScoringExposure.INTERNAL and callers:
            address = self._subnet_address(compute.scoring_subnet)
            if address is None:
                gaps.append(f"{label}: the internal load balancer's subnet is not in the input")
            else:
                port = 443 if compute.https else 80
                parts.append(
                    self.judge(
                        Loop.OUTER,
                        name,
                        callers,
                        [
                            _Way(
                                f"internal load balancer of {compute.name} "
                                f"(an address of {compute.scoring_subnet.name if compute.scoring_subnet else ''})",
                                ((address, port, "tcp"),),
                            )
                        ],
                        f"call {label}",
                    )
                )
        elif compute.exposure is ScoringExposure.NODE_PORT:
            gaps.append(
                f"{label}: the front end listens on a node port Kubernetes assigns (30000-32767)"
                f"{why}; the callers' path to it is not traced"
            )
        elif compute.exposure is ScoringExposure.UNKNOWN:
            gaps.append(f"{label}: how its scoring front end is exposed is not known{why}")
        elif not callers:
            gaps.append(f"{label}: no caller network declared (on-premises or jump box)")
        gap = "; ".join(gaps)
        judged = [p for p in parts if p.status is not Status.NOT_APPLICABLE]
        if not judged:
            return None, gap
        counted = len({t.vantage for p in judged for t in p.flows}) or len(nodes)
        return (judged[0] if len(judged) == 1 else _combine(judged, "serve", counted)), gap

    def callers(self) -> list[Vantage]:
        """Who calls the scoring endpoints: on-premises clients and jump boxes."""
        found = [v for v in list_vantages(self.env) if v.kind is VantageKind.ONPREM]
        return found + [s.vantage for s in self.egress.subnets if VmRole.JUMPBOX.value in s.roles]

    def _cluster_nodes(self, compute: KubernetesCompute) -> list[Vantage]:
        """The egress vantages of the node pools of the cluster a compute attaches."""
        if compute.cluster is None:
            return []
        cluster = self.env.unmodelled_resource(compute.cluster)
        subnets = set()
        for text in cluster.subnets if cluster is not None else ():
            try:
                subnets.add(ResourceId(text))
            except ValueError:
                continue
        return [s.vantage for s in self.egress.subnets if s.vantage.subnet in subnets]

    def _subnet_address(self, subnet_id: ResourceId | None) -> str | None:
        """An address of a subnet (its first assignable): every address of a subnet has the
        same routes and NSG, so it stands for the one Azure assigns a load balancer there."""
        subnet = self.env.get_typed(subnet_id, Subnet) if subnet_id is not None else None
        reserved = self.catalog.subnet_reserved_leading
        address = first_assignable(subnet.address_prefix, reserved) if subnet else None
        return str(address) if address is not None else None

    def online_endpoints(self) -> Capability:
        """The callers (on-premises clients, jump boxes) resolve and reach every managed online
        endpoint of a private-link workspace on its scoring name, through the workspace's
        private endpoint."""
        name = "serving"
        kind = self.catalog.online_endpoint_names[0].lower()
        declared = [u for u in self.env.unmodelled if kind and u.type.lower() == kind]
        if not declared:
            return Capability(Loop.OUTER, name, Status.NOT_APPLICABLE, "no online endpoint")
        endpoints = online_endpoint_names(self.catalog, self.env)
        if not endpoints:
            return Capability(
                Loop.OUTER,
                name,
                Status.NOT_APPLICABLE,
                "no online endpoint of a private-link workspace (a public one is closure's)",
            )
        callers = self.callers()
        if not callers:
            return Capability(
                Loop.OUTER,
                name,
                Status.NOT_APPLICABLE,
                "no caller network declared (on-premises or jump box)",
            )
        targets = tuple((str(e.public), 443, "tcp") for e in endpoints)
        ways = [_Way("workspace private endpoint", targets)]
        return self.judge(Loop.OUTER, name, callers, ways, "call the online endpoints")

    def monitoring(self) -> Capability:
        name = "monitoring"
        if not self.env.application_insights:
            return Capability(Loop.OUTER, name, Status.NOT_APPLICABLE, "no Application Insights")
        vantages = self.compute_vantages()
        if not vantages:
            return Capability(Loop.OUTER, name, Status.NOT_APPLICABLE, "no compute")
        target = ("global.in.ai.monitor.azure.com", 443, "tcp")
        ways = [_Way("Azure Monitor (AMPLS or allowed egress)", (target,))]
        return self.judge(
            Loop.OUTER, name, vantages, ways, "send telemetry to Application Insights"
        )

    def promotion(self) -> Capability:
        name = "promotion"
        users = [w for w in self.env.workspaces if w.registries]
        if not users:
            return Capability(Loop.OUTER, name, Status.NOT_APPLICABLE, "no ML registry declared")
        problems: list[str] = []
        failing: list[Trace] = []
        flows: list[Trace] = []
        for workspace in users:
            vantages = [s.vantage for s in self.egress.subnets if self._belongs(s, workspace.id)]
            for registry in workspace.registries:
                for name_ in self.names_of(registry)[:1]:
                    for vantage in vantages:
                        trace = self.tracer.trace(vantage, name_, 443, "tcp")
                        failure = self._failure(trace)
                        if failure is not None:
                            failing.append(failure)
                            problems.append(
                                f"{vantage.name} -> registry {registry.name}: {failure.reason}"
                            )
                        else:
                            flows.append(trace)
            if workspace.tag("heiki-stage") == "prod":
                for subnet in self.egress.subnets:
                    if self._belongs(subnet, workspace.id) and (
                        subnet.any_internet.verdict is Verdict.DELIVERED
                    ):
                        problems.append(f"prod {subnet.vantage.name} reaches the internet")
        if problems:
            return Capability(
                Loop.OUTER,
                name,
                Status.NOT_READY,
                problems[0],
                evidence=tuple(problems),
                failing=tuple(failing),
            )
        if not flows:
            return Capability(
                Loop.OUTER,
                name,
                Status.NOT_APPLICABLE,
                "no compute of a workspace that promotes through a registry to judge it from",
            )
        return Capability(
            Loop.OUTER,
            name,
            Status.READY,
            "every workspace reaches the shared registry over private endpoints",
            flows=tuple(flows),
        )

    def _egress_vantage_of(self, compute: Compute) -> Vantage | None:
        """The egress vantage a compute sends from: its subnet's, or its own in a managed VNet
        (indexed once: a large estate asks for every workspace's image builder)."""
        if self._egress_vantages is None:
            index: dict[ResourceId, Vantage] = {}
            for s in self.egress.subnets:
                for key in (s.vantage.subnet, s.vantage.resource):
                    if key is not None:
                        index.setdefault(key, s.vantage)
            self._egress_vantages = index
        found = self._egress_vantages.get(compute.subnet) if compute.subnet else None
        return found or self._egress_vantages.get(compute.id)

    def _belongs(self, subnet: SubnetEgress, workspace: ResourceId) -> bool:
        vantage = subnet.vantage
        for compute in self.env.computes_of(workspace):
            if compute.subnet is not None and compute.subnet == vantage.subnet:
                return True
            if vantage.resource == compute.id:
                return True
        return False


def _vantage_key(vantage: Vantage) -> str:
    key = vantage.resource if vantage.kind is VantageKind.MANAGED else vantage.subnet
    return str(key).lower() if key is not None else ""


def _combine(results: list[Capability], what: str, vantages: int) -> Capability:
    """One capability judged per workspace: not ready if any part is, with all the evidence."""
    broken = [c for c in results if c.status is Status.NOT_READY]
    if broken:
        first = broken[0]
        # a defect explains the whole only when it explains every broken part
        causes = (
            tuple(dict.fromkeys(k for c in broken for k in c.causes))
            if all(c.causes for c in broken)
            else ()
        )
        return replace(
            first,
            evidence=tuple(e for c in broken for e in c.evidence)[:12],
            failing=tuple(t for c in broken for t in c.failing),
            causes=causes,
        )
    first = results[0]
    via = ", ".join(dict.fromkeys(c.via for c in results if c.via))
    return replace(
        first,
        summary=f"{what} from {vantages} vantage(s) via {via}",
        via=via,
        flows=tuple(t for c in results for t in c.flows),
    )


def readiness(
    env: Environment,
    catalog: Catalog,
    tracer: Tracer,
    egress: EgressReport,
    toil: DnsToil,
    private: tuple[NeededName, ...] | None = None,
) -> Readiness:
    """The capabilities of the three loops, in product.md's order (foundation models after
    pretrained models). ``private``: the private
    names of the tracer's environment, where the caller has them."""
    judge = _Judge(env, catalog, tracer, egress, toil, private)
    return Readiness(
        (
            judge.packages(),
            judge.models(),
            judge.foundation_models(),
            judge.source(),
            judge.compute_for_people(),
            judge.tuning_compute(),
            judge.pipelines(),
            judge.data(),
            judge.triggerable_pipelines(),
            judge.serving(),
            judge.monitoring(),
            judge.promotion(),
        )
    )
