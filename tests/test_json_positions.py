"""Line and column of every object and array of a JSON text (``sources/arm/positions.py``): the
offset recorded for a pointer is where the value at that pointer starts, whatever the spacing,
escapes and nesting; keys with escapes and non-ASCII text name their pointers as JSON reads
them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from heiki.sources.arm.positions import JsonPositions, pointer_segment

TEXT = st.text(alphabet=st.sampled_from(list('ab"\\/~:,{}[] \n\té\u2603')), max_size=6)
SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=25,
)
LAYOUTS = st.sampled_from(
    [
        {"indent": None},
        {"indent": 2},
        {"indent": 4, "ensure_ascii": False},
        {"separators": (",", ":")},
        {"separators": (" , ", " : "), "ensure_ascii": False},
    ]
)


def _containers(value: Any, pointer: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        yield pointer, value
        for key, item in value.items():
            yield from _containers(item, f"{pointer}/{pointer_segment(key)}")
    elif isinstance(value, list):
        yield pointer, value
        for index, item in enumerate(value):
            yield from _containers(item, f"{pointer}/{index}")


@settings(max_examples=300, deadline=None)
@given(VALUES, LAYOUTS)
def test_every_container_is_found_where_it_starts(value: Any, layout: dict[str, Any]) -> None:
    text = json.dumps(value, **layout)
    positions = JsonPositions(text)
    decoder = json.JSONDecoder()
    expected = dict(_containers(value))
    offsets = positions.containers()
    assert set(offsets) == set(expected)
    for pointer, container in expected.items():
        offset = offsets[pointer]
        assert positions.offset(pointer) == offset
        assert decoder.raw_decode(text, offset)[0] == container, pointer
        line, column = positions.locate(pointer) or (0, 0)
        assert text.count("\n", 0, offset) + 1 == line
        assert offset - (text.rfind("\n", 0, offset) + 1) + 1 == column
    # asked out of text order (lines are counted from the nearest position asked before)
    backwards = JsonPositions(text)
    for pointer in reversed(list(expected)):
        offset = offsets[pointer]
        line, column = backwards.locate(pointer) or (0, 0)
        assert text.count("\n", 0, offset) + 1 == line
        assert offset - (text.rfind("\n", 0, offset) + 1) + 1 == column


def test_a_member_is_read_only_as_far_as_asked() -> None:
    # the value after the asked member is not JSON: it is never read
    positions = JsonPositions('{"a": {"b": [1, {"c": 2}]}, "z": nonsense')
    assert positions.locate("/a/b/1") == (1, 17)
    assert positions.locate("/z") == (1, 1)  # its container, once the fault is met


def test_a_pointer_below_a_scalar_falls_back_to_its_container() -> None:
    text = '{\n  "resources": [\n    {"name": "a"},\n    {"name": "b"}\n  ]\n}\n'
    positions = JsonPositions(text)
    assert positions.locate("/resources/1") == (4, 5)
    assert positions.locate("/resources/1/name") == (4, 5)
    assert positions.locate("/missing") == (1, 1)
