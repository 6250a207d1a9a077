"""Readiness of the three loops, closure and toil: the talk's six stories, mirrors, and the
verdict rules (RDY, CLS, TOIL) with a named failing and passing case each."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import pytest

from dnshelp import CATALOG, design, env_of, replace_in
from heiki.analyses.closure import CheckStatus, Closure
from heiki.analyses.readiness import Loop, Readiness, Status
from heiki.analyses.toil import Toil
from heiki.designs import design_file
from heiki.model.environment import Environment
from heiki.rules.context import RuleContext
from heiki.rules.engine import run_rules
from heiki.rules.registry import all_rules

VERDICT_PREFIXES = ("RDY", "CLS", "TOIL")


@cache
def context(name: str) -> RuleContext:
    return RuleContext(design(name), CATALOG)


def readiness(name: str) -> Readiness:
    return context(name).readiness


def closure(name: str) -> Closure:
    return context(name).closure


def toil(name: str) -> Toil:
    return context(name).toil


def status(name: str, capability: str) -> Status:
    return readiness(name).get(capability).status


def design_text(name: str, old: str, new: str) -> Environment:
    resource = design_file(name)
    assert resource is not None
    text = resource.read_text(encoding="utf-8")
    assert old in text
    return env_of(text.replace(old, new))


# --- the six stories --------------------------------------------------------------------------


def test_closed_aml_is_ready_closed_and_without_toil() -> None:
    ready = readiness("closed-aml")
    assert all(ready.loop_status(loop) is Status.READY for loop in Loop)
    assert {c.name for c in ready.capabilities if c.status is Status.NOT_APPLICABLE} == {
        "promotion",
        "foundation models",  # no Azure OpenAI or AI Services account in the reference design
        "serving",  # no online endpoint
    }
    assert closure("closed-aml").closed
    assert toil("closed-aml").total == 0
    assert [e.manual_changes for e in toil("closed-aml").events] == [0] * 7


def test_nsg_only_blocks_the_inner_loop_and_is_open() -> None:
    for capability in ("packages", "pretrained models", "source code"):
        assert status("nsg-only", capability) is Status.NOT_READY
    packages = readiness("nsg-only").get("packages")
    assert "pypi.org" in packages.summary and "files.pythonhosted.org" in packages.summary
    assert any("dropped" in line or "deny" in line.lower() for line in packages.evidence)
    shut = closure("nsg-only")
    assert not shut.closed
    assert shut.get("no path to foreign storage").status is CheckStatus.FAIL
    assert shut.get("egress through an inspecting firewall").status is CheckStatus.FAIL


def test_locked_down_is_closed_but_packages_need_approval_and_transfer() -> None:
    assert closure("locked-down").closed
    assert status("locked-down", "packages") is Status.NOT_READY
    event = next(e for e in toil("locked-down").events if e.event == "new Python package")
    assert event.manual_changes == 2
    assert set(event.who) == {"security team", "a person copying data"}


def test_a_record_dns_costs_one_change_per_instance_and_endpoint() -> None:
    events = {e.event: e for e in toil("a-record-dns").events}
    for name in (
        "new compute instance",
        "delete compute instance",
        "new private endpoint (storage account)",
        "new spoke (workspace)",
    ):
        assert events[name].manual_changes == 1
        assert events[name].who == ("on-premises DNS team",)
    assert status("a-record-dns", "compute for people") is Status.NOT_READY


def test_manual_upload_has_no_automated_data_path() -> None:
    data = readiness("manual-upload").get("data")
    assert data.status is Status.NOT_READY and "sales-db" in data.summary
    event = next(e for e in toil("manual-upload").events if "dataset" in e.event)
    assert event.who == ("a person copying data",)
    assert closure("manual-upload").get("no public inbound").status is CheckStatus.FAIL


def test_dev_prod_keeps_prod_closed_and_promotion_ready() -> None:
    assert all(readiness("dev-prod").loop_status(loop) is Status.READY for loop in Loop)
    assert status("dev-prod", "promotion") is Status.READY
    assert closure("dev-prod").get("prod without internet").status is CheckStatus.PASS
    assert closure("dev-prod").closed


# --- alternatives and edge cases --------------------------------------------------------------


def test_a_package_mirror_makes_packages_ready_without_the_internet() -> None:
    env = design_text(
        "locked-down",
        "    egress: [azure-ml, mcr]\n",
        "    egress: [azure-ml, mcr]\n    vms: [{name: vm-nexus, role: package-mirror}]\n",
    )
    ctx = RuleContext(env, CATALOG)
    packages = ctx.readiness.get("packages")
    assert packages.status is Status.READY and packages.via == "package mirror vm-nexus"
    # the mirror cannot reach pypi either: every new package is copied into it by hand
    assert "cannot reach an upstream" in packages.manual
    event = next(e for e in ctx.toil.events if e.event == "new Python package")
    assert event.manual_changes == 1 and event.who == ("a person copying data",)
    assert ctx.closure.closed


def test_a_proxying_mirror_in_its_own_spoke_needs_no_manual_work() -> None:
    """The Nexus-in-a-tools-spoke pattern: compute has no internet, the mirror reaches pypi."""
    resource = design_file("locked-down")
    assert resource is not None
    text = resource.read_text(encoding="utf-8").rstrip() + (
        "\n  tools:\n    address_space: 10.5.0.0/16\n    egress: [pypi]\n"
        "    vms: [{name: vm-nexus, role: package-mirror}]\n"
    )
    ctx = RuleContext(env_of(text), CATALOG)
    packages = ctx.readiness.get("packages")
    assert packages.status is Status.READY and packages.via == "package mirror vm-nexus"
    assert packages.manual == ""
    event = next(e for e in ctx.toil.events if e.event == "new Python package")
    assert event.manual_changes == 0
    assert ctx.closure.closed


def test_prod_with_package_egress_is_not_closed() -> None:
    env = design_text(
        "dev-prod",
        "    stage: prod\n    egress: [azure-ml, mcr]\n",
        "    stage: prod\n    egress: [azure-ml, mcr, pypi]\n",
    )
    check = RuleContext(env, CATALOG).closure.get("prod without internet")
    assert check.status is CheckStatus.FAIL
    assert "pypi.org" in check.summary


def test_local_auth_and_public_access_fail_closure() -> None:
    env = replace_in(
        design("closed-aml"),
        "container_registries",
        lambda r: True,
        admin_user_enabled=True,
    )
    shut = RuleContext(env, CATALOG).closure
    assert shut.get("local authentication off").status is CheckStatus.FAIL
    assert not shut.closed


def test_readiness_evidence_names_every_not_ready_capability() -> None:
    for name in ("nsg-only", "locked-down", "a-record-dns", "manual-upload"):
        for capability in readiness(name).capabilities:
            if capability.status is Status.NOT_READY:
                assert capability.summary and capability.evidence, (name, capability.name)


# --- verdict rules: a failing and a passing case each ------------------------------------------

Case = tuple[str, Callable[[], Environment], str]
FAILING: dict[str, Case] = {
    "RDY001-nsg-only-packages": ("RDY001", lambda: design("nsg-only"), "packages is not ready"),
    "RDY001-a-record-compute-for-people": (
        "RDY001",
        lambda: design("a-record-dns"),
        "compute for people is not ready",
    ),
    "RDY001-manual-upload-data": ("RDY001", lambda: design("manual-upload"), "data is not ready"),
    "CLS001-stray-public-storage": (
        "CLS001",
        lambda: design("manual-upload"),
        "ststrayupload accepts public network access",
    ),
    "CLS002-shared-key": ("CLS002", lambda: design("manual-upload"), "shared-key"),
    "CLS002-acr-admin-user": (
        "CLS002",
        lambda: replace_in(
            design("closed-aml"), "container_registries", lambda r: True, admin_user_enabled=True
        ),
        "admin user",
    ),
    "CLS003-prod-with-pypi": (
        "CLS003",
        lambda: design_text(
            "dev-prod",
            "    stage: prod\n    egress: [azure-ml, mcr]\n",
            "    stage: prod\n    egress: [azure-ml, mcr, pypi]\n",
        ),
        "pypi.org",
    ),
    "TOIL001-package-approval": ("TOIL001", lambda: design("locked-down"), "new Python package"),
    "TOIL001-model-approval": ("TOIL001", lambda: design("locked-down"), "new pretrained model"),
    "TOIL001-manual-dataset": (
        "TOIL001",
        lambda: design("manual-upload"),
        "new dataset from on-premises",
    ),
}
PASSING: dict[str, tuple[Callable[[], Environment], tuple[str, ...]]] = {
    "closed-aml-is-clean": (lambda: design("closed-aml"), VERDICT_PREFIXES),
    "dev-prod-is-clean": (lambda: design("dev-prod"), VERDICT_PREFIXES),
    "locked-down-is-closed": (lambda: design("locked-down"), ("CLS",)),
    "a-record-dns-is-closed": (lambda: design("a-record-dns"), ("CLS",)),
}


@pytest.mark.parametrize("case", sorted(FAILING))
def test_rule_fails(case: str) -> None:
    rule_id, build, fragment = FAILING[case]
    findings = run_rules(build(), CATALOG, select=[rule_id])
    assert findings, f"{rule_id} did not fire"
    assert any(fragment in f.message for f in findings), [f.message for f in findings]
    assert all(f.severity.value in ("error", "warning") for f in findings)


@pytest.mark.parametrize("case", sorted(PASSING))
def test_rule_passes(case: str) -> None:
    build, prefixes = PASSING[case]
    assert run_rules(build(), CATALOG, select=list(prefixes)) == ()


def test_every_verdict_rule_has_a_failing_case() -> None:
    covered = {rule_id for rule_id, _, _ in FAILING.values()}
    ids = {r.meta.id for r in all_rules() if r.meta.id.startswith(VERDICT_PREFIXES)}
    assert ids <= covered, ids - covered


def test_storage_firewall_deny_by_default_is_not_public_inbound() -> None:
    from heiki.model.services import DefaultAction, NetworkAcls

    def stray(acls: NetworkAcls) -> Closure:
        env = replace_in(
            design("manual-upload"),
            "storage_accounts",
            lambda a: a.name == "ststrayupload",
            network_acls=acls,
        )
        return RuleContext(env, CATALOG).closure

    selected = stray(NetworkAcls(default_action=DefaultAction.DENY))
    assert selected.get("no public inbound").status is CheckStatus.PASS
    listed = stray(NetworkAcls(default_action=DefaultAction.DENY, ip_rules=("203.0.113.0/24",)))
    check = listed.get("no public inbound")
    assert check.status is CheckStatus.FAIL and "203.0.113.0/24" in check.summary


@pytest.mark.parametrize(
    ("case", "sku", "acls", "public"),
    [
        ("premium-open", "Premium", None, "accepts public network access"),
        ("premium-deny-by-default", "Premium", (), ""),
        ("premium-ip-rule", "Premium", ("203.0.113.7",), "1 IP range(s) (203.0.113.7)"),
        # decision acr-network-rules-premium: below Premium the rule set does nothing
        ("standard-deny-ignored", "Standard", (), "accepts public network access"),
    ],
)
def test_registry_firewall_counts_only_on_premium(
    case: str, sku: str, acls: tuple[str, ...] | None, public: str
) -> None:
    from heiki.model.ml import PublicNetworkAccess
    from heiki.model.services import DefaultAction, NetworkAcls

    rules = (
        NetworkAcls()
        if acls is None
        else NetworkAcls(default_action=DefaultAction.DENY, ip_rules=acls)
    )
    env = replace_in(
        design("closed-aml"),
        "container_registries",
        lambda r: True,
        sku=sku,
        public_network_access=PublicNetworkAccess.ENABLED,
        network_acls=rules,
    )
    check = RuleContext(env, CATALOG).closure.get("no public inbound")
    if public:
        assert check.status is CheckStatus.FAIL and public in check.summary, check.summary
    else:
        assert check.status is CheckStatus.PASS, check.summary
