"""UTF-16 columns (what LSP sends) to UTF-8 bytes (what trees use) and back."""

from __future__ import annotations

import pytest
from ghostfill.documents.syntax import byte_to_utf16, utf16_to_byte
from hypothesis import given
from hypothesis import strategies as st

CASES = [
    # line, utf-16 column, expected byte offset
    ("abc", 2, 2),
    ("😀x", 2, 4),  # the emoji is two UTF-16 units and four bytes
    ("😀x", 3, 5),
    ("😀x", 1, 0),  # inside the surrogate pair: snaps back to the emoji's start
    ("漢字x", 2, 6),  # CJK: one unit, three bytes each
    ("e\u0301x", 2, 3),  # combining acute accent: its own code point, one unit, two bytes
    ("e\u0301x", 3, 4),
    ("abc", 10, 3),  # past the end clamps to the line
    ("café", 4, 5),
]


@pytest.mark.parametrize(("line", "column", "offset"), CASES)
def test_utf16_to_byte(line: str, column: int, offset: int) -> None:
    assert utf16_to_byte(line.encode(), column) == offset


@pytest.mark.parametrize(
    ("line", "column", "offset"), [c for c in CASES if c[1] != 1 or c[0] != "😀x"]
)
def test_byte_to_utf16_round_trip(line: str, column: int, offset: int) -> None:
    expected = min(column, len(line.encode("utf-16-le")) // 2)
    assert byte_to_utf16(line.encode(), offset) == expected


@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=30), st.data())
def test_every_character_boundary_round_trips(text: str, data: st.DataObject) -> None:
    chars = data.draw(st.integers(0, len(text)))
    column = len(text[:chars].encode("utf-16-le")) // 2
    offset = utf16_to_byte(text.encode(), column)
    assert offset == len(text[:chars].encode())
    assert byte_to_utf16(text.encode(), offset) == column
