"""Private endpoints of AI Services / Azure OpenAI accounts and AI Search services: the names their
clients use resolve to the endpoint through the zones of the catalog (decision ai-services-zones),
under the account's custom subdomain; a zone the zone group leaves out leaves its name public."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dnshelp import CATALOG
from heiki.analyses.dns import Resolver
from heiki.analyses.dns.types import Outcome
from heiki.analyses.vantage import find_vantage
from heiki.catalog.names import endpoint_records
from heiki.model.environment import Environment
from heiki.model.values import DnsName
from heiki.sources import load
from test_coverage import NET, ml_template, resource, rid, run, write

PE_SUBNET = rid(f"{NET}/virtualNetworks/subnets", "vnet-ai", "snet-pe")


def _zone(name: str) -> list[Any]:
    return [
        resource(f"{NET}/privateDnsZones", name, {}, location="global"),
        resource(
            f"{NET}/privateDnsZones/virtualNetworkLinks",
            f"{name}/link-ai",
            {
                "virtualNetwork": {"id": rid(f"{NET}/virtualNetworks", "vnet-ai")},
                "registrationEnabled": False,
            },
            location="global",
        ),
    ]


def _endpoint(name: str, target: str, group: str, zones: list[str]) -> list[Any]:
    endpoint = resource(
        f"{NET}/privateEndpoints",
        name,
        {
            "subnet": {"id": PE_SUBNET},
            "privateLinkServiceConnections": [
                {"name": name, "properties": {"privateLinkServiceId": target, "groupIds": [group]}}
            ],
        },
    )
    group_resource = resource(
        f"{NET}/privateEndpoints/privateDnsZoneGroups",
        f"{name}/default",
        {
            "privateDnsZoneConfigs": [
                {
                    "name": zone.replace(".", "-"),
                    "properties": {"privateDnsZoneId": rid(f"{NET}/privateDnsZones", zone)},
                }
                for zone in zones
            ]
        },
    )
    return [endpoint, group_resource]


def _template(*extra: Any) -> dict[str, Any]:
    return {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "resources": [
            resource(
                f"{NET}/virtualNetworks",
                "vnet-ai",
                {
                    "addressSpace": {"addressPrefixes": ["10.30.0.0/16"]},
                    "subnets": [
                        {"name": "snet-app", "properties": {"addressPrefix": "10.30.1.0/24"}},
                        {"name": "snet-pe", "properties": {"addressPrefix": "10.30.2.0/24"}},
                    ],
                },
            ),
            resource(
                f"{NET}/networkInterfaces",
                "nic-app",
                {
                    "ipConfigurations": [
                        {
                            "name": "ipconfig1",
                            "properties": {
                                "subnet": {
                                    "id": rid(
                                        f"{NET}/virtualNetworks/subnets", "vnet-ai", "snet-app"
                                    )
                                },
                                "privateIPAllocationMethod": "Dynamic",
                            },
                        }
                    ]
                },
            ),
            resource(
                "Microsoft.Compute/virtualMachines",
                "vm-app",
                {
                    "networkProfile": {
                        "networkInterfaces": [{"id": rid(f"{NET}/networkInterfaces", "nic-app")}]
                    }
                },
            ),
            *extra,
        ],
    }


def _account(name: str, kind: str, subdomain: str | None) -> Any:
    properties: dict[str, Any] = {"publicNetworkAccess": "Disabled", "disableLocalAuth": True}
    if subdomain is not None:
        properties["customSubDomainName"] = subdomain
    return resource("Microsoft.CognitiveServices/accounts", name, properties, kind=kind)


ACCOUNT = rid("Microsoft.CognitiveServices/accounts", "ais-genai")
SEARCH = rid("Microsoft.Search/searchServices", "srch-genai")
ZONES = [
    "privatelink.cognitiveservices.azure.com",
    "privatelink.openai.azure.com",
    "privatelink.services.ai.azure.com",
]


def _load(tmp_path: Path, *extra: Any) -> Environment:
    return load([write(tmp_path, _template(*extra))]).environment


def _ask(env: Environment, name: str) -> Any:
    return Resolver(env, CATALOG).resolve(find_vantage(env, "ai/app"), DnsName(name))


def _pe_ip(env: Environment) -> Any:
    env = Resolver(env, CATALOG).world.env  # with the IPs Azure would allocate
    (endpoint,) = [e for e in env.private_endpoints if e.private_link_service.name == "ais-genai"]
    return endpoint.ip_configurations[0].private_ip_address if endpoint.ip_configurations else None


def test_an_ai_services_account_answers_privately_on_all_three_names(tmp_path: Path) -> None:
    env = _load(
        tmp_path,
        _account("ais-genai", "AIServices", "contoso-genai"),
        *_endpoint("pe-ais", ACCOUNT, "account", ZONES),
        *(part for zone in ZONES for part in _zone(zone)),
    )
    records = [r for e in env.private_endpoints for r in endpoint_records(CATALOG, env, e)]
    assert {str(r.public) for r in records} == {
        "contoso-genai.cognitiveservices.azure.com",
        "contoso-genai.openai.azure.com",
        "contoso-genai.services.ai.azure.com",
    }
    for name in (r.public for r in records):
        answer = _ask(env, str(name))
        assert answer.outcome is Outcome.PRIVATE, (name, answer)


def test_a_zone_group_without_services_ai_leaves_that_name_public(tmp_path: Path) -> None:
    document = _template(
        _account("ais-genai", "AIServices", "contoso-genai"),
        *_endpoint("pe-ais", ACCOUNT, "account", ZONES[:2]),
        *(part for zone in ZONES[:2] for part in _zone(zone)),
    )
    env = load([write(tmp_path, document)]).environment
    assert _ask(env, "contoso-genai.openai.azure.com").outcome is Outcome.PRIVATE
    public = _ask(env, "contoso-genai.services.ai.azure.com")
    assert public.outcome is Outcome.PUBLIC
    code, stdout, output = run("check", str(tmp_path / "main.json"), "--format", "json")
    assert code == 1, output
    record = json.loads(stdout)
    failing = [c for c in record["dns"]["cells"] if not c["ok"]]
    assert [c["name"] for c in failing] == ["contoso-genai.services.ai.azure.com"]
    messages = " ".join(f["message"] for f in record["findings"])
    assert "contoso-genai.services.ai.azure.com" in messages


def test_an_openai_account_needs_its_openai_zone_only(tmp_path: Path) -> None:
    env = _load(
        tmp_path,
        _account("ais-genai", "OpenAI", "contoso-aoai"),
        *_endpoint("pe-aoai", ACCOUNT, "account", ["privatelink.openai.azure.com"]),
        *_zone("privatelink.openai.azure.com"),
    )
    records = [r for e in env.private_endpoints for r in endpoint_records(CATALOG, env, e)]
    assert [str(r.public) for r in records] == ["contoso-aoai.openai.azure.com"]
    answer = _ask(env, "contoso-aoai.openai.azure.com")
    assert answer.outcome is Outcome.PRIVATE and _pe_ip(env) in answer.addresses


def test_without_a_custom_subdomain_the_name_is_the_host(tmp_path: Path) -> None:
    env = _load(
        tmp_path,
        _account("ais-genai", "TextAnalytics", None),
        *_endpoint("pe-lang", ACCOUNT, "account", ZONES[:1]),
        *_zone(ZONES[0]),
    )
    records = [r for e in env.private_endpoints for r in endpoint_records(CATALOG, env, e)]
    assert [str(r.public) for r in records] == ["ais-genai.cognitiveservices.azure.com"]
    assert _ask(env, "ais-genai.cognitiveservices.azure.com").outcome is Outcome.PRIVATE


def test_an_ai_search_service_answers_privately(tmp_path: Path) -> None:
    env = _load(
        tmp_path,
        resource(
            "Microsoft.Search/searchServices", "srch-genai", {"publicNetworkAccess": "disabled"}
        ),
        *_endpoint("pe-srch", SEARCH, "searchService", ["privatelink.search.windows.net"]),
        *_zone("privatelink.search.windows.net"),
    )
    answer = _ask(env, "srch-genai.search.windows.net")
    assert answer.outcome is Outcome.PRIVATE


def test_on_premises_forwarders_cover_the_ai_zones() -> None:
    zones = {
        zone
        for service in CATALOG.private_link
        if service.resource_type
        in ("Microsoft.CognitiveServices/accounts", "Microsoft.Search/searchServices")
        for zone in service.public_forwarder_zones
    }
    assert zones == {
        "cognitiveservices.azure.com",
        "openai.azure.com",
        "services.ai.azure.com",
        "search.windows.net",
    }


# -- readiness: foundation models -------------------------------------------------------------


def _ml_with_account(zones: list[str]) -> dict[str, Any]:
    target = rid("Microsoft.CognitiveServices/accounts", "ais-genai")
    subnet = rid(f"{NET}/virtualNetworks/subnets", "vnet-ml", "snet-pe")
    endpoint, group = _endpoint("pe-ais", target, "account", zones)
    endpoint["properties"]["subnet"]["id"] = subnet
    parts = [
        _account("ais-genai", "AIServices", "contoso-genai"),
        endpoint,
        group,
    ]
    for zone in zones:
        made = _zone(zone)
        made[1]["properties"]["virtualNetwork"]["id"] = rid(f"{NET}/virtualNetworks", "vnet-ml")
        parts += made
    return ml_template(*parts)


def _foundation(tmp_path: Path, zones: list[str]) -> Any:
    _, stdout, _ = run("check", write(tmp_path, _ml_with_account(zones)), "--format", "json")
    record = json.loads(stdout)
    return next(c for c in record["readiness"] if c["capability"] == "foundation models")


def test_compute_calls_the_foundation_models_through_the_private_endpoint(tmp_path: Path) -> None:
    capability = _foundation(tmp_path, ZONES)
    assert capability["status"] == "ready", capability
    assert capability["via"] == "private endpoints"
    assert capability["loop"] == "inner"


def test_without_the_openai_zone_the_foundation_models_are_not_ready(tmp_path: Path) -> None:
    capability = _foundation(tmp_path, [ZONES[0], ZONES[2]])
    assert capability["status"] == "not-ready", capability
    assert "contoso-genai.openai.azure.com" in capability["summary"]
    assert any("public network access" in e or "refuses" in e for e in capability["evidence"])


def test_no_account_no_verdict_on_foundation_models() -> None:
    _, stdout, _ = run("check", "closed-aml", "--format", "json")
    record = json.loads(stdout)
    capability = next(c for c in record["readiness"] if c["capability"] == "foundation models")
    assert capability["status"] == "not-applicable"
    assert capability["summary"] == "no Azure OpenAI or AI Services account"
