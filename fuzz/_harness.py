"""Shared by the harnesses: what counts as a handled rejection (heiki's located input errors),
and the atheris entry point. Anything else a harness raises is a crash: atheris stops, prints
the input and writes it to crash-<hash> (then add it to tests/badinputs.py)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable

import atheris

with atheris.instrument_imports(include=["heiki"]):
    from heiki.diagnostics import InputError
    from heiki.sources.arm.expressions.errors import ExpressionError
    from heiki.sources.arm.template import TemplateError
    from heiki.sources.terraform.evaluate import TfEvalError
    from heiki.sources.terraform.syntax import HclSyntaxError

HANDLED: tuple[type[BaseException], ...] = (
    InputError,  # every reader's located refusal: the CLI prints it and exits 2
    TemplateError,  # turned into an InputError by the ARM loader
    ExpressionError,
    HclSyntaxError,  # turned into an InputError by the Terraform loader
    TfEvalError,
)


def text(data: bytes) -> str:
    """Fuzzer bytes as the text a reader gets (heiki.inputs decodes files the same way)."""
    return data.decode("utf-8", errors="replace")


def main(test_one: Callable[[bytes], None]) -> None:
    def guarded(data: bytes) -> None:
        with contextlib.suppress(*HANDLED):
            test_one(data)

    atheris.Setup(sys.argv, guarded)
    atheris.Fuzz()
