"""Helpers for DNS tests: small environments from blueprint text, and model surgery."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from heiki.analyses.dns import Resolution, Resolver
from heiki.analyses.vantage import find_vantage
from heiki.catalog import load_catalog
from heiki.model.environment import Environment
from heiki.sources import load, load_blueprint
from heiki.sources.yamlread import parse_yaml

CATALOG = load_catalog()


def env_of(text: str) -> Environment:
    return load_blueprint(parse_yaml(text, "test.yaml")).environment


def design(name: str) -> Environment:
    return load(name).environment


def ask(env: Environment, vantage: str, name: str) -> Resolution:
    return Resolver(env, CATALOG).resolve(find_vantage(env, vantage), name)


def api_name(env: Environment, index: int = 0) -> str:
    ws = env.workspaces[index]
    return f"{ws.workspace_id}.workspace.{ws.location}.api.azureml.ms"


def pe_ip(env: Environment, group: str, member_index: int = 0, target: str | None = None) -> Any:
    for pe in env.private_endpoints:
        if group in pe.group_ids and (target is None or pe.private_link_service.name == target):
            return pe.ip_configurations[member_index].private_ip_address
    raise AssertionError(f"no private endpoint for {group}")


def replace_in(env: Environment, field: str, match: Any, **changes: Any) -> Environment:
    """Replace the item of ``env.<field>`` for which ``match(item)`` holds."""
    items = tuple(replace(i, **changes) if match(i) else i for i in getattr(env, field))
    return replace(env, **{field: items})


def with_internet_fallback(env: Environment) -> Environment:
    """Every private zone link falls back to public DNS (``resolutionPolicy: NxDomainRedirect``)."""
    from heiki.model.dns import ResolutionPolicy

    return replace(
        env,
        private_dns_zones=tuple(
            replace(
                zone,
                virtual_network_links=tuple(
                    replace(link, resolution_policy=ResolutionPolicy.NXDOMAIN_REDIRECT)
                    for link in zone.virtual_network_links
                ),
            )
            for zone in env.private_dns_zones
        ),
    )


def details(resolution: Resolution) -> str:
    return "\n".join(str(s) for s in resolution.steps)


HUB_SPOKE = """\
name: t
location: japaneast
onprem:
  address_space: [192.168.0.0/16]
  dns:
    servers: [192.168.0.53]
    forward_to: {forward_to}
    a_records: {a_records}
    zones:
      - zone: corp.example.com
        records:
          - {{name: db, a: [192.168.20.10]}}
          - {{name: alias, cname: db.corp.example.com}}
hub:
  address_space: 10.0.0.0/16
  gateway: vpn
  firewall: {firewall}
  dns: {dns}
spokes:
  ml:
    address_space: 10.1.0.0/16
    egress: [azure-ml, pypi]
    workspace:
      name: mlw-t
      compute:
        instances: [ci-one]
    lake: {{name: stlaket}}
"""


def hub_spoke(
    dns: str = "private-resolver",
    firewall: str = "{sku: standard}",
    forward_to: str = "hub",
    a_records: str = "false",
) -> Environment:
    return env_of(
        HUB_SPOKE.format(dns=dns, firewall=firewall, forward_to=forward_to, a_records=a_records)
    )
