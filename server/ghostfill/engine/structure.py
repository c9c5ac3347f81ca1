"""Statement structure: how the first token of a statement changes what may come next.

An n-gram sees the last five tokens; it cannot tell `if x >= LIMIT` (which must go on with `:`)
from `y = LIMIT` (which may end there). This model counts token classes (keywords, operators
and punctuation stand for themselves; names, numbers and strings are ID, NUM, STR) in the
context (class of the statement's first token, inside brackets?, class of the last token),
and compares that with the context without the first token. The ratio, shrunk towards 1 where
counts are few, re-weights the n-gram mixture's candidates (a product of experts): a line end
after a name inside an `if` is all but ruled out, `:` after it is favoured.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

from ghostfill.engine.lexer import Family, kind_of
from ghostfill.engine.vocab import BOS_ID, DEDENT_ID, INDENT_ID, NEWLINE_ID, Overlay

_BREAKS = frozenset({BOS_ID, NEWLINE_ID, INDENT_ID, DEDENT_ID})
_START = "^"
_CLASSES = frozenset({"ID", "NUM", "STR", _START})
SHRINK = 4.0
"""Pseudo-counts pulling a sparse context's ratio towards 1."""

Key = tuple[str, bool, str]
_K = TypeVar("_K", bound=Hashable)


class StructureModel:
    """Counts of token classes after (statement head class, in brackets, previous class)."""

    __slots__ = ("_closers", "_kinds", "_openers", "_text", "base", "family", "full", "tokens")

    def __init__(self, family: Family, text: Callable[[int], str]) -> None:
        self.family = family
        self._text = text
        self._kinds: dict[int, str] = {}
        self._openers = frozenset(family.brackets)
        self._closers = frozenset(family.closers)
        self.full: dict[Key, dict[str, int]] = {}
        self.base: dict[tuple[bool, str], dict[str, int]] = {}
        self.tokens = 0

    def kind(self, token: int) -> str:
        found = self._kinds.get(token)
        if found is None:
            found = kind_of(self._text(token), self.family)
            if token < Overlay.BASE:  # overlay ids are reused after the overlay is cleared
                self._kinds[token] = found
        return found

    def add(self, ids: Sequence[int]) -> None:
        self._count(ids, 1)

    def remove(self, ids: Sequence[int]) -> None:
        self._count(ids, -1)

    def _count(self, ids: Sequence[int], sign: int) -> None:
        self.tokens += sign * len(ids)
        for key, kind in self._walk(ids):
            _bump(self.full, key, kind, sign)
            _bump(self.base, key[1:], kind, sign)

    def _walk(self, ids: Sequence[int]) -> list[tuple[Key, str]]:
        out: list[tuple[Key, str]] = []
        head = _START
        fresh = True
        depth = 0
        prev = _START
        kind = self.kind
        for t in ids:
            k = kind(t)
            out.append(((_START if fresh else head, depth > 0, prev), k))
            if t in _BREAKS:
                fresh = True
                depth = 0
            elif fresh:
                head = k
                fresh = False
            if k in self._openers:
                depth += 1
            elif k in self._closers and depth:
                depth -= 1
            prev = k
        return out

    def state(self, history: Sequence[int]) -> Key:
        """The context for the token after `history` (scanning back to the statement start)."""
        depth = 0
        head = _START
        i = len(history) - 1
        while i >= 0 and history[i] not in _BREAKS:
            k = self.kind(history[i])
            if k in self._openers:
                depth += 1
            elif k in self._closers:
                depth -= 1
            head = k
            i -= 1
        prev = self.kind(history[-1]) if history else _START
        if history and history[-1] in _BREAKS:
            head = _START
        return (head, depth > 0, prev)

    def likely(self, key: Key, limit: int = 4) -> list[str]:
        """The most frequent literal tokens (keywords, operators, punctuation) in `key`."""
        full = self.full.get(key)
        if not full:
            return []
        ranked = sorted(full.items(), key=lambda kv: -kv[1])
        return [k for k, c in ranked if k and c > 0 and k not in _CLASSES][:limit]

    def ratio(self, key: Key, token: int) -> float:
        """P(class | head, brackets, prev) / P(class | brackets, prev), shrunk towards 1."""
        base = self.base.get(key[1:])
        if not base or base[""] <= 0:
            return 1.0
        kind = self.kind(token)
        p_base = max(base.get(kind, 0), 0) / base[""]
        if p_base <= 0.0:
            return 1.0
        full = self.full.get(key)
        if not full or full[""] <= 0:
            return 1.0
        p_full = (max(full.get(kind, 0), 0) + SHRINK * p_base) / (full[""] + SHRINK)
        return p_full / p_base


def _bump(table: dict[_K, dict[str, int]], key: _K, kind: str, sign: int) -> None:
    counts = table.get(key)
    if counts is None:
        if sign < 0:
            return
        counts = table[key] = {"": 0}
    counts[kind] = counts.get(kind, 0) + sign
    counts[""] += sign
