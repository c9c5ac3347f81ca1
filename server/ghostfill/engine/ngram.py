"""A count-based n-gram model with Witten-Bell smoothing, as in SLP-Core (Hellendoorn 2017).

Storage is one dict per history length k (1 .. order-1) plus a unigram dict. A context is keyed
by `hash(tuple(history[-k:]))` (int hashes are not salted, so keys are stable). Its value is
one packed int `successor << SHIFT | count` (most contexts have a single successor), or an
`array('q')` laid out `[-total, s1, -c1, s2, -c2, ...]` for up to `SMALL` successors (counts
are negated so `token in value` can only match a successor, and the scan runs in C), or, for
contexts with more successors, the sentinel `WIDE` with the successors in a dict
`{successor: count, TOTAL: total}` kept aside in `wide[k]`. Ints and arrays are not containers
the garbage collector tracks, so the big tables cost the collector nothing (tables of dicts
made each full collection walk every entry: ~40 ms per million contexts).
Contexts are hashed in C with `map(hash, zip(...))`; only the table update runs in Python.

`add`/`remove` are exact inverses (a changed file is re-counted by removing its old tokens and
adding the new ones). `prune` keeps memory bounded by dropping the rarest high-order contexts
first (singletons of the longest histories, then the next order, then count 2, ...), like lossy
counting; the benchmark shows the long tail it drops barely matters for completions.

Probabilities follow SLP-Core's `NGramModel.modelToken`: from the unigram up, each order whose
context was seen mixes in its MLE with Witten-Bell weight λ = c(h) / (c(h) + N1+(h·)); the
result is normalised by the accumulated mass, and the model's confidence is 1 - 2^-hits.
"""

from __future__ import annotations

import heapq
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from typing import TypeAlias

SHIFT = 20
COUNT_MASK = (1 << SHIFT) - 1
SMALL = 12
"""Most successors kept in a context's array; beyond this the context moves to `wide`."""
WIDE = -1
"""Table value of a context whose successors live in the model's `wide` dicts."""
TOTAL = -1
"""Key of c(h) inside a wide context's dict (token ids are never negative)."""

Value: TypeAlias = "int | array[int]"
"""A table value: a packed int, `array('q', [-total, s1, -c1, ...])`, or `WIDE`."""
Level: TypeAlias = "int | array[int] | dict[int, int]"
_TOP_CACHE_LIMIT = 4096


class NGramModel:
    """Counts of token ids up to `order`, with smoothing, removal and pruning."""

    __slots__ = (
        "_top",
        "_top_version",
        "_wide_size",
        "order",
        "tables",
        "total",
        "unigram",
        "version",
        "wide",
    )

    def __init__(self, order: int = 6) -> None:
        if order < 1:
            raise ValueError("order must be at least 1")
        self.order = order
        self.unigram: dict[int, int] = {}
        self.total = 0
        self.tables: list[dict[int, Value]] = [{} for _ in range(order - 1)]
        self.wide: list[dict[int, dict[int, int]]] = [{} for _ in range(order - 1)]
        self.version = 0
        self._wide_size = 0
        self._top: dict[tuple[int, int], list[int]] = {}
        self._top_version = 0

    # ---- counting -------------------------------------------------------------------------

    def add(self, ids: Sequence[int]) -> None:
        """Count every n-gram of `ids` (one file's or window's token stream)."""
        self.version += 1
        uni = self.unigram
        for w, c in Counter(ids).items():
            uni[w] = uni.get(w, 0) + c
        self.total += len(ids)
        for k, keys, succs in self._grams(ids):
            _add(self.tables[k - 1], self.wide[k - 1], keys, succs)

    def remove(self, ids: Sequence[int]) -> None:
        """Undo `add(ids)` (contexts pruned in between are simply skipped)."""
        self.version += 1
        uni = self.unigram
        for w, c in Counter(ids).items():
            had = uni.get(w)
            if had is None:
                continue  # pruned meanwhile
            self.total -= min(had, c)
            if had > c:
                uni[w] = had - c
            else:
                del uni[w]
        for k, keys, succs in self._grams(ids):
            _sub(self.tables[k - 1], self.wide[k - 1], keys, succs)

    def _grams(self, ids: Sequence[int]) -> Iterator[tuple[int, Iterable[int], Sequence[int]]]:
        n = len(ids)
        for k in range(1, min(self.order, n)):
            keys = map(hash, zip(*[ids[j : n - k + j] for j in range(k)], strict=True))
            yield k, keys, ids[k:]

    def prune(self, target: int) -> int:
        """Drop the rarest entries until at most `target` remain; returns how many went.

        Entries seen once go first, everywhere (contexts of every order, successors of wide
        contexts, unigram counts); that is usually enough. If not, one pass counts how many
        entries have each total and the smallest threshold that frees enough is applied.
        Totals shrink with what is dropped, so the model stays a proper distribution.
        """
        self._wide_size = sum(len(d) - 1 for w in self.wide for d in w.values())
        dropped = 0
        threshold = 1
        while self.contexts > target:
            dropped += sum(self._prune_order(k, threshold) for k in range(1, self.order))
            dropped += self._prune_rare_successors(threshold)
            self._wide_size = sum(len(d) - 1 for w in self.wide for d in w.values())
            excess = self.contexts - target
            if excess <= 0 or threshold >= COUNT_MASK:
                break
            threshold = max(threshold + 1, _threshold(self._histogram(), excess))
        if dropped:
            self.version += 1
        return dropped

    def _histogram(self) -> Counter[int]:
        """How many entries have each total (totals above 64 share one bucket)."""
        hist: Counter[int] = Counter()
        for table in self.tables:
            hist.update(
                min(v & COUNT_MASK if isinstance(v, int) else -v[0], 65) for v in table.values()
            )
        for wide in self.wide:
            for d in wide.values():
                hist.update(min(c, 65) for w, c in d.items() if w != TOTAL)
        hist.update(min(c, 65) for c in self.unigram.values())
        return hist

    def _prune_order(self, k: int, threshold: int) -> int:
        """Drop contexts of history length k seen at most `threshold` times."""
        table = self.tables[k - 1]
        kept = {
            h: v
            for h, v in table.items()
            if (v & COUNT_MASK if isinstance(v, int) else -v[0]) > threshold
        }
        dropped = len(table) - len(kept)
        if not dropped:
            return 0
        wide = self.wide[k - 1]
        # Built entry by entry (a copy in one C call would hold the GIL for a large table);
        # a fresh dict is also compact (dicts never shrink on delete).
        self.wide[k - 1] = {h: d for h, d in wide.items() if h in kept}
        self.tables[k - 1] = kept
        return dropped

    def _prune_rare_successors(self, threshold: int) -> int:
        """Drop rare successors of wide contexts and unigram counts of rare tokens."""
        dropped = 0
        for k in range(1, self.order):
            wide = self.wide[k - 1]
            table = self.tables[k - 1]
            for h, d in list(wide.items()):
                few = [w for w, c in d.items() if c <= threshold and w != TOTAL]
                if not few:
                    continue
                for w in few:
                    d[TOTAL] -= d.pop(w)
                dropped += len(few)
                if len(d) > 1:
                    wide[h] = dict(d)
                else:
                    del wide[h], table[h]
        uni = self.unigram
        rare = [w for w, c in uni.items() if c <= threshold]
        self.total -= sum(uni[w] for w in rare)
        self.unigram = {w: c for w, c in uni.items() if c > threshold}
        return dropped + len(rare)

    # ---- statistics -----------------------------------------------------------------------

    @property
    def contexts(self) -> int:
        """Stored entries (the memory cap's unit): contexts of every order, unigram counts, and
        the successors of wide contexts as of the last `prune` (counting them is not free)."""
        return sum(len(t) for t in self.tables) + len(self.unigram) + self._wide_size

    def count(self, history: Sequence[int], token: int) -> int:
        """c(history, token): how often `token` followed exactly `history` (for tests)."""
        if not history:
            return self.unigram.get(token, 0)
        k = len(history)
        h = hash(tuple(history))
        value = self.tables[k - 1].get(h)
        if value == WIDE:
            return self.wide[k - 1][h].get(token, 0)
        return 0 if value is None else _count(value, token)

    def view(self, keys: Sequence[int]) -> View:
        """The statistics of every order for a history, ready to score many candidates.

        `keys` are `context_keys(history, order)`: computed once per step, shared by models.
        """
        levels: list[tuple[Level, int, float, int, int]] = []
        tables = self.tables
        for k in range(1, min(self.order - 1, len(keys)) + 1):
            h = keys[k - 1]
            value: Level | None = tables[k - 1].get(h)
            if value is None:
                break
            if isinstance(value, int):
                if value == WIDE:
                    value = self.wide[k - 1].get(h)
                    if value is None:  # removed by the indexing thread meanwhile
                        break
                    total = value[TOTAL]
                    distinct = len(value) - 1
                else:
                    total = value & COUNT_MASK
                    distinct = 1
            elif isinstance(value, dict):
                total = value[TOTAL]
                distinct = len(value) - 1
            else:
                total = -value[0]
                distinct = len(value) >> 1
            levels.append((value, total, total / (total + distinct), k, h))
        return View(self, levels)

    def prob(self, history: Sequence[int], token: int) -> float:
        return self.view(context_keys(history, self.order)).prob(token)

    def top(self, k: int, h: int, value: array[int] | dict[int, int], limit: int) -> list[int]:
        """The `limit` most frequent successors of a multi-successor context (cached).

        The indexing thread may be changing `value` meanwhile: the array is copied in one C
        call (a successor appended without its count yet is left out), the dict's keys too.
        """
        if not isinstance(value, dict):
            flat = value.tolist()
            pairs = sorted(zip(flat[2::2], flat[1::2], strict=False))
            return [w for _, w in pairs[:limit]]
        if self._top_version != self.version:
            self._top.clear()
            self._top_version = self.version
        key = (k, h)
        cached = self._top.get(key)
        if cached is not None and len(cached) >= limit:
            return cached[:limit]
        counts = value.copy()
        best = [w for w in heapq.nlargest(limit + 1, counts, key=counts.__getitem__) if w != TOTAL]
        best = best[:limit]
        if len(self._top) < _TOP_CACHE_LIMIT:
            self._top[key] = best
        return best


class View:
    """One model's view of one history: the unigram, then (value, c(h), λ) per seen order."""

    __slots__ = ("levels", "model", "uni", "uni_lambda", "uni_total")

    def __init__(self, model: NGramModel, levels: list[tuple[Level, int, float, int, int]]) -> None:
        self.model = model
        self.levels = levels
        self.uni = model.unigram
        self.uni_total = model.total
        distinct = len(self.uni)
        self.uni_lambda = model.total / (model.total + distinct) if model.total else 0.0

    @property
    def hits(self) -> int:
        """Orders whose context the model has seen, the unigram included."""
        return len(self.levels) + 1 if self.uni_total else 0

    @property
    def confidence(self) -> float:
        """SLP-Core's model confidence: 1 - 2^-hits, asymptotically 1 for long matches."""
        hits = self.hits
        return 1.0 - 2.0**-hits if hits else 0.0

    def prob(self, token: int) -> float:
        """Witten-Bell interpolated P(token | history); 0 if the model never saw `token`."""
        if not self.uni_total:
            return 0.0
        mass = self.uni_lambda
        prob = mass * self.uni.get(token, 0) / self.uni_total
        for value, total, lam, _, _ in self.levels:
            if isinstance(value, int):
                count = value & COUNT_MASK if value >> SHIFT == token else 0
            elif isinstance(value, dict):
                count = value.get(token, 0)
            elif token in value:
                try:
                    count = -value[value.index(token) + 1]
                except (ValueError, IndexError):  # changed by the indexing thread meanwhile
                    count = 0
            else:
                count = 0
            mass += lam * (1.0 - mass)
            prob += lam * (min(count, total) / total - prob)
        return prob / mass

    def successors(self, limit: int, orders: int = 2) -> list[int]:
        """Likely next tokens: top successors of the `orders` longest seen contexts (k ≥ 1)."""
        found: list[int] = []
        for value, _, _, k, h in self.levels[: -orders - 1 : -1]:
            if isinstance(value, int):
                w = value >> SHIFT
                if w not in found:
                    found.append(w)
                continue
            for w in self.model.top(k, h, value, limit):
                if w not in found:
                    found.append(w)
        return found


def context_keys(history: Sequence[int], order: int) -> list[int]:
    """Keys of the last 1 .. order-1 tokens of `history` (shortest first)."""
    n = len(history)
    return [hash(tuple(history[n - k :])) for k in range(1, min(order - 1, n) + 1)]


def _threshold(hist: Counter[int], excess: int) -> int:
    """The smallest count t such that entries with totals ≤ t number at least `excess`."""
    freed = 0
    for t in sorted(hist):
        freed += hist[t]
        if freed >= excess:
            return t
    return COUNT_MASK


def _count(value: Value, token: int) -> int:
    if isinstance(value, int):
        return value & COUNT_MASK if value >> SHIFT == token else 0
    if token in value:
        return -value[value.index(token) + 1]
    return 0


def _add(
    table: dict[int, Value],
    wide: dict[int, dict[int, int]],
    keys: Iterable[int],
    succs: Sequence[int],
) -> None:
    get = table.get
    for h, w in zip(keys, succs, strict=False):
        v = get(h)
        if v is None:
            table[h] = (w << SHIFT) | 1
        elif isinstance(v, int):
            if v == WIDE:
                d = wide[h]
                d[w] = d.get(w, 0) + 1
                d[TOTAL] += 1
                continue
            count = v & COUNT_MASK
            if v >> SHIFT != w:
                table[h] = array("q", (-count - 1, v >> SHIFT, -count, w, -1))
            elif count < COUNT_MASK:
                table[h] = v + 1
            else:
                table[h] = array("q", (-count - 1, w, -count - 1))
        elif w in v:
            v[v.index(w) + 1] -= 1
            v[0] -= 1
        elif len(v) < 2 * SMALL + 1:
            v.append(w)
            v.append(-1)
            v[0] -= 1
        else:
            d = {v[i]: -v[i + 1] for i in range(1, len(v), 2)}
            d[w] = 1
            d[TOTAL] = 1 - v[0]
            wide[h] = d
            table[h] = WIDE


def _sub(
    table: dict[int, Value],
    wide: dict[int, dict[int, int]],
    keys: Iterable[int],
    succs: Sequence[int],
) -> None:
    get = table.get
    for h, w in zip(keys, succs, strict=False):
        v = get(h)
        if v is None:
            continue
        if isinstance(v, int):
            if v == WIDE:
                d = wide[h]
                c = d.get(w)
                if c is None:
                    continue
                if c <= 1:
                    del d[w]
                else:
                    d[w] = c - 1
                d[TOTAL] -= 1
                if d[TOTAL] <= 0 or len(d) == 1:
                    del wide[h], table[h]
            elif v >> SHIFT == w:
                if v & COUNT_MASK <= 1:
                    del table[h]
                else:
                    table[h] = v - 1
            continue
        if w not in v:
            continue
        i = v.index(w)
        if v[i + 1] >= -1:
            del v[i : i + 2]
        else:
            v[i + 1] += 1
        v[0] += 1
        if v[0] >= 0 or len(v) < 3:
            del table[h]
        elif len(v) == 3 and -v[2] <= COUNT_MASK:
            table[h] = (v[1] << SHIFT) | -v[2]
