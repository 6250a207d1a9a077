"""The import contract of product.md: lower layers never import higher ones."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).parent.parent / "src" / "heiki"

# Rank per top-level package/module of heiki. A module may import a lower rank, or its own
# package; never a higher rank, and never another package of the same rank (sources and analyses
# are siblings that must not know each other).
LAYERS: dict[str, int] = {
    "model": 0,
    "defaults": 0,
    "_version": 0,
    "catalog": 1,
    "diagnostics": 1,
    "designs": 1,
    "inputs": 2,
    "sources": 3,
    "config": 3,
    "analyses": 3,
    "rules": 4,
    "readiness": 4,
    "reports": 5,
    "generators": 5,
    "cli": 6,
    "__main__": 7,
}


def _layer_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "heiki":
        return None
    return parts[1] if len(parts) > 1 else "__init__"


def _imports(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, node.lineno))
    return found


def test_every_package_has_a_layer() -> None:
    for child in SRC.iterdir():
        name = child.stem if child.is_file() else child.name
        if (name.startswith("__") and name != "__main__") or child.suffix in (".typed",):
            continue
        if child.name == "__pycache__":
            continue
        assert name in LAYERS, f"{child} has no layer in tests/test_layers.py"


def test_lower_layers_never_import_higher_ones() -> None:
    violations = []
    for path in SRC.rglob("*.py"):
        own = path.relative_to(SRC).parts[0].removesuffix(".py")
        if own == "__init__":
            continue
        for module, line in _imports(path):
            target = _layer_of(module)
            if target is None or target == own or target == "__init__":
                continue
            if LAYERS[target] >= LAYERS[own]:
                violations.append(f"{path.relative_to(SRC)}:{line} ({own}) imports {module}")
    assert not violations, "layer violations:\n" + "\n".join(violations)


def test_model_imports_nothing_else_of_heiki() -> None:
    for path in (SRC / "model").rglob("*.py"):
        for module, line in _imports(path):
            if module.startswith("heiki."):
                assert module.startswith("heiki.model"), f"{path}:{line} imports {module}"
