"""Enclosing scopes, including the indented blank line after a Python block's last statement."""

from __future__ import annotations

import pytest
from ghostfill.context.scopes import enclosing_signatures
from ghostfill.documents.languages import LanguageRegistry
from ghostfill.documents.store import DocumentStore
from ghostfill.documents.syntax import Grammars
from ghostfill.model import Position

SOURCE = "class Shop:\n    def total(self, items):\n        x = 1\n        \nprint(1)\n"


@pytest.fixture(scope="module")
def store() -> DocumentStore:
    registry = LanguageRegistry()
    return DocumentStore(registry, Grammars(registry))


@pytest.mark.parametrize(
    ("line", "character", "expected"),
    [
        (2, 9, ("class Shop:", "    def total(self, items):")),
        (
            3,
            8,
            ("class Shop:", "    def total(self, items):"),
        ),  # blank line, indented like the body
        (3, 4, ("class Shop:",)),  # dedented to the method's level: inside the class only
        (4, 0, ()),
    ],
)
def test_scopes(store: DocumentStore, line: int, character: int, expected: tuple[str, ...]) -> None:
    doc = store.open("file:///w/shop.py", SOURCE, 1)
    assert enclosing_signatures(doc, doc.offset(Position(line, character))) == expected
