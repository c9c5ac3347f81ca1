"""Names in scope (`locals.scm`) and members after `receiver.`: the offline engine's hints."""

from __future__ import annotations

import pytest
from ghostfill.context.index import SymbolIndex
from ghostfill.context.scope_names import ScopeHints
from ghostfill.documents.languages import LanguageRegistry
from ghostfill.documents.store import Document, DocumentStore
from ghostfill.documents.syntax import Grammars

PYTHON = """\
import os.path
from shop import models as m, Basket

LIMIT = 3


def total(items, *, rate: float = 1.0, **extra):
    subtotal = 0
    for item, count in items:
        subtotal += item.price * count
    return subtotal  # here


def other(unrelated):
    inner = 1
    return inner


class Cart:
    size = 0

    def __init__(self, owner):
        self.owner = owner
        self._items = []

    def add(self, item):
        self.  # member
"""

TYPESCRIPT = """\
import { Basket, price as cost } from "./shop";
import * as util from "./util";

export function total(items: number[], rate?: number): number {
  const sum = items.reduce((a, b) => a + b, 0);
  return sum; // here
}

function other(unrelated: string) {
  let inner = 1;
}

class Cart {
  owner = "";
  add(item: string) {
    this.  // member
  }
}
"""


@pytest.fixture(scope="module")
def store() -> DocumentStore:
    registry = LanguageRegistry()
    return DocumentStore(registry, Grammars(registry))


def at(doc: Document, marker: str) -> tuple[int, str]:
    """Byte offset just before `marker` and the line's text up to there."""
    data = doc.data
    cursor = data.index(marker.encode())
    line_start = data.rfind(b"\n", 0, cursor) + 1
    return cursor, data[line_start:cursor].decode().rstrip(" ") if "member" in marker else ""


def test_python_names_in_scope_are_the_function_s_and_the_module_s(
    store: DocumentStore,
) -> None:
    doc = store.open("file:///w/cart.py", PYTHON, 1)
    cursor, _ = at(doc, "  # here")
    names = ScopeHints()(doc, cursor, "    return subtotal", None).names
    assert {"items", "rate", "extra", "subtotal", "item", "count"} <= names
    assert {"os", "m", "Basket", "LIMIT", "total", "other", "Cart"} <= names
    assert not {"unrelated", "inner", "owner", "models", "size"} & names


def test_python_self_members_are_the_class_methods_fields_and_attributes(
    store: DocumentStore,
) -> None:
    doc = store.open("file:///w/cart.py", PYTHON, 1)
    cursor, line = at(doc, "  # member")
    hints = ScopeHints()(doc, cursor, line, None)
    assert hints.receiver == "self"
    assert {"owner", "_items", "add", "__init__", "size"} <= hints.members
    assert "subtotal" not in hints.members


def test_a_class_name_takes_its_members_from_the_symbol_index(store: DocumentStore) -> None:
    registry = LanguageRegistry()
    index = SymbolIndex(Grammars(registry), processes=False)
    try:
        index.observe("/w/shop.py", "class Basket:\n    def empty(self):\n        pass\n", "python")
        assert index.wait_idle(10)
        doc = store.open("file:///w/cart.py", PYTHON + "Basket.", 1)
        hints = ScopeHints()(doc, len(doc.data), "Basket.", index)
        assert hints.receiver == "Basket" and hints.members == {"empty"}
    finally:
        index.close()


def test_typescript_names_and_this_members(store: DocumentStore) -> None:
    doc = store.open("file:///w/cart.ts", TYPESCRIPT, 1)
    cursor, _ = at(doc, " // here")
    names = ScopeHints()(doc, cursor, "  return sum;", None).names
    assert {"items", "rate", "sum", "Basket", "cost", "util", "total", "other"} <= names
    assert not {"unrelated", "inner", "a", "b"} & names
    cursor, line = at(doc, "  // member")
    hints = ScopeHints()(doc, cursor, line, None)
    assert hints.receiver == "this" and {"owner", "add"} <= hints.members


def test_a_language_without_locals_query_gets_no_names(store: DocumentStore) -> None:
    doc = store.open("file:///w/main.go", "package main\n\nfunc main() {\n\tx := 1\n}\n", 1)
    assert ScopeHints()(doc, doc.data.index(b"x"), "\t", None).names == frozenset()


def test_names_are_not_read_in_very_large_files(store: DocumentStore) -> None:
    big = PYTHON + "\n".join(f"NAME_{i} = {i}" for i in range(8000)) + "\n"
    doc = store.open("file:///w/big.py", big, 1)
    cursor, line = at(doc, "  # member")
    hints = ScopeHints()(doc, cursor, line, None)
    assert hints.names == frozenset() and "owner" in hints.members  # members still read
