"""Line and column of every object and array in a JSON text, by JSON pointer.

The standard ``json`` module does not report positions, and ARM findings should point at the line
of the resource in the template (SARIF regions, editors). One regular-expression pass over the
structure tracks the path: each match is a bracket, a comma or an object key with its colon;
the regular expression itself skips value strings, numbers and literals in between (a Python
step per value doubled the time), so the 45 MB of a 1,000-spoke template take about a second.
"""

from __future__ import annotations

import bisect
import json
import re

_STRING = r'"[^"\\]*(?:\\.[^"\\]*)*"'  # unrolled: runs of plain characters in one step
_TOKEN = re.compile(
    # skipped: value strings (no colon follows) and anything not structural; then the token
    rf'(?:{_STRING}(?!\s*:)|[^"{{}}\[\],]+)*+(?:(?P<key>{_STRING})\s*:|(?P<mark>[{{}}\[\],]))'
)
_NEWLINE = re.compile("\n")


def pointer_segment(segment: str) -> str:
    """A key as a JSON Pointer segment (RFC 6901: ``~`` -> ``~0``, ``/`` -> ``~1``)."""
    if "~" in segment or "/" in segment:
        return segment.replace("~", "~0").replace("/", "~1")
    return segment  # nearly every key


class JsonPositions:
    def __init__(self, text: str) -> None:
        self._newlines = [m.start() for m in _NEWLINE.finditer(text)]
        self.offsets: dict[str, int] = {}
        self._scan(text)

    def _scan(self, text: str) -> None:
        if text.lstrip(" \t\r\n\ufeff")[:1] not in ("{", "["):
            return  # a scalar document has no containers (and brackets in it are text)
        # stack of [container kind, current key or index]
        stack: list[list[object]] = []
        path: list[str] = []
        pending_key: str | None = None
        expecting_value = True
        for match in _TOKEN.finditer(text):
            key = match.group("key")
            if key is not None:
                # an object's key (value strings and scalars never come as tokens)
                pending_key = json.loads(key) if "\\" in key else key[1:-1]
                expecting_value = True
                continue
            token = match.group("mark")
            start = match.start("mark")
            if token in "{[":
                if stack and stack[-1][0] == "[" and expecting_value:
                    path.append(str(stack[-1][1]))
                elif stack and stack[-1][0] == "{" and pending_key is not None:
                    path.append(pointer_segment(pending_key))
                pointer = "/" + "/".join(path) if path else ""
                self.offsets.setdefault(pointer, start)
                stack.append([token, 0 if token == "[" else None])
                pending_key = None
                expecting_value = token == "["
            elif token in "}]":
                if stack:
                    stack.pop()
                if path and stack:
                    path.pop()
                expecting_value = False
            elif stack and stack[-1][0] == "[":  # a comma between array items
                stack[-1][1] = int(stack[-1][1]) + 1  # type: ignore[call-overload]
                expecting_value = True
            else:  # a comma between an object's members
                expecting_value = False

    def locate(self, pointer: str) -> tuple[int, int] | None:
        """1-based line and column of ``pointer`` or of its nearest recorded ancestor."""
        probe = pointer
        while True:
            offset = self.offsets.get(probe)
            if offset is not None:
                line = bisect.bisect_left(self._newlines, offset)
                column = offset - (self._newlines[line - 1] + 1 if line else 0)
                return line + 1, column + 1
            if not probe:
                return None
            probe = probe.rsplit("/", 1)[0]
