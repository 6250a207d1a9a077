"""What rules look at: the environment, the catalog, and analyses computed once and shared."""

from __future__ import annotations

from functools import cached_property

from heiki.analyses.allocation import allocate_endpoint_ips
from heiki.analyses.closure import Closure, closure
from heiki.analyses.connectivity import Connectivity
from heiki.analyses.dns.matrix import DnsMatrix, NeededName, dns_matrix, private_names
from heiki.analyses.dns.resolver import Resolver
from heiki.analyses.dns.toil import DnsToil, dns_toil
from heiki.analyses.dns.world import DnsWorld
from heiki.analyses.egress import EgressReport, egress_report
from heiki.analyses.readiness import Readiness, readiness
from heiki.analyses.toil import Toil, toil
from heiki.analyses.trace import Tracer
from heiki.catalog import Catalog
from heiki.model.base import Resource
from heiki.model.environment import Environment
from heiki.model.source import SourceLocation
from heiki.model.values import ResourceId


class RuleContext:
    """Lazily computed analyses; every rule of a run sees the same ones."""

    def __init__(self, env: Environment, catalog: Catalog) -> None:
        # endpoint IPs the source leaves to Azure are allocated once, as Azure would: DNS,
        # routes, traces and toil then all see the same addresses
        self.env = allocate_endpoint_ips(env, catalog)
        self.catalog = catalog

    @cached_property
    def resolver(self) -> Resolver:
        """The tracer's resolver: its DNS hops are traced through routes, NSGs and firewall."""
        return self.tracer.resolver

    @property
    def world(self) -> DnsWorld:
        return self.resolver.world

    @property
    def connectivity(self) -> Connectivity:
        return self.resolver.connectivity

    @cached_property
    def private_names(self) -> tuple[NeededName, ...]:
        """Names of private endpoints and compute instances, with the IP each must give (of the
        DNS world's environment, which the matrix, readiness and DNS013 all read)."""
        return private_names(self.world.env, self.catalog)

    @cached_property
    def dns_matrix(self) -> DnsMatrix:
        return dns_matrix(self.env, self.catalog, self.resolver, self.private_names)

    @cached_property
    def tracer(self) -> Tracer:
        return Tracer(self.env, self.catalog)

    @cached_property
    def egress(self) -> EgressReport:
        return egress_report(self.env, self.catalog, self.tracer)

    @cached_property
    def readiness(self) -> Readiness:
        return readiness(
            self.env, self.catalog, self.tracer, self.egress, self.dns_toil, self.private_names
        )

    @cached_property
    def closure(self) -> Closure:
        return closure(self.tracer.env, self.egress, self.catalog)

    @cached_property
    def toil(self) -> Toil:
        return toil(self.dns_toil, self.readiness)

    @cached_property
    def dns_toil(self) -> DnsToil:
        return dns_toil(self.env, self.catalog, self.world)

    def location(self, resource_id: ResourceId | None) -> SourceLocation | None:
        if resource_id is None:
            return None
        found: Resource | None = self.env.get(resource_id)
        if found is not None:
            return found.source
        # a resource read as a public surface only (an AI Services account) is still written
        # somewhere: the finding points there
        other = self.env.unmodelled_resource(resource_id)
        return other.source if other is not None else None
