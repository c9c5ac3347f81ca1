"""WindowCounts: the counts kept in blocks always equal a fresh count."""

from __future__ import annotations

import random
import re
from collections import Counter

import pytest
from ghostfill.context.near_names import BLOCK_ROWS, WindowCounts
from ghostfill.documents.languages import LanguageRegistry
from ghostfill.documents.store import Document, DocumentStore, TextChange
from ghostfill.documents.syntax import Grammars
from ghostfill.model import Position

_IDENT = re.compile(rb"[A-Za-z_$][A-Za-z0-9_$]*")


@pytest.fixture(scope="module")
def store() -> DocumentStore:
    grammars = Grammars(LanguageRegistry())
    return DocumentStore(grammars.registry, grammars)


def _text(rng: random.Random, lines: int, newline: str = "\n") -> str:
    names = ["alpha", "beta", "gamma", "obj.attr", "mod::item", "ptr->field", "x1"]
    return newline.join(
        " ".join(rng.choice(names) for _ in range(rng.randrange(0, 6))) for _ in range(lines)
    )


def _direct(doc: Document, rows: list[tuple[int, int]]) -> Counter[bytes]:
    words: Counter[bytes] = Counter()
    for a, b in rows:
        if a < b:
            words.update(_IDENT.findall(doc.data, doc.line_start(a), doc.line_end(b - 1)))
    return words


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_counts_in_blocks_equal_a_fresh_count(store: DocumentStore, newline: str) -> None:
    rng = random.Random(3)
    doc = store.open("file:///w/counts.py", _text(rng, 400, newline), 1)
    counts = WindowCounts(max_blocks=8)  # small: blocks are evicted and read again
    for _ in range(200):
        a = rng.randrange(doc.line_count)
        b = rng.randrange(a, min(doc.line_count, a + 5 * BLOCK_ROWS) + 1)
        c = rng.randrange(b, doc.line_count + 1)
        d = rng.randrange(c, doc.line_count + 1)
        words, pairs = counts(doc, [(a, b), (c, d)])
        assert words == _direct(doc, [(a, b), (c, d)])
        fresh_words, fresh_pairs = WindowCounts()(doc, [(a, b), (c, d)])
        assert (words, pairs) == (fresh_words, fresh_pairs)


def test_an_edit_inside_a_kept_block_is_counted(store: DocumentStore) -> None:
    text = "".join(f"line{i} = value\n" for i in range(10 * BLOCK_ROWS))
    doc = store.open("file:///w/edited.py", text, 1)
    counts = WindowCounts()
    rows = [(0, 8 * BLOCK_ROWS)]
    assert counts(doc, rows)[0][b"value"] == 8 * BLOCK_ROWS
    at = Position(3 * BLOCK_ROWS + 1, 0)
    doc = store.change(doc.uri, 2, [TextChange("renamed ", at, at)])
    words = counts(doc, rows)[0]
    assert words[b"renamed"] == 1 and words[b"value"] == 8 * BLOCK_ROWS
    end = Position(3 * BLOCK_ROWS + 2, 0)  # a line joined: every later block shifts
    doc = store.change(doc.uri, 3, [TextChange("", Position(3 * BLOCK_ROWS + 1, 0), end)])
    assert counts(doc, rows)[0] == _direct(doc, rows)


@pytest.mark.parametrize("seed", range(10))
def test_a_floor_leaves_out_only_the_names_weighing_less(store: DocumentStore, seed: int) -> None:
    """With a floor, every name kept has the weight it has without one, and every name left
    out weighs less than the floor; the pairs do not change."""
    from ghostfill.context.near_names import near_names
    from ghostfill.context.window import cursor_window

    rng = random.Random(seed)
    words = [f"name{i}" for i in range(60)]
    text = "\n".join(
        " ".join(rng.choice(words) for _ in range(rng.randrange(1, 5))) + f" once{i} obj.attr"
        for i in range(300)
    )
    doc = store.open(f"file:///w/floor{seed}.py", text, 1)
    row = rng.randrange(30, 270)
    window = cursor_window(doc, row, 0, 2000, 0.25)
    every, pairs = near_names(doc, window, WindowCounts())
    kept, kept_pairs = near_names(doc, window, WindowCounts(), 0.05)
    assert kept_pairs == pairs
    assert kept == {name: w for name, w in every.items() if name in kept}
    assert all(w < 0.05 for name, w in every.items() if name not in kept)
    assert len(kept) < len(every)  # the window's rest had names seen once
