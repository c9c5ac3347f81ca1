"""OfflineEngine end to end: learn files, then complete lines and blocks (no mocks)."""

from __future__ import annotations

import pytest
from ghostfill.engine import OfflineEngine, index
from ghostfill.engine.cache import build
from ghostfill.engine.complete import indent_unit
from ghostfill.engine.lexer import lex
from ghostfill.engine.lexers import Lexers
from ghostfill.engine.ngram import NGramModel
from ghostfill.engine.vocab import token_ids
from ghostfill.model import CompletionContext
from ghostfill.settings import OfflineSettings

HANDLERS = """import logging

log = logging.getLogger(__name__)


class {name}Handler:
    def __init__(self, store, cache):
        self.store = store
        self.cache = cache

    def get(self, key):
        value = self.cache.get(key)
        if value is None:
            value = self.store.load(key)
            self.cache.put(key, value)
        return value

    def delete(self, key):
        log.info("deleting %s", key)
        self.store.remove(key)
        self.cache.evict(key)
"""


def trained(min_confidence: float = 0.3) -> OfflineEngine:
    engine = OfflineEngine(OfflineSettings(minConfidence=min_confidence))
    for i, name in enumerate(["User", "Order", "Invoice", "Product", "Payment"]):
        engine.observe(f"/ws/app/handler_{i}.py", HANDLERS.format(name=name), "python")
    return engine


def at(text: str, path: str = "/ws/app/new.py", after: str = "\n") -> CompletionContext:
    """A context with the cursor at the end of `text` (the rest of that line is empty)."""
    line_prefix = text.rsplit("\n", 1)[-1]
    return CompletionContext(
        uri="file://" + path,
        path=path,
        language="python",
        prefix=text,
        suffix=after,
        line_prefix=line_prefix,
        line_suffix="",
    )


NEW_FILE = """import logging

log = logging.getLogger(__name__)


class CartHandler:
    def __init__(self, store, cache):
        self.store = store
        self.cache = cache

    def get(self, key):
        value = self.cache.get(key)
        if value is None:
"""


def test_completes_a_repeated_pattern() -> None:
    engine = trained()
    found = engine.suggest(at(NEW_FILE + "            value = self.st"))
    assert found is not None
    assert found.text == "ore.load(key)"
    assert found.source == "offline" and found.backend == "offline"
    assert any(n.startswith("confidence=") for n in found.notes)


def test_completes_after_a_space_without_doubling_it() -> None:
    engine = trained()
    body = (
        NEW_FILE
        + "            value = self.store.load(key)\n            self.cache.put(key, value)\n"
    )
    found = engine.suggest(at(body + "        return "))
    assert found is not None and found.text == "value"
    glued = engine.suggest(at(body + "        return"))
    assert glued is not None and glued.text == " value"


def test_single_line_suggestions_stop_at_the_line_end() -> None:
    engine = trained(min_confidence=0.01)
    for stub in ("            ", "            self.", "        return"):
        found = engine.suggest(at(NEW_FILE + stub))
        assert found is None or "\n" not in found.text


def test_threshold_turns_guesses_into_nothing() -> None:
    low = trained(min_confidence=0.01)
    high = trained(min_confidence=0.99)
    ctx = at(NEW_FILE + "            x = ")  # a fresh name: nothing in the workspace says what
    assert high.suggest(ctx) is None
    guess = low.suggest(ctx)
    assert guess is not None
    note = next(n for n in guess.notes if n.startswith("confidence="))
    assert float(note.split("=")[1]) < 0.99


def test_never_repeats_the_text_after_the_cursor() -> None:
    engine = trained(min_confidence=0.05)
    prefix = NEW_FILE + "            value = self.store.load("
    ctx = CompletionContext(
        uri="file:///ws/app/new.py",
        path="/ws/app/new.py",
        language="python",
        prefix=prefix,
        suffix=")\n",
        line_prefix="            value = self.store.load(",
        line_suffix=")",
    )
    found = engine.suggest(ctx)
    assert found is not None and found.text == "key"


def test_offers_a_block_in_an_empty_body() -> None:
    engine = trained(min_confidence=0.2)
    text = "class CartHandler:\n    def __init__(self, store, cache):\n        "
    found = engine.suggest(at(text), max_lines=4)
    assert found is not None
    assert found.text == "self.store = store\n        self.cache = cache"  # stops at the body's end
    single = engine.suggest(at(text), max_lines=1)
    assert single is not None and single.text == "self.store = store"
    unindented = engine.suggest(at(text.rstrip(" ")), max_lines=4)
    assert unindented is not None and unindented.text.startswith("        self.store = store\n")


def test_code_is_never_suggested_inside_comments_or_docstrings() -> None:
    engine = trained(min_confidence=0.01)
    assert engine.suggest(at(NEW_FILE + "            # value = self.st")) is None
    assert engine.suggest(at(NEW_FILE + '            """value = self.st')) is None


def test_forget_removes_what_a_file_taught() -> None:
    engine = OfflineEngine(OfflineSettings(minConfidence=0.3))
    engine.observe("/ws/a.py", "frobnicate(widget, gadget, sprocket)\n" * 3, "python")
    ctx = at("frobnicate(wid", path="/ws/b.py")
    found = engine.suggest(ctx)
    assert found is not None and found.text == "get, gadget, sprocket)"
    engine.forget("/ws/a.py")
    assert engine.suggest(ctx) is None
    assert engine.stats()["files"] == 0 and engine.stats()["tokens"] == 0


def test_a_changed_file_is_recounted() -> None:
    engine = OfflineEngine(OfflineSettings(minConfidence=0.3))
    engine.observe("/ws/a.py", "connect(host, port)\n" * 3, "python")
    engine.observe("/ws/a.py", "connect(url, timeout)\n" * 3, "python")
    found = engine.suggest(at("connect(", path="/ws/b.py"))
    assert found is not None and found.text == "url, timeout)"
    assert engine.stats()["files"] == 1


def test_disabled_engine_suggests_nothing_and_learns_nothing() -> None:
    engine = trained()
    engine.configure(OfflineSettings(enable=False))
    ctx = at(NEW_FILE + "            value = self.st")
    assert engine.suggest(ctx) is None
    files = engine.stats()["files"]
    engine.observe("/ws/late.py", "late = True\n", "python")
    assert engine.stats()["files"] == files  # nothing runs for a disabled feature
    engine.configure(OfflineSettings(enable=True, minConfidence=0.3))
    assert engine.suggest(ctx) is not None  # what it learned before is still there


async def test_opened_file_is_counted_in_slices_before_the_first_request() -> None:
    engine = OfflineEngine(OfflineSettings(minConfidence=0.3))
    source = HANDLERS.format(name="User") * 80
    family = Lexers().family("python")
    steps = sum(1 for _ in engine._files.preparing("/ws/one.py", family, source))
    assert steps >= 3  # one slice per step, the event loop runs in between
    await engine.prepare("/ws/open.py", source, "python")
    model = engine._files.get("/ws/open.py", family, source, 0)
    assert model.ready and model.counted == len(model.ids) > 3000
    disabled = OfflineEngine(OfflineSettings(enable=False))
    await disabled.prepare("/ws/open.py", source, "python")
    assert len(disabled._files._models) == 0


def test_other_languages_use_their_own_models() -> None:
    engine = OfflineEngine(OfflineSettings(minConfidence=0.3))
    js = "export function load (id) {\n  return fetchItem(id, { cache: true })\n}\n"
    for i in range(3):
        engine.observe(f"/ws/web/m{i}.js", js.replace("load", f"load{i}"), "javascript")
    ctx = CompletionContext(
        uri="file:///ws/web/x.ts",
        path="/ws/web/x.ts",
        language="typescript",  # shares the JavaScript model
        prefix="export function loadUser (id) {\n  return fetchItem(",
        suffix="\n}\n",
        line_prefix="  return fetchItem(",
        line_suffix="",
    )
    found = engine.suggest(ctx)
    assert found is not None and found.text == "id, { cache: true })"
    assert engine.suggest(at("return fetchItem(")) is None  # Python has learned nothing
    assert engine.stats()["languages"] == 1


def _grams(model: NGramModel, ids: list[int]) -> dict[tuple[int, ...], int]:
    """Every count the model holds for n-grams drawn from `ids`."""
    out = {}
    for end in range(len(ids)):
        for k in range(0, model.order):
            if end - k < 0:
                break
            history = ids[end - k : end]
            out[(*history, ids[end])] = model.count(history, ids[end])
    return out


SOURCE = HANDLERS.format(name="User") + HANDLERS.format(name="Order")


def test_file_model_leaves_lines_out_exactly_and_puts_them_back() -> None:
    family = Lexers().family("python")
    fm = build(family, SOURCE, 0, 8)
    fm.finish()
    full = _grams(fm.model, fm.ids)
    row = SOURCE.split("\n").index("    def get(self, key):")
    fm.leave_out([(row, row + 1)])
    i, j = fm.holes[0]
    alone = NGramModel(8)
    alone.add(fm.ids[:i])
    alone.add(fm.ids[j:])
    assert _grams(fm.model, fm.ids) == _grams(alone, fm.ids)  # as if counted without them
    assert fm.model.unigram == alone.unigram
    fm.leave_out([(2, 2), (row + 5, row + 5)])  # elsewhere: the first lines come back
    fm.leave_out([])
    assert _grams(fm.model, fm.ids) == full


def test_file_model_counted_in_slices_equals_counted_at_once() -> None:
    family = Lexers().family("python")
    whole = build(family, SOURCE, 0, 8)
    whole.finish()
    sliced = build(family, SOURCE, 0, 8)
    while not sliced.ready:
        sliced.count_slice(7)
    assert _grams(sliced.model, sliced.ids) == _grams(whole.model, whole.ids)
    assert sliced.model.unigram == whole.model.unigram


def test_file_model_follows_edits_without_recounting() -> None:
    text = "a = 1\nb = 2\nc = 3\n" + "x = y\n" * 600
    fm = build(Lexers().family("python"), text, 0, 4)
    fm.finish()
    typed = text.replace("b = 2", "b = 23")
    assert fm.spans_for(typed, typed.index("23") + 2) == [(1, 1)]  # typing on the line
    enter = text.replace("b = 2", "b = 2\n    ")
    assert fm.spans_for(enter, enter.index("2\n") + 6) == []  # Enter: a line not counted yet
    assert fm.spans_for(text, 2) == [(0, 0)]  # moved to another line: only that one out
    far = text.replace("c = 3", "c = 4")[:-6] + "x = z\n"
    spans = fm.spans_for(far, 2)  # two lines edited far apart, cursor on a third
    assert spans is not None and sorted(spans) == [(0, 0), (2, 2), (602, 602)]
    pasted = text.replace("c = 3", "c = 3\n" + "z = 9\n" * 600)
    assert fm.spans_for(pasted, 0) is None  # too much changed: count again


def test_left_out_lines_never_reach_suggestions() -> None:
    """A line in the snapshot but being retyped must not feed completions of itself."""
    text = "import os\n\nvalue = compute_secret_total(os)\nother = 1\n"
    engine = OfflineEngine(OfflineSettings(minConfidence=0.0))
    cut = text.index("compute_")
    prefix = text[: cut + len("comp")]
    ctx = CompletionContext(
        uri="file:///w/a.py",
        path="/w/a.py",
        language="python",
        prefix=prefix,
        suffix=text[text.index("\nother") :],
        line_prefix="value = comp",
        line_suffix="",
    )
    found = engine.suggest(ctx)
    assert found is None or "secret" not in found.text


def test_block_indentation_follows_the_file() -> None:
    assert indent_unit("      ", "    ", "") == "  "  # what the user typed wins
    assert indent_unit("", "", "a {\n  b\n    c\n}\n") == "  "
    assert indent_unit("", "", "a {\n\tb\n}\n") == "\t"
    assert indent_unit("", "", "no indentation here") == "    "


def test_workspace_counts_in_slices_equal_counts_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The indexing thread pauses between slices; the counts are the same as without."""
    monkeypatch.setattr(index, "SLICE_TOKENS", 9)
    monkeypatch.setattr(index, "PAUSE_S", 0.0)
    engine = OfflineEngine(OfflineSettings(), workspace_order=4)
    engine.observe("/ws/a.py", SOURCE, "python")
    group = engine._index.group("python")
    assert group is not None
    ids = token_ids(lex(SOURCE, Lexers().family("python")))
    alone = NGramModel(4)
    alone.add(ids)
    assert _grams(group.model, ids) == _grams(alone, ids)
    assert group.model.unigram == alone.unigram and group.model.total == alone.total
