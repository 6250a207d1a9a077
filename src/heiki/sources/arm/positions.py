"""Line and column of objects and arrays in a JSON text, by JSON pointer.

The standard ``json`` module does not report positions, and ARM findings should point at the line
of the resource in the template (SARIF regions, editors). Only the containers on the way to an
asked pointer are indexed, each once: an index lists where each member (or item) of one
container starts, stepping over every value with the ``json`` module's own C scanner
(``raw_decode`` at an offset reports where the value ends). A value is so read once per
container it lies in on an asked path - twice for the resources of a module file - where a
Python tokenizer stepped through every key and bracket (the 47 MB of a 1,000-spoke template:
1.2 s -> 0.4 s).
"""

from __future__ import annotations

import bisect
import contextlib
import json
import re

_SPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()
_NEWLINE = re.compile("\n")


def pointer_segment(segment: str) -> str:
    """A key as a JSON Pointer segment (RFC 6901: ``~`` -> ``~0``, ``/`` -> ``~1``)."""
    if "~" in segment or "/" in segment:
        return segment.replace("~", "~0").replace("/", "~1")
    return segment  # nearly every key


class JsonPositions:
    """The offsets of a JSON text's containers, found on demand (the text parsed as JSON
    already: on text that is not JSON, a container that cannot be read has no members)."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._newlines: list[int] | None = None
        self._members: dict[int, dict[str, int]] = {}
        start = len(text) - len(text.lstrip(" \t\r\n\ufeff"))
        # a scalar document has no containers (and brackets in it are text)
        self._root = start if text[start : start + 1] in ("{", "[") else None

    def offset(self, pointer: str) -> int | None:
        """Where the container at ``pointer`` (or its nearest ancestor container) starts."""
        at = self._root
        if at is None or not pointer:
            return at
        for segment in pointer[1:].split("/") if pointer.startswith("/") else ():
            found = self._members_of(at).get(segment)
            if found is None or self._text[found] not in "{[":
                break
            at = found
        return at

    def locate(self, pointer: str) -> tuple[int, int] | None:
        """1-based line and column of ``pointer`` or of its nearest ancestor container."""
        offset = self.offset(pointer)
        if offset is None:
            return None
        if self._newlines is None:
            self._newlines = [m.start() for m in _NEWLINE.finditer(self._text)]
        line = bisect.bisect_left(self._newlines, offset)
        column = offset - (self._newlines[line - 1] + 1 if line else 0)
        return line + 1, column + 1

    def containers(self) -> dict[str, int]:
        """Every container's pointer and offset (the whole text indexed: for tests)."""
        found: dict[str, int] = {}
        pending = [("", self._root)] if self._root is not None else []
        while pending:
            pointer, at = pending.pop()
            found.setdefault(pointer, at)
            for segment, child in self._members_of(at).items():
                if self._text[child] in "{[":
                    pending.append((f"{pointer}/{segment}", child))
        return found

    def _members_of(self, at: int) -> dict[str, int]:
        members = self._members.get(at)
        if members is None:
            members = self._members[at] = {}
            # not JSON after all: the members read so far
            with contextlib.suppress(ValueError, IndexError, RecursionError):
                self._read_members(at, members)
        return members

    def _read_members(self, at: int, members: dict[str, int]) -> None:
        text = self._text
        is_object = text[at] == "{"
        close = "}" if is_object else "]"
        pos = _SPACE.match(text, at + 1).end()  # type: ignore[union-attr]
        if text[pos] == close:
            return
        index = 0
        while True:
            if is_object:
                key, pos = _DECODER.raw_decode(text, pos)
                pos = _SPACE.match(text, pos).end()  # type: ignore[union-attr]
                if text[pos] != ":":
                    return
                pos = _SPACE.match(text, pos + 1).end()  # type: ignore[union-attr]
                # a repeated key keeps its first place
                members.setdefault(pointer_segment(str(key)), pos)
            else:
                members[str(index)] = pos
                index += 1
            _, pos = _DECODER.raw_decode(text, pos)
            pos = _SPACE.match(text, pos).end()  # type: ignore[union-attr]
            if text[pos] != ",":
                return
            pos = _SPACE.match(text, pos + 1).end()  # type: ignore[union-attr]
