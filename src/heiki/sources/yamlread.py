"""Read YAML into plain data while remembering the line and column of every node.

PyYAML's composer keeps marks on nodes; we convert the node tree ourselves so that each value's
path (``("spokes", "ml", "address_space")``) maps to its position. Duplicate keys, which PyYAML
silently overwrites, are reported instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from heiki import diagnostics as dx
from heiki.diagnostics import Diagnostic, InputError, Severity
from heiki.inputs import input_limit, nesting_message, read_input_text
from heiki.model.source import SourceLocation

MAX_INPUT_BYTES = 10 * 1024 * 1024
"""Larger inputs are refused: a blueprint is hand-written and small; this guards against mistakes."""

PathKey = tuple[str | int, ...]

MAX_YAML_VALUES = 2_000_000
"""Values a document may expand to: aliases can make a few lines stand for billions of values
(an alias bomb); a real blueprint of the 10 MiB limit holds far fewer."""


class _Budget:
    """How many more values the document may expand to."""

    def __init__(self, limit: int) -> None:
        self.left = limit


@dataclass(frozen=True)
class LocatedDocument:
    """Parsed data plus the position of every node, keyed by its path from the root."""

    data: Any
    display_name: str
    marks: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    overlays: tuple[tuple[str, LocatedDocument], ...] = ()
    """Top-level keys whose locations live in another file (``--onprem FILE``)."""

    def with_overlay(self, key: str, other: LocatedDocument) -> LocatedDocument:
        return LocatedDocument(
            self.data, self.display_name, self.marks, (*self.overlays, (key, other))
        )

    def location(self, path: PathKey) -> SourceLocation:
        """The location of ``path``, or of its nearest ancestor that has one."""
        for key, other in self.overlays:
            if path[:1] == (key,):
                return other.location(path)
        probe = tuple(path)
        while probe not in self.marks and probe:
            probe = probe[:-1]
        line, column = self.marks.get(probe, (1, 1))
        pointer = "/" + "/".join(str(p) for p in path) if path else ""
        return SourceLocation(self.display_name, line, column, pointer)


def _convert(
    loader: yaml.SafeLoader,
    node: yaml.Node,
    path: PathKey,
    marks: dict[PathKey, tuple[int, int]],
    display: str,
    budget: _Budget,
) -> Any:
    budget.left -= 1
    if budget.left < 0:
        raise InputError(
            Diagnostic(
                dx.YAML_SYNTAX,
                Severity.ERROR,
                f"YAML: the document expands to more than {MAX_YAML_VALUES} values (aliases "
                "repeating aliases?)",
                SourceLocation(display, node.start_mark.line + 1, node.start_mark.column + 1),
            )
        )
    marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = (
                loader.construct_scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            )
            if not isinstance(key, str):
                raise InputError(
                    Diagnostic(
                        dx.SCHEMA,
                        Severity.ERROR,
                        "mapping keys must be plain strings",
                        SourceLocation(
                            display, key_node.start_mark.line + 1, key_node.start_mark.column + 1
                        ),
                    )
                )
            if key in result:
                raise InputError(
                    Diagnostic(
                        dx.DUPLICATE_KEY,
                        Severity.ERROR,
                        f"duplicate key {key!r}",
                        SourceLocation(
                            display, key_node.start_mark.line + 1, key_node.start_mark.column + 1
                        ),
                    )
                )
            child = (*path, key)
            result[key] = _convert(loader, value_node, child, marks, display, budget)
            # a key's own position is more useful than its value's for "unknown key" messages
            marks[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _convert(loader, item, (*path, i), marks, display, budget)
            for i, item in enumerate(node.value)
        ]
    value = loader.construct_object(node, deep=True)
    if isinstance(value, bytes):  # !!binary: bytes would pass for text further on
        raise InputError(
            Diagnostic(
                dx.SCHEMA,
                Severity.ERROR,
                "YAML: a !!binary value is bytes, not text (write the text itself)",
                SourceLocation(display, node.start_mark.line + 1, node.start_mark.column + 1),
            )
        )
    if isinstance(value, str) and not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:  # a "\ud800" escape: no character, and no UTF-8 for it
            raise InputError(
                Diagnostic(
                    dx.YAML_SYNTAX,
                    Severity.ERROR,
                    "YAML: a lone surrogate escape is not a character",
                    SourceLocation(display, node.start_mark.line + 1, node.start_mark.column + 1),
                )
            ) from None
    return value


def _too_deep(text: str, display: str) -> InputError:
    """Flow collections (``[[[``) are located; block nesting by indentation is not bracketed,
    so the message names the file only."""
    message, where = nesting_message("YAML", text, display)
    return InputError(Diagnostic(dx.YAML_SYNTAX, Severity.ERROR, message, where))


_COMPOSER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser where PyYAML has it (a large estate's blueprint reads ~5x faster); its nodes
carry the same line and column marks."""


def parse_yaml(text: str, display_name: str) -> LocatedDocument:
    """Parse one YAML document; syntax errors become an ``InputError`` with line and column."""
    if len(text.encode("utf-8", errors="replace")) > MAX_INPUT_BYTES:
        raise InputError(
            Diagnostic(
                dx.FILE_TOO_LARGE,
                Severity.ERROR,
                f"input is larger than {MAX_INPUT_BYTES // (1024 * 1024)} MiB",
                SourceLocation(display_name),
            )
        )
    try:
        root = yaml.compose(text, Loader=_COMPOSER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        location = (
            SourceLocation(display_name, mark.line + 1, mark.column + 1)
            if mark
            else SourceLocation(display_name)
        )
        problem = exc.problem or exc.context or "invalid YAML"
        raise InputError(
            Diagnostic(dx.YAML_SYNTAX, Severity.ERROR, f"YAML syntax: {problem}", location)
        ) from None
    except yaml.YAMLError as exc:
        raise InputError(
            Diagnostic(dx.YAML_SYNTAX, Severity.ERROR, f"YAML: {exc}", SourceLocation(display_name))
        ) from None
    except RecursionError:
        raise _too_deep(text, display_name) from None
    marks: dict[PathKey, tuple[int, int]] = {}
    if root is None:
        return LocatedDocument({}, display_name, {(): (1, 1)})
    try:
        data = _convert(
            yaml.SafeLoader(""), root, (), marks, display_name, _Budget(MAX_YAML_VALUES)
        )
    except yaml.constructor.ConstructorError as exc:
        bad = exc.problem_mark
        where = SourceLocation(display_name, bad.line + 1, bad.column + 1) if bad else None
        raise InputError(
            Diagnostic(dx.YAML_SYNTAX, Severity.ERROR, f"YAML: {exc.problem}", where)
        ) from None
    except RecursionError:
        raise _too_deep(text, display_name) from None
    return LocatedDocument(data, display_name, marks)


def read_yaml_file(path: Path, display_name: str | None = None) -> LocatedDocument:
    """Read and parse a YAML file, turning I/O problems into located diagnostics."""
    display = display_name or str(path)
    text = read_input_text(path, display, min(MAX_INPUT_BYTES, input_limit()))
    return parse_yaml(text, display)
