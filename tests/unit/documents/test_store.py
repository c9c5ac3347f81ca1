"""Incremental edits keep text, line index and tree identical to a fresh parse."""

from __future__ import annotations

import pytest
from ghostfill.documents.languages import LanguageRegistry
from ghostfill.documents.store import Document, DocumentStore, TextChange
from ghostfill.documents.syntax import Grammars
from ghostfill.errors import DocumentError
from ghostfill.model import Position
from hypothesis import given, settings
from hypothesis import strategies as st

SOURCE = "class Shop:\n    def total(self, items):\n        return sum(i.price for i in items)  # 😀 漢字\n"


@pytest.fixture(scope="module")
def store() -> DocumentStore:
    registry = LanguageRegistry()
    return DocumentStore(registry, Grammars(registry))


def utf16_position(text: str, index: int) -> Position:
    line = text.count("\n", 0, index)
    start = text.rfind("\n", 0, index) + 1
    return Position(line, len(text[start:index].encode("utf-16-le")) // 2)


def test_open_detects_language_and_parses(store: DocumentStore) -> None:
    doc = store.open("file:///w/shop.py", SOURCE, 1)
    assert doc.language == "python"
    tree = doc.syntax()
    assert tree is not None and "class_definition" in tree.sexp()


def test_incremental_edit_reuses_the_tree(store: DocumentStore) -> None:
    doc = store.open("file:///w/shop.py", SOURCE, 1)
    tree = doc.syntax()
    assert tree is not None
    doc.apply(TextChange("x", Position(2, 8), Position(2, 8)))
    assert doc.syntax() is tree and tree.reparses == 1
    assert doc.line(2).startswith(b"        xreturn")


def test_edit_after_emoji_lands_on_the_right_byte(store: DocumentStore) -> None:
    doc = store.open("file:///w/shop.py", SOURCE, 1)
    line = SOURCE.split("\n")[2]
    col = len(line.encode("utf-16-le")) // 2
    doc.apply(TextChange("!", Position(2, col), Position(2, col)))
    assert doc.text.split("\n")[2] == line + "!"


def test_unknown_document_and_bad_positions(store: DocumentStore) -> None:
    with pytest.raises(DocumentError):
        store.get("file:///nope.py")
    doc = store.open("file:///w/shop.py", SOURCE, 1)
    with pytest.raises(DocumentError):
        doc.offset(Position(99, 0))
    with pytest.raises(DocumentError):
        doc.apply(TextChange("x", Position(2, 5), Position(1, 0)))


def test_full_replacement(store: DocumentStore) -> None:
    doc = store.open("file:///w/a.py", "x = 1\n", 1)
    store.change(doc.uri, 2, [TextChange("y = 2\nz = 3\n")])
    assert doc.line_count == 3 and doc.line(1) == b"z = 3" and doc.version == 2


edit_text = st.text(alphabet=st.sampled_from(list("ab (){}:\n\t😀漢é\u0301\"'")), max_size=8)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1), edit_text), min_size=1, max_size=12))
def test_random_edits_match_a_fresh_parse(edits: list[tuple[float, float, str]]) -> None:
    registry = LanguageRegistry()
    grammars = Grammars(registry)
    doc = Document("file:///w/f.py", SOURCE, 1, registry.get("python"), grammars)
    text = SOURCE
    for a, b, new in edits:
        i, j = sorted((int(a * len(text)), int(b * len(text))))
        doc.apply(TextChange(new, utf16_position(text, i), utf16_position(text, j)))
        text = text[:i] + new + text[j:]
    assert doc.text == text
    assert [doc.line(r).decode() for r in range(doc.line_count)] == text.split("\n")
    fresh = Document("file:///w/g.py", text, 1, registry.get("python"), grammars)
    incremental, reference = doc.syntax(), fresh.syntax()
    assert incremental is not None and reference is not None
    assert incremental.sexp() == reference.sexp()


typing = st.lists(
    st.tuples(st.booleans(), st.floats(0, 1), st.integers(0, 2), edit_text), min_size=1, max_size=30
)


@settings(max_examples=150, deadline=None)
@given(typing)
def test_typing_runs_keep_the_line_index_exact(steps: list[tuple[bool, float, int, str]]) -> None:
    """Runs of typing in one line (the shift kept pending), jumps elsewhere, deletions and
    line breaks: after every edit each line start, position and point is the fresh one's."""
    registry = LanguageRegistry()
    grammars = Grammars(registry)
    doc = Document("file:///w/f.py", SOURCE, 1, registry.get("python"), grammars)
    text, cursor = SOURCE, len(SOURCE) // 2
    for jump, where, delete, new in steps:
        if jump:
            cursor = int(where * len(text))
        end = min(cursor + delete, len(text))
        doc.apply(TextChange(new, utf16_position(text, cursor), utf16_position(text, end)))
        text = text[:cursor] + new + text[end:]
        cursor += len(new)
        fresh = Document("file:///w/g.py", text, 1, None, grammars)
        assert doc.line_count == fresh.line_count
        for row in range(fresh.line_count):
            assert doc.line_start(row) == fresh.line_start(row)
            assert doc.line(row) == fresh.line(row)
        for offset in range(0, len(fresh.data) + 1, 3):
            assert doc.point(offset) == fresh.point(offset)
        here = utf16_position(text, cursor)
        assert doc.offset(here) == fresh.offset(here)


@pytest.mark.parametrize("seed", range(5))
def test_typing_on_many_lines_in_turn_keeps_the_line_index_exact(seed: int) -> None:
    """One-line edits on more lines than the pending shifts hold, between edits that add
    lines: every line start and every offset's row against an index built afresh."""
    import bisect
    import random

    from ghostfill.documents.store import MAX_PENDING_SHIFTS, _line_starts

    rng = random.Random(seed)
    registry = LanguageRegistry()
    store = DocumentStore(registry, Grammars(registry))
    doc = store.open(f"file:///w/turns{seed}.txt", "a\nbb\nccc\n" * 40, 1)
    for version in range(2, 8 * MAX_PENDING_SHIFTS):
        row = rng.randrange(doc.line_count)
        col = rng.randrange(len(doc.line(row)) + 1)
        text = rng.choice(["x", "yy", "", "x", "\n", "z" * 300])
        end = Position(row, min(col + rng.choice([0, 0, 1]), len(doc.line(row))))
        store.change(doc.uri, version, [TextChange(text, Position(row, col), end)])
        fresh = _line_starts(doc.data, 0, 0)
        assert [doc.line_start(r) for r in range(doc.line_count)] == fresh
        for offset in rng.sample(range(len(doc.data) + 1), 8):
            r = max(0, bisect.bisect_right(fresh, offset) - 1)
            assert doc.point(offset) == (r, offset - fresh[r])
