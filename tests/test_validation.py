"""One named case per validation mistake: the code, the message and the location (file:line)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from heiki.cli.main import cli
from heiki.diagnostics import InputError
from heiki.sources import load
from heiki.sources.yamlread import MAX_INPUT_BYTES
from snippets import MINIMAL

BASE = MINIMAL


def _case(replacements: list[tuple[str, str]]) -> str:
    text = BASE
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


# name -> (blueprint text, expected code, message fragment, line marker: text on the expected line)
CASES: dict[str, tuple[str, str, str, str]] = {
    "yaml-syntax": ("name: x\nhub: [10.0.0.0/16\nspokes: {}\n", "IN001", "YAML syntax", "spokes"),
    "unknown-key": (
        _case([("  gateway: vpn\n", "  gateway: vpn\n  colour: red\n")]),
        "IN002",
        "unknown key 'colour'",
        "colour: red",
    ),
    "unknown-key-suggestion": (
        _case([("  gateway: vpn\n", "  gatway: vpn\n")]),
        "IN002",
        "did you mean 'gateway'",
        "gatway",
    ),
    "wrong-type": (
        _case([("  dns: private-resolver\n", "  dns: private-resolver\n  bastion: maybe\n")]),
        "IN002",
        "valid boolean",
        "bastion: maybe",
    ),
    "wrong-enum": (
        _case([("{sku: standard}", "{sku: ultra}")]),
        "IN002",
        "'basic', 'standard' or 'premium'",
        "sku: ultra",
    ),
    "overlapping-vnets": (
        _case([("    address_space: 10.1.0.0/16\n", "    address_space: 10.0.128.0/17\n")]),
        "IN010",
        "overlaps 10.0.0.0/16 of VNet vnet-hub",
        "  ml:",
    ),
    "overlapping-onprem": (
        _case([("    address_space: 10.1.0.0/16\n", "    address_space: 192.168.64.0/18\n")]),
        "IN010",
        "overlaps 192.168.0.0/16 of on-premises",
        "  ml:",
    ),
    "subnet-outside-vnet": (
        _case([("    egress:", "    subnets: {pe: 10.9.0.0/27}\n    egress:")]),
        "IN011",
        "is outside the address space of VNet vnet-ml",
        "subnets: {pe",
    ),
    "subnet-overlaps-sibling": (
        _case(
            [
                (
                    "    egress:",
                    "    subnets:\n      pe: 10.1.0.0/27\n      compute: 10.1.0.0/27\n    egress:",
                )
            ]
        ),
        "IN012",
        "overlaps subnet",
        "pe: 10.1.0.0/27",
    ),
    "firewall-subnet-too-small": (
        _case(
            [
                (
                    "  dns: private-resolver\n",
                    "  dns: private-resolver\n  subnets: {firewall: 10.0.1.0/27}\n",
                )
            ]
        ),
        "IN013",
        "AzureFirewallSubnet in VNet vnet-hub must be at least a /26",
        "subnets: {firewall",
    ),
    "firewall-subnet-wrong-name": (
        _case(
            [
                (
                    "  dns: private-resolver\n",
                    "  dns: private-resolver\n  subnets:\n    firewall: {name: FirewallSubnet}\n",
                )
            ]
        ),
        "IN013",
        "subnet named AzureFirewallSubnet, not FirewallSubnet",
        "firewall: {name",
    ),
    "bastion-subnet-too-small": (
        _case(
            [
                (
                    "  dns: private-resolver\n",
                    "  dns: private-resolver\n  bastion: true\n  subnets: {bastion: 10.0.9.0/27}\n",
                )
            ]
        ),
        "IN013",
        "AzureBastionSubnet in VNet vnet-hub must be at least a /26",
        "subnets: {bastion",
    ),
    "gateway-subnet-too-small": (
        _case(
            [
                (
                    "  dns: private-resolver\n",
                    "  dns: private-resolver\n  subnets: {gateway: 10.0.9.0/30}\n",
                )
            ]
        ),
        "IN013",
        "GatewaySubnet in VNet vnet-hub must be at least a /29",
        "subnets: {gateway",
    ),
    "resolver-subnet-too-small": (
        _case(
            [
                (
                    "  dns: private-resolver\n",
                    "  dns: private-resolver\n  subnets: {resolver-inbound: 10.0.9.0/29}\n",
                )
            ]
        ),
        "IN014",
        "must be at least a /28",
        "subnets: {resolver-inbound",
    ),
    "resolver-subnet-too-large": (
        _case(
            [
                (
                    "  dns: private-resolver\n",
                    "  dns: private-resolver\n  subnets: {resolver-outbound: 10.0.128.0/23}\n",
                )
            ]
        ),
        "IN014",
        "must be at most a /24",
        "subnets: {resolver-outbound",
    ),
    "unknown-data-source": (
        _case(
            [
                (
                    "    egress: [azure-ml, pypi]\n",
                    "    egress: [azure-ml, pypi]\n    lake: {name: stlake}\n    data_factory: {sources: [nope-db]}\n",
                )
            ]
        ),
        "IN020",
        "data source 'nope-db' is not declared",
        "data_factory",
    ),
    "unknown-egress-profile": (
        _case([("[azure-ml, pypi]", "[azure-ml, pipy]")]),
        "IN020",
        "unknown egress profile 'pipy'",
        "egress:",
    ),
    "unknown-subnet-role": (
        _case([("    egress:", "    subnets: {gpu: 10.1.9.0/24}\n    egress:")]),
        "IN002",
        "unknown subnet 'gpu'",
        "subnets: {gpu",
    ),
    "remote-gateway-missing": (
        _case(
            [
                ("  gateway: vpn\n", "  gateway: none\n"),
                ("    egress:", "    use_remote_gateways: true\n    egress:"),
            ]
        ),
        "IN021",
        "sets useRemoteGateways, but vnet-hub has no virtual network gateway",
        "use_remote_gateways",
    ),
    "duplicate-names": (
        _case(
            [
                (
                    "spokes:\n",
                    "spokes:\n  other:\n    name: vnet-ml\n    address_space: 10.2.0.0/16\n",
                )
            ]
        ),
        "IN022",
        "duplicate name 'vnet-ml'",
        "  ml:",
    ),
    "basic-firewall-dns-proxy": (
        _case(
            [("{sku: standard}", "{sku: basic}"), ("dns: private-resolver", "dns: firewall-proxy")]
        ),
        "IN031",
        "Azure Firewall Basic has no DNS proxy",
        "firewall: {sku",
    ),
    "duplicate-yaml-key": (
        _case([("  gateway: vpn\n", "  gateway: vpn\n  gateway: expressroute\n")]),
        "IN005",
        "duplicate key 'gateway'",
        "gateway: expressroute",
    ),
    "invalid-prefix": (
        _case([("    address_space: 10.1.0.0/16\n", "    address_space: 10.1.0.1/16\n")]),
        "IN002",
        "invalid address prefix '10.1.0.1/16'",
        "10.1.0.1/16",
    ),
}


def _line_of(text: str, marker: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if marker in line:
            return number
    raise AssertionError(f"marker {marker!r} not in case text")


@pytest.mark.parametrize("name", sorted(CASES))
def test_validation_error_has_code_message_and_location(name: str, tmp_path: Path) -> None:
    text, code, fragment, marker = CASES[name]
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as raised:
        load(str(path))
    matching = [d for d in raised.value.diagnostics if d.code == code and fragment in d.message]
    assert matching, f"expected {code} '{fragment}', got: {raised.value}"
    location = matching[0].location
    assert location is not None and location.file == str(path)
    assert location.line == _line_of(text, marker), str(matching[0])


@pytest.mark.parametrize("name", ["unknown-key", "overlapping-vnets", "yaml-syntax"])
def test_cli_exits_2_and_names_file_and_line(name: str, tmp_path: Path) -> None:
    text, code, _, marker = CASES[name]
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert result.exit_code == 2
    assert f"{path}:{_line_of(text, marker)}:" in result.output
    assert code in result.output
    assert "Traceback" not in result.output


def test_docker_bridge_overlap_is_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "docker.yaml"
    path.write_text(
        _case([("    address_space: 10.1.0.0/16\n", "    address_space: 172.17.0.0/16\n")]),
        encoding="utf-8",
    )
    result = load(str(path))
    assert [d.code for d in result.diagnostics] == ["IN030"]
    runner = CliRunner()
    assert runner.invoke(cli, ["check", str(path)]).exit_code == 0
    assert runner.invoke(cli, ["check", str(path), "--fail-on", "warning"]).exit_code == 1


def test_huge_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_text("# " + "x" * MAX_INPUT_BYTES + "\n", encoding="utf-8")
    with pytest.raises(InputError) as raised:
        load(str(path))
    assert raised.value.diagnostics[0].code == "IN004"


def test_missing_file_and_unknown_design() -> None:
    with pytest.raises(InputError) as raised:
        load("no/such/file.yaml")
    assert raised.value.diagnostics[0].code == "IN003"
    with pytest.raises(InputError) as raised:
        load("closed-amll")
    assert raised.value.diagnostics[0].code == "IN040"
    assert "did you mean 'closed-aml'" in raised.value.diagnostics[0].message


def test_onprem_file_replaces_the_blueprint_section(tmp_path: Path) -> None:
    onprem = tmp_path / "onprem.yaml"
    onprem.write_text(
        "onprem:\n  address_space: [172.20.0.0/16]\n  dns:\n    servers: [172.20.0.53]\n"
        "  data_sources:\n    - {name: sales-db, address: 172.20.5.5, port: 5432}\n",
        encoding="utf-8",
    )
    env = load("closed-aml", str(onprem)).environment
    assert env.on_premises is not None
    assert [str(p) for p in env.on_premises.address_space] == ["172.20.0.0/16"]
    # problems in the on-premises file are located in that file
    bad = tmp_path / "bad-onprem.yaml"
    bad.write_text("onprem:\n  address_space: [172.20.0.0/16]\n  colour: blue\n", encoding="utf-8")
    with pytest.raises(InputError) as raised:
        load("closed-aml", str(bad))
    diagnostic = raised.value.diagnostics[0]
    assert diagnostic.location is not None and diagnostic.location.file == str(bad)
    assert diagnostic.location.line == 3


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 2**16 - 1), st.integers(8, 30)),
        min_size=0,
        max_size=30,
    )
)
def test_overlap_sweep_finds_what_comparing_every_pair_finds(
    raw: list[tuple[int, int]],
) -> None:
    """The sweep over address order finds the same overlapping pairs, in the same order, as
    comparing every pair (what it replaced, quadratic in the number of VNets)."""
    import ipaddress
    import itertools

    from heiki.sources.validate import _overlapping_pairs

    prefixes = [
        ipaddress.IPv4Network((10 << 24 | high << 8, length), strict=False) for high, length in raw
    ]
    expected = [
        (i, j) for (i, a), (j, b) in itertools.combinations(enumerate(prefixes), 2) if a.overlaps(b)
    ]
    assert _overlapping_pairs(prefixes) == expected
