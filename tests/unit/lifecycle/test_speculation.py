"""Speculation past the shown line: the typed text against the cached continuation, with the
editor's own indentation after Enter, tabs, CRLF, a different character and undo. What is
shown must never disagree with what was typed."""

from __future__ import annotations

import pytest
from ghostfill.lifecycle.continuations import Continuations
from ghostfill.lifecycle.speculation import Lookahead, follow, visible
from ghostfill.model import CompletionContext, Position

MODEL = "total = 0\n    for x in xs:\n        total += x\n    return total"
"""What the model streamed after `def f(xs):\\n    ` (the first line, then lookahead)."""


def shown(text: str, typed: str, *, done: bool = True, line_suffix: str = "") -> str | None:
    found = follow(text, typed)
    if found is None or found.waiting:
        return None
    return visible(found.rest, done=done, multiline=False, line_suffix=line_suffix)


def test_typing_through_the_first_line_shows_its_rest_only() -> None:
    assert shown(MODEL, "") == "total = 0"
    assert shown(MODEL, "tot") == "al = 0"


def test_at_the_end_of_the_line_the_next_line_is_shown() -> None:
    assert shown(MODEL, "total = 0") == "\n    for x in xs:"


@pytest.mark.parametrize(
    ("enter", "expected"),
    [
        ("\n    ", "for x in xs:"),  # the editor kept the indentation: exactly the model's
        ("\n", "    for x in xs:"),  # no auto-indent: the model's indentation is shown
        ("\n  ", "  for x in xs:"),  # a shallower auto-indent gets the missing columns
        ("\n\t", "for x in xs:"),  # a tab where the model has four spaces
        ("\r\n    ", "for x in xs:"),  # CRLF document
    ],
)
def test_enter_with_the_editors_auto_indent_is_served(enter: str, expected: str) -> None:
    assert shown(MODEL, "total = 0" + enter) == expected


def test_a_deeper_auto_indent_than_the_model_disagrees() -> None:
    assert follow(MODEL, "total = 0\n        ") is None


def test_typing_after_a_tab_indent_continues_the_model_line() -> None:
    assert shown(MODEL, "total = 0\n\tfor x") == " in xs:"
    assert shown(MODEL, "total = 0\r\n    for x in xs:\r\n        total") == " += x"


def test_an_indentation_of_another_width_then_code_disagrees() -> None:
    assert follow(MODEL, "total = 0\n  for") is None
    assert follow(MODEL, "total = 0\n\t\tfor") is None


def test_a_different_character_mid_line_disagrees() -> None:
    assert follow(MODEL, "totam") is None
    assert follow(MODEL, "total = 0\n    for y") is None


def test_a_model_indent_in_tabs_is_completed_in_the_editors_style() -> None:
    tabs = "x = 1\n\t\ty = 2"
    assert shown(tabs, "x = 1\n\t") == "\ty = 2"
    assert shown(tabs, "x = 1\n") == "\t\ty = 2"


def test_typing_past_the_streamed_text_waits_while_it_agrees() -> None:
    found = follow("total = ", "total = 0")
    assert found is not None and found.waiting
    assert follow("total = 1", "total = 0") is None
    assert visible("tot", done=False, multiline=False, line_suffix="") is None


def ctx(prefix: str, suffix: str = "\n\nprint(f([1]))\n") -> CompletionContext:
    return CompletionContext(
        uri="file:///a.py",
        path="/a.py",
        language="python",
        prefix=prefix,
        suffix=suffix,
        line_prefix=prefix.rsplit("\n", 1)[-1],
        line_suffix=suffix.split("\n", 1)[0],
    )


def test_the_cache_follows_enter_and_undo() -> None:
    store = Continuations()
    start = "def f(xs):\n    "
    c = store.add(ctx(start), Position(1, 4), 1, "fake", lookahead=3)
    c.push(MODEL)
    c.finish()
    for typed, expected in [
        ("total = 0", "\n    for x in xs:"),
        ("total = 0\n    ", "for x in xs:"),
        ("total = 0\n    for x in xs:\n        ", "total += x"),
        ("total = 0\n    for", " x in xs:"),  # undo back to mid-line
        ("tot", "al = 0"),  # undo back to the first line
    ]:
        hit = store.find(ctx(start + typed))
        assert hit is not None and hit[1] == typed
        assert hit[0].ready(typed, False, "") == expected
    assert store.find(ctx(start + "total = 0\n    while")) is None
    assert store.find(ctx("def f(xs):\n")) is None  # undone past where it was asked for


def test_remaining_lines_says_when_the_user_is_on_the_last_cached_line() -> None:
    store = Continuations()
    c = store.add(ctx("def f(xs):\n    "), Position(1, 4), 1, "fake", lookahead=3)
    c.push(MODEL)
    c.finish()
    assert not c.speculated()  # the model ended there: nothing to prefetch
    c.cut = True  # the stream was stopped at the lookahead limit
    assert c.speculated()
    assert c.remaining_lines("total") == 3
    assert c.remaining_lines("total = 0\n    for x in xs:\n        total += x\n    ret") == 0


def test_lookahead_follows_the_setting_or_the_measured_speed() -> None:
    lookahead = Lookahead()
    assert lookahead.lines("fake", 3) == 3 and lookahead.lines("fake", 0) == 0
    assert lookahead.lines("fake", -1) == 2  # not measured yet
    lookahead.measured("fake", 4000, 1.0)  # 1000 tokens/s
    assert lookahead.lines("fake", -1) == 8
    slow = Lookahead()
    slow.measured("slow", 400, 1.0)  # 100 tokens/s
    assert slow.lines("slow", -1) == 1
