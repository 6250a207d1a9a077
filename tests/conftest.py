"""Shared test helpers: golden files and blueprint snippets."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("HEIKI_UPDATE_GOLDEN") == "1"


def assert_golden(name: str, text: str) -> None:
    """Compare with ``tests/golden/NAME``; ``HEIKI_UPDATE_GOLDEN=1`` rewrites the file instead."""
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    if not path.exists():
        pytest.fail(f"golden file {path} is missing; run HEIKI_UPDATE_GOLDEN=1 pytest")
    expected = path.read_text(encoding="utf-8")
    assert text == expected, (
        f"{name} differs from its golden file (HEIKI_UPDATE_GOLDEN=1 to accept)"
    )


@pytest.fixture
def golden() -> Callable[[str, str], None]:
    return assert_golden
