"""Block or line: the language's `[blocks] openers` decide what opens a block."""

from __future__ import annotations

from ghostfill.context.multiline import openers_of, wants_block
from ghostfill.documents.languages import GENERIC_OPENERS, LanguageRegistry

REGISTRY = LanguageRegistry()


def test_openers_are_per_language() -> None:
    ruby, python = openers_of(REGISTRY.get("ruby")), openers_of(REGISTRY.get("python"))
    line = "items.each do |item|"
    assert wants_block("auto", line, line, "", ruby)
    assert not wants_block("auto", line, line, "", python)
    assert wants_block("auto", "def f(x):\n    ", "    ", "", python)
    assert not wants_block("auto", "x = lambda ->\n", "", "", python)


def test_an_unknown_file_type_uses_the_generic_openers() -> None:
    assert openers_of(None) == GENERIC_OPENERS
    assert wants_block("auto", "if x then\n", "", "", openers_of(None))
