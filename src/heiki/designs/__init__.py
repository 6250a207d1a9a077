"""The talk's six designs and closed-genai (the closed design serving models), shipped as
blueprint files (``heiki designs`` lists them)."""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable

BUILTIN_DESIGNS: tuple[str, ...] = (
    "closed-aml",
    "nsg-only",
    "locked-down",
    "a-record-dns",
    "manual-upload",
    "dev-prod",
    "closed-genai",
)
DEFAULT_DESIGN = "closed-aml"


def design_file(name: str) -> Traversable | None:
    """The blueprint file of a built-in design, or ``None`` if there is no such design."""
    if name not in BUILTIN_DESIGNS:
        return None
    return resources.files("heiki.designs").joinpath(f"{name}.yaml")


def display_name(name: str) -> str:
    """How messages and golden files name a built-in design's file (machine independent)."""
    return f"heiki:designs/{name}.yaml"
