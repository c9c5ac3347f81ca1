"""ContextEngine: every source wired, document hooks fanned out, privacy enforced."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest
from ghostfill.context.definitions import DefinitionSource
from ghostfill.context.gather import ContextEngine
from ghostfill.context.neighbours import NeighbourSource
from ghostfill.context.recent_edits import RecentEdits
from ghostfill.context.window import Window, cursor_window
from ghostfill.documents.languages import LanguageRegistry
from ghostfill.documents.store import Document, DocumentStore, TextChange
from ghostfill.documents.syntax import Grammars
from ghostfill.model import Position, Snippet
from ghostfill.settings import Settings

SIMILAR = "def load(customer, ledger):\n    return ledger.balance(customer.account)\n"


@pytest.fixture(scope="module")
def grammars() -> Grammars:
    return Grammars(LanguageRegistry())


@pytest.fixture
def engine(grammars: Grammars) -> Iterator[ContextEngine]:
    e = ContextEngine.standard(grammars)
    yield e
    e.close()


@pytest.fixture
def store(grammars: Grammars) -> DocumentStore:
    return DocumentStore(grammars.registry, grammars)


def test_standard_has_every_source_and_the_index(engine: ContextEngine) -> None:
    kinds = [type(s) for s in engine.sources]
    assert kinds == [DefinitionSource, NeighbourSource, RecentEdits]
    assert engine.symbols is not None


def test_hooks_reach_the_sources(engine: ContextEngine, store: DocumentStore) -> None:
    filler = "\n" * 30
    other = store.open(
        "file:///w/billing.py", "def balance_of(x):\n    pass\n" + filler + SIMILAR + filler, 1
    )
    engine.opened(other)
    end = Position(other.line_count - 1, 0)
    change = TextChange("# edited at the end\n", end, end)
    store.change(other.uri, 2, [change])
    engine.changed(other, [change])
    engine.saved(other)
    assert engine.symbols is not None and engine.symbols.wait_idle(10)
    here = store.open("file:///w/report.py", "def report(customer, ledger):\n    balance_of(", 1)
    engine.opened(here)
    ctx = engine.gather(here, Position(1, 15), Settings())
    assert {s.kind for s in ctx.snippets} == {"definition", "neighbour", "edit"}
    assert {s.path for s in ctx.snippets} == {"/w/billing.py"}
    engine.closed(other)
    engine.closed(here)


def test_excluded_files_never_reach_the_context(
    engine: ContextEngine, store: DocumentStore
) -> None:
    secret = store.open("file:///w/.env.py", SIMILAR, 1)
    engine.opened(secret)
    public = store.open("file:///w/public.py", SIMILAR.replace("load", "fetch"), 1)
    engine.opened(public)
    here = store.open("file:///w/report.py", "def report(customer, ledger):\n    ledger.", 1)
    ctx = engine.gather(
        here, Position(1, 11), Settings(), excluded=lambda path: path.endswith(".env.py")
    )
    paths = {s.path for s in ctx.snippets}
    assert "/w/.env.py" not in paths and "/w/public.py" in paths


class Broken:
    def snippets(self, doc: Document, window: Window, settings: Settings) -> list[Snippet]:
        raise RuntimeError("boom")

    def opened(self, doc: Document) -> None:
        raise RuntimeError("boom")

    def changed(self, doc: Document, changes: Sequence[TextChange]) -> None:
        raise RuntimeError("boom")

    def saved(self, doc: Document) -> None:
        raise RuntimeError("boom")

    def closed(self, doc: Document) -> None:
        raise RuntimeError("boom")


def test_a_failing_source_costs_only_its_snippets(
    store: DocumentStore, caplog: pytest.LogCaptureFixture
) -> None:
    engine = ContextEngine([Broken()])
    doc = store.open("file:///w/a.py", "x = 1\n", 1)
    engine.opened(doc)
    ctx = engine.gather(doc, Position(1, 0), Settings())
    assert ctx.snippets == () and ctx.prefix == "x = 1\n"
    assert "boom" in caplog.text


def test_budget_setting_bounds_the_snippets(engine: ContextEngine, store: DocumentStore) -> None:
    from ghostfill.context.ranking import used
    from ghostfill.settings import ContextSettings

    for n in range(6):
        engine.opened(store.open(f"file:///w/n{n}.py", SIMILAR * 3 + f"# {n}\n", 1))
    here = store.open("file:///w/report.py", SIMILAR + "def report(customer, ledger):\n", 1)
    small = Settings(context=ContextSettings(budgetTokens=150))
    ctx = engine.gather(here, Position(2, 0), small)
    assert 0 < used(ctx.snippets) <= 150


class Counting:
    """A source that says how often it was asked."""

    def __init__(self) -> None:
        self.asked = 0

    def snippets(self, doc: Document, window: Window, settings: Settings) -> list[Snippet]:
        self.asked += 1
        return [Snippet("/w/other.py", f"snippet {self.asked}", "neighbour", 1.0)]


CODE = "import os\n\n\ndef first(a):\n    x = 1\n    \n\n\ndef second(b):\n    return b\n"


def edit(
    store: DocumentStore, engine: ContextEngine, doc: Document, line: int, col: int, text: str
) -> None:
    at = Position(line, col)
    change = TextChange(text, at, at)
    store.change(doc.uri, doc.version + 1, [change])
    engine.changed(doc, [change])


def test_context_is_reused_while_typing_inside_the_same_scope(store: DocumentStore) -> None:
    source = Counting()
    engine = ContextEngine([source])
    settings = Settings()
    doc = store.open("file:///w/a.py", CODE, 1)
    engine.opened(doc)
    first = engine.gather(doc, Position(5, 4), settings)
    edit(store, engine, doc, 5, 4, "y")
    edit(store, engine, doc, 5, 5, " = x\n    ")  # Enter stays inside `first`
    again = engine.gather(doc, Position(6, 4), settings)
    assert source.asked == 1 and again.snippets == first.snippets
    assert again.prefix.endswith("    y = x\n    ")  # the window is always cut afresh
    edit(store, engine, doc, 10, 4, "z")  # an edit in `second`: gathered again
    engine.gather(doc, Position(6, 4), settings)
    assert source.asked == 2
    engine.gather(doc, Position(11, 4), settings)  # the cursor moved to another scope
    assert source.asked == 3
    engine.gather(doc, Position(11, 4), Settings())  # other settings
    assert source.asked == 4


class SameFile:
    """A source offering a snippet of the document itself, far below the cursor."""

    def __init__(self, line: int) -> None:
        self.asked = 0
        self.line = line

    def snippets(self, doc: Document, window: Window, settings: Settings) -> list[Snippet]:
        self.asked += 1
        return [Snippet(doc.path, "def helper():\n    pass", "neighbour", 1.0, self.line)]


def test_reuse_follows_a_window_moved_by_enter_but_not_over_a_scope(
    store: DocumentStore,
) -> None:
    """A function longer than the window: each Enter moves the window a line, the snippets
    are reused, and one of this file that the moved window now shows is dropped; a window
    that moves over the start of an enclosing scope gathers again (its signature must
    appear)."""
    from ghostfill.settings import ContextSettings

    body = "".join(f"    v{i} = {i}\n" for i in range(400))
    text = "import os\n\n\ndef long(a):\n" + body + "\n\ndef tail(b):\n    return b\n"
    doc = store.open("file:///w/long.py", text, 1)
    row = 300
    below = cursor_window(doc, row, 0, 200).last_row + 2  # just out of sight
    source = SameFile(line=below)
    engine = ContextEngine([source])
    engine.opened(doc)
    settings = Settings(context=ContextSettings(windowTokens=200))
    first = engine.gather(doc, Position(row, 13), settings)
    assert source.asked == 1 and [s.start_line for s in first.snippets] == [below]
    for _ in range(4):
        edit(store, engine, doc, row, len(doc.line(row)), "\n    ")
        row += 1
        again = engine.gather(doc, Position(row, 4), settings)
    assert source.asked == 1 and engine.reused == 4 and again.scopes == first.scopes
    assert again.snippets == ()  # the window moved down over it: the model sees it there
    # where the next Enter moves the window's first row past `def long` (row 3)
    start = next(r for r in range(4, 300) if cursor_window(doc, r + 1, 0, 200).first_row > 3)
    engine.gather(doc, Position(start, 4), settings)
    asked = source.asked
    edit(store, engine, doc, start, len(doc.line(start)), "\n    ")
    moved = engine.gather(doc, Position(start + 1, 4), settings)
    assert source.asked == asked + 1
    assert any("def long" in s for s in moved.scopes) and "def long" not in moved.prefix


def test_context_gathered_ahead_is_what_the_request_there_gets(
    grammars: Grammars, store: DocumentStore
) -> None:
    """Gathered after an edit, before the request: the request reuses it and gets exactly
    what an engine that gathered only then gets; a second `ahead` there does nothing."""
    billing = "def balance_of(x):\n    return x.total\n" + "\n" * 30 + SIMILAR
    text = "def report(customer, ledger):\n    x = balance_of(ledger)\n    \n\n" * 60
    fresh_store = DocumentStore(grammars.registry, grammars)
    engines = [ContextEngine.standard(grammars), ContextEngine.standard(grammars)]
    try:
        docs = []
        for s, engine in zip((store, fresh_store), engines, strict=True):
            engine.opened(s.open("file:///w/billing.py", billing, 1))
            docs.append(s.open("file:///w/ahead.py", text, 1))
            engine.opened(docs[-1])
            assert engine.symbols is not None and engine.symbols.wait_idle(10)
        settings = Settings()
        for n, row in enumerate((126, 18, 202)):  # new places: nothing to reuse
            for s, engine, doc in zip((store, fresh_store), engines, docs, strict=True):
                edit(s, engine, doc, row, 4, "y = x")
            ahead, fresh = engines
            assert ahead.ahead(docs[0], Position(row, 9), settings)
            assert not ahead.ahead(docs[0], Position(row, 9), settings)
            got = ahead.gather(docs[0], Position(row, 9), settings)
            want = fresh.gather(docs[1], Position(row, 9), settings)
            assert got == want and got.snippets
            assert ahead.ahead_count == n + 1 and ahead.reused == n + 1 and fresh.reused == 0
    finally:
        for engine in engines:
            engine.close()


def test_ahead_leaves_nothing_that_outlives_an_edit_elsewhere(store: DocumentStore) -> None:
    source = Counting()
    engine = ContextEngine([source])
    settings = Settings()
    doc = store.open("file:///w/a.py", CODE, 1)
    engine.opened(doc)
    assert engine.ahead(doc, Position(5, 4), settings) and source.asked == 1
    edit(store, engine, doc, 10, 4, "z")  # in `second`: what was gathered ahead is stale
    engine.gather(doc, Position(5, 4), settings)
    assert source.asked == 2 and engine.reused == 0
