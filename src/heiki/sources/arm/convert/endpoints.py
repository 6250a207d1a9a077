"""Private endpoints with their connections, static IP configurations and DNS zone groups."""

from __future__ import annotations

from heiki.model.endpoints import (
    ConnectionState,
    PrivateDnsZoneConfig,
    PrivateDnsZoneGroup,
    PrivateEndpoint,
    PrivateEndpointIpConfiguration,
)
from heiki.model.values import parse_address
from heiki.sources.arm.convert.context import ConvertContext, located
from heiki.sources.arm.convert.reader import Props


def _zone_group(name: str, props: Props) -> PrivateDnsZoneGroup:
    configs = tuple(
        PrivateDnsZoneConfig(item.text("name"), zone)
        for item in props.subs("privateDnsZoneConfigs")
        if (zone := item.sub("properties").rid("privateDnsZoneId")) is not None
    )
    return PrivateDnsZoneGroup(name, configs, props.where)


def private_endpoints(ctx: ConvertContext) -> list[PrivateEndpoint]:
    result = []
    for endpoint in ctx.of_type("Microsoft.Network/privateEndpoints"):
        props = ctx.props(endpoint)
        subnet = props.rid("subnet")
        manual = list(props.subs("manualPrivateLinkServiceConnections"))
        connections = list(props.subs("privateLinkServiceConnections")) or manual
        if subnet is None or not connections:
            continue
        connection = connections[0].sub("properties")
        target = connection.rid("privateLinkServiceId")
        if target is None:
            continue
        state_text = connection.sub("privateLinkServiceConnectionState").text("status")
        state = next(
            (s for s in ConnectionState if s.value.lower() == state_text.lower()),
            ConnectionState.PENDING if manual else ConnectionState.APPROVED,
        )
        ip_configurations = []
        for item in props.subs("ipConfigurations"):
            config = item.sub("properties")
            try:
                address = parse_address(config.text("privateIPAddress"))
            except ValueError:
                continue
            ip_configurations.append(
                PrivateEndpointIpConfiguration(
                    item.text("name"), config.text("groupId"), config.text("memberName"), address
                )
            )
        groups = {
            child.short_name.lower(): _zone_group(child.short_name, ctx.props(child))
            for child in ctx.children(endpoint, "privateDnsZoneGroups")
        }
        result.append(
            PrivateEndpoint(
                **located(endpoint),
                subnet=subnet,
                private_link_service=target,
                group_ids=connection.strings("groupIds"),
                connection_state=state,
                manual_approval=bool(manual),
                ip_configurations=tuple(ip_configurations),
                dns_zone_groups=tuple(groups.values()),
                application_security_groups=props.rids("applicationSecurityGroups"),
                custom_network_interface_name=props.text("customNetworkInterfaceName"),
            )
        )
    return result
