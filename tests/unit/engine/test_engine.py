"""OfflineEngine end to end: learn files, then complete lines and blocks (no mocks)."""

from __future__ import annotations

from ghostfill.engine import OfflineEngine
from ghostfill.engine.cache import LocalModel
from ghostfill.engine.complete import indent_unit
from ghostfill.engine.ngram import NGramModel
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


def test_nothing_inside_comments_or_docstrings() -> None:
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


def test_disabled_engine_suggests_nothing_but_keeps_learning() -> None:
    engine = trained()
    engine.configure(OfflineSettings(enable=False))
    ctx = at(NEW_FILE + "            value = self.st")
    assert engine.suggest(ctx) is None
    engine.configure(OfflineSettings(enable=True, minConfidence=0.3))
    assert engine.suggest(ctx) is not None


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


def test_file_model_is_reused_while_typing_along_a_line() -> None:
    text = "a = 1\nb = 2\nc = 3\n"
    hole = (6, 11)  # "b = 2" was left out
    model = LocalModel(NGramModel(3), {}, [], text, hole)
    assert model.covers(text.replace("b = 2", "b = 23"), (6, 12))  # typing on the line
    assert model.covers(text.replace("b = 2", "b = 2\n    "), (12, 16))  # Enter, next line
    assert not model.covers(text, (0, 5))  # moved to another line
    assert not model.covers(text.replace("c = 3", "c = 4"), (6, 11))  # edited elsewhere


def test_block_indentation_follows_the_file() -> None:
    assert indent_unit("      ", "    ", "") == "  "  # what the user typed wins
    assert indent_unit("", "", "a {\n  b\n    c\n}\n") == "  "
    assert indent_unit("", "", "a {\n\tb\n}\n") == "\t"
    assert indent_unit("", "", "no indentation here") == "    "
