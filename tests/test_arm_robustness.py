"""Bad ARM input never gives a traceback: random structural damage to a real template either
loads (what is left is still a template, and generates again) or stops with a located InputError
(exit code 2)."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

import pytest

from heiki.diagnostics import InputError
from heiki.generators.bicep import bicep_project
from heiki.generators.deployment import subscription_template
from heiki.sources import load

TEMPLATE = json.loads(
    (Path(__file__).parent / "fixtures" / "arm" / "hub-spoke.json").read_text(encoding="utf-8")
)
ODD_VALUES: list[Any] = [
    None,
    1,
    "x",
    [],
    {},
    True,
    "[concat(",
    "10.0.0.0/33",
    {"id": 5},
    [{"id": "/bad"}],
    "/subscriptions/x/resourceGroups/y/providers/A/b/c",
]


def _damage(value: Any, rng: random.Random, depth: int = 0) -> None:
    if isinstance(value, dict) and value:
        key = rng.choice(sorted(value))
        if rng.random() < 0.3 or depth > 6:
            value[key] = copy.deepcopy(rng.choice(ODD_VALUES))
        else:
            _damage(value[key], rng, depth + 1)
    elif isinstance(value, list) and value:
        index = rng.randrange(len(value))
        if rng.random() < 0.3 or depth > 6:
            value[index] = copy.deepcopy(rng.choice(ODD_VALUES))
        else:
            _damage(value[index], rng, depth + 1)


@pytest.mark.parametrize("seed", range(40))
def test_damaged_templates_load_or_fail_cleanly(seed: int, tmp_path: Path) -> None:
    rng = random.Random(seed)
    document = copy.deepcopy(TEMPLATE)
    for _ in range(rng.randint(1, 4)):
        _damage(document, rng)
    path = tmp_path / "damaged.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    try:
        loaded = load(str(path))
    except InputError as error:
        assert all(
            d.location is not None and d.location.file == str(path) for d in error.diagnostics
        ), error.diagnostics
        return
    # whatever loads can be generated again (heiki build never crashes on a loaded environment)
    subscription_template(loaded.environment)
    bicep_project(loaded.environment)
