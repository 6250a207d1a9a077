"""Compute in a customer VNet needs Azure Batch's storage; a storage service endpoint scoped by a
service endpoint policy reaches it without becoming an exfiltration path, an unscoped storage tag
or service endpoint stays one (EXF001 / NSG002)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from heiki.analyses.readiness import Status
from heiki.analyses.trace import Tracer, Verdict
from heiki.analyses.vantage import find_vantage
from heiki.catalog import load_catalog
from heiki.reports.record import check_environment
from heiki.sources import load
from test_coverage import NET, ml_template, outbound_allow, resource, rid, write

CATALOG = load_catalog()
BATCH = "heiki-batch.blob.core.windows.net"


def _compute_subnet(document: dict[str, Any]) -> dict[str, Any]:
    return document["resources"][0]["properties"]["subnets"][0]["properties"]


def _storage_tag_nsg(document: dict[str, Any]) -> None:
    """An NSG on the compute subnet that allows the regional Storage tag out (what the Batch
    requirement is often met with)."""
    rule = outbound_allow("allow-storage", "Storage.japaneast")
    document["resources"].append(
        resource(f"{NET}/networkSecurityGroups", "nsg-compute", {"securityRules": [rule]})
    )
    _compute_subnet(document)["networkSecurityGroup"] = {
        "id": rid(f"{NET}/networkSecurityGroups", "nsg-compute")
    }


def _scoped(policy: bool) -> dict[str, Any]:
    """A private compute subnet (no internet) with a storage service endpoint, scoped by a
    policy that lists the workspace's account and Azure ML's alias, or not scoped at all."""
    document = copy.deepcopy(ml_template())
    subnet = _compute_subnet(document)
    subnet["defaultOutboundAccess"] = False
    subnet["serviceEndpoints"] = [{"service": "Microsoft.Storage"}]
    _storage_tag_nsg(document)
    if policy:
        document["resources"].append(
            resource(
                f"{NET}/serviceEndpointPolicies",
                "sep-ml",
                {
                    "serviceEndpointPolicyDefinitions": [
                        {
                            "name": "ml",
                            "properties": {
                                "service": "Microsoft.Storage",
                                "serviceResources": [
                                    rid("Microsoft.Storage/storageAccounts", "stml"),
                                    "/services/Azure/MachineLearning",
                                ],
                            },
                        }
                    ]
                },
            )
        )
        subnet["serviceEndpointPolicies"] = [
            {"id": rid(f"{NET}/serviceEndpointPolicies", "sep-ml")}
        ]
    return document


def _load(tmp_path: Path, document: dict[str, Any]) -> Any:
    return load([write(tmp_path, document)]).environment


def _trace(env: Any, destination: str) -> Any:
    return Tracer(env, CATALOG).trace(find_vantage(env, "vnet-ml/snet-compute"), destination, 443)


def test_the_policy_admits_batch_storage_and_refuses_any_other_account(tmp_path: Path) -> None:
    env = _load(tmp_path, _scoped(policy=True))
    (policy,) = env.service_endpoint_policies
    assert policy.definitions[0].service_resources[-1] == "/services/Azure/MachineLearning"
    batch = _trace(env, BATCH)
    assert (
        batch.verdict is Verdict.DELIVERED and batch.egress == "service endpoint scoped by sep-ml"
    )
    foreign = _trace(env, "foreign-storage")
    assert foreign.verdict is Verdict.DROPPED
    assert "service endpoint policy sep-ml does not allow" in foreign.reason
    result = check_environment(env, CATALOG)
    rules = {f.rule_id for f in result.findings}
    assert not {"EXF001", "EXF002", "NSG002"} & rules
    assert result.closure.get("no path to foreign storage").status.value == "pass"


def test_without_the_policy_the_service_endpoint_is_an_exfiltration_path(tmp_path: Path) -> None:
    env = _load(tmp_path, _scoped(policy=False))
    assert _trace(env, "foreign-storage").verdict is Verdict.DELIVERED
    rules = {f.rule_id for f in check_environment(env, CATALOG).findings}
    assert {"EXF001", "NSG002"} <= rules


def test_a_cluster_without_a_way_to_batch_storage_is_not_ready(tmp_path: Path) -> None:
    document = copy.deepcopy(ml_template())
    _compute_subnet(document)["defaultOutboundAccess"] = False  # private, no exit at all
    tuning = check_environment(_load(tmp_path, document), CATALOG).readiness.get("tuning compute")
    assert tuning.status is Status.NOT_READY
    assert any(BATCH in line for line in tuning.evidence)


def test_closed_aml_reaches_batch_storage_by_a_scoped_service_endpoint() -> None:
    env = load("closed-aml").environment
    (policy,) = env.service_endpoint_policies
    subnets = {
        s.name: s for v in env.virtual_networks for s in v.subnets if s.service_endpoint_policies
    }
    assert set(subnets) == {"snet-compute", "snet-cluster"}
    assert subnets["snet-compute"].service_endpoints == ("Microsoft.Storage",)
    resources = policy.definitions[0].service_resources
    assert resources[-1] == "/services/Azure/MachineLearning"
    assert any("/storageAccounts/" in r for r in resources)
    result = check_environment(env, CATALOG)
    assert result.readiness.get("tuning compute").status is Status.READY
    assert result.closure.closed


def test_the_option_none_adds_nothing() -> None:
    from dnshelp import env_of

    env = env_of(
        """\
name: no-batch
location: japaneast
hub: {address_space: 10.0.0.0/16, firewall: {sku: standard}}
spokes:
  ml:
    address_space: 10.1.0.0/16
    batch_storage: none
    workspace: {name: mlw, compute: {clusters: [{name: cc}]}}
"""
    )
    assert not env.service_endpoint_policies
