"""The symbol index: what `extract` keeps of a file, how it renders, how the index updates."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from ghostfill.context.extract import Pacer, extract, extract_batch
from ghostfill.context.index import BACKLOG, SymbolIndex
from ghostfill.context.symbols import Definition, FileSymbols
from ghostfill.documents.languages import LanguageRegistry
from ghostfill.documents.syntax import Grammars

PY = '''\
import os

LIMIT = 10


class Store:
    """Keeps items."""

    kind = "memory"

    def __init__(self, size: int) -> None:
        self.size = size
        self.items = {}
        self.hits = 0
        self.misses = 0
        self.log = []

    def get(self, key: str) -> str | None:
        return self.items.get(key)


def open_store(
    path: str,
    size: int = LIMIT,
) -> Store:
    store = Store(size)
    store.items["path"] = path
    store.log.append(path)
    store.hits += 1
    return store
'''

RUST = """\
pub struct Store {
    items: Vec<u32>,
    capacity: usize,
    name: String,
    hits: u64,
    misses: u64,
    kind: u8,
}

impl Store {
    pub fn new(capacity: usize) -> Self {
        Store { items: vec![], capacity, name: String::new(), hits: 0, misses: 0, kind: 0 }
    }

    pub fn put(&mut self, v: u32) -> bool {
        self.items.push(v);
        true
    }
}

pub enum Mode {
    Fast,
    Safe,
}
"""

GO = """\
package store

type Store struct {
	items map[string]int
}

func New() *Store {
	return &Store{items: map[string]int{}}
}

func (s *Store) Put(k string, v int) {
	s.items[k] = v
}
"""


@pytest.fixture(scope="module")
def grammars() -> Grammars:
    return Grammars(LanguageRegistry())


def _extract(grammars: Grammars, language: str, text: str, path: str = "/w/f") -> FileSymbols:
    grammar = grammars.by_name(language)
    assert grammar is not None
    return extract(grammar, path, text.encode())


def test_extract_keeps_definitions_in_document_order(grammars: Grammars) -> None:
    fs = _extract(grammars, "python", PY)
    found = [(d.name, d.kind, d.line) for d in fs.definitions]
    assert found == [
        ("LIMIT", "constant", 2),
        ("Store", "class", 5),
        ("kind", "field", 8),
        ("__init__", "method", 10),
        ("get", "method", 17),
        ("open_store", "function", 21),
    ]
    assert fs.language == "python" and len(fs) == 6


def test_short_definitions_are_kept_whole_long_ones_as_their_signature(grammars: Grammars) -> None:
    fs = _extract(grammars, "python", PY)
    (get,) = fs.named("get")
    assert (
        get.header
        == "    def get(self, key: str) -> str | None:\n        return self.items.get(key)"
    )
    assert get.signature_lines == 1
    (open_store,) = fs.named("open_store")
    assert (
        open_store.header == "def open_store(\n    path: str,\n    size: int = LIMIT,\n) -> Store:"
    )
    assert open_store.signature_lines == 4


def test_columns_round_trip_every_field() -> None:
    defs = [
        Definition("A", "class", 0, 9, "class A {", 1, "}"),
        Definition("f", "method", 2, 3, "  f() {\n    return 1\n  }", 1),
        Definition("é", "constant", 11, 11, "const é = 'ü'", 1),
    ]
    fs = FileSymbols.of("/w/a.ts", "typescript", defs)
    assert fs.definitions == tuple(defs)
    assert fs.named("f") == [defs[1]] and fs.indices("é") == [2] and fs.named("zz") == []


def test_a_class_renders_as_a_skeleton_and_a_method_with_its_class(grammars: Grammars) -> None:
    fs = _extract(grammars, "python", PY)
    (store,) = fs.named("Store")
    assert fs.render(store) == (
        "class Store:\n"
        '    kind = "memory"\n'
        "    def __init__(self, size: int) -> None:\n"
        "    def get(self, key: str) -> str | None:"
    )
    (get,) = fs.named("get")
    assert fs.render(get) == (
        "class Store:\n    def get(self, key: str) -> str | None:\n        return self.items.get(key)"
    )
    assert fs.container_of(get) == store
    assert [m.name for m in fs.members(store)] == ["kind", "__init__", "get"]


def test_rust_struct_skeleton_lists_its_impl_methods(grammars: Grammars) -> None:
    fs = _extract(grammars, "rust", RUST)
    (store,) = fs.named("Store")
    rules = grammars.registry.get("rust").symbols  # type: ignore[union-attr]
    text = fs.render(store, rules)
    assert text.startswith("pub struct Store {\n    items: Vec<u32>,")
    assert "impl Store {\n    pub fn new(capacity: usize) -> Self {" in text
    assert "    pub fn put(&mut self, v: u32) -> bool {\n}" in text
    (mode,) = fs.named("Mode")
    assert "impl" not in fs.render(mode, rules)


def test_go_struct_skeleton_lists_methods_with_that_receiver(grammars: Grammars) -> None:
    fs = _extract(grammars, "go", GO)
    (store,) = fs.named("Store")
    text = fs.render(store, grammars.registry.get("go").symbols)  # type: ignore[union-attr]
    assert "func (s *Store) Put(k string, v int) {" in text
    assert "func New()" not in text


def test_outline_lists_top_level_signatures_and_expands_classes_with_room(
    grammars: Grammars,
) -> None:
    fs = _extract(grammars, "python", PY)
    text, first = fs.outline()
    assert first == 2
    assert text.splitlines() == [
        "LIMIT = 10",
        "class Store:",
        '    kind = "memory"',
        "    def __init__(self, size: int) -> None:",
        "    def get(self, key: str) -> str | None:",
        "def open_store(",
        "    path: str,",
        "    size: int = LIMIT,",
        ") -> Store:",
    ]
    tight, _ = fs.outline(limit=6)
    assert len(tight.splitlines()) <= 6 and "def open_store(" in tight


def test_pacer_sleeps_only_after_its_slice() -> None:
    pace = Pacer(slice_s=3600, rest_s=10)
    pace()  # far from an hour: returns at once


@pytest.fixture
def index(grammars: Grammars) -> SymbolIndex:
    idx = SymbolIndex(grammars)
    yield idx  # type: ignore[misc]
    idx.close()


def test_observe_indexes_in_the_background_and_reobserve_replaces(index: SymbolIndex) -> None:
    index.observe("/w/a.py", "def alpha():\n    pass\n", "python")
    index.observe("/w/b.py", "def alpha():\n    pass\n\ndef beta():\n    pass\n", "python")
    assert index.wait_idle(10)
    assert index.count("alpha") == 2 and index.count("beta") == 1
    generation = index.generation
    index.observe("/w/b.py", "def gamma():\n    pass\n", "python")
    assert index.wait_idle(10)
    assert index.count("alpha") == 1 and index.count("beta") == 0 and index.count("gamma") == 1
    assert [fs.path for fs in index.defining("alpha")] == ["/w/a.py"]
    assert index.generation > generation
    index.forget("/w/a.py")
    assert index.wait_idle(10)
    assert index.count("alpha") == 0 and "/w/a.py" not in index
    assert index.stats()["files"] == 1


def test_folders_and_stems_follow_the_files(index: SymbolIndex) -> None:
    for path in ("/w/pkg/store/__init__.py", "/w/pkg/store/items.py", "/w/pkg/util.py"):
        index.observe(path, "X = 1\n", "python")
    assert index.wait_idle(10)
    assert sorted(index.in_folder("/w/pkg/store")) == [
        "/w/pkg/store/__init__.py",
        "/w/pkg/store/items.py",
    ]
    assert index.with_stem("store") == ["/w/pkg/store/__init__.py"]
    assert index.with_stem("util") == ["/w/pkg/util.py"]
    assert index.folders_named("store") == ["/w/pkg/store"]
    index.remove("/w/pkg/store/__init__.py")
    index.remove("/w/pkg/store/items.py")
    assert index.folders_named("store") == [] and index.in_folder("/w/pkg/store") == []


def test_unknown_language_and_bad_files_leave_no_entry(index: SymbolIndex) -> None:
    index.observe("/w/notes.txt", "hello", "text")
    index.observe("/w/gone.py", "def f(): pass\n", "python")
    index.forget("/w/gone.py")  # queued after: wins
    assert index.wait_idle(10)
    assert len(index) == 0


def test_texts_over_the_pending_limit_are_read_from_disk(
    grammars: Grammars, tmp_path: Path
) -> None:
    on_disk = tmp_path / "big.py"
    on_disk.write_text("def from_disk():\n    pass\n")
    idx = SymbolIndex(grammars, max_pending_bytes=10)
    try:
        idx.observe(str(on_disk), "def in_memory():\n    pass\n", "python")  # over the limit
        assert idx.wait_idle(10)
        assert idx.count("from_disk") == 1 and idx.count("in_memory") == 0
    finally:
        idx.close()


def test_the_index_is_bounded(grammars: Grammars) -> None:
    idx = SymbolIndex(grammars, max_definitions=3)
    try:
        idx.observe("/w/a.py", "def a(): pass\ndef b(): pass\n", "python")
        idx.observe("/w/c.py", "def c(): pass\ndef d(): pass\n", "python")
        assert idx.wait_idle(10)
        assert idx.stats()["definitions"] == 2 and idx.skipped == 1
        assert idx.size_bytes() > 0
    finally:
        idx.close()


def test_close_stops_the_worker(grammars: Grammars) -> None:
    idx = SymbolIndex(grammars)
    idx.observe("/w/a.py", "def a(): pass\n", "python")
    idx.close()
    idx.observe("/w/b.py", "def b(): pass\n", "python")  # ignored after close
    assert idx.count("b") == 0


def test_a_backlog_is_extracted_in_a_child_process(grammars: Grammars) -> None:
    idx = SymbolIndex(grammars)
    try:
        for n in range(BACKLOG + 4):
            idx.observe(f"/w/m{n}.py", f"def f{n}():\n    pass\n", "python")
        assert idx.wait_idle(60)
        assert all(idx.count(f"f{n}") == 1 for n in range(BACKLOG + 4))
        assert idx.processes  # the child worked: no fallback
        (fs,) = idx.defining("f3")
        assert fs.names[0] is sys.intern("f3")  # names shared with the parent's
    finally:
        idx.close()


def test_without_a_child_process_the_thread_does_the_work(grammars: Grammars) -> None:
    idx = SymbolIndex(grammars, processes=False)
    try:
        for n in range(BACKLOG + 4):
            idx.observe(f"/w/m{n}.py", f"def g{n}():\n    pass\n", "python")
        assert idx.wait_idle(30)
        assert idx.count("g0") == 1 and idx.count(f"g{BACKLOG + 3}") == 1
    finally:
        idx.close()


def test_extract_batch_reads_missing_texts_from_disk(tmp_path: Path) -> None:
    on_disk = tmp_path / "a.py"
    on_disk.write_text("class OnDisk:\n    pass\n")
    roots = (str(LanguageRegistry().root),)
    got = extract_batch(roots, [(str(on_disk), None, "python"), ("/nope.py", None, "python")])
    assert got[0] is not None and got[0].names == ("OnDisk",) and got[1] is None


PY_CALL_LAST = """\
class Routes:
    table = register(
        "a",
        "b",
    )
    extra = 1
    more = 2
    other = compute(
        3,
    )
"""


def test_closers_come_from_the_language(grammars: Grammars) -> None:
    """Python has no block closers: a class whose last line is a call's `)` gets no tail."""
    (routes,) = _extract(grammars, "python", PY_CALL_LAST).named("Routes")
    assert routes.tail == ""
    rust = "pub struct S {\n    a: u32,\n    b: u32,\n    c: u32,\n    d: u32,\n    e: u32,\n    f: u32,\n}\n"
    (s,) = _extract(grammars, "rust", rust).named("S")
    assert s.tail == "}"
