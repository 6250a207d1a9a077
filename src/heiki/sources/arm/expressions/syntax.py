"""The ARM expression syntax: ``[func('arg', 1).prop[0]]`` parsed into a small tree.

A JSON string is an expression when it starts with ``[`` and ends with ``]``; ``[[`` escapes a
literal leading bracket. Inside: function calls (``name(...)``, user functions as
``namespace.name(...)``), single-quoted strings with ``''`` for a quote, integers, and property
(``.name``) and index (``[expr]``) access on any value. Every node keeps its offset in the text so
that errors can point at it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from heiki.sources.arm.expressions.errors import ExpressionError


@dataclass(frozen=True, slots=True)
class Literal:
    """A string, number or boolean literal in an expression."""

    value: Any
    offset: int


@dataclass(frozen=True, slots=True)
class Call:
    """A function call in an expression."""

    name: str
    """As written; function names are case-insensitive."""
    args: tuple[Node, ...]
    offset: int


@dataclass(frozen=True, slots=True)
class Property:
    """A property access (``x.name``) in an expression."""

    target: Node
    name: str
    offset: int


@dataclass(frozen=True, slots=True)
class Index:
    """An index access (``x[0]``, ``x['name']``) in an expression."""

    target: Node
    index: Node
    offset: int


Node = Literal | Call | Property | Index


def is_expression(text: str) -> bool:
    """True when a JSON string value holds an expression (not a ``[[``-escaped literal)."""
    return len(text) >= 2 and text[0] == "[" and text[-1] == "]" and text[1] != "["


def unescape_literal(text: str) -> str:
    """A string that is not an expression, as ARM reads it: ``[[x]`` is the literal ``[x]``."""
    return text[1:] if text.startswith("[[") else text


_PUNCTUATION = "(),.[]"
_DIGITS = "0123456789"
"""Numbers are ASCII (``str.isdigit`` also takes "⑤" and "²", which ``int`` refuses)."""


_SPACES = re.compile(r"\s*")
"""``\\s`` in a str pattern is exactly ``str.isspace``, ``\\w`` exactly ``str.isalnum`` or ``_``:
the scanner matches runs in C instead of testing one character at a time."""
_NAME = re.compile(r"[\w$]*")
_NUMBER = re.compile(r"[+-]?[0-9]*(?:\.[0-9]*)?")


class _Parser:
    def __init__(self, text: str, base: int, original: str) -> None:
        self.text = text
        self.end = len(text)
        self.base = base  # offset of text[0] within the original JSON string
        self.original = original
        self.pos = 0

    def fail(self, message: str, at: int | None = None) -> ExpressionError:
        where = self.pos if at is None else at
        return ExpressionError(message, self.original, where + self.base)

    def skip(self) -> None:
        pos = self.pos
        if pos < self.end and self.text[pos].isspace():
            self.pos = _SPACES.match(self.text, pos).end()  # type: ignore[union-attr]

    def peek(self) -> str:
        pos = self.pos
        if pos >= self.end:
            return ""
        char = self.text[pos]
        if char.isspace():
            self.skip()
            return self.text[self.pos] if self.pos < self.end else ""
        return char

    def expect(self, char: str) -> None:
        if self.peek() != char:
            found = repr(self.text[self.pos]) if self.pos < self.end else "the end"
            raise self.fail(f"expected {char!r}, found {found}")
        self.pos += 1

    def identifier(self) -> str:
        self.skip()
        start = self.pos
        self.pos = _NAME.match(self.text, start).end()  # type: ignore[union-attr]
        if start == self.pos:
            raise self.fail("expected a name")
        return self.text[start : self.pos]

    def string(self) -> Literal:
        start = self.pos
        self.pos += 1  # the opening quote
        parts: list[str] = []
        while True:
            end = self.text.find("'", self.pos)
            if end < 0:
                raise self.fail("unterminated string", start)
            parts.append(self.text[self.pos : end])
            if self.text.startswith("''", end):
                parts.append("'")
                self.pos = end + 2
                continue
            self.pos = end + 1
            return Literal("".join(parts), self.base + start)

    def number(self) -> Literal:
        start = self.pos
        self.pos = _NUMBER.match(self.text, start).end()  # type: ignore[union-attr]
        digits = self.text[start : self.pos]
        if "." in digits:
            try:
                return Literal(float(digits), self.base + start)
            except ValueError:  # "-." or "+.": a sign and a point, no digits
                raise self.fail("expected a number", start) from None
        if digits in ("+", "-"):
            raise self.fail("expected a number", start)
        return Literal(int(digits), self.base + start)

    def primary(self) -> Node:
        char = self.peek()
        if not char:  # first: the empty string is "in" every string below
            raise self.fail("expected a value, found the end")
        if char == "'":
            return self.string()
        if char in _DIGITS or char in "+-":
            return self.number()
        if char in _PUNCTUATION:
            raise self.fail(f"expected a value, found {char!r}")
        start = self.pos
        name = self.identifier()
        if self.peek() == ".":
            # namespace.function(...) - a user-defined function
            save = self.pos
            self.pos += 1
            member = self.identifier()
            if self.peek() == "(":
                name = f"{name}.{member}"
            else:
                self.pos = save
        if self.peek() != "(":
            lowered = name.lower()
            if lowered in ("true", "false"):
                return Literal(lowered == "true", self.base + start)
            if lowered == "null":
                return Literal(None, self.base + start)
            raise self.fail(f"{name!r} must be called as a function: {name}(...)", start)
        self.pos += 1
        args: list[Node] = []
        if self.peek() != ")":
            while True:
                args.append(self.expression())
                if self.peek() == ",":
                    self.pos += 1
                    continue
                break
        self.expect(")")
        return Call(name, tuple(args), self.base + start)

    def expression(self) -> Node:
        node = self.primary()
        while True:
            char = self.peek()
            if char == ".":
                at = self.pos
                self.pos += 1
                node = Property(node, self.identifier(), self.base + at)
            elif char == "[":
                at = self.pos
                self.pos += 1
                index = self.expression()
                self.expect("]")
                node = Index(node, index, self.base + at)
            else:
                return node


@functools.lru_cache(maxsize=1 << 12)
def parse_expression(text: str) -> Node:
    """Parse an expression string with or without its enclosing brackets. The tree is immutable
    and the same text parses the same: a template of many modules (one per spoke) repeats its
    expressions, so the trees of the last 4,096 texts are kept (at 1,000 spokes they answer 60%
    of the parses; a bigger cache adds memory, not hits). A failure is not kept: it raises
    again."""
    inner, base = (text[1:-1], 1) if is_expression(text) else (text, 0)
    parser = _Parser(inner, base, text)
    node = parser.expression()
    if parser.peek():
        raise parser.fail(f"unexpected {parser.text[parser.pos]!r} after the expression")
    return node
