"""DefinitionSource: names near the cursor and imported names, resolved most certain first."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from ghostfill.context.definitions import DefinitionSource
from ghostfill.context.index import SymbolIndex
from ghostfill.context.window import cursor_window
from ghostfill.documents.languages import LanguageRegistry
from ghostfill.documents.store import Document, DocumentStore
from ghostfill.documents.syntax import Grammars
from ghostfill.model import Snippet
from ghostfill.settings import ContextSettings, Settings

FILES = {
    "/w/app/models.py": "class User:\n    name: str\n\n    def rename(self, to: str) -> None:\n"
    "        self.name = to\n",
    "/w/app/util.py": "def slugify(text: str) -> str:\n    return text.lower()\n\n\n"
    "def parse_size(text: str) -> int:\n    return int(text)\n",
    "/w/app/helpers.py": "def only_here(x):\n    return x\n",
    "/w/legacy/models.py": "class User:\n    login = ''\n",
    "/w/other/a.py": "def shared():\n    pass\n",
    "/w/other/b.py": "def shared():\n    pass\n",
}


@pytest.fixture(scope="module")
def grammars() -> Grammars:
    return Grammars(LanguageRegistry())


@pytest.fixture(scope="module")
def index(grammars: Grammars) -> Iterator[SymbolIndex]:
    idx = SymbolIndex(grammars)
    for path, text in FILES.items():
        idx.observe(path, text, "python")
    assert idx.wait_idle(10)
    yield idx
    idx.close()


@pytest.fixture(scope="module")
def store(grammars: Grammars) -> DocumentStore:
    return DocumentStore(grammars.registry, grammars)


def _snippets(
    source: DefinitionSource, store: DocumentStore, text: str, settings: Settings | None = None
) -> tuple[Document, list[Snippet]]:
    """Open `text` (with `‸` as the cursor) as /w/app/main.py and gather definitions."""
    before, after = text.split("‸")
    doc = store.open("file:///w/app/main.py", before + after, 1)
    row = before.count("\n")
    col = len(before) - (before.rfind("\n") + 1)
    window = cursor_window(doc, row, col, 1500)
    return doc, source.snippets(doc, window, settings or Settings())


def _where(snippets: list[Snippet]) -> list[tuple[str, int]]:
    return [(s.path, s.start_line) for s in snippets]


def test_an_imported_name_resolves_through_its_import(
    index: SymbolIndex, store: DocumentStore
) -> None:
    _, snippets = _snippets(
        DefinitionSource(index), store, "from .models import User\n\n\ndef make():\n    ‸\n"
    )
    assert ("/w/app/models.py", 0) in _where(snippets)
    assert ("/w/legacy/models.py", 0) not in _where(snippets)  # the import rules it out
    user = next(s for s in snippets if s.path == "/w/app/models.py")
    assert user.kind == "definition"
    assert user.text == FILES["/w/app/models.py"].rstrip()  # short: shown whole


def test_a_module_used_near_the_cursor_gives_its_outline(
    index: SymbolIndex, store: DocumentStore
) -> None:
    _, snippets = _snippets(
        DefinitionSource(index),
        store,
        "from app import util\n\n\ndef make(name):\n    slug = util.slugify(name)\n    ‸\n",
    )
    texts = [s.text for s in snippets if s.path == "/w/app/util.py"]
    assert any("def parse_size(text: str) -> int:" in t for t in texts)


def test_names_near_the_cursor_are_found_in_the_index(
    index: SymbolIndex, store: DocumentStore
) -> None:
    _, snippets = _snippets(DefinitionSource(index), store, "x = only_here(1)\n‸\n")
    assert _where(snippets) == [("/w/app/helpers.py", 0)]


def test_a_name_of_the_same_folder_outranks_an_ambiguous_one(
    index: SymbolIndex, store: DocumentStore
) -> None:
    _, snippets = _snippets(DefinitionSource(index), store, "shared()\nonly_here(2)\n‸\n")
    scores = {s.path: s.score for s in snippets}
    assert scores["/w/app/helpers.py"] > scores["/w/other/a.py"] == scores["/w/other/b.py"]


def test_locals_do_not_pull_in_fields_of_other_files(
    index: SymbolIndex, store: DocumentStore
) -> None:
    _, snippets = _snippets(DefinitionSource(index), store, "def f(name):\n    name = 1\n    ‸\n")
    assert snippets == []


def test_the_word_being_typed_completes_from_an_imported_module(
    index: SymbolIndex, store: DocumentStore
) -> None:
    _, snippets = _snippets(
        DefinitionSource(index), store, "from app import util\n\nsize = util.par‸\n"
    )
    assert ("/w/app/util.py", 4) in _where(snippets)


def test_same_file_definitions_in_the_window_are_skipped(
    grammars: Grammars, store: DocumentStore
) -> None:
    idx = SymbolIndex(grammars)
    try:
        text = "def helper():\n    pass\n\n\nhelper()\n"
        idx.observe("/w/app/main.py", text, "python")
        assert idx.wait_idle(10)
        _, snippets = _snippets(DefinitionSource(idx), store, text + "‸")
        assert snippets == []  # the window shows `helper` already
    finally:
        idx.close()


def test_the_setting_turns_it_off(index: SymbolIndex, store: DocumentStore) -> None:
    off = Settings(context=ContextSettings(symbols=False))
    _, snippets = _snippets(DefinitionSource(index), store, "only_here(1)\n‸\n", off)
    assert snippets == []


def test_opening_and_saving_a_document_indexes_it(grammars: Grammars, store: DocumentStore) -> None:
    idx = SymbolIndex(grammars)
    try:
        source = DefinitionSource(idx)
        doc = store.open("file:///w/app/fresh.py", "def brand_new():\n    pass\n", 1)
        source.opened(doc)
        assert idx.wait_idle(10) and idx.count("brand_new") == 1
    finally:
        idx.close()


def test_the_same_input_gives_the_same_snippets(index: SymbolIndex, store: DocumentStore) -> None:
    text = "from .models import User\nfrom app import util\n\nutil.slugify(User)\n‸\n"
    first = _snippets(DefinitionSource(index), store, text)[1]
    again = _snippets(DefinitionSource(index), store, text)[1]
    assert first == again and first


def test_a_name_bound_by_an_import_below_the_top_resolves_by_that_binding_only(
    index: SymbolIndex, store: DocumentStore
) -> None:
    """Resolutions are remembered per binding: the same name used where the window shows no
    import resolves anew, in both orders (a memo keyed without the binding fails one)."""
    pad = "pad = 0\n" * 320
    far = "far = 0\n" * 1500
    text = f"{pad}def here():\n    from ..other.a import shared\n    shared()\n\n{far}def there():\n    shared()\n"
    doc = store.open("file:///w/app/main.py", text, 1)
    lines = text.split("\n")
    rows = [i for i, line in enumerate(lines) if line == "    shared()"]

    def where(source: DefinitionSource, row: int) -> set[str]:
        window = cursor_window(doc, row, len(lines[row]), 1500)
        return {s.path for s in source.snippets(doc, window, Settings())}

    for order in (rows, rows[::-1]):
        source = DefinitionSource(index)
        seen = {row: where(source, row) for row in order}
        assert seen[rows[0]] == {"/w/other/a.py"}  # the import says which one
        assert {"/w/other/a.py", "/w/other/b.py"} <= seen[rows[1]]  # no import: both
