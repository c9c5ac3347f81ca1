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


def _walked_edges(d, row: int, col: int, budget_tokens: int, share: float) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """The window's edges found line by line, then snapped to the grid."""
    from ghostfill.context.window import CHARS_PER_TOKEN, GRID_CHARS, MAX_GRID_LINES

    budget = max(budget_tokens, 16) * CHARS_PER_TOKEN
    after = int(budget * min(share, 0.5))
    cursor = d.offset_of(row, col)
    first = row
    while first > 0 and cursor - d.line_start(first - 1) <= budget - after:
        first -= 1
    last = row
    while last + 1 < d.line_count and d.line_end(last + 1) - cursor <= after:
        last += 1
    grid = max(1, min(MAX_GRID_LINES, budget // GRID_CHARS))
    if first > 0 and -(-first // grid) * grid <= row:
        first = -(-first // grid) * grid
    below = d.line_count - 1 - last
    if below > 0 and d.line_count - 1 - -(-below // grid) * grid >= row:
        last = d.line_count - 1 - -(-below // grid) * grid
    return first, last


def test_the_edges_found_by_bisection_are_those_of_a_line_by_line_walk() -> None:
    """Lines of every length, CRLF, a pending one-line edit (the line index's lazy shift)."""
    import random

    from ghostfill.documents.store import TextChange
    from ghostfill.model import Position

    registry = LanguageRegistry()
    store = DocumentStore(registry, Grammars(registry))
    rng = random.Random(3)
    for k in range(30):
        newline = rng.choice(["\n", "\r\n"])
        lengths = [0, 1, 3, 10, 40, 120, 400]
        text = newline.join("x" * rng.choice(lengths) for _ in range(rng.randrange(1, 300)))
        d = store.open(f"file:///w/edges{k}.txt", text, 1)
        for version in range(2, 22):
            row = rng.randrange(d.line_count)
            col = rng.randrange(len(d.line(row)) + 1)
            at = Position(row, col)
            store.change(d.uri, version, [TextChange(rng.choice(["a", "bb"]), at, at)])
            for budget in (16, 300, 2000):
                w = cursor_window(d, row, col, budget, 0.25)
                assert (w.first_row, w.last_row) == _walked_edges(d, row, col, budget, 0.25)
