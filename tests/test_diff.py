"""``heiki diff``: pairs of designs and edits, the four formats, exit codes and --base-ref."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from heiki.catalog import load_catalog
from heiki.cli.main import cli
from heiki.config import Config
from heiki.designs import design_file
from heiki.reports.diff.compare import _pair
from heiki.reports.diff.resources import property_changes
from heiki.reports.diff.sides import Rules, Side, check_sides
from test_reports import sarif_validator

FORMATS = {"text": "txt", "json": "json", "markdown": "md", "sarif": "sarif.json"}


def heiki(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def _design(name: str) -> str:
    resource = design_file(name)
    assert resource is not None
    return resource.read_text(encoding="utf-8")


def _build(blueprint: Path, folder: Path) -> Path:
    code, output = heiki("build", str(blueprint), "--to", "arm", "-o", str(folder))
    assert code == 0, output
    return folder / "azuredeploy.json"


def _edit(template: Path, change: Callable[[Any], None]) -> None:
    document = json.loads(template.read_text(encoding="utf-8"))
    change(document)
    template.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


def _walk(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from _walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item)


def _drop_pythonhosted(document: Any) -> None:
    for item in list(_walk(document)):
        if isinstance(item.get("rules"), list):
            item["rules"] = [r for r in item["rules"] if r.get("name") != "files.pythonhosted.org"]


def _nsg_rules(document: Any, name: str) -> list[dict[str, Any]]:
    for item in _walk(document):
        if item.get("type") == "Microsoft.Network/networkSecurityGroups" and name in str(
            item.get("name")
        ):
            rules: list[dict[str, Any]] = item["properties"]["securityRules"]
            return rules
    raise AssertionError(f"no NSG {name}")


def _allow_storage(document: Any) -> None:
    _nsg_rules(document, "nsgMl")[1:1] = [
        {
            "name": "Allow-storage-tcp",
            "properties": {
                "access": "Allow",
                "destinationAddressPrefix": "Storage",
                "destinationPortRange": "443",
                "direction": "Outbound",
                "priority": 90,
                "protocol": "Tcp",
                "sourceAddressPrefix": "*",
                "sourcePortRange": "*",
            },
        }
    ]


def _unlink_blob_zone(document: Any) -> None:
    for item in list(_walk(document)):
        if isinstance(item.get("resources"), list):
            item["resources"] = [
                r
                for r in item["resources"]
                if not (
                    isinstance(r, dict)
                    and r.get("name") == "privatelink.blob.core.windows.net/link-vnet-hub"
                )
            ]


def _rename_rule(document: Any) -> None:
    for rule in _nsg_rules(document, "nsgMl"):
        if rule["name"] == "Allow-azureactivedirectory-tcp":
            rule["name"] = "allow-entra-id"


@pytest.fixture(scope="module")
def pairs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Base and head ARM templates of three edits, in one folder (paths in outputs are relative
    to it, so that the goldens do not depend on where pytest puts its temporary files)."""
    root = tmp_path_factory.mktemp("diff")
    # packages through pip only (no conda), so that files.pythonhosted.org decides
    pip = root / "pip.yaml"
    pip.write_text(
        _design("closed-aml").replace(
            "egress: [azure-ml, mcr, pypi, conda, huggingface, github]",
            "egress: [azure-ml, mcr, pypi, huggingface, github]",
        ),
        encoding="utf-8",
    )
    _build(pip, root / "pip-head")
    shutil.copytree(root / "pip-head", root / "pip-base")
    shutil.copytree(root / "pip-head", root / "pip-unlinked")
    _edit(root / "pip-unlinked" / "azuredeploy.json", _unlink_blob_zone)
    _edit(root / "pip-base" / "azuredeploy.json", _drop_pythonhosted)
    # NSG-only, without the Storage tag: a rule allowing Storage opens foreign storage
    nsg = root / "nsg.yaml"
    nsg.write_text(
        _design("nsg-only").replace("egress: [azure-ml, azure-ml-storage]", "egress: [azure-ml]"),
        encoding="utf-8",
    )
    _build(nsg, root / "nsg-base")
    shutil.copytree(root / "nsg-base", root / "nsg-head")
    _edit(root / "nsg-head" / "azuredeploy.json", _allow_storage)
    shutil.copytree(root / "nsg-base", root / "nsg-renamed")
    _edit(root / "nsg-renamed" / "azuredeploy.json", _rename_rule)
    # on-premises DNS: conditional forwarders, then A records
    (root / "forwarders.yaml").write_text(_design("closed-aml"), encoding="utf-8")
    (root / "a-records.yaml").write_text(
        _design("closed-aml").replace(
            "    forward_to: hub\n", "    forward_to: none\n    a_records: true\n", 1
        ),
        encoding="utf-8",
    )
    return root


def diff_in(root: Path, *args: str) -> tuple[int, str]:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        return heiki("diff", *args)


def as_json(root: Path, *args: str) -> tuple[int, dict[str, Any]]:
    code, output = diff_in(root, *args, "--format", "json")
    return code, json.loads(output)


PIP = ("pip-base/azuredeploy.json", "pip-head/azuredeploy.json")
NSG = ("nsg-base/azuredeploy.json", "nsg-head/azuredeploy.json")


def test_allowing_files_pythonhosted_makes_packages_ready_and_opens_nothing(pairs: Path) -> None:
    code, document = as_json(pairs, *PIP)
    assert code == 0
    assert not document["worse"]
    packages = next(c for c in document["readiness"] if c["capability"] == "packages")
    assert (packages["before"], packages["after"]) == ("not-ready", "ready")
    assert {v["vantage"] for v in packages["fixed"]} == {"ml/compute", "ml/cluster"}
    blocked = packages["fixed"][0]["before"]
    assert "files.pythonhosted.org" in " ".join(blocked["trace"])
    assert not [p for p in document["paths"] if p["opened"]]
    assert document["headline"].endswith(
        "delivers 1 required destination(s) to 2 subnet(s) and opens nothing"
    )
    assert document["required"] == [
        {
            "profile": "pypi",
            "destinations": ["files.pythonhosted.org:443/tcp"],
            "before": "dropped",
            "after": "delivered",
            "reason": "firewall afw-hub: no rule matched: Azure Firewall denies by default",
            "subnets": ["ml/cluster", "ml/compute"],
        }
    ]
    assert [f["rule"] for f in document["findings"]["fixed"]] == ["FW001", "RDY001", "TOIL001"]
    assert not document["findings"]["new"]
    (policy,) = document["resources"]
    assert policy["change"] == "modified" and policy["name"] == "afwp-hub"
    assert {p["path"] for p in policy["properties"]} == {
        "rule_collection_groups[application].rule_collections[egress-ml]"
        ".rules[files.pythonhosted.org]",
        "rule_collection_groups[application].rule_collections[egress-devops]"
        ".rules[files.pythonhosted.org]",
    }


def test_the_reverse_change_blocks_packages_and_exits_1(pairs: Path) -> None:
    code, document = as_json(pairs, *reversed(PIP))
    assert code == 1
    assert document["headline"].startswith("this change blocks packages for ml/cluster")
    packages = next(c for c in document["readiness"] if c["capability"] == "packages")
    assert packages["worse"]
    step = packages["blocked"][0]["after"]["deciding_step"]
    assert "firewall" in step and "deny" in step


def test_dropping_an_alternative_lists_its_destinations_once_for_every_spoke(
    tmp_path: Path,
) -> None:
    """Taking conda off the firewall of twelve spokes leaves packages ready (pip still works):
    nothing got worse, yet the reviewer sees the four conda hosts now dropped, as one row for
    the 24 compute subnets - not silence ("changes no readiness ... and opens nothing")."""
    sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
    from estates import spoke_estate

    head = spoke_estate(12, workspaces=True)
    base = head.replace("egress: [pypi]", "egress: [pypi, conda]")
    assert base != head
    (tmp_path / "base.yaml").write_text(base, encoding="utf-8")
    (tmp_path / "head.yaml").write_text(head, encoding="utf-8")
    code, document = as_json(tmp_path, "base.yaml", "head.yaml")
    assert code == 0 and not document["worse"]
    assert not document["readiness"]
    assert document["headline"] == (
        "this change drops 4 required destination(s) for 24 subnet(s) and opens nothing"
    )
    (row,) = document["required"]
    assert row["profile"] == "conda"
    assert row["destinations"] == [
        "*.anaconda.com:443/tcp",
        "*.anaconda.org:443/tcp",
        "anaconda.com:443/tcp",
        "conda.anaconda.org:443/tcp",
    ]
    assert (row["before"], row["after"]) == ("delivered", "dropped")
    assert "no rule matched" in row["reason"]
    assert len(row["subnets"]) == 24 and "s11/cluster" in row["subnets"]
    _, text = diff_in(tmp_path, "base.yaml", "head.yaml")
    assert "Required destinations" in text and "delivered -> dropped" in text
    _, markdown = diff_in(tmp_path, "base.yaml", "head.yaml", "--format", "markdown")
    assert "| conda: *.anaconda.com:443/tcp, *.anaconda.org:443/tcp, anaconda.com:443/tcp," in (
        markdown
    )
    errors = list(Draft202012Validator(_diff_schema()).iter_errors(document))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    # the other way round: the same row, delivered
    _, document = as_json(tmp_path, "head.yaml", "base.yaml")
    (row,) = document["required"]
    assert (row["before"], row["after"]) == ("dropped", "delivered")
    assert "delivers 4 required destination(s) to 24 subnet(s)" in document["headline"]


_TERRAFORM = """variable "space" {
  default = "10.1.0.0/16"
}

resource "azurerm_virtual_network" "v" {
  name                = "vnet-app"
  location            = "japaneast"
  resource_group_name = "rg"
  address_space       = [var.space]
}
"""


def test_terraform_variables_per_side(tmp_path: Path) -> None:
    """A Terraform change is often a variable: --base-var / --head-var and --base-var-file /
    --head-var-file give one side its own, after --var / --var-file, which both sides get (as
    --base-parameters / --head-parameters do for ARM)."""
    folder = tmp_path / "tf"
    folder.mkdir()
    (folder / "main.tf").write_text(_TERRAFORM, encoding="utf-8")
    (tmp_path / "narrow.tfvars").write_text('space = "10.1.0.0/24"\n', encoding="utf-8")

    def spaces(*args: str) -> str:
        code, document = as_json(tmp_path, "tf", "tf", *args)
        assert code == 0, document
        (change,) = document["resources"]
        (prop,) = change["properties"]
        return f"{prop['before']} -> {prop['after']}"

    assert spaces("--head-var", "space=10.2.0.0/16") == '["10.1.0.0/16"] -> ["10.2.0.0/16"]'
    assert spaces("--base-var-file", "narrow.tfvars") == '["10.1.0.0/24"] -> ["10.1.0.0/16"]'
    assert (
        spaces("--var", "space=10.3.0.0/16", "--base-var", "space=10.4.0.0/16")
        == '["10.4.0.0/16"] -> ["10.3.0.0/16"]'
    )
    assert (
        spaces(
            "--var-file",
            "narrow.tfvars",
            "--head-var-file",
            "narrow.tfvars",
            "--head-var",
            "space=10.5.0.0/16",
        )
        == '["10.1.0.0/24"] -> ["10.5.0.0/16"]'
    )
    # the shared file on both sides and the same value again on one: no change at all
    code, document = as_json(
        tmp_path, "tf", "tf", "--var-file", "narrow.tfvars", "--head-var", "space=10.1.0.0/24"
    )
    assert code == 0 and not document["resources"]


def test_switching_onprem_dns_to_a_records_adds_toil_per_new_compute_instance(
    pairs: Path,
) -> None:
    code, document = as_json(pairs, "forwarders.yaml", "a-records.yaml")
    assert code == 1
    toil = {t["event"]: t for t in document["toil"]}
    instance = toil["new compute instance"]
    assert (instance["before"], instance["after"]) == (0, 1)
    assert instance["who"] == ["on-premises DNS team"]
    assert "add A records" in instance["added"][0]
    assert not [p for p in document["paths"] if p["opened"]]
    (onprem,) = document["resources"]
    assert onprem["resource"] == "on-premises"
    assert any("conditional_forwarders" in p["path"] for p in onprem["properties"])


def test_an_nsg_rule_allowing_storage_opens_foreign_storage_with_its_trace(pairs: Path) -> None:
    code, document = as_json(pairs, *NSG)
    assert code == 1
    opened = {p["path"]: p for p in document["paths"] if p["opened"]}
    path = opened["ml/compute -> foreign-storage"]
    assert path["before"]["verdict"] == "dropped"
    assert any("Allow-storage-tcp" in line for line in path["after"]["trace"])
    closure = {c["check"]: c for c in document["closure"]}
    assert closure["no path to foreign storage"]["after"] == "fail"
    assert {f["rule"] for f in document["findings"]["new"]} >= {"EXF001", "NSG002"}
    (nsg,) = document["resources"]
    assert nsg["properties"] == [
        {"path": "security_rules[Allow-storage-tcp]", "before": "-", "after": "added"}
    ]


def test_a_pure_rename_changes_no_verdict(pairs: Path) -> None:
    code, document = as_json(pairs, "nsg-base/azuredeploy.json", "nsg-renamed/azuredeploy.json")
    assert code == 0
    for section in ("readiness", "closure", "paths", "toil", "dns"):
        assert document[section] == [], section
    assert not document["findings"]["new"] and not document["findings"]["fixed"]
    assert document["findings"]["unchanged"] > 0
    assert document["headline"] == (
        "this change changes no readiness, toil, DNS answer or finding and opens nothing"
    )
    (nsg,) = document["resources"]
    assert {p["path"] for p in nsg["properties"]} == {
        "security_rules[Allow-azureactivedirectory-tcp]",
        "security_rules[allow-entra-id]",
    }


def test_the_same_input_on_both_sides_is_no_change(pairs: Path) -> None:
    code, document = as_json(pairs, NSG[0], NSG[0])
    assert code == 0
    assert document["resources"] == [] and not document["worse"]


@pytest.mark.parametrize("output_format", sorted(FORMATS))
@pytest.mark.parametrize("pair", ["pip", "nsg"])
def test_diff_matches_golden(
    pairs: Path, pair: str, output_format: str, golden: Callable[[str, str], None]
) -> None:
    sides = PIP if pair == "pip" else NSG
    code, output = diff_in(pairs, *sides, "--format", output_format)
    assert code == (0 if pair == "pip" else 1)
    golden(f"diff/{pair}.{FORMATS[output_format]}", output)


@pytest.mark.parametrize("pair", [PIP, NSG])
def test_diff_sarif_validates_and_carries_only_new_findings(
    pairs: Path, pair: tuple[str, str]
) -> None:
    code, output = diff_in(pairs, *pair, "--format", "sarif")
    assert code == (0 if pair == PIP else 1)
    document = json.loads(output)
    assert not list(sarif_validator().iter_errors(document))
    _, review = as_json(pairs, *pair)
    new_roots = [f for f in review["findings"]["new"] if not f["caused_by"]]
    results = document["runs"][0]["results"]
    assert len(results) == len(new_roots)
    assert {r["ruleId"] for r in results} == {f["rule"] for f in new_roots}


def test_the_markdown_leads_with_one_line(pairs: Path) -> None:
    _, output = diff_in(pairs, *NSG, "--format", "markdown")
    first = output.splitlines()[0]
    assert first.startswith("**heiki:** this change ") and "opens 8 path(s)" in first


def test_fail_on_warning_makes_a_new_warning_fail(pairs: Path) -> None:
    # forwarders -> A records adds warnings only (toil, readiness): exit 1 comes from toil
    code, document = as_json(pairs, *reversed(PIP), "--fail-on", "never")
    assert code == 1 and document["worse"]  # packages blocked, whatever --fail-on says
    code, _ = diff_in(
        pairs, "nsg-base/azuredeploy.json", "nsg-renamed/azuredeploy.json", "--fail-on", "warning"
    )
    assert code == 0


def _git(repository: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(repository), *args],
        check=True,
        capture_output=True,
        env={
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.com",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.com",
            "PATH": "/usr/bin:/bin:/usr/local/bin",
            "HOME": str(repository),
        },
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_base_ref_reads_the_base_side_from_git(pairs: Path, tmp_path: Path) -> None:
    repository = tmp_path / "repo"
    shutil.copytree(pairs / "pip-base", repository / "infra")
    _git(repository, "init", "-q", "-b", "main")
    _git(repository, "add", "-A")
    _git(repository, "commit", "-q", "-m", "base")
    shutil.copy(pairs / "pip-head" / "azuredeploy.json", repository / "infra" / "azuredeploy.json")
    code, by_ref = as_json(repository, "--base-ref", "main", "infra/azuredeploy.json")
    _, direct = as_json(pairs, *PIP)
    assert code == 0
    assert by_ref["base"]["source"] == "main:infra/azuredeploy.json"
    for section in ("readiness", "closure", "paths", "toil", "dns", "resources"):
        assert by_ref[section] == direct[section], section
    assert by_ref["findings"]["fixed"] and all(
        (f["location"] or {}).get("file", "main:").startswith("main:")
        for f in by_ref["findings"]["fixed"]
    )
    # the working tree and the index are untouched
    status = subprocess.run(
        ["git", "-C", str(repository), "status", "--porcelain"], capture_output=True, text=True
    ).stdout
    assert status.strip() == "M infra/azuredeploy.json"


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_base_ref_errors_are_located_and_exit_2(pairs: Path, tmp_path: Path) -> None:
    code, output = diff_in(pairs, "--base-ref", "main", PIP[1])
    assert code == 2 and "IN074" in output and "not inside a git work tree" in output
    repository = tmp_path / "repo"
    shutil.copytree(pairs / "pip-base", repository)
    _git(repository, "init", "-q", "-b", "main")
    _git(repository, "add", "-A")
    _git(repository, "commit", "-q", "-m", "base")
    code, output = diff_in(repository, "--base-ref", "no-such-ref", "azuredeploy.json")
    assert code == 2 and "IN074" in output and "no-such-ref" in output


@pytest.mark.parametrize(
    "args",
    [
        ("only-one",),
        ("a", "b", "c"),
        ("--base", "closed-aml"),
        ("closed-aml", "--base", "closed-aml", "--head", "nsg-only"),
        ("--base-ref", "main", "--base", "closed-aml"),
    ],
)
def test_usage_errors_exit_2(args: tuple[str, ...]) -> None:
    code, _ = heiki("diff", *args)
    assert code == 2


def test_a_bad_side_is_named_and_exits_2(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    code, output = heiki("diff", "closed-aml", str(broken))
    assert code == 2
    assert output.startswith("head: ") and "broken.json" in output


def test_sides_in_parallel_equal_sides_in_turn() -> None:
    catalog = load_catalog()
    rules = Rules(Config())
    base, head = Side("base", ("closed-aml",)), Side("head", ("a-record-dns",))
    assert check_sides(base, head, catalog, rules, parallel=True) == check_sides(
        base, head, catalog, rules, parallel=False
    )


def test_findings_pair_by_rule_and_resource_not_message() -> None:
    def finding(rule: str, resource: str, message: str) -> dict[str, Any]:
        return {
            "rule": rule,
            "resource": resource,
            "message": message,
            "severity": "error",
            "caused_by": None,
        }

    before = (finding("NSG002", "/x/nsg", "old wording"), finding("EXF001", "/x/a", "m"))
    after = (finding("NSG002", "/x/nsg", "new wording"), finding("EXF001", "/x/b", "m"))
    paired = _pair(before, after)
    assert paired.unchanged == 1
    assert [f["resource"] for f in paired.new] == ["/x/b"]
    assert [f["resource"] for f in paired.fixed] == ["/x/a"]


def test_property_changes_pair_named_items_and_leave_values_readable() -> None:
    before = {"rules": [{"name": "a", "port": 1}, {"name": "b", "port": 2}], "sku": "Standard"}
    after = {"rules": [{"name": "a", "port": 3}, {"name": "c", "port": 2}], "sku": "Premium"}
    changes = [(c.path, c.before, c.after) for c in property_changes(before, after)]
    assert changes == [
        ("rules[a].port", "1", "3"),
        ("rules[b]", "present", "removed"),
        ("rules[c]", "-", "added"),
        ("sku", "Standard", "Premium"),
    ]


def test_unlinking_a_zone_groups_the_changed_dns_answers_by_cause(pairs: Path) -> None:
    code, document = as_json(pairs, PIP[1], "pip-unlinked/azuredeploy.json")
    assert code == 1
    (group,) = document["dns"]
    assert group["broke"]
    assert group["before"] == "private (as expected)" and group["after"] == "public (wrong)"
    assert {n["name"] for n in group["names"]} == {
        "stlakeclosed.blob.core.windows.net",
        "stmlwclosed88c3a0.blob.core.windows.net",
    }
    assert "ml/compute" in group["vantages"] and "devops/runners" in group["vantages"]
    assert "DNS003" in {f["rule"] for f in document["findings"]["new"]}
    (zone,) = document["resources"]
    assert zone["name"] == "privatelink.blob.core.windows.net"
    assert zone["properties"] == [
        {"path": "virtual_network_links[link-vnet-hub]", "before": "present", "after": "removed"}
    ]
    blocked = {c["capability"] for c in document["readiness"] if c["worse"]}
    assert {"tuning compute", "data"} <= blocked


def test_suppressions_apply_to_both_sides(pairs: Path, tmp_path: Path) -> None:
    config = tmp_path / "heiki.toml"
    config.write_text(
        '[[suppress]]\nrule = "NSG002"\nresource = "nsg-ml"\nreason = "reviewed in CHG-1"\n',
        encoding="utf-8",
    )
    _, plain = as_json(pairs, *NSG)
    _, suppressed = as_json(pairs, *NSG, "--config", str(config))
    assert "NSG002" in {f["rule"] for f in plain["findings"]["new"]}
    assert "NSG002" not in {f["rule"] for f in suppressed["findings"]["new"]}


def _diff_schema() -> dict[str, Any]:
    text = resources.files("heiki").joinpath("reports/schema/diff-report.schema.json")
    schema: dict[str, Any] = json.loads(text.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return schema


@pytest.mark.parametrize(
    "sides",
    [PIP, NSG, ("forwarders.yaml", "a-records.yaml"), (PIP[1], "pip-unlinked/azuredeploy.json")],
)
def test_the_json_validates_against_the_shipped_schema(pairs: Path, sides: tuple[str, str]) -> None:
    _, document = as_json(pairs, *sides)
    errors = list(Draft202012Validator(_diff_schema()).iter_errors(document))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


def test_side_parameters_diff_a_parameter_change_of_an_alz_template() -> None:
    """The ALZ-style fixture routes the gateway through the firewall only with its fixed
    parameters: the diff shows the asymmetric route fixed, and the route table behind it."""
    fixtures = Path(__file__).parent / "fixtures" / "arm"
    template = str(fixtures / "hub-spoke.json")
    code, output = heiki(
        "diff",
        template,
        template,
        "--head-parameters",
        str(fixtures / "hub-spoke.fixed.parameters.json"),
        "--onprem",
        str(fixtures / "onprem.yaml"),
        "--format",
        "json",
    )
    assert code == 0, output
    document = json.loads(output)
    (people,) = [c for c in document["readiness"] if c["capability"] == "compute for people"]
    assert (people["before"], people["after"]) == ("not-ready", "ready")
    assert "NET004" in {f["rule"] for f in document["findings"]["fixed"]}
    changes = {(r["change"], r["name"]) for r in document["resources"]}
    assert ("added", "rt-alz-gateway") in changes
    assert document["headline"].endswith("opens nothing")
