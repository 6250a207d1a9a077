"""Address-space parameters: moving a VNet's address space moves every address inside it by the
same offset, in the ARM output (``cidrSubnet``/``cidrHost``, evaluated by heiki's ARM evaluator)
and in the Bicep output (octet arithmetic, evaluated here by the rules of Bicep's string
interpolation, ``int()`` and ``split()``) - for every built-in design and any aligned new space.
"""

from __future__ import annotations

import ipaddress
import re
import tempfile
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heiki.designs import BUILTIN_DESIGNS, design_file
from heiki.generators.addresses import AddressPlan, ArmAddresses, BicepAddresses
from heiki.generators.arm import arm_template
from heiki.generators.bicep import bicep_project
from heiki.model.environment import Environment
from heiki.sources import load
from heiki.sources.arm.expressions import Scope, evaluate_string

_HOLE = re.compile(r"\$\{(?:int\((\w+)Octets\[(\d)\]\) \+ (\d+)|(\w+)Octets\[(\d)\])\}")


def bicep_value(code: str, parameters: dict[str, str]) -> str:
    """A Bicep expression of the forms the generator writes, evaluated: a parameter, or a string
    interpolating ``x[i]`` / ``int(x[i]) + k`` over ``xOctets = split(split(x, '/')[0], '.')``."""
    if not code.startswith("'"):
        return parameters[code]

    def octet(name: str, index: str) -> str:
        return parameters[name].split("/")[0].split(".")[int(index)]

    def hole(match: re.Match[str]) -> str:
        if match.group(1):
            return str(int(octet(match.group(1), match.group(2))) + int(match.group(3)))
        return octet(match.group(4), match.group(5))

    text = _HOLE.sub(hole, code[1:-1])
    assert "${" not in text, code
    return text


def _leaves(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item)
    elif isinstance(value, str):
        yield value


# closed-aml with spaces whose prefix ends inside an octet (/20, /21, /22, /23), so that the
# Bicep writer's partial-octet arithmetic (int(x[2]) + k) is exercised too
ODD = "closed-aml-odd-prefixes"
_ODD_SPACES = {
    "10.0.0.0/16": "10.0.16.0/20",
    "10.1.0.0/16": "10.1.32.0/21",
    "10.2.0.0/16": "10.2.64.0/22",
    "10.3.0.0/16": "10.3.6.0/23",
}


@cache
def _environment(design: str) -> Environment:
    if design != ODD:
        return load(design).environment
    blueprint = design_file("closed-aml")
    assert blueprint is not None
    text = blueprint.read_text(encoding="utf-8")
    for old, new in _ODD_SPACES.items():
        text = text.replace(f"address_space: {old}", f"address_space: {new}")
    folder = Path(tempfile.mkdtemp(prefix="heiki-odd-"))
    path = folder / "odd.yaml"
    path.write_text(text, encoding="utf-8")
    env = load(str(path)).environment
    assert {str(s) for v in env.virtual_networks for s in v.address_space} == set(
        _ODD_SPACES.values()
    )
    return env


@cache
def _addresses(design: str) -> tuple[tuple[str, str | None, str | None], ...]:
    """Every literal address of the design's resources with its ARM and Bicep expression."""
    env = _environment(design)
    plan = AddressPlan(env)
    arm, bicep = ArmAddresses(plan), BicepAddresses(plan)
    template = arm_template(env, address_parameters=False, name_parameters=False)
    found = []
    for resource in template["resources"]:
        for leaf in _leaves(resource.get("properties", {})):
            a, b = arm(leaf), bicep(leaf)
            if a is not None or b is not None:
                found.append((leaf, a, b))
    return tuple(found)


def _moved(address: str, old: ipaddress.IPv4Network, new: ipaddress.IPv4Network) -> str:
    host, _, length = address.partition("/")
    shifted = ipaddress.IPv4Address(
        int(ipaddress.IPv4Address(host)) - int(old.network_address) + int(new.network_address)
    )
    return f"{shifted}/{length}" if length else str(shifted)


def _check(design: str, bases: list[int]) -> None:
    plan = AddressPlan(_environment(design))
    spaces = {
        s.parameter: (
            s.network,
            ipaddress.IPv4Network(
                (
                    bases[i % len(bases)]
                    >> (32 - s.network.prefixlen)
                    << (32 - s.network.prefixlen),
                    s.network.prefixlen,
                )
            ),
        )
        for i, s in enumerate(plan.spaces)
    }
    parameters = {name: str(new) for name, (_, new) in spaces.items()}
    scope = Scope(parameters=parameters)
    for literal, arm, bicep in _addresses(design):
        old, new = next(
            (old, new)
            for old, new in spaces.values()
            if ipaddress.IPv4Network(literal.split("/")[0]).subnet_of(old)
        )
        expected = _moved(literal, old, new)
        assert bicep is not None, f"{literal} is written as an ARM expression but not in Bicep"
        assert bicep_value(bicep, parameters) == expected, (literal, bicep)
        if arm is not None:
            assert evaluate_string(arm, scope) == expected, (literal, arm)


@pytest.mark.parametrize("design", [*BUILTIN_DESIGNS, ODD])
def test_default_parameters_give_the_designed_addresses(design: str) -> None:
    plan = AddressPlan(_environment(design))
    addresses = _addresses(design)
    assert len(addresses) > 10
    _check(design, [int(s.network.network_address) for s in plan.spaces])


@pytest.mark.parametrize("design", ["closed-aml", "dev-prod", ODD])
@settings(max_examples=30, deadline=None)
@given(bases=st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=8))
def test_any_aligned_space_moves_every_address_by_the_same_offset(
    design: str, bases: list[int]
) -> None:
    _check(design, bases)


@pytest.mark.parametrize("design", [*BUILTIN_DESIGNS, ODD])
def test_no_address_inside_a_vnet_is_left_literal_in_bicep(design: str) -> None:
    env = _environment(design)
    spaces = [space for vnet in env.virtual_networks for space in vnet.address_space]
    files = bicep_project(env)
    literal = re.compile(r"'(\d+\.\d+\.\d+\.\d+(?:/\d+)?)'")
    for name, text in files.items():
        body = text if name != "main.bicep" else ""  # main declares the defaults
        for match in literal.finditer(body):
            if "param " in text[text.rfind("\n", 0, match.start()) : match.start()]:
                continue  # a parameter's default
            network = ipaddress.IPv4Network(match.group(1))
            assert not any(network.subnet_of(s) for s in spaces), (name, match.group(0))
