"""The file-level models: the current file's local model (cached per path) and the cache model.

The local model counts the current file, minus the line being typed, in a window around the
cursor. Rebuilding it costs a few milliseconds, so it is kept per path and rebuilt only when the
cursor moves to another line or the file changes a lot; typing along one line reuses it. The
cache model counts the last few hundred tokens before the cursor (what was just typed, the
current line included) and is rebuilt on every request, which is cheap at that size.
"""

from __future__ import annotations

import bisect
from collections import OrderedDict
from dataclasses import dataclass

from ghostfill.engine.lexer import SPECIAL, Family, lex, resume_point
from ghostfill.engine.ngram import NGramModel
from ghostfill.engine.vocab import Overlay

LOCAL_BEFORE = 12000
"""Characters of the file before the cursor line that the local model counts."""
LOCAL_AFTER = 4000
"""Characters after the cursor line that the local model counts."""
CACHE_TOKENS = 400
"""Tokens before the cursor that the cache model counts."""
_REBUILD_DRIFT = 512
"""Rebuild the local model when the file's length moved this many characters since."""


@dataclass(slots=True)
class LocalModel:
    path: str
    model: NGramModel
    words: list[str]
    """Sorted distinct token texts of the window: completions for a half-typed token."""
    line_start: int
    length: int

    def words_with_prefix(self, prefix: str, limit: int = 16) -> list[str]:
        i = bisect.bisect_left(self.words, prefix)
        out: list[str] = []
        while i < len(self.words) and len(out) < limit and self.words[i].startswith(prefix):
            out.append(self.words[i])
            i += 1
        return out


class LocalModels:
    """Per-path local models, least recently used dropped first."""

    def __init__(self, overlay: Overlay, order: int, capacity: int = 8) -> None:
        self._overlay = overlay
        self._order = order
        self._capacity = capacity
        self._models: OrderedDict[str, LocalModel] = OrderedDict()

    def get(
        self,
        path: str,
        family: Family,
        prefix: str,
        suffix: str,
        line_prefix: str,
        line_suffix: str,
    ) -> LocalModel:
        line_start = len(prefix) - len(line_prefix)
        length = len(prefix) + len(suffix)
        found = self._models.get(path)
        if (
            found is not None
            and found.line_start == line_start
            and abs(found.length - length) < _REBUILD_DRIFT
        ):
            self._models.move_to_end(path)
            return found
        if self._overlay.full:
            self._overlay.clear()
            self._models.clear()
        built = self._build(path, family, prefix[:line_start], suffix[len(line_suffix) :])
        built.line_start = line_start
        built.length = length
        self._models[path] = built
        self._models.move_to_end(path)
        while len(self._models) > self._capacity:
            self._models.popitem(last=False)
        return built

    def forget(self, path: str) -> None:
        self._models.pop(path, None)

    def clear(self) -> None:
        self._models.clear()

    def _build(self, path: str, family: Family, before: str, after: str) -> LocalModel:
        at_start = len(before) <= LOCAL_BEFORE
        if not at_start:
            before = before[resume_point(before, len(before) - LOCAL_BEFORE, family) :]
        if len(after) > LOCAL_AFTER:
            after = after[: after.rfind("\n", 0, LOCAL_AFTER) + 1]
        tokens = lex(before + after, family, bos=at_start)
        model = NGramModel(self._order)
        model.add(self._overlay.ids(tokens))
        words = sorted({t for t in tokens if t not in SPECIAL})
        return LocalModel(path, model, words, 0, 0)


def cache_model(history: list[int], order: int) -> NGramModel:
    """An n-gram model of the last `CACHE_TOKENS` tokens before the cursor."""
    model = NGramModel(order)
    model.add(history[-CACHE_TOKENS:])
    return model
