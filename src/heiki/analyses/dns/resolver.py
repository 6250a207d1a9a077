"""``resolve(env, vantage, name)``: follow a DNS query the way Azure and on-premises servers do.

The client asks the DNS servers its VNet (or on-premises) gives it. Each server answers from what
it holds or forwards:

- Azure DNS (168.63.129.16) in the context of a VNet: the most specific private zone linked to
  *that* VNet is authoritative (a missing record is NXDOMAIN unless the link's resolution policy is
  NxDomainRedirect); then the forwarding rulesets linked to the VNet (longest domain wins; sent out
  through the ruleset's outbound endpoint); then public recursion.
- A resolver inbound endpoint is Azure DNS in the resolver's VNet. A firewall DNS proxy (not on
  Basic) forwards to its custom servers, or to Azure DNS in the firewall's VNet. A DNS VM applies
  its forwarders. An on-premises server answers from its zones, then its conditional forwarders
  (longest match), then its default forwarders, then public recursion.
- Public DNS publishes, for a resource with a private endpoint, a CNAME into ``privatelink.*``;
  the resolver that receives it continues with the target in its own context.

Every query hop is itself traffic to port 53 and is checked with the ``Connectivity`` predicate.
CNAME loops, long chains and forwarding loops end as SERVFAIL; nothing recurses without bound.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from heiki.analyses.connectivity import AddressSpaceConnectivity, Connectivity
from heiki.analyses.dns.types import DnsStep, Outcome, PublicAnswer, Resolution, StepKind
from heiki.analyses.dns.world import DnsWorld, build_world, lookup_records
from heiki.analyses.vantage import Vantage, VantageKind
from heiki.catalog import Catalog
from heiki.model.dns import ResolutionPolicy, RuleState
from heiki.model.environment import Environment
from heiki.model.source import SourceLocation
from heiki.model.values import Address, DnsName, ResourceId

FOREIGN_ENDPOINT_LABEL = "heiki-foreign-pe"
"""First label of a probe name that stands for an account outside the environment with a private
endpoint of its own (in another network): public DNS gives it a ``privatelink`` CNAME."""
MAX_CNAME_CHAIN = 16
"""Longer chains end as SERVFAIL (real resolvers give up after a few more)."""
MAX_STEPS = 400
"""A hard budget on work per resolution, so that no graph of forwarders can make it hang."""
DNS_PORT = 53


@dataclass(frozen=True, slots=True)
class _Answer:
    """What one server answered: the outcome, the addresses, whether it was a public answer."""

    outcome: Outcome
    addresses: tuple[Address, ...] = ()
    public: PublicAnswer | None = None

    @property
    def failed(self) -> bool:
        """Failures a client or forwarder moves on from (as on a timeout)."""
        return self.outcome in (Outcome.UNREACHABLE, Outcome.SERVFAIL)


_CacheKey = tuple[ResourceId | None, int, DnsName]
"""(VNet context for Azure DNS, else None; server address as int; name)."""


def _answer_key(
    azure_dns: Address, address: Address, name: DnsName, from_vnet: ResourceId | None
) -> _CacheKey:
    # ints hash fast; ipaddress objects hash through hex() on every lookup
    return (from_vnet if address == azure_dns else None, int(address), name)


_Cached = tuple[_Answer, tuple[DnsStep, ...], tuple[DnsName, ...]]


@dataclass(frozen=True, slots=True)
class _Hop:
    """Whether a query reached a server, and the steps on the way."""

    reachable: bool
    steps: tuple[DnsStep, ...]


@dataclass(frozen=True, slots=True)
class _ClientPlan:
    """How a vantage's clients ask: the first steps and the servers, in order."""

    steps: tuple[DnsStep, ...]
    servers: tuple[Address, ...]
    from_vnet: ResourceId | None
    first: tuple[ResourceId | None, int, tuple[DnsStep, ...]] | None = None
    """For a reachable first server: its answer-cache key prefix and the steps up to it."""


@dataclass
class _Shared:
    """Work shared by all resolutions of one ``Resolver`` (memoised, never observable)."""

    answers: dict[_CacheKey, _Cached] = field(default_factory=dict)
    hops: dict[tuple[int, ResourceId | None, str, int], _Hop] = field(default_factory=dict)
    plans: dict[tuple[str, str], _ClientPlan] = field(default_factory=dict)


class _Budget(Exception):
    """Raised when a resolution exceeds MAX_STEPS."""


class _Resolution:
    """One resolution's state: the steps so far, the CNAME chain, the active forwarding hops."""

    def __init__(self, world: DnsWorld, connectivity: Connectivity, shared: _Shared) -> None:
        self.world = world
        self.env = world.env
        self.connectivity = connectivity
        self.steps: list[DnsStep] = []
        self.chain: list[DnsName] = []
        self.active: set[_CacheKey] = set()
        self.shared = shared
        self.tainted = False
        """Set when this part of the work met a loop or a limit (then it is not cached)."""

    # -- bookkeeping ----------------------------------------------------------------------------
    def step(
        self,
        kind: StepKind,
        server: str,
        detail: str,
        name: DnsName | None = None,
        resource: ResourceId | None = None,
    ) -> None:
        if len(self.steps) >= MAX_STEPS:
            raise _Budget
        self.steps.append(DnsStep(kind, server, detail, name, resource, self._location(resource)))

    def fail(
        self,
        outcome: Outcome,
        server: str,
        detail: str,
        name: DnsName | None = None,
        resource: ResourceId | None = None,
    ) -> _Answer:
        self.step(StepKind.FAILURE, server, detail, name, resource)
        return _Answer(outcome)

    def follow(
        self,
        server: str,
        source: DnsName,
        target: DnsName,
        why: str,
        restart: Callable[[DnsName], _Answer],
        resource: ResourceId | None = None,
    ) -> _Answer:
        """Follow a CNAME: the same resolver continues with the target name."""
        if target in self.chain or target == source:
            self.tainted = True
            return self.fail(Outcome.SERVFAIL, server, f"CNAME loop at {target}", target)
        if len(self.chain) >= MAX_CNAME_CHAIN:
            self.tainted = True
            return self.fail(
                Outcome.SERVFAIL, server, f"CNAME chain longer than {MAX_CNAME_CHAIN} names", target
            )
        self.step(
            StepKind.CNAME, server, f"{source} is an alias of {target} ({why})", target, resource
        )
        self.chain.append(target)
        return restart(target)

    # -- servers --------------------------------------------------------------------------------
    def query(
        self,
        address: Address,
        name: DnsName,
        from_vnet: ResourceId | None,
        port: int = DNS_PORT,
        via: str = "",
    ) -> _Answer:
        """Send the query to ``address``: check the path, then let whatever is there answer."""
        hop = self.hop(address, from_vnet, via or self._site(from_vnet), port)
        self.extend(hop.steps)
        if not hop.reachable:
            return _Answer(Outcome.UNREACHABLE)
        return self.serve(address, name, from_vnet)

    def hop(
        self, address: Address, from_vnet: ResourceId | None, origin: str, port: int = DNS_PORT
    ) -> _Hop:
        """The path check and query step to a server (independent of the name; cached)."""
        key = (int(address), from_vnet, origin, port)
        found = self.shared.hops.get(key)
        if found is not None:
            return found
        path = self.connectivity.check(from_vnet, address, port, "udp")
        described = self._describe(address, from_vnet) if path.reachable else None
        if not path.reachable:
            detail = f"cannot reach DNS server {address}:{port}: {path.reason}"
            hop = _Hop(False, (DnsStep(StepKind.FAILURE, origin, detail),))
        elif described is None:
            detail = (
                f"{address} is not a DNS server in this environment (no resolver endpoint, "
                "firewall DNS proxy, DNS VM or on-premises server there)"
            )
            hop = _Hop(False, (DnsStep(StepKind.FAILURE, origin, detail),))
        else:
            label, resource = described
            location = self._location(resource)
            step = DnsStep(
                StepKind.QUERY, origin, f"asks {label} ({path.reason})", None, resource, location
            )
            hop = _Hop(True, (step,))
        self.shared.hops[key] = hop
        return hop

    def extend(self, steps: tuple[DnsStep, ...]) -> None:
        if len(self.steps) + len(steps) > MAX_STEPS:
            raise _Budget
        self.steps.extend(steps)

    def serve(self, address: Address, name: DnsName, from_vnet: ResourceId | None) -> _Answer:
        """What the server at ``address`` answers for ``name``.

        That does not depend on who asked (Azure DNS: only on the VNet it answers for), so it is
        cached per (server, name) and replayed; work that met a loop or a limit depends on the
        caller and is never cached.
        """
        key = _answer_key(self.world.catalog.azure_dns, address, name, from_vnet)
        if key in self.active:
            self.tainted = True
            return self.fail(
                Outcome.SERVFAIL,
                str(address),
                f"forwarding loop: {address} is already resolving {name}",
                name,
            )
        cached = self.shared.answers.get(key)
        if cached is not None and not self.chain:
            answer, steps, chain = cached
            self.extend(steps)
            self.chain.extend(chain)
            return answer
        step_mark, chain_mark, tainted_before = len(self.steps), len(self.chain), self.tainted
        self.tainted = False
        self.active.add(key)
        try:
            answer = self._serve(address, name, from_vnet)
        finally:
            self.active.discard(key)
        if not self.tainted and chain_mark == 0:
            self.shared.answers[key] = (
                answer,
                tuple(self.steps[step_mark:]),
                tuple(self.chain[chain_mark:]),
            )
        self.tainted = self.tainted or tainted_before
        return answer

    def _location(self, resource: ResourceId | None) -> SourceLocation | None:
        if resource is None:
            return None
        found = self.env.get(resource)
        return found.source if found else None

    def _site(self, vnet: ResourceId | None) -> str:
        return "on-premises" if vnet is None else vnet.name

    def _describe(
        self, address: Address, from_vnet: ResourceId | None
    ) -> tuple[str, ResourceId | None] | None:
        """What answers DNS at ``address`` (for the query step), or ``None`` if nothing does."""
        world = self.world
        if address == world.catalog.azure_dns and from_vnet is not None:
            return f"Azure DNS {address}", None
        if address in world.resolvers_by_ip:
            resolver, endpoint = world.resolvers_by_ip[address]
            return (
                f"DNS Private Resolver {resolver.name} inbound endpoint {endpoint} {address}, "
                f"which resolves with Azure DNS in {resolver.virtual_network.name}",
                resolver.id,
            )
        if address in world.firewalls_by_ip:
            firewall, _ = world.firewalls_by_ip[address]
            return f"firewall {firewall.name} {address}", firewall.id
        if address in world.dns_vms_by_ip:
            vm, _ = world.dns_vms_by_ip[address]
            return f"DNS VM {vm.name} {address}", vm.id
        if address in world.onprem_by_ip:
            server = world.onprem_by_ip[address]
            return f"on-premises DNS server {server.name} {address}", None
        return None

    def _serve(self, address: Address, name: DnsName, from_vnet: ResourceId | None) -> _Answer:
        world = self.world
        if address == world.catalog.azure_dns and from_vnet is not None:
            return self.azure_dns(from_vnet, name)
        if address in world.resolvers_by_ip:
            resolver, _ = world.resolvers_by_ip[address]
            return self.azure_dns(resolver.virtual_network, name)
        if address in world.firewalls_by_ip:
            return self.firewall(address, name)
        if address in world.dns_vms_by_ip:
            return self.dns_vm(address, name)
        return self.onprem(address, name)

    def firewall(self, address: Address, name: DnsName) -> _Answer:
        firewall, policy = self.world.firewalls_by_ip[address]
        tier = self.world.catalog.firewall_tier(firewall.sku_tier.value)
        settings = policy.dns_settings if policy else None
        label = f"firewall {firewall.name} {address}"
        if tier is not None and not tier.dns_proxy:
            return self.fail(
                Outcome.UNREACHABLE,
                label,
                f"{label} is Azure Firewall {firewall.sku_tier.value}, which has no DNS proxy",
                name,
                firewall.id,
            )
        if settings is None or not settings.enable_proxy:
            return self.fail(
                Outcome.UNREACHABLE,
                label,
                f"{label} does not answer DNS: its policy has the DNS proxy off",
                name,
                policy.id if policy else firewall.id,
            )
        vnet = self.env.vnet_of_subnet(firewall.subnet)
        if vnet is None:
            return self.fail(Outcome.SERVFAIL, label, "the firewall's VNet is unknown", name)
        if not settings.servers:
            self.step(
                StepKind.PROXY,
                label,
                f"DNS proxy forwards to Azure DNS in {vnet.name}",
                name,
                policy.id if policy else None,
            )
            return self.azure_dns(vnet.id, name)
        self.step(
            StepKind.PROXY,
            label,
            f"DNS proxy forwards to {', '.join(str(s) for s in settings.servers)}",
            name,
            policy.id if policy else None,
        )
        return self.first_answer(settings.servers, name, vnet.id, label)

    def dns_vm(self, address: Address, name: DnsName) -> _Answer:
        vm, vnet = self.world.dns_vms_by_ip[address]
        label = f"DNS VM {vm.name} {address}"
        best = None
        for zone, targets in vm.dns_forwarders:
            if name.is_subdomain_of(zone) and (
                best is None or len(zone.labels) > len(best[0].labels)
            ):
                best = (zone, targets)
        if best is None:
            self.step(
                StepKind.PUBLIC_DNS,
                label,
                "no forwarder matches; recursion to the internet",
                name,
                vm.id,
            )
            return self.public(name, label, lambda n: self.dns_vm(address, n))
        self.step(
            StepKind.CONDITIONAL_FORWARDER,
            label,
            f"forwarder {best[0]} -> {', '.join(str(t) for t in best[1])}",
            name,
            vm.id,
        )
        return self.first_answer(best[1], name, vnet, label)

    def first_answer(
        self, servers: tuple[Address, ...], name: DnsName, from_vnet: ResourceId | None, via: str
    ) -> _Answer:
        """Try servers in order, moving on past unreachable ones and failures."""
        answer = _Answer(Outcome.SERVFAIL)
        for server in servers:
            answer = self.query(server, name, from_vnet, via=via)
            if not answer.failed:
                return answer
        if len(servers) > 1:
            return self.fail(Outcome.SERVFAIL, via, "no server answered", name)
        return answer

    def azure_dns(self, vnet_id: ResourceId, name: DnsName) -> _Answer:
        vnet = self.env.get(vnet_id)
        server = f"Azure DNS ({vnet.name if vnet else vnet_id.name})"
        linked = self.world.closest_linked_zone(vnet_id, name)
        if linked is not None:
            view, link = linked
            record = view.lookup(name)
            if record is not None and record.addresses:
                self.step(
                    StepKind.PRIVATE_ZONE,
                    server,
                    # the VNet, not the link's own name (often a generated one in the wild)
                    f"private zone {view.name} (linked: {link.virtual_network.name}) answers "
                    f"{', '.join(str(a) for a in record.addresses)} from its "
                    f"{record.origin}",
                    name,
                    record.resource or view.zone.id,
                )
                return _Answer(Outcome.PRIVATE, record.addresses)
            if record is not None and record.cname is not None:
                self.step(
                    StepKind.PRIVATE_ZONE,
                    server,
                    f"private zone {view.name} has a CNAME for {name}",
                    name,
                    view.zone.id,
                )
                return self.follow(
                    server,
                    name,
                    record.cname,
                    f"private zone {view.name}",
                    lambda n: self.azure_dns(vnet_id, n),
                )
            if link.resolution_policy is ResolutionPolicy.NXDOMAIN_REDIRECT:
                self.step(
                    StepKind.PRIVATE_ZONE,
                    server,
                    f"private zone {view.name} has no record for {name}; the link "
                    f"{link.name} falls back to the internet (NxDomainRedirect)",
                    name,
                    view.zone.id,
                )
                return self.public(name, server, lambda n: self.azure_dns(vnet_id, n))
            return self.fail(
                Outcome.NXDOMAIN,
                server,
                f"private zone {view.name} is linked to this VNet and authoritative, "
                f"but has no record for {name}: NXDOMAIN",
                name,
                view.zone.id,
            )
        rule_match = None
        for ruleset in self.world.rulesets.get(vnet_id, ()):
            for rule in ruleset.forwarding_rules:
                if rule.state is not RuleState.ENABLED or not name.is_subdomain_of(
                    rule.domain_name
                ):
                    continue
                if rule_match is None or len(rule.domain_name.labels) > len(
                    rule_match[1].domain_name.labels
                ):
                    rule_match = (ruleset, rule)
        if rule_match is not None:
            ruleset, rule = rule_match
            targets = tuple(t.ip_address for t in rule.target_dns_servers)
            outbound_vnet = self._outbound_vnet(ruleset.outbound_endpoints)
            self.step(
                StepKind.FORWARDING_RULE,
                server,
                f"forwarding ruleset {ruleset.name} rule {rule.name} ({rule.domain_name}) "
                f"sends it to {', '.join(str(t) for t in targets)}",
                name,
                ruleset.id,
            )
            if outbound_vnet is None:
                return self.fail(
                    Outcome.SERVFAIL,
                    server,
                    f"ruleset {ruleset.name} has no usable outbound endpoint",
                    name,
                    ruleset.id,
                )
            return self.first_answer(
                targets, name, outbound_vnet, f"outbound endpoint of {ruleset.name}"
            )
        return self.public(name, server, lambda n: self.azure_dns(vnet_id, n))

    def _outbound_vnet(self, endpoints: tuple[ResourceId, ...]) -> ResourceId | None:
        for endpoint_id in endpoints:
            for resolver in self.env.dns_resolvers:
                for outbound in resolver.outbound_endpoints:
                    if outbound.id == endpoint_id:
                        vnet = self.env.vnet_of_subnet(outbound.subnet)
                        return vnet.id if vnet else resolver.virtual_network
        return None

    def onprem(self, address: Address, name: DnsName) -> _Answer:
        server = self.world.onprem_by_ip[address]
        label = f"on-premises {server.name} {server.address}"
        zone, forwarder = self.world.closest_onprem(address, name)
        # The most specific of a hosted zone and a conditional forwarder decides.
        if zone is not None and (
            forwarder is None or len(zone.zone.labels) >= len(forwarder.zone.labels)
        ):
            found = lookup_records(self.world.onprem_records[(address, zone.zone)], zone.zone, name)
            if found is not None and found.addresses:
                self.step(
                    StepKind.LOCAL_ZONE,
                    label,
                    f"hosted zone {zone.zone} answers {', '.join(str(a) for a in found.addresses)}",
                    name,
                )
                return _Answer(_classify(self.world, found.addresses), found.addresses)
            if found is not None and found.cname is not None:
                self.step(StepKind.LOCAL_ZONE, label, f"hosted zone {zone.zone} has a CNAME", name)
                return self.follow(
                    label,
                    name,
                    found.cname,
                    f"hosted zone {zone.zone}",
                    lambda n: self.onprem(address, n),
                )
            return self.fail(
                Outcome.NXDOMAIN,
                label,
                f"hosted zone {zone.zone} is authoritative but has no record for {name}: NXDOMAIN",
                name,
            )
        if forwarder is not None:
            self.step(
                StepKind.CONDITIONAL_FORWARDER,
                label,
                f"conditional forwarder {forwarder.zone} -> "
                f"{', '.join(str(t) for t in forwarder.targets)}",
                name,
            )
            return self.first_answer(forwarder.targets, name, None, label)
        if server.default_forwarders:
            self.step(
                StepKind.CONDITIONAL_FORWARDER,
                label,
                f"default forwarders {', '.join(str(t) for t in server.default_forwarders)}",
                name,
            )
            return self.first_answer(server.default_forwarders, name, None, label)
        return self.public(name, label, lambda n: self.onprem(address, n))

    def public(self, name: DnsName, server: str, restart: Callable[[DnsName], _Answer]) -> _Answer:
        """Public recursion from ``server``; a CNAME continues in that server's own context."""
        world = self.world
        alias = world.public_aliases.get(name)
        if alias is not None:
            self.step(
                StepKind.PUBLIC_DNS, server, f"public DNS: {alias.reason}", name, alias.resource
            )
            return self.follow(server, name, alias.target, "public DNS", restart, alias.resource)
        foreign = _foreign_with_endpoint(world, name)
        if foreign is not None:
            self.step(
                StepKind.PUBLIC_DNS,
                server,
                f"public DNS: {name} belongs to an account outside the environment that has a "
                "private endpoint of its own",
                name,
            )
            return self.follow(server, name, foreign, "public DNS", restart)
        origin = world.public_privatelink.get(name) or _foreign_privatelink(world, name)
        if origin is not None:
            answer = PublicAnswer(name, world.public_tags(origin))
            self.step(
                StepKind.PUBLIC_DNS,
                server,
                f"public DNS answers the service's public endpoint for {name} "
                f"({', '.join(answer.service_tags)})",
                name,
            )
            return _Answer(Outcome.PUBLIC, public=answer)
        if any(name.is_subdomain_of(z) for z in world.public_nxdomain_zones) or (
            "privatelink" in name.labels
        ):
            return self.fail(
                Outcome.NXDOMAIN, server, f"public DNS has no such name {name}: NXDOMAIN", name
            )
        answer = PublicAnswer(name, world.public_tags(name))
        self.step(
            StepKind.PUBLIC_DNS,
            server,
            f"public DNS answers a public endpoint ({', '.join(answer.service_tags)})",
            name,
        )
        return _Answer(Outcome.PUBLIC, public=answer)

    # -- client ---------------------------------------------------------------------------------
    def plan(self, vantage: Vantage) -> _ClientPlan:
        """The client side of a vantage: which DNS servers it uses (cached per vantage)."""
        key = (vantage.kind.value, vantage.name)
        found = self.shared.plans.get(key)
        if found is not None:
            return found
        azure_dns = self.world.catalog.azure_dns
        if vantage.vnet is None:
            onprem = self.env.on_premises
            servers = tuple(s.address for s in onprem.dns_servers) if onprem else ()
            detail = (
                f"clients use the on-premises DNS servers {', '.join(map(str, servers))}"
                if servers
                else "on-premises has no DNS server declared"
            )
            kind = StepKind.CLIENT if servers else StepKind.FAILURE
            plan = _ClientPlan((DnsStep(kind, vantage.name, detail),), servers, None)
        else:
            vnet = self.env.get(vantage.vnet)
            label = vnet.name if vnet else vantage.vnet.name
            dns_servers: tuple[Address, ...] = tuple(getattr(vnet, "dns_servers", ()))
            if dns_servers:
                detail = f"{label} uses custom DNS servers {', '.join(map(str, dns_servers))}"
            else:
                detail = f"{label} uses Azure-provided DNS ({azure_dns})"
                dns_servers = (azure_dns,)
            step = DnsStep(
                StepKind.CLIENT,
                vantage.name,
                detail,
                None,
                vantage.vnet,
                self._location(vantage.vnet),
            )
            plan = _ClientPlan((step,), dns_servers, vantage.vnet)
        self.shared.plans[key] = plan
        return plan


def _classify(world: DnsWorld, addresses: tuple[Address, ...]) -> Outcome:
    return Outcome.PRIVATE if all(a.is_private for a in addresses) else Outcome.PUBLIC


def _result(
    vantage: Vantage,
    name: DnsName,
    answer: _Answer,
    chain: tuple[DnsName, ...],
    steps: tuple[DnsStep, ...],
) -> Resolution:
    return Resolution(
        vantage.name, name, answer.outcome, answer.addresses, answer.public, chain, steps
    )


class Resolver:
    """Resolve many names against one environment; the tables are built once."""

    def __init__(
        self,
        env: Environment,
        catalog: Catalog,
        connectivity: Connectivity | None = None,
        world: DnsWorld | None = None,
    ) -> None:
        self.world = world or build_world(env, catalog)
        self.connectivity = connectivity or AddressSpaceConnectivity(self.world.env, catalog)
        self._shared = _Shared()

    def resolve(self, vantage: Vantage, name: DnsName | str) -> Resolution:
        target = name if isinstance(name, DnsName) else DnsName(name)
        plan = self._shared.plans.get((vantage.kind.value, vantage.name))
        if plan is not None:
            fast = self._replay(plan, vantage, target)
            if fast is not None:
                return fast
        state = _Resolution(self.world, self.connectivity, self._shared)
        if vantage.kind is VantageKind.MANAGED:
            return self._managed(state, vantage, target)
        plan = state.plan(vantage)
        state.steps.extend(plan.steps)
        try:
            if not plan.servers:
                answer = _Answer(Outcome.UNREACHABLE)
            else:
                answer = state.first_answer(plan.servers, target, plan.from_vnet, vantage.name)
        except _Budget:
            answer = _Answer(Outcome.SERVFAIL)
            state.steps.append(
                DnsStep(StepKind.FAILURE, vantage.name, f"gave up after {MAX_STEPS} steps")
            )
        return _result(vantage, target, answer, tuple(state.chain), tuple(state.steps))

    def view_key(self, vantage: Vantage) -> tuple[ResourceId | None, int] | None:
        """Vantages with the same key get the same answer for every name (their first DNS
        server is the same and reachable, and its answers are cached): only the steps that lead
        to that server differ. ``None`` until the vantage has resolved once, or when it has no
        reachable first server."""
        plan = self._shared.plans.get((vantage.kind.value, vantage.name))
        if plan is not None and plan.first is None:
            plan = self._complete(plan, vantage)  # the hop to the first server is known by now
        if plan is None or plan.first is None:
            return None
        context, address, _ = plan.first
        return (context, address)

    def _managed(self, state: _Resolution, vantage: Vantage, name: DnsName) -> Resolution:
        """Compute in a managed VNet: Azure DNS there holds Microsoft-managed private zones for
        the managed private endpoints, which heiki cannot see; other names resolve publicly."""
        server = "Azure DNS (managed VNet)"
        state.steps.append(
            DnsStep(
                StepKind.CLIENT,
                vantage.name,
                "compute in a managed VNet uses Azure DNS with Microsoft-managed private zones for "
                "its managed private endpoints; everything else resolves publicly",
            )
        )

        def again(next_name: DnsName) -> _Answer:
            return state.public(next_name, server, again)

        try:
            answer = state.public(name, server, again)
        except _Budget:
            answer = _Answer(Outcome.SERVFAIL)
        return _result(vantage, name, answer, tuple(state.chain), tuple(state.steps))

    def _replay(self, plan: _ClientPlan, vantage: Vantage, name: DnsName) -> Resolution | None:
        """The common case in one step: the first server is reachable and already answered."""
        if plan.first is None:
            plan = self._complete(plan, vantage)
            if plan.first is None:
                return None
        context, address, prefix = plan.first
        cached = self._shared.answers.get((context, address, name))
        if cached is None or cached[0].failed:
            return None
        answer, steps, chain = cached
        return _result(vantage, name, answer, chain, prefix + steps)

    def _complete(self, plan: _ClientPlan, vantage: Vantage) -> _ClientPlan:
        """Remember, in the plan, the answer-cache key and steps of a reachable first server."""
        address = plan.servers[0] if plan.servers else None
        if address is None:
            return plan
        hop = self._shared.hops.get((int(address), plan.from_vnet, vantage.name, DNS_PORT))
        if hop is None or not hop.reachable:
            return plan
        context, number, _ = _answer_key(
            self.world.catalog.azure_dns, address, DnsName("x"), plan.from_vnet
        )
        completed = replace(plan, first=(context, number, plan.steps + hop.steps))
        self._shared.plans[(vantage.kind.value, vantage.name)] = completed
        return completed


def resolve(
    env: Environment,
    vantage: Vantage,
    name: DnsName | str,
    catalog: Catalog,
    connectivity: Connectivity | None = None,
) -> Resolution:
    """Resolve ``name`` as a client at ``vantage`` would; pure and deterministic."""
    return Resolver(env, catalog, connectivity).resolve(vantage, name)


def _split_service(world: DnsWorld, name: DnsName, privatelink: bool) -> tuple[str, DnsName] | None:
    """``(label, public suffix)`` of ``label.<suffix>`` (or ``label.privatelink.<suffix>``)."""
    labels = name.labels
    start = 2 if privatelink else 1
    if len(labels) <= start or (privatelink and labels[1] != "privatelink"):
        return None
    suffix = DnsName(".".join(labels[start:]))
    return (labels[0], suffix) if suffix in world.privatelink_zones else None


def _foreign_with_endpoint(world: DnsWorld, name: DnsName) -> DnsName | None:
    """The privatelink CNAME target public DNS gives a foreign account with a private endpoint."""
    if not name.labels or name.labels[0] != FOREIGN_ENDPOINT_LABEL:
        return None
    split = _split_service(world, name, privatelink=False)
    if split is None:
        return None
    return DnsName(f"{split[0]}.{world.privatelink_zones[split[1]]}")


def _foreign_privatelink(world: DnsWorld, name: DnsName) -> DnsName | None:
    """A ``privatelink`` name of a resource outside the environment: public DNS resolves the
    chain to the resource's public endpoint from anywhere (only a private zone linked to the
    asking VNet answers it differently)."""
    split = _split_service(world, name, privatelink=True)
    if split is None:
        return None
    return DnsName(f"{split[0]}.{split[1]}")
