"""Neighbour windows: the most similar window of each open or recent file of the family."""

from __future__ import annotations

import pytest
from ghostfill.context import neighbours
from ghostfill.context.neighbours import NeighbourSource
from ghostfill.context.window import cursor_window
from ghostfill.documents.languages import LanguageRegistry
from ghostfill.documents.store import Document, DocumentStore, TextChange
from ghostfill.documents.syntax import Grammars
from ghostfill.model import Position, Snippet
from ghostfill.settings import ContextSettings, Settings

FILLER = "".join(f"step_{n}()\n" if n % 3 else "\n" for n in range(60))
SIMILAR = (
    "def load_invoice(customer, ledger):\n"
    "    total = ledger.balance(customer.account_id)\n"
    "    return render_invoice(customer, total)\n"
)


@pytest.fixture
def store() -> DocumentStore:
    registry = LanguageRegistry()
    return DocumentStore(registry, Grammars(registry))


def _gather(
    source: NeighbourSource, doc: Document, settings: Settings | None = None
) -> list[Snippet]:
    row = doc.line_count - 1
    window = cursor_window(doc, row, len(doc.line(row)), 1500)
    return source.snippets(doc, window, settings or Settings())


def test_the_most_similar_window_of_an_open_file_is_offered(store: DocumentStore) -> None:
    source = NeighbourSource()
    other = store.open("file:///w/billing.py", FILLER + SIMILAR + FILLER, 1)
    source.opened(other)
    here = store.open(
        "file:///w/report.py", "def report(customer, ledger):\n    total = ledger.balance(", 1
    )
    source.opened(here)
    (snippet,) = _gather(source, here)
    assert snippet.path == "/w/billing.py" and snippet.kind == "neighbour"
    assert "def load_invoice(customer, ledger):" in snippet.text
    assert 0 < snippet.score <= neighbours.SCORE_WEIGHT
    assert snippet.start_line <= 60 <= snippet.start_line + neighbours.WINDOW_LINES


def test_the_current_file_other_languages_and_dissimilar_files_are_not(
    store: DocumentStore,
) -> None:
    source = NeighbourSource()
    for uri, text in [
        ("file:///w/billing.go", SIMILAR),  # another language
        ("file:///w/noise.py", FILLER),  # nothing in common
    ]:
        source.opened(store.open(uri, text, 1))
    here = store.open("file:///w/report.py", SIMILAR + "def report(customer, ledger):\n", 1)
    source.opened(here)
    assert _gather(source, here) == []


def test_a_closed_file_stays_a_neighbour_for_a_while(store: DocumentStore) -> None:
    source = NeighbourSource(recent_files=1)
    first = store.open("file:///w/billing.py", SIMILAR, 1)
    second = store.open("file:///w/other.py", SIMILAR.replace("invoice", "receipt"), 1)
    for doc in (first, second):
        source.opened(doc)
        source.closed(doc)
    here = store.open("file:///w/report.py", "def f(customer, ledger):\n    ledger.balance(", 1)
    paths = [s.path for s in _gather(source, here)]
    assert paths == ["/w/other.py"]  # only the most recent closed file is kept


def test_an_edited_neighbour_is_cut_again(store: DocumentStore) -> None:
    source = NeighbourSource()
    other = store.open("file:///w/billing.py", FILLER, 1)
    source.opened(other)
    here = store.open("file:///w/report.py", "def f(customer, ledger):\n    ledger.balance(", 1)
    assert _gather(source, here) == []
    end = Position(other.line_count - 1, 0)
    change = TextChange(SIMILAR, end, end)
    store.change(other.uri, 2, [change])
    source.changed(other, [change])
    assert [s.path for s in _gather(source, here)] == ["/w/billing.py"]


def test_the_setting_turns_it_off(store: DocumentStore) -> None:
    source = NeighbourSource()
    source.opened(store.open("file:///w/billing.py", SIMILAR, 1))
    here = store.open("file:///w/report.py", "def f(customer, ledger):\n    ledger.balance(", 1)
    off = Settings(context=ContextSettings(neighbourFiles=False))
    assert _gather(source, here, off) == []
