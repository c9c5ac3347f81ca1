"""Recent edits: regions follow insertions above them, merge when close, read live text."""

from __future__ import annotations

import pytest
from ghostfill.context.recent_edits import RecentEdits
from ghostfill.context.window import cursor_window
from ghostfill.documents.languages import LanguageRegistry
from ghostfill.documents.store import Document, DocumentStore, TextChange
from ghostfill.documents.syntax import Grammars
from ghostfill.model import Position, Snippet
from ghostfill.settings import ContextSettings, Settings

TEXT = "".join(f"line {n}\n" for n in range(100))


@pytest.fixture
def store() -> DocumentStore:
    registry = LanguageRegistry()
    return DocumentStore(registry, Grammars(registry))


def _type(store: DocumentStore, edits: RecentEdits, doc: Document, row: int, text: str) -> None:
    at = Position(row, 0)
    change = TextChange(text, at, at)
    store.change(doc.uri, doc.version + 1, [change])
    edits.changed(doc, [change])


def _gather(
    edits: RecentEdits, doc: Document, row: int, settings: Settings | None = None
) -> list[Snippet]:
    return edits.snippets(doc, cursor_window(doc, row, 0, 20), settings or Settings())


def test_an_edit_elsewhere_is_shown_as_it_reads_now(store: DocumentStore) -> None:
    edits = RecentEdits()
    other = store.open("file:///w/a.txt", TEXT, 1)
    here = store.open("file:///w/b.txt", TEXT, 1)
    edits.opened(other)
    _type(store, edits, other, 40, "new ")
    (snippet,) = _gather(edits, here, 5)
    assert snippet.path == "/w/a.txt" and snippet.kind == "edit"
    assert "new line 40" in snippet.text and snippet.text.startswith("line 38")


def test_typing_along_a_line_stays_one_region(store: DocumentStore) -> None:
    edits = RecentEdits()
    doc = store.open("file:///w/a.txt", TEXT, 1)
    for _ in range(5):
        _type(store, edits, doc, 40, "x")
    here = store.open("file:///w/b.txt", TEXT, 1)
    assert len(_gather(edits, here, 5)) == 1


def test_regions_shift_when_lines_are_inserted_above(store: DocumentStore) -> None:
    edits = RecentEdits()
    doc = store.open("file:///w/a.txt", TEXT, 1)
    _type(store, edits, doc, 50, "edited ")
    _type(store, edits, doc, 0, "one\ntwo\nthree\n")  # three lines above
    snippets = _gather(edits, doc, 99)
    assert any("edited line 50" in s.text and s.start_line >= 51 for s in snippets)


def test_the_newest_comes_first_and_the_window_is_skipped(store: DocumentStore) -> None:
    edits = RecentEdits()
    doc = store.open("file:///w/a.txt", TEXT, 1)
    _type(store, edits, doc, 10, "older ")
    _type(store, edits, doc, 60, "newer ")
    _type(store, edits, doc, 90, "at the cursor ")
    snippets = _gather(edits, doc, 90)
    assert ["newer" in snippets[0].text, "older" in snippets[1].text] == [True, True]
    assert len(snippets) == 2 and snippets[0].score > snippets[1].score


def test_a_closed_document_keeps_its_text(store: DocumentStore) -> None:
    edits = RecentEdits()
    doc = store.open("file:///w/a.txt", TEXT, 1)
    _type(store, edits, doc, 20, "kept ")
    edits.closed(doc)
    store.close(doc.uri)
    here = store.open("file:///w/b.txt", TEXT, 1)
    (snippet,) = _gather(edits, here, 5)
    assert "kept line 20" in snippet.text


def test_a_full_replacement_forgets_the_document_and_the_setting_turns_it_off(
    store: DocumentStore,
) -> None:
    edits = RecentEdits()
    doc = store.open("file:///w/a.txt", TEXT, 1)
    _type(store, edits, doc, 20, "x")
    here = store.open("file:///w/b.txt", TEXT, 1)
    off = Settings(context=ContextSettings(recentEdits=False))
    assert _gather(edits, here, 5, off) == []
    store.change(doc.uri, 9, [TextChange("all new\n")])
    edits.changed(doc, [TextChange("all new\n")])
    assert _gather(edits, here, 5) == []
