"""The syntax gate's region deep inside a block (dedented) and in text that is not code
(unjudged), and the gate prepared ahead of the answer (its candidates parsed incrementally
from the region's own tree), against the real tree-sitter grammars."""

from __future__ import annotations

import pytest
from ghostfill.documents.languages import LanguageRegistry
from ghostfill.documents.syntax import Grammar, Grammars, parse_once
from ghostfill.postprocess.syntax_gate import MAX_BEFORE, Gate, region


@pytest.fixture(scope="module")
def python() -> Grammar:
    grammar = Grammars(LanguageRegistry()).by_name("python")
    assert grammar is not None
    return grammar


def long_class(body_lines: int) -> tuple[str, str]:
    """A cursor at the end of a method's body, more than MAX_BEFORE lines into a class."""
    filler = "".join(f"    def m{i}(self):\n        return {i}\n\n" for i in range(body_lines))
    prefix = (
        "import os\n\nclass Big:\n"
        + filler
        + "    def last(self, items):\n        total = 0\n        for item in items:\n"
        + "            "
    )
    suffix = "\n        return total\n\n    def after(self):\n        pass\n\nprint(Big)\n"
    return prefix, suffix


def test_deep_in_a_class_the_region_is_the_enclosing_method_dedented() -> None:
    prefix, suffix = long_class(MAX_BEFORE)
    found = region(prefix, suffix)
    assert found.indent == 4
    assert found.before.startswith("def last(self, items):\n    total = 0\n")
    assert found.before.endswith("\n        ")  # the cursor line keeps what is left of its indent
    assert found.after == "\n    return total\n"  # ends where the code leaves the method


def test_deep_in_a_class_whole_lines_are_judged(python: Grammar) -> None:
    prefix, suffix = long_class(MAX_BEFORE)
    good = "total += item\n            print(item)"
    assert Gate(python, prefix, suffix).cut(good) == good
    broken = "total += item\n            print(item"
    assert Gate(python, prefix, suffix).cut(broken) == "total += item"


def in_a_docstring() -> tuple[str, str]:
    """A cursor in a long docstring that began above the window."""
    prose = "cte_type -- the type of allowed content transfer encodings\n\n" + "".join(
        f"    {i}bit  -- ASCII only; the default (see [RFC 2045]), don't\n" for i in range(40)
    )
    return (
        prose + "    Default: 8bit.  Also controls the ",
        "\n    disposition of headers, if any.\n",
    )


def test_a_region_that_is_not_code_lets_the_suggestion_through_unjudged(
    python: Grammar,
) -> None:
    """The cursor in a long docstring that began above the window: the region, from its
    column-0 line, is prose parsed as Python (hundreds of problems, none of them the
    suggestion's)."""
    prefix, suffix = in_a_docstring()
    gate = Gate(python, prefix, suffix)
    assert gate.cut("handling of lines") == "handling of lines"
    assert gate.unjudged and gate.parses == 1  # the region's own parse was not paid for


def test_prose_in_readable_code_is_still_cut(python: Grammar) -> None:
    """A chatty answer makes many problems, but next to itself: the gate judges it."""
    prefix = "def f(x):\n    value = "
    suffix = "\n    return value\n"
    gate = Gate(python, prefix, suffix)
    chatter = "compute(x)\nHere is the code you asked for: it calls the helper, then returns it."
    assert gate.cut(chatter) == "compute(x)"
    assert not gate.unjudged


@pytest.mark.parametrize(
    "inserted",
    ["total += item", "total += item\n            print(item", "é = 'ü'\n    ", "\n\n", "(\n"],
)
def test_an_insertion_parsed_incrementally_is_the_tree_parsed_afresh(
    python: Grammar, inserted: str
) -> None:
    before, after = (
        "def f(items):\n    total = 0\n    for item in items:\n        ",
        "\n    return total\n",
    )
    base = parse_once(python, (before + after).encode())
    data = (before + inserted + after).encode()
    grown = base.inserted(data, len(before.encode()), len(inserted.encode()))
    assert grown.sexp() == parse_once(python, data).sexp()
    assert base.sexp() == parse_once(python, (before + after).encode()).sexp()  # left as it was


def test_a_prepared_gate_judges_as_an_unprepared_one(python: Grammar) -> None:
    prefix, suffix = long_class(MAX_BEFORE)
    for text in ("total += item\n            print(item)", "total += item\n            print(item"):
        prepared = Gate(python, prefix, suffix)
        prepared.prepare()
        assert prepared.parses == 1  # the region as it is, before any candidate
        assert prepared.cut(text) == Gate(python, prefix, suffix).cut(text)


def test_a_prepared_gate_still_lets_text_that_is_not_code_through_unjudged(
    python: Grammar,
) -> None:
    """The verdict does not depend on whether the region was parsed ahead."""
    prefix, suffix = in_a_docstring()
    gate = Gate(python, prefix, suffix)
    gate.prepare()
    assert gate.cut("handling of lines") == "handling of lines"
    assert gate.unjudged
