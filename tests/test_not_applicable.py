"""Nothing ready with nothing behind it: a capability or closure check with no vantage to judge
it from is not-applicable with the reason."""

from __future__ import annotations

from pathlib import Path

from heiki.analyses.closure import CheckStatus
from heiki.analyses.readiness import Status
from heiki.catalog import load_catalog
from heiki.reports.record import check_environment
from heiki.sources import load
from test_coverage import ml_template, resource, write


def _without_compute() -> dict[str, object]:
    document = ml_template()
    document["resources"] = [  # type: ignore[index]
        r
        for r in document["resources"]
        if r["name"] != "mlw/cluster"  # type: ignore[index]
    ]
    return document


def test_no_compute_means_no_loop_is_judged_ready(tmp_path: Path) -> None:
    result = check_environment(
        load([write(tmp_path, _without_compute())]).environment, load_catalog()
    )
    statuses = {c.name: c for c in result.readiness.capabilities}
    for name in ("packages", "pretrained models", "source code", "tuning compute"):
        assert statuses[name].status is Status.NOT_APPLICABLE, name
        assert statuses[name].summary
    assert all(c.status is not Status.READY for c in result.readiness.capabilities)
    for check in ("egress through an inspecting firewall", "no path to foreign storage"):
        judged = result.closure.get(check)
        assert (
            judged.status is CheckStatus.NOT_APPLICABLE and "no workload subnet" in judged.summary
        )


def test_a_public_registry_is_not_a_ready_pipeline(tmp_path: Path) -> None:
    document = ml_template(
        resource(
            "Microsoft.ContainerRegistry/registries",
            "crmlteam",
            {"publicNetworkAccess": "Enabled"},
            sku={"name": "Premium"},
        )
    )
    workspace = next(r for r in document["resources"] if r["name"] == "mlw")
    workspace["properties"]["containerRegistry"] = (
        "[resourceId('Microsoft.ContainerRegistry/registries', 'crmlteam')]"
    )
    env = load([write(tmp_path, document)]).environment
    pipelines = check_environment(env, load_catalog()).readiness.get("re-runnable pipelines")
    assert pipelines.status is Status.NOT_APPLICABLE
    assert "crmlteam public: image builds run outside the network" in pipelines.summary


def test_a_verdict_with_no_loop_judged_says_so(tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from heiki.cli.main import cli

    document = _without_compute()
    registry = resource(
        "Microsoft.ContainerRegistry/registries", "crmlteam", {}, sku={"name": "Premium"}
    )
    document["resources"].append(registry)  # type: ignore[attr-defined]
    workspace = next(r for r in document["resources"] if r["name"] == "mlw")  # type: ignore[attr-defined]
    workspace["properties"]["containerRegistry"] = (
        "[resourceId('Microsoft.ContainerRegistry/registries', 'crmlteam')]"
    )
    path = write(tmp_path, document)
    record = json.loads(CliRunner().invoke(cli, ["check", path, "--format", "json"]).stdout)
    assert record["verdict"]["ready"] is None
    text = CliRunner().invoke(cli, ["check", path]).stdout
    assert "Verdict: workability not judged" in text
