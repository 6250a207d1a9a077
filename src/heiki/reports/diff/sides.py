"""Check both sides of a diff, at once where the machine allows.

The catalog is loaded once, before the sides fork, so both share it; each side is loaded,
checked and reduced to a :class:`Snapshot` in its own process, and only the snapshot travels
back. With one CPU (or no ``fork``) the sides run one after the other in this process.
"""

from __future__ import annotations

import multiprocessing
import os
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from heiki.catalog import Catalog
from heiki.config import Config
from heiki.defaults import DeploymentTarget
from heiki.diagnostics import Diagnostic, InputError
from heiki.reports.diff.snapshot import Snapshot, snapshot
from heiki.reports.record import check_environment, check_record
from heiki.sources import load


@dataclass(frozen=True)
class Side:
    """What ``heiki check`` would be given for one side."""

    label: str
    inputs: tuple[str, ...]
    onprem: str | None = None
    parameters: tuple[str, ...] = ()
    target: DeploymentTarget | None = None
    var_files: tuple[str, ...] = ()
    variables: tuple[str, ...] = ()
    allow_outside: tuple[str, ...] = ()
    display: dict[str, str] = field(default_factory=dict)
    """Written-out path prefix -> what to call it (``/tmp/x/`` -> ``origin/main:``)."""


@dataclass(frozen=True)
class Rules:
    """The configuration and rule selection a side of a diff is checked with."""

    config: Config
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()


class SideError(Exception):
    """One side failed to load: its diagnostics, named by side."""

    def __init__(self, label: str, diagnostics: Sequence[Diagnostic]) -> None:
        self.label = label
        self.diagnostics = list(diagnostics)
        super().__init__(f"{label}: " + "; ".join(str(d) for d in diagnostics))


def _rename(value: Any, display: dict[str, str]) -> Any:
    if isinstance(value, str):
        for prefix, name in display.items():
            value = value.replace(prefix, name)
        return value
    if isinstance(value, dict):
        return {k: _rename(v, display) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_rename(v, display) for v in value)
    return value


def check_side(side: Side, catalog: Catalog, rules: Rules) -> Snapshot:
    loaded = load(
        list(side.inputs),
        side.onprem,
        side.parameters,
        side.target,
        side.var_files,
        side.variables,
        side.allow_outside,
    )
    result = check_environment(
        loaded.environment,
        catalog,
        loaded.source_name,
        loaded.diagnostics,
        rules.config,
        rules.select,
        rules.ignore,
    )
    taken = snapshot(result, check_record(result))
    if not side.display:
        return taken
    # a side read from a git revision names its files REF:path, not the temporary folder
    return Snapshot(
        **{
            name: _rename(getattr(taken, name), side.display)
            if name in ("source", "findings", "diagnostics")
            else getattr(taken, name)
            for name in Snapshot.__dataclass_fields__
        }
    )


def _child(side: Side, catalog: Catalog, rules: Rules, pipe: Connection) -> None:
    try:
        pipe.send(("ok", check_side(side, catalog, rules)))
    except InputError as error:
        pipe.send(("input", error.diagnostics))
    except BaseException as error:  # reported by the parent as an internal error
        pipe.send(("crash", f"{type(error).__name__}: {error}\n{traceback.format_exc()}"))
    finally:
        pipe.close()


def _parallel() -> bool:
    return (os.cpu_count() or 1) > 1 and "fork" in multiprocessing.get_all_start_methods()


def check_sides(
    base: Side, head: Side, catalog: Catalog, rules: Rules, parallel: bool | None = None
) -> tuple[Snapshot, Snapshot]:
    """Both sides' snapshots; raises :class:`SideError` when a side's input is bad."""
    if not (_parallel() if parallel is None else parallel):
        return _sequential(base, catalog, rules), _sequential(head, catalog, rules)
    context = multiprocessing.get_context("fork")
    running = []
    for side in (base, head):
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(target=_child, args=(side, catalog, rules, sender), daemon=True)
        process.start()
        sender.close()
        running.append((side, process, receiver))
    results: list[Snapshot] = []
    failure: BaseException | None = None
    for side, process, receiver in running:
        try:
            kind, value = receiver.recv()
        except EOFError:
            kind, value = "crash", f"the check of the {side.label} side stopped (out of memory?)"
        process.join()
        if failure is not None:
            continue
        if kind == "ok":
            results.append(value)
        elif kind == "input":
            failure = SideError(side.label, value)
        else:
            failure = RuntimeError(f"{side.label} side: {value}")
    if failure is not None:
        raise failure
    return results[0], results[1]


def _sequential(side: Side, catalog: Catalog, rules: Rules) -> Snapshot:
    try:
        return check_side(side, catalog, rules)
    except InputError as error:
        raise SideError(side.label, error.diagnostics) from None
