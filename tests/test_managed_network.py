"""Compute in a workspace's managed VNet: isolation modes and outbound rules decide egress."""

from __future__ import annotations

from dnshelp import env_of
from heiki.analyses.trace import Verdict
from heiki.analyses.vantage import VantageKind, list_vantages
from heiki.catalog import load_catalog
from heiki.model.ml import IsolationMode, OutboundRuleType
from nethelp import trace

MANAGED = """\
name: managed
location: japaneast
onprem:
  address_space: [192.168.0.0/16]
  dns: {{servers: [192.168.0.53]}}
hub:
  address_space: 10.0.0.0/16
  gateway: vpn
  firewall: {{sku: standard}}
spokes:
  ml:
    address_space: 10.1.0.0/16
    egress: [azure-ml, pypi]
    workspace:
      name: mlw-managed
      managed_network: {{isolation_mode: {mode}}}
      compute:
        instances: [ci-one]
        clusters: [{{name: cc-one}}]
"""


def managed(mode: str):  # type: ignore[no-untyped-def]
    return env_of(MANAGED.format(mode=mode))


def test_managed_compute_has_no_customer_subnet_and_its_own_vantage() -> None:
    env = managed("allow_only_approved_outbound")
    assert all(c.subnet is None for c in env.computes)
    kinds = {v.name: v.kind for v in list_vantages(env)}
    assert kinds["ci-one"] is VantageKind.MANAGED
    network = env.workspaces[0].managed_network
    assert network.isolation_mode is IsolationMode.ALLOW_ONLY_APPROVED_OUTBOUND
    assert {r.rule_type for r in network.outbound_rules} == {
        OutboundRuleType.FQDN,
        OutboundRuleType.SERVICE_TAG,
    }


def test_approved_outbound_allows_only_the_rules() -> None:
    env = managed("allow_only_approved_outbound")
    assert trace(env, "ci-one", "pypi.org").verdict is Verdict.DELIVERED
    assert trace(env, "ci-one", "huggingface.co").verdict is Verdict.DROPPED
    assert trace(env, "ci-one", "any-internet").verdict is Verdict.DROPPED
    required = trace(env, "ci-one", "tag:AzureMachineLearning")
    assert required.verdict is Verdict.DELIVERED and "required outbound rule" in required.reason


def test_workspace_dependencies_through_managed_private_endpoints() -> None:
    env = managed("allow_only_approved_outbound")
    storage = env.workspaces[0].storage_account.name
    result = trace(env, "ci-one", f"{storage}.blob.core.windows.net")
    assert result.verdict is Verdict.DELIVERED and "managed private endpoint" in result.reason


def test_managed_vnet_does_not_reach_customer_networks() -> None:
    env = managed("allow_only_approved_outbound")
    result = trace(env, "ci-one", "192.168.20.10", 1433)
    assert result.verdict is Verdict.DROPPED and "no route from the managed VNet" in result.reason


def test_internet_outbound_mode_allows_everything_public() -> None:
    env = managed("allow_internet_outbound")
    assert trace(env, "cc-one", "any-internet").verdict is Verdict.DELIVERED
    assert trace(env, "cc-one", "huggingface.co").verdict is Verdict.DELIVERED


def test_managed_modes_in_the_findings() -> None:
    from dnshelp import CATALOG
    from heiki.rules.engine import run_rules

    approved = run_rules(managed("allow_only_approved_outbound"), CATALOG, select=["EXF"])
    assert approved == ()
    internet = {
        f.rule_id for f in run_rules(managed("allow_internet_outbound"), CATALOG, select=["EXF"])
    }
    assert "EXF003" in internet


def test_aml009_passes_the_managed_designs_and_fails_their_misuse() -> None:
    from dataclasses import replace

    from heiki.catalog import load_catalog
    from heiki.model.ml import ManagedNetwork
    from heiki.rules.engine import run_rules

    catalog = load_catalog()
    for mode in ("allow_internet_outbound", "allow_only_approved_outbound"):
        assert run_rules(managed(mode), catalog, select=["AML009"]) == ()
    approved = managed("allow_only_approved_outbound")
    workspace = approved.workspaces[0]
    # FQDN and service-tag rules under AllowInternetOutbound are rejected
    internet = ManagedNetwork(
        IsolationMode.ALLOW_INTERNET_OUTBOUND, workspace.managed_network.outbound_rules
    )
    misused = replace(approved, workspaces=(replace(workspace, managed_network=internet),))
    messages = [f.message for f in run_rules(misused, catalog, select=["AML009"])]
    assert messages and all("AllowInternetOutbound does not accept" in m for m in messages)
    # a compute that names a customer subnet in a managed-network workspace is refused
    subnet = next(s for v in approved.virtual_networks for s in v.subnets)
    placed = replace(
        approved,
        computes=tuple(replace(c, subnet=subnet.id) for c in approved.computes),
    )
    messages = [f.message for f in run_rules(placed, catalog, select=["AML009"])]
    assert any("has a managed network" in m for m in messages)


NO_COMPUTE = """\
name: managed-no-compute
location: japaneast
hub:
  address_space: 10.0.0.0/16
  firewall: {{sku: standard}}
spokes:
  ml:
    address_space: 10.1.0.0/16
    workspace:
      name: mlw-managed
      managed_network: {{isolation_mode: {mode}}}
"""


def test_allow_internet_outbound_fails_closure_without_any_compute() -> None:
    """The setting is the verdict: every future compute and serverless job gets the internet."""
    from heiki.analyses.closure import CheckStatus
    from heiki.reports.record import check_environment

    catalog = load_catalog()
    env = env_of(NO_COMPUTE.format(mode="allow_internet_outbound"))
    assert not env.computes
    result = check_environment(env, catalog)
    check = result.closure.get("egress through an inspecting firewall")
    assert check.status is CheckStatus.FAIL and "AllowInternetOutbound" in check.summary
    assert not result.closure.closed
    (finding,) = [f for f in result.findings if f.rule_id == "AML010"]
    assert "mlw-managed" in finding.message


def test_approved_outbound_without_compute_is_not_judged_closed_by_accident() -> None:
    from heiki.analyses.closure import CheckStatus
    from heiki.reports.record import check_environment

    env = env_of(NO_COMPUTE.format(mode="allow_only_approved_outbound"))
    result = check_environment(env, load_catalog())
    check = result.closure.get("egress through an inspecting firewall")
    assert check.status is CheckStatus.NOT_APPLICABLE
    assert not [f for f in result.findings if f.rule_id == "AML010"]


def test_workspace_dependencies_count_as_reached_through_managed_endpoints() -> None:
    """Inside a managed VNet Azure's managed DNS answers a dependency's name with the managed
    private endpoint's address, not the customer endpoint's: a delivered flow through the
    managed endpoint makes the capability ready (it used to be judged "resolves elsewhere")."""
    from heiki.analyses.readiness import Status
    from heiki.rules.context import RuleContext

    ctx = RuleContext(managed("allow_only_approved_outbound"), load_catalog())
    for name in ("tuning compute",):
        capability = ctx.readiness.get(name)
        assert capability.status is Status.READY, (name, capability.evidence)
