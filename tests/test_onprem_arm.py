"""``--onprem`` with any input: ``forward_to: hub`` and ``a_records: true`` work for a template as
for a blueprint, finding the hub's DNS endpoint in the imported environment or saying why not."""

from __future__ import annotations

import json
from pathlib import Path

from heiki.model.values import DnsName
from heiki.sources import load

FIXTURES = Path(__file__).parent / "fixtures" / "arm"
TEMPLATE = FIXTURES / "hub-spoke.json"
FIXED = FIXTURES / "hub-spoke.fixed.parameters.json"

HUB_ONPREM = """\
onprem:
  address_space: [192.168.0.0/16]
  clients: [{name: office, prefix: 192.168.10.0/24}]
  dns:
    servers: [192.168.0.53]
    forward_to: hub
    zones:
      - zone: corp.example.com
        records: [{name: db, a: [192.168.20.10]}]
"""


def _onprem(tmp_path: Path, text: str) -> str:
    path = tmp_path / "onprem.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def _forwarders(env: object) -> dict[str, list[str]]:
    onprem = env.on_premises  # type: ignore[attr-defined]
    server = onprem.dns_servers[0]
    return {str(f.zone): [str(t) for t in f.targets] for f in server.conditional_forwarders}


def test_forward_to_hub_finds_the_resolver_of_the_template(tmp_path: Path) -> None:
    result = load([str(TEMPLATE)], onprem=_onprem(tmp_path, HUB_ONPREM), parameters=[str(FIXED)])
    forwarders = _forwarders(result.environment)
    assert forwarders["api.azureml.ms"] == ["10.0.1.4"]
    assert forwarders["blob.core.windows.net"] == ["10.0.1.4"]
    # the same verdict as the hand-written forwarders of the fixture's own on-premises file
    explicit = load(
        [str(TEMPLATE)], onprem=str(FIXTURES / "onprem.yaml"), parameters=[str(FIXED)]
    ).environment
    assert set(_forwarders(explicit)) <= set(forwarders)
    gateway = result.environment.on_premises.connection  # type: ignore[union-attr]
    assert gateway is not None and gateway.gateway is not None


def test_a_dynamic_inbound_endpoint_gets_the_first_address_of_its_subnet(tmp_path: Path) -> None:
    document = json.loads(TEMPLATE.read_text(encoding="utf-8"))
    for resource in document["resources"]:
        if resource["type"] == "Microsoft.Network/dnsResolvers/inboundEndpoints":
            config = resource["properties"]["ipConfigurations"][0]
            config["privateIpAllocationMethod"] = "Dynamic"
            del config["privateIpAddress"]
    path = tmp_path / "dynamic.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    env = load([str(path)], onprem=_onprem(tmp_path, HUB_ONPREM), parameters=[str(FIXED)])
    (resolver,) = env.environment.dns_resolvers
    (inbound,) = resolver.inbound_endpoints
    assert str(inbound.private_ip_address) == "10.0.1.4"
    assert inbound.tag("heiki-assumed") == "private_ip_address"
    assert _forwarders(env.environment)["api.azureml.ms"] == ["10.0.1.4"]


def test_without_a_hub_dns_endpoint_a_warning_says_why(tmp_path: Path) -> None:
    document = json.loads(TEMPLATE.read_text(encoding="utf-8"))
    # no resolver, and a firewall policy without the DNS proxy
    document["resources"] = [
        r
        for r in document["resources"]
        if "dnsResolvers" not in r["type"] and "dnsForwardingRulesets" not in r["type"]
    ]
    for resource in document["resources"]:
        resource.get("properties", {}).pop("dnsSettings", None)
    path = tmp_path / "no-resolver.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    result = load([str(path)], onprem=_onprem(tmp_path, HUB_ONPREM), parameters=[str(FIXED)])
    (warning,) = [
        d for d in result.diagnostics if "no DNS endpoint on-premises can reach" in d.message
    ]
    assert warning.severity.value == "warning"
    assert warning.location is not None and warning.location.line == 6  # forward_to
    assert _forwarders(result.environment) == {}


def test_a_records_are_written_for_the_private_names_of_a_template(tmp_path: Path) -> None:
    text = HUB_ONPREM.replace("forward_to: hub", "forward_to: none\n    a_records: true")
    env = load([str(TEMPLATE)], onprem=_onprem(tmp_path, text), parameters=[str(FIXED)])
    zones = {str(z.zone) for z in env.environment.on_premises.dns_servers[0].zones}  # type: ignore[union-attr]
    workspace = env.environment.workspaces[0]
    assert str(DnsName(f"{workspace.workspace_id}.workspace.japaneast.api.azureml.ms")) in zones
    assert any(zone.endswith(".blob.core.windows.net") for zone in zones)
