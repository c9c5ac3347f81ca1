"""A rewrite of the window becomes minimal, non-overlapping edits in document offsets."""

from __future__ import annotations

import itertools

from ghostfill.model import Position
from ghostfill.nextedit.diff import diff_edits
from ghostfill.nextedit.model import apply
from ghostfill.nextedit.window import rewrite_window

from tests.unit.nextedit.typing_helpers import Editor


def test_no_change_is_no_edits() -> None:
    ed = Editor()
    doc = ed.open("a = 1\nb = 2\n")
    window = rewrite_window(doc, Position(0, 0), 5)
    assert diff_edits(window, window.text) == ()


def test_a_rename_in_the_rewrite_is_one_edit_per_occurrence() -> None:
    ed = Editor()
    doc = ed.open("x = 1\n" * 3 + "def f(count):\n    return count + count\n")
    window = rewrite_window(doc, Position(4, 0), 1)
    assert window.first_row == 3 and window.last_row == 5
    rewrite = window.text.replace("count", "total")
    edits = diff_edits(window, rewrite)
    assert [doc.data[e.start : e.end] for e in edits] == [b"count"] * 3
    assert all(a.end <= b.start for a, b in itertools.pairwise(edits))
    assert apply(doc.data, edits) == doc.data.replace(b"count", b"total")


def test_multibyte_text_keeps_byte_offsets() -> None:
    ed = Editor()
    doc = ed.open("s = 'héllo'  # ü\nt = s\n")
    window = rewrite_window(doc, Position(0, 0), 3)
    rewrite = window.text.replace("t = s", "t = s.upper()")
    edits = diff_edits(window, rewrite)
    assert apply(doc.data, edits).decode() == "s = 'héllo'  # ü\nt = s.upper()\n"
