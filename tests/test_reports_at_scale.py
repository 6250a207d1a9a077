"""Human reports of a large estate stay readable and postable: the text output groups subnets
whose egress rows read the same and prints the DNS matrix heading whole, evidence is cut with a
count, the Mermaid chart folds spokes no failing path crosses (Mermaid refuses more than 50,000
characters), and a Markdown comment stays under GitHub's 65,536. The JSON keeps everything."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from heiki.cli.main import cli
from heiki.reports.markdown import COMMENT_LIMIT, markdown_document
from heiki.reports.record import EVIDENCE_SHOWN, EVIDENCE_UNCUT, shown_evidence

sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
from estates import spoke_estate

SPOKES = 40


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    blueprint = tmp_path_factory.mktemp("estate") / "estate.yaml"
    blueprint.write_text(spoke_estate(SPOKES, workspaces=True), encoding="utf-8")
    return blueprint


def _run(*arguments: str) -> str:
    result = CliRunner().invoke(cli, list(arguments))
    assert result.exit_code in (0, 1), result.output
    return result.output


def test_text_egress_has_one_row_per_distinct_row_and_names_the_members(estate: Path) -> None:
    text = _run("check", str(estate))
    record = json.loads(_run("check", str(estate), "--format", "json"))
    assert len(record["egress"]) == 3 * SPOKES  # the JSON lists every subnet
    rows = re.findall(r"^│ (s\d+/\w+(?: \+\d+)?) ", text, flags=re.MULTILINE)
    assert rows == [
        f"s0/compute +{SPOKES - 1}",
        f"s0/cluster +{SPOKES - 1}",
        f"s0/vms +{SPOKES - 1}",
    ]
    assert "Subnets whose rows read the same (one row stands for them):" in text
    assert f"  s0/compute +{SPOKES - 1}: s0/compute, s1/compute," in text
    assert f"... {SPOKES - 8} more (--format json)" in text


def test_subnets_whose_rows_differ_keep_their_own_rows() -> None:
    text = _run("check", "closed-aml")
    for subnet in ("ml/cluster", "ml/compute", "devops/git", "devops/runners", "data/shir"):
        assert f"│ {subnet} " in text
    assert "Subnets whose rows read the same" not in text


def test_text_dns_heading_is_one_line_when_only_failures_are_listed(estate: Path) -> None:
    text = _run("check", str(estate))
    heading = next(line for line in text.splitlines() if line.startswith("DNS matrix ("))
    assert heading.endswith("0 failing): every cell answers as expected (--format json lists them)")


def test_evidence_is_cut_with_a_count_only_where_it_saves_lines() -> None:
    lines = [f"flow {n}" for n in range(EVIDENCE_UNCUT)]
    assert shown_evidence(lines) == lines
    many = [f"flow {n}" for n in range(1000)]
    shown = shown_evidence(many)
    assert shown[:EVIDENCE_SHOWN] == many[:EVIDENCE_SHOWN]
    assert shown[EVIDENCE_SHOWN:] == [
        f"... {1000 - EVIDENCE_SHOWN} more (--format json lists them)"
    ]


def test_a_capability_blocked_on_every_cluster_prints_a_bounded_evidence(estate: Path) -> None:
    text = _run("check", str(estate))
    markdown = _run("check", str(estate), "--format", "markdown")
    record = json.loads(_run("check", str(estate), "--format", "json"))
    finding = next(f for f in record["findings"] if "re-runnable pipelines" in f["message"])
    assert len(finding["evidence"]) == SPOKES  # one per cluster, all in the JSON
    rest = f"... {SPOKES - EVIDENCE_SHOWN} more (--format json lists them)"
    assert rest in text
    assert rest in markdown
    assert f"cc-{SPOKES - 1} -> mcr.microsoft.com" not in text


def _chart(markdown: str) -> str:
    return markdown.split("```mermaid\n", 1)[1].split("\n```", 1)[0]


def test_the_chart_folds_the_spokes_no_failing_path_crosses(estate: Path) -> None:
    chart = _chart(_run("check", str(estate), "--format", "markdown"))
    declared = set(re.findall(r"^\s+(n_\w+)[\[(]", chart, flags=re.MULTILINE))
    declared |= set(re.findall(r"^\s+subgraph (n_\w+)\[", chart, flags=re.MULTILINE))
    used = set(re.findall(r"\b(n_\w+)\b", chart))
    assert used <= declared, f"links to undeclared nodes: {sorted(used - declared)}"
    spokes = re.findall(r'^\s+n_vnet_vnet_s\d+\["', chart, flags=re.MULTILINE)
    # s0, which the failing paths cross, and SPOKES_IN_DETAIL (12) others
    assert len(spokes) == 13
    assert f'n_more_spokes["{SPOKES - 13} more spoke VNets"]' in chart
    assert "n_vnet_vnet_hub --- n_more_spokes" in chart
    assert re.search(r"n_vnet_vnet_s0 -\.->\|", chart)  # a path from a folded spoke's subnet


def _fake_record(findings: int, evidence: int) -> dict[str, Any]:
    record: dict[str, Any] = {
        "environment": "big",
        "verdict": {
            "ready": False,
            "loops": {"inner": "not-ready"},
            "closed": False,
            "toil": 0,
            "errors": findings,
            "warnings": 0,
        },
        "dns": {
            "names": 0,
            "vantages": [],
            "views": [],
            "failures": 0,
            "managed_vnet_vantages": [],
        },
        "coverage": [],
        "readiness": [],
        "closure": {"checks": []},
        "toil": {"events": []},
        "suppressed": [],
        "findings": [
            {
                "id": f"f{n}",
                "rule": "NET001",
                "severity": "error",
                "message": f"subnet s{n}/compute is wrong in a way that takes words to say",
                "location": {"file": "estate.yaml", "line": n + 1},
                "evidence": [
                    f"s{n}/compute -> somewhere:{port}: dropped" for port in range(evidence)
                ],
                "fix": "Fix it.",
                "caused_by": None,
            }
            for n in range(findings)
        ],
    }
    return record


@pytest.mark.parametrize(("findings", "evidence"), [(3, 5), (200, 12), (2000, 12)])
def test_markdown_stays_within_a_pull_request_comment(findings: int, evidence: int) -> None:
    markdown = markdown_document(_fake_record(findings, evidence))
    assert len(markdown) <= COMMENT_LIMIT
    shown = markdown.count("- **error** `NET001`")
    if findings == 3:
        assert shown == 3 and "<details>" in markdown and "left out" not in markdown
    elif findings == 200:
        assert shown == 200 and "<details>" not in markdown
        assert markdown.endswith(
            "_Evidence left out to fit a pull-request comment (--format json has it)._\n"
        )
    else:
        assert 0 < shown < 2000
        assert f"; {2000 - shown} more finding(s) there too._" in markdown


def test_a_diff_that_blocks_every_spoke_lists_a_dozen_vantages_and_counts_the_rest(
    tmp_path: Path,
) -> None:
    estate = spoke_estate(20, workspaces=True)
    base, head = tmp_path / "base.yaml", tmp_path / "head.yaml"
    base.write_text(estate, encoding="utf-8")
    head.write_text(estate.replace("    egress: [pypi]\n", ""), encoding="utf-8")
    result = CliRunner().invoke(cli, ["diff", str(base), str(head)])
    assert result.exit_code == 1, result.output
    blocked = [line for line in result.output.splitlines() if "│ blocked s" in line]
    assert len(blocked) == EVIDENCE_SHOWN
    assert f"... {40 - EVIDENCE_SHOWN} more (--format json lists them)" in result.output
    markdown = CliRunner().invoke(cli, ["diff", str(base), str(head), "--format", "markdown"])
    assert f"... {40 - EVIDENCE_SHOWN} more (--format json lists them)" in markdown.output
    document = json.loads(
        CliRunner().invoke(cli, ["diff", str(base), str(head), "--format", "json"]).output
    )
    packages = next(c for c in document["readiness"] if c["capability"] == "packages")
    assert len(packages["blocked"]) == 40  # the JSON lists every vantage


def test_a_diff_comment_is_cut_to_the_limit_with_its_blocks_closed() -> None:
    from heiki.reports.diff.render import _within_comment_limit

    small = ["**heiki:** this change opens nothing", "", "No resource changed."]
    assert _within_comment_limit(small) == "\n".join(small) + "\n"
    rows = [f"| new | error | `NET001` | subnet s{n}/compute is wrong |" for n in range(3000)]
    lines = [
        "**heiki:** this change adds 3000 finding(s)",
        "<details><summary>trace: s0/compute -> pypi.org</summary>",
        "",
        "```",
        *rows,
    ]
    cut = _within_comment_limit(lines)
    assert len(cut) <= COMMENT_LIMIT
    assert cut.startswith("**heiki:** this change adds 3000 finding(s)\n")
    assert cut.count("```") == 2 and cut.count("</details>") == 1
    assert cut.endswith("_Cut to fit a pull-request comment: `--format json` has the rest._\n")
