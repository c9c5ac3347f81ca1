"""The cursor window: budgeted, whole lines, exact around the cursor."""

from __future__ import annotations

from ghostfill.context.window import cursor_window
from ghostfill.documents.languages import LanguageRegistry
from ghostfill.documents.store import DocumentStore
from ghostfill.documents.syntax import Grammars

TEXT = "".join(f"line_{n:03d} = {n}\n" for n in range(200))


def doc():  # type: ignore[no-untyped-def]
    registry = LanguageRegistry()
    return DocumentStore(registry, Grammars(registry)).open("file:///w/a.py", TEXT, 1)


def test_window_is_exact_around_the_cursor() -> None:
    w = cursor_window(doc(), 100, 8, 1500)
    assert w.line_prefix == "line_100" and w.line_suffix == " = 100"
    assert w.prefix.endswith("line_099 = 99\nline_100") and w.suffix.startswith(
        " = 100\nline_101 = 101\n"
    )


def test_window_respects_the_budget_in_whole_lines() -> None:
    w = cursor_window(doc(), 100, 8, 50)  # 200 characters: 150 before, 50 after
    assert len(w.prefix) <= 150 and len(w.suffix) <= 50 + len(" = 100\n")
    assert w.prefix.startswith("line_") and w.first_row > 0
    assert w.suffix.endswith("\n")


def test_window_at_the_end_of_the_file() -> None:
    d = doc()
    w = cursor_window(d, d.line_count - 1, 0, 1500)
    assert w.suffix == "" and w.prefix.endswith("line_199 = 199\n")


def test_the_suffix_share_moves_the_budget_before_the_cursor() -> None:
    wide = cursor_window(doc(), 100, 8, 200)  # 800 characters: 600 before, 200 after
    narrow = cursor_window(doc(), 100, 8, 200, 0.05)  # 760 before, 40 after
    assert len(narrow.suffix) < len(wide.suffix) <= 200 + len(" = 100\n")
    assert len(narrow.suffix) <= 40 + len(" = 100\n") + 14  # a grid line at most past it
    assert len(narrow.prefix) > len(wide.prefix)
    assert len(narrow.prefix) <= 760
    silly = cursor_window(doc(), 100, 8, 200, 3.0)  # clamped to half
    assert len(silly.suffix) <= 400 + len(" = 100\n") + 14
    assert cursor_window(doc(), 100, 8, 200, 0.0).suffix.startswith(" = 100")
