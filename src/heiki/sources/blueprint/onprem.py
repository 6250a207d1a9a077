"""The on-premises part of a blueprint, also loadable on its own (``--onprem FILE``)."""

from __future__ import annotations

from heiki import diagnostics as dx
from heiki.catalog import Catalog
from heiki.diagnostics import Diagnostic, Severity
from heiki.model.dns import RecordSet, RecordType
from heiki.model.onprem import (
    ClientNetwork,
    ConditionalForwarder,
    DataSource,
    GatewayConnection,
    OnPremDnsServer,
    OnPremDnsZone,
    OnPremises,
)
from heiki.model.source import SourceLocation
from heiki.model.values import Address, DnsName, Prefix, ResourceId, parse_address
from heiki.sources.blueprint import schema as bp
from heiki.sources.yamlread import LocatedDocument, PathKey


def build_onprem(
    spec: bp.OnPremSpec,
    doc: LocatedDocument,
    path: PathKey,
    catalog: Catalog,
    *,
    gateway: ResourceId | None,
    connection_kind: str,
    hub_dns: tuple[Address, ...],
    forward_zones: tuple[str, ...],
    private_names: tuple[tuple[str, Address], ...],
    diagnostics: list[Diagnostic],
    missing_hub_dns: str | None = None,
) -> OnPremises:
    """Build the on-premises part; shared by blueprints and stand-alone ``--onprem`` files.

    ``missing_hub_dns``: for an environment heiki did not design (a template), forwarding to a
    hub without a DNS endpoint is this warning rather than a blueprint error."""

    def loc(*sub: str | int) -> SourceLocation:
        return doc.location((*path, *sub))

    def addr(text: str, *sub: str | int) -> Address | None:
        try:
            return parse_address(text)
        except ValueError as exc:
            diagnostics.append(Diagnostic(dx.SCHEMA, Severity.ERROR, str(exc), loc(*sub)))
            return None

    def prefix(text: str, *sub: str | int) -> Prefix | None:
        try:
            return Prefix(text.strip(), strict=True)
        except ValueError as exc:
            diagnostics.append(
                Diagnostic(dx.SCHEMA, Severity.ERROR, f"invalid prefix {text!r}: {exc}", loc(*sub))
            )
            return None

    space = tuple(
        p for p in (prefix(t, "address_space", i) for i, t in enumerate(spec.address_space)) if p
    )
    clients = []
    for index, client in enumerate(spec.clients):
        name, text = (
            (f"clients-{index + 1}", client)
            if isinstance(client, str)
            else (client.name, client.prefix)
        )
        p = prefix(text, "clients", index)
        if p:
            clients.append(ClientNetwork(name, p, loc("clients", index)))
    sources = []
    for index, ds in enumerate(spec.data_sources):
        a = addr(ds.address, "data_sources", index, "address")
        if a:
            sources.append(
                DataSource(
                    ds.name,
                    a,
                    ds.port,
                    ds.protocol.capitalize(),
                    ds.kind,
                    loc("data_sources", index),
                )
            )
    servers: list[OnPremDnsServer] = []
    if spec.dns:
        dns = spec.dns
        zones = [
            _onprem_zone(z, loc("dns", "zones", i), diagnostics) for i, z in enumerate(dns.zones)
        ]
        forwarders = []
        for index, fwd in enumerate(dns.conditional_forwarders):
            targets = tuple(
                a
                for a in (
                    addr(t, "dns", "conditional_forwarders", index, "targets") for t in fwd.targets
                )
                if a
            )
            forwarders.append(
                ConditionalForwarder(
                    DnsName(fwd.zone), targets, loc("dns", "conditional_forwarders", index)
                )
            )
        if dns.a_records:
            for fqdn, ip in private_names:
                zones.append(
                    OnPremDnsZone(
                        DnsName(fqdn),
                        (RecordSet("@", RecordType.A, ttl=3600, a_records=(ip,)),),
                        loc("dns", "a_records"),
                    )
                )
        elif dns.forward_to == "hub" and forward_zones:
            if hub_dns:
                for zone in forward_zones:
                    forwarders.append(
                        ConditionalForwarder(DnsName(zone), hub_dns, loc("dns", "forward_to"))
                    )
            elif missing_hub_dns is not None:
                diagnostics.append(
                    Diagnostic(
                        dx.UNKNOWN_REFERENCE,
                        Severity.WARNING,
                        missing_hub_dns,
                        loc("dns", "forward_to"),
                    )
                )
            else:
                diagnostics.append(
                    Diagnostic(
                        dx.UNKNOWN_REFERENCE,
                        Severity.ERROR,
                        "on-premises DNS forwards to the hub, but the hub has no DNS endpoint that "
                        "on-premises can reach (168.63.129.16 is not reachable from on-premises); "
                        "use hub dns private-resolver, firewall-proxy or dns-vm, or a_records: true",
                        loc("dns", "forward_to"),
                    )
                )
        defaults = tuple(
            a
            for a in (
                addr(t, "dns", "default_forwarders", i)
                for i, t in enumerate(dns.default_forwarders)
            )
            if a
        )
        for index, text in enumerate(dns.servers):
            a = addr(text, "dns", "servers", index)
            if a:
                servers.append(
                    OnPremDnsServer(
                        name=f"dns-{index + 1}",
                        address=a,
                        zones=tuple(sorted(zones, key=lambda z: z.zone)),
                        conditional_forwarders=tuple(sorted(forwarders, key=lambda f: f.zone)),
                        default_forwarders=defaults,
                        source=loc("dns", "servers", index),
                    )
                )
    connection = None
    if connection_kind != "none":
        connection = GatewayConnection(
            gateway=gateway,
            kind="ExpressRoute" if connection_kind == "expressroute" else "Vpn",
            source=loc("connection") if spec.connection else loc(),
        )
    return OnPremises(
        name=spec.name,
        address_space=space,
        clients=tuple(clients),
        dns_servers=tuple(servers),
        data_sources=tuple(sources),
        connection=connection,
        source=loc(),
    )


def _onprem_zone(
    zone: bp.ZoneSpec, location: SourceLocation, diagnostics: list[Diagnostic]
) -> OnPremDnsZone:
    records = []
    for record in zone.records:
        try:
            if record.cname:
                records.append(
                    RecordSet(
                        record.name, RecordType.CNAME, record.ttl, cname=DnsName(record.cname)
                    )
                )
            else:
                records.append(
                    RecordSet(
                        record.name,
                        RecordType.A,
                        record.ttl,
                        a_records=tuple(parse_address(a) for a in record.a),
                    )
                )
        except ValueError as exc:
            diagnostics.append(Diagnostic(dx.SCHEMA, Severity.ERROR, str(exc), location))
    return OnPremDnsZone(DnsName(zone.zone), tuple(records), location)
