"""Tokens back to text: learned spacing, with `=` spaced the same on both sides."""

from __future__ import annotations

from ghostfill.engine.lexers import Lexers
from ghostfill.engine.render import Spacing, render


def spacing() -> Spacing:
    found = Spacing(Lexers().family("python"))
    # Keyword arguments teach "no space around = inside brackets" many times over.
    found.observe("f(a=1, b=2, c=3)\n" * 20 + "def g(x: int = 1, y: int = 2):\n    pass\n" * 3)
    return found


def test_keyword_arguments_stay_tight() -> None:
    assert render(["f", "(", "a", "=", "1", ")"], [], spacing()) == "f(a=1)"


def test_an_annotated_default_is_spaced_on_both_sides() -> None:
    tokens = ["def", "h", "(", "y", ":", "int", "=", "5", ")", ":"]
    assert render(tokens, [], spacing()) == "def h(y: int = 5):"
