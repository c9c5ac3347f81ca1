"""The edit history: typing coalesces, other changes start edits, offsets follow later edits."""

from __future__ import annotations

from ghostfill.documents.store import TextChange
from ghostfill.model import Position
from ghostfill.nextedit.history import EditHistory

from tests.unit.nextedit.typing_helpers import Editor


def test_typing_a_word_is_one_edit() -> None:
    ed = Editor()
    ed.open("x = 1\n")
    ed.type(0, 5, "23")
    assert [(e.start, e.old, e.new) for e in ed.history.edits(ed.doc.uri)] == [(5, b"", b"23")]


def test_deleting_a_name_and_typing_another_is_one_replacement() -> None:
    ed = Editor()
    ed.open("count = count + 1\n")
    ed.backspace_and_type(0, 0, "count", "total")
    (edit,) = ed.history.edits(ed.doc.uri)
    assert (edit.start, edit.old, edit.new) == (0, b"count", b"total")


def test_an_edit_elsewhere_starts_a_new_edit_and_shifts_later_ones() -> None:
    ed = Editor()
    ed.open("a = 1\nb = 2\n")
    ed.type(1, 4, "0")  # "b = 02"
    ed.type(0, 0, "xx")  # before it: the first edit moves by 2 bytes
    first, second = ed.history.edits(ed.doc.uri)
    assert (first.start, first.new) == (6 + 4 + 2, b"0")
    assert ed.doc.data[first.start : first.end] == b"0"
    assert (second.start, second.new) == (0, b"xx")


def test_typed_and_undone_is_nothing() -> None:
    ed = Editor()
    ed.open("a = 1\n")
    ed.type(0, 5, "2")
    ed.change(0, 5, 0, 6, "")
    assert ed.history.edits(ed.doc.uri) == []


def test_history_is_bounded() -> None:
    ed = Editor(history=EditHistory(size=3))
    ed.open("\n".join("x" for _ in range(10)) + "\n")
    for row in range(6):
        ed.type(row, 0, "y")
    assert len(ed.history.edits(ed.doc.uri)) == 3


def test_full_document_sync_records_the_span_that_differs() -> None:
    ed = Editor()
    ed.open("value = old_name + 1\n")
    ed.store.change(ed.doc.uri, 2, [TextChange("value = new_name + 1\n")])
    (edit,) = ed.history.edits(ed.doc.uri)
    assert (edit.start, edit.old, edit.new) == (8, b"old", b"new")


def test_nothing_is_kept_while_next_edits_are_off_and_turning_them_on_starts_afresh() -> None:
    ed = Editor()
    ed.open("a = 1\nb = 2\n")
    ed.type(1, 4, "0")
    ed.enable = False
    ed.type(0, 0, "xx")  # would shift the first edit: forgotten instead, with it
    assert ed.history.edits(ed.doc.uri) == []
    ed.enable = True
    ed.type(0, 5, "9")
    (edit,) = ed.history.edits(ed.doc.uri)
    assert (edit.start, edit.new) == (5, b"9") and ed.doc.data[5:6] == b"9"


def test_reopening_forgets_the_history() -> None:
    ed = Editor()
    ed.open("a\n")
    ed.store.change(ed.doc.uri, 2, [TextChange("b", Position(0, 0), Position(0, 1))])
    ed.open("a\n")
    assert ed.history.edits(ed.doc.uri) == []


def test_a_change_over_an_older_edit_drops_it_and_later_ones_shift() -> None:
    ed = Editor()
    ed.open("aaa bbb ccc\n")
    ed.type(0, 1, "1")  # "a1aa bbb ccc"
    ed.type(0, 10, "3")  # "a1aa bbb c3cc"
    ed.type(0, 6, "2")  # "a1aa b2bb c3cc": the edit at column 10 moves right
    ed.change(0, 0, 0, 3, "z")  # over the first edit: it is gone
    edits = ed.history.edits(ed.doc.uri)
    assert [(ed.doc.data[e.start : e.end], e.old) for e in edits] == [
        (b"3", b""),
        (b"2", b""),
        (b"z", b"a1a"),
    ]
