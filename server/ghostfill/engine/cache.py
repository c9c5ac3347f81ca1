"""The file-level models: the current file's local model (kept per path) and the cache model.

The local model counts the current file around the cursor, minus the line being typed (its
half-typed state would teach the model to end lines early). Counting costs a few milliseconds,
so the model is kept per path together with the text it was built from, and reused as long as
every change since then lies within the line it left out: typing along that line, or pressing
Enter and typing the next lines, reuses it; moving to another existing line, editing elsewhere,
or drifting more than `REBUILD_DRIFT` characters rebuilds it.

The cache model counts the last `CACHE_TOKENS` tokens before the cursor (what was just typed,
the current line and the lines the local model left out included) on every request.
"""

from __future__ import annotations

import bisect
from collections import OrderedDict
from dataclasses import dataclass

from ghostfill.engine.lexer import DEDENT, INDENT, SPECIAL, Family, lex, resume_point
from ghostfill.engine.ngram import NGramModel
from ghostfill.engine.vocab import token_ids

LOCAL_BEFORE = 6000
"""Characters of the file before the cursor line that the local model counts."""
LOCAL_AFTER = 2000
"""Characters after the cursor line that the local model counts."""
CACHE_TOKENS = 400
"""Tokens before the cursor that the cache model counts."""
REBUILD_DRIFT = 2000
"""Rebuild the local model once the text moved this many characters from its snapshot."""


@dataclass(slots=True)
class LocalModel:
    model: NGramModel
    texts: dict[int, str]
    """id → text of the window's tokens."""
    words: list[str]
    """Sorted distinct token texts of the window: completions for a half-typed token."""
    text: str
    """The file text the model was counted from (the snapshot)."""
    hole: tuple[int, int]
    """Offsets in `text` of the line left out (start, end of line)."""

    def words_with_prefix(self, prefix: str, limit: int = 16) -> list[str]:
        i = bisect.bisect_left(self.words, prefix)
        out: list[str] = []
        while i < len(self.words) and len(out) < limit and self.words[i].startswith(prefix):
            out.append(self.words[i])
            i += 1
        return out

    def covers(self, text: str, line: tuple[int, int]) -> bool:
        """Whether this model is still right for `text` with the cursor on `line`.

        True when all of the snapshot outside the hole is unchanged in `text` and the cursor's
        line lies inside what replaced the hole (so nothing on it was counted).
        """
        old = self.text
        if abs(len(text) - len(old)) > REBUILD_DRIFT:
            return False
        start, end = self.hole
        if len(text) < start or not text.startswith(old[:start]):
            return False
        tail = len(old) - end
        if tail and not text.endswith(old[end:]):
            return False
        return line[0] >= start and line[1] <= len(text) - tail


class LocalModels:
    """Per-path local models, least recently used dropped first."""

    def __init__(self, order: int, capacity: int = 8) -> None:
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
        text = prefix + suffix
        start = len(prefix) - len(line_prefix)
        end = len(prefix) + len(line_suffix)
        found = self._models.get(path)
        if found is not None and found.covers(text, (start, end)):
            self._models.move_to_end(path)
            return found
        built = self._build(family, text, start, end)
        self._models[path] = built
        self._models.move_to_end(path)
        while len(self._models) > self._capacity:
            self._models.popitem(last=False)
        return built

    def _build(self, family: Family, text: str, start: int, end: int) -> LocalModel:
        before = text[:start]
        at_start = len(before) <= LOCAL_BEFORE
        if not at_start:
            before = before[resume_point(before, len(before) - LOCAL_BEFORE, family) :]
        after = text[end:]
        if len(after) > LOCAL_AFTER:
            after = after[: after.rfind("\n", 0, LOCAL_AFTER) + 1]
        # Counted as two streams: joined, they would teach that the line before the hole is
        # followed by the line after it.
        head = lex(before, family, bos=at_start)
        while head and head[-1] in (INDENT, DEDENT):
            head.pop()  # the hole's indentation is unknown
        tail = lex(after, family, bos=False)
        head_ids = token_ids(head)
        tail_ids = token_ids(tail)
        model = NGramModel(self._order)
        model.add(head_ids)
        model.add(tail_ids)
        texts = dict(zip(head_ids, head, strict=True))
        texts.update(zip(tail_ids, tail, strict=True))
        words = sorted({t for t in texts.values() if t not in SPECIAL})
        return LocalModel(model, texts, words, text, (start, end))


def cache_model(history: list[int], order: int) -> NGramModel:
    """An n-gram model of the last `CACHE_TOKENS` tokens before the cursor."""
    model = NGramModel(order)
    model.add(history[-CACHE_TOKENS:])
    return model
