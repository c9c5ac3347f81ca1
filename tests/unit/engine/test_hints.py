"""Names in scope and members weigh the engine's identifier candidates (`engine.hints`)."""

from __future__ import annotations

import dataclasses

from ghostfill.engine import OfflineEngine
from ghostfill.engine.hints import NameHints
from ghostfill.engine.lexers import Lexers
from ghostfill.engine.vocab import token_ids
from ghostfill.model import CompletionContext
from ghostfill.settings import OfflineSettings

WORKSPACE = """
def first(order):
    return order

def second(order):
    return order

def third(basket):
    return basket
"""


def ctx(text: str) -> CompletionContext:
    return CompletionContext(
        uri="file:///ws/new.py",
        path="/ws/new.py",
        language="python",
        prefix=text,
        suffix="\n",
        line_prefix=text.rsplit("\n", 1)[-1],
        line_suffix="",
    )


def engine() -> OfflineEngine:
    found = OfflineEngine(OfflineSettings(minConfidence=0.05))
    found.observe("/ws/a.py", WORKSPACE, "python")
    return found


def test_a_name_in_scope_beats_a_more_frequent_stranger() -> None:
    here = ctx("def fourth(basket):\n    return ")
    plain = engine().suggest(here)
    assert plain is not None and plain.text == "order"  # what the workspace says most
    hinted = engine().suggest(dataclasses.replace(here, names=frozenset({"basket", "fourth"})))
    assert hinted is not None and hinted.text == "basket"


def test_members_weigh_only_after_a_member_operator() -> None:
    family = Lexers().family("python")
    hints = NameHints.of(frozenset({"x"}), frozenset({"size"}))
    texts = ["size", "count"]
    cands = token_ids(texts)
    after_dot = hints.factors(".", cands, texts, family)
    assert after_dot is not None and after_dot[0] > 1.0 > after_dot[1]
    assert hints.factors("return", cands, texts, family) is None  # neither name is in scope


def test_keywords_and_operators_are_never_weighed() -> None:
    family = Lexers().family("python")
    texts = ["return", "+"]
    hints = NameHints.of(frozenset(texts), frozenset())
    assert hints.factors("=", token_ids(texts), texts, family) is None
