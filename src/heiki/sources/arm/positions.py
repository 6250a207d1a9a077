"""Line and column of objects and arrays in a JSON text, by JSON pointer.

The standard ``json`` module does not report positions, and ARM findings should point at the line
of the resource in the template (SARIF regions, editors). Only the containers on the way to an
asked pointer are read, and each only as far as the asked member: stepping over a member's value
is the ``json`` module's own C scanner (``raw_decode`` at an offset reports where the value ends).
The resources of a module file are so stepped over once, where a Python tokenizer stepped through
every key and bracket of the text (the 47 MB of a 1,000-spoke template: 1.2 s -> 0.3 s). Lines
are counted from the last located offset before the asked one, in C.
"""

from __future__ import annotations

import bisect
import json
import re

_SPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


def pointer_segment(segment: str) -> str:
    """A key as a JSON Pointer segment (RFC 6901: ``~`` -> ``~0``, ``/`` -> ``~1``)."""
    if "~" in segment or "/" in segment:
        return segment.replace("~", "~0").replace("/", "~1")
    return segment  # nearly every key


_OPENING, _AT_VALUE, _DONE = 0, 1, 2
"""Where the reading of a container stands: at its opening bracket, at the value of the last
member read, or past its end."""


class _Members:
    """The members of one container read so far, and where reading resumes."""

    __slots__ = ("count", "found", "is_object", "position", "state")

    def __init__(self, position: int, is_object: bool) -> None:
        self.found: dict[str, int] = {}
        self.position = position
        self.count = 0
        self.state = _OPENING
        self.is_object = is_object


class JsonPositions:
    """The offsets of a JSON text's containers, found on demand (the text parsed as JSON
    already: on text that is not JSON, a container has the members read before the fault)."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._members: dict[int, _Members] = {}
        self._lines: list[tuple[int, int, int]] = [(0, 0, 0)]
        """Checkpoints (offset, newlines before it, where its line starts), in offset order:
        a line is counted from the nearest one before it, never again from the top."""
        start = len(text) - len(text.lstrip(" \t\r\n\ufeff"))
        # a scalar document has no containers (and brackets in it are text)
        self._root = start if text[start : start + 1] in ("{", "[") else None

    def offset(self, pointer: str) -> int | None:
        """Where the container at ``pointer`` (or its nearest ancestor container) starts."""
        at = self._root
        if at is None or not pointer:
            return at
        for segment in pointer[1:].split("/") if pointer.startswith("/") else ():
            found = self._member(at, segment)
            if found is None or self._text[found] not in "{[":
                break
            at = found
        return at

    def locate(self, pointer: str) -> tuple[int, int] | None:
        """1-based line and column of ``pointer`` or of its nearest ancestor container."""
        offset = self.offset(pointer)
        if offset is None:
            return None
        text = self._text
        index = bisect.bisect_right(self._lines, (offset, len(text), len(text))) - 1
        known, before, known_line_start = self._lines[index]
        line = before + text.count("\n", known, offset)
        newline = text.rfind("\n", known, offset)
        line_start = newline + 1 if newline >= 0 else known_line_start
        if index == len(self._lines) - 1 and offset > known:
            self._lines.append((offset, line, line_start))  # resources come mostly in order
        return line + 1, offset - line_start + 1

    def containers(self) -> dict[str, int]:
        """Every container's pointer and offset (the whole text read: for tests)."""
        found: dict[str, int] = {}
        pending = [("", self._root)] if self._root is not None else []
        while pending:
            pointer, at = pending.pop()
            found.setdefault(pointer, at)
            self._member(at, None)
            for segment, child in self._members[at].found.items():
                if self._text[child] in "{[":
                    pending.append((f"{pointer}/{segment}", child))
        return found

    def _member(self, at: int, segment: str | None) -> int | None:
        """Where member ``segment`` of the container at ``at`` starts (``None``: read all)."""
        members = self._members.get(at)
        if members is None:
            members = self._members[at] = _Members(at, self._text[at] == "{")
        found = members.found.get(segment) if segment is not None else None
        if found is None and members.state != _DONE:
            try:
                self._read(members, segment)
            except (ValueError, IndexError, RecursionError):
                members.state = _DONE  # not JSON after all: the members read before the fault
            found = members.found.get(segment) if segment is not None else None
        return found

    def _read(self, members: _Members, segment: str | None) -> None:
        """Read members until ``segment`` (or all of them)."""
        text = self._text
        pos = members.position
        is_object = members.is_object
        if members.state == _OPENING:
            pos = _SPACE.match(text, pos + 1).end()  # type: ignore[union-attr]
            if text[pos] == ("}" if is_object else "]"):
                members.state = _DONE
                return
        else:  # step over the value of the member read last
            if not self._past_value(members, pos):
                return
            pos = members.position
        while True:
            if is_object:
                key, pos = _DECODER.raw_decode(text, pos)
                pos = _SPACE.match(text, pos).end()  # type: ignore[union-attr]
                if text[pos] != ":":
                    members.state = _DONE
                    return
                pos = _SPACE.match(text, pos + 1).end()  # type: ignore[union-attr]
                name = pointer_segment(str(key))
            else:
                name = str(members.count)
            members.found.setdefault(name, pos)  # a repeated key keeps its first place
            members.count += 1
            members.position, members.state = pos, _AT_VALUE
            if name == segment:
                return
            if not self._past_value(members, pos):
                return
            pos = members.position

    def _past_value(self, members: _Members, pos: int) -> bool:
        """Step over the value at ``pos`` and its comma: ``False`` at the container's end."""
        text = self._text
        _, pos = _DECODER.raw_decode(text, pos)
        pos = _SPACE.match(text, pos).end()  # type: ignore[union-attr]
        if text[pos] != ",":
            members.state = _DONE
            return False
        members.position = _SPACE.match(text, pos + 1).end()  # type: ignore[union-attr]
        return True
