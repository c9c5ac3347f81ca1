"""The file-level models: the open file's model (kept per path) and the cache model.

The file model counts the whole open file (files up to `WHOLE_FILE` characters; a window of
`WINDOW_BEFORE` + `WINDOW_AFTER` characters around the cursor in bigger ones) minus the lines
being typed: their half-typed state would teach the model to end lines early, and in a
benchmark they would hold the answer. It is counted once, from the snapshot of the text it was
built from, and then kept in step by subtraction: each request compares the text with the
snapshot, finds the lines that differ and the cursor's line, and takes exactly the n-grams that
touch their tokens out of the counts (an n-gram model's counts are sums, so taking a stretch of
tokens out is `remove(around) + add(before) + add(after)`, a few hundred dict updates). Moving
to another line puts the old line's n-grams back and takes the new one's out; nothing is
re-counted until the edits since the snapshot grow past `REBUILD_CHARS` characters.

Counting a snapshot is the expensive part (a few ms per 10 KB), so `FileModels.prepare` counts
an opened file in slices of `SLICE_TOKENS` tokens, yielding to the event loop between slices:
the first request after `didOpen` finds it ready. A request that arrives earlier finishes the
remaining slices itself.

The cache model counts the last `CACHE_TOKENS` tokens before the cursor (what was just typed,
the current line and the lines the file model left out included) on every request.
"""

from __future__ import annotations

import bisect
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field

from ghostfill.engine.lexer import SPECIAL, Family, lex_lines, resume_point
from ghostfill.engine.ngram import NGramModel
from ghostfill.engine.prose import LINE_START, prose_lines
from ghostfill.engine.prose import ORDER as PROSE_ORDER
from ghostfill.engine.vocab import token_id, token_ids

WHOLE_FILE = 64_000
"""Files up to this many characters are counted whole."""
WINDOW_BEFORE = 24_000
"""In bigger files: characters before the cursor that the file model counts."""
WINDOW_AFTER = 8_000
"""In bigger files: characters after the cursor that the file model counts."""
CACHE_TOKENS = 150
"""Tokens before the cursor that the cache model counts."""
REBUILD_CHARS = 2000
"""Re-count the snapshot once the lines left out of it hold this many characters."""
SLICE_TOKENS = 3000
"""Tokens counted per slice when a file is prepared in the background."""
_MAX_HOLES = 24


@dataclass(slots=True)
class FileModel:
    """A snapshot of (a window of) a file, its counts, and the stretches taken out of them."""

    text: str
    """The snapshot: the text counted."""
    start: int
    """Offset of the snapshot in the document it was taken from."""
    after: int
    """Characters of that document after the snapshot."""
    ids: list[int]
    lines: list[int]
    """Line (in `text`) of each token."""
    line_starts: list[int]
    model: NGramModel
    texts: dict[int, str]
    """id → text of the snapshot's tokens."""
    words: list[str]
    """Sorted distinct token texts: completions for a half-typed token."""
    counted: int = 0
    """Tokens counted so far (the model is ready when this is `len(ids)`)."""
    holes: list[tuple[int, int]] = field(default_factory=list)
    """Token ranges currently taken out of the counts."""
    prose: FileModel | None = None
    """The snapshot's comments and docstrings (`engine.prose`), on the same lines; counted
    with the first slice and left out line for line with the code."""

    @property
    def ready(self) -> bool:
        return self.counted >= len(self.ids)

    def count_slice(self, limit: int = SLICE_TOKENS) -> None:
        """Count the next `limit` tokens (n-grams ending in them; earlier tokens as context)."""
        begin = self.counted
        end = min(len(self.ids), begin + limit)
        context = max(0, begin - (self.model.order - 1))
        if begin:
            # Count the n-grams ending in ids[begin:end]: those of ids[context:end] minus those
            # that lie wholly in ids[context:begin] (counted with the slice before).
            self.model.add(self.ids[context:end])
            self.model.remove(self.ids[context:begin])
        else:
            self.model.add(self.ids[:end])
            if self.prose is not None:
                self.prose.finish()
        self.counted = end

    def finish(self) -> None:
        while not self.ready:
            self.count_slice(len(self.ids))

    def words_with_prefix(self, prefix: str, limit: int = 16) -> list[str]:
        """Known words starting with `prefix` (not those only found in the left-out lines)."""
        i = bisect.bisect_left(self.words, prefix)
        out: list[str] = []
        unigram = self.model.unigram
        while i < len(self.words) and len(out) < limit and self.words[i].startswith(prefix):
            if token_id(self.words[i]) in unigram:
                out.append(self.words[i])
            i += 1
        return out

    # -- holes ------------------------------------------------------------------------------

    def leave_out(self, spans: list[tuple[int, int]]) -> None:
        """Take exactly the n-grams touching the tokens of `spans` (line ranges, inclusive) out
        of the counts, putting back those of the previous call's spans."""
        if self.prose is not None:
            self.prose.leave_out(spans)
        holes = self._token_ranges(spans)
        if holes == self.holes:
            return
        # Stretches at least 2 * (order - 1) tokens apart touch disjoint n-grams: each can be
        # put back or taken out on its own.
        kept = set(holes)
        for hole in reversed(self.holes):
            if hole not in kept:
                self._put_back(hole)
        was = set(self.holes)
        for hole in holes:
            if hole not in was:
                self._take_out(hole)
        self.holes = holes

    def _token_ranges(self, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
        ranges: list[tuple[int, int]] = []
        gap = 2 * (self.model.order - 1)
        for first, last in sorted(spans):
            i = bisect.bisect_left(self.lines, first)
            j = bisect.bisect_right(self.lines, last)
            if i >= j:
                continue
            if ranges and i - ranges[-1][1] <= gap:  # overlapping context: one stretch
                ranges[-1] = (ranges[-1][0], j)
            else:
                ranges.append((i, j))
        return ranges

    def _take_out(self, hole: tuple[int, int]) -> None:
        i, j = hole
        a, b = max(0, i - self.model.order + 1), min(len(self.ids), j + self.model.order - 1)
        model, ids = self.model, self.ids
        model.remove(ids[a:b])
        model.add(ids[a:i])
        model.add(ids[j:b])

    def _put_back(self, hole: tuple[int, int]) -> None:
        i, j = hole
        a, b = max(0, i - self.model.order + 1), min(len(self.ids), j + self.model.order - 1)
        model, ids = self.model, self.ids
        model.remove(ids[j:b])
        model.remove(ids[a:i])
        model.add(ids[a:b])

    # -- where the text differs -------------------------------------------------------------

    def spans_for(self, text: str, cursor: int) -> list[tuple[int, int]] | None:
        """Lines of the snapshot (inclusive ranges) to leave out for `text` with the cursor at
        `cursor`: those that differ, and the cursor's. None: the snapshot no longer fits."""
        view_end = len(text) - self.after
        if not self.start <= cursor <= view_end:
            return None
        view = text[self.start : view_end]
        at = cursor - self.start
        old, starts = self.text, self.line_starts
        p = _common_prefix(old, view)
        if p == len(old) == len(view):
            line = _line_of(starts, at)
            return [(line, line)]
        q = _common_suffix(old, view, min(len(old), len(view)) - p)
        old_end, new_end = len(old) - q, len(view) - q
        # Compared line by line where the stretch keeps its line count (an edit here and one
        # there); else the lines the whole stretch touched, if it is small.
        spans = _changed_lines(old, view, p, old_end, new_end, starts)
        if spans is None:
            if old_end - p > REBUILD_CHARS or new_end - p > REBUILD_CHARS:
                return None
            first = _line_of(starts, p)
            touched = old_end > p or starts[first] != p  # else: lines inserted between lines
            spans = [(first, _line_of(starts, max(p, old_end - 1)))] if touched else []
            aligned = False
        elif len(spans) > _MAX_HOLES:
            return None
        else:
            aligned = True
        if at < p:
            spans.append((_line_of(starts, at), _line_of(starts, at)))
        elif at >= new_end:
            line = _line_of(starts, at - (len(view) - len(old)))
            spans.append((line, line))
        elif aligned:
            row = view.count("\n", 0, at)  # same line numbers on both sides of the stretch
            spans.append((row, row))
        # else the cursor is inside the small changed stretch, whose lines are left out
        return sorted(set(spans))


def _line_of(starts: list[int], offset: int) -> int:
    return max(0, bisect.bisect_right(starts, offset) - 1)


def _common_prefix(a: str, b: str) -> int:
    """Length of the common prefix of `a` and `b` (block compares, then a binary search)."""
    n = min(len(a), len(b))
    i = 0
    step = 4096
    while i + step <= n and a[i : i + step] == b[i : i + step]:
        i += step
    lo, hi = i, min(n, i + step)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[i:mid] == b[i:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _common_suffix(a: str, b: str, limit: int) -> int:
    """Length of the common suffix of `a` and `b`, at most `limit`."""
    n = min(limit, len(a), len(b))
    i = 0
    step = 4096
    la, lb = len(a), len(b)
    while i + step <= n and a[la - i - step : la - i] == b[lb - i - step : lb - i]:
        i += step
    lo, hi = i, min(n, i + step)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[la - mid : la - i] == b[lb - mid : lb - i]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _changed_lines(
    old: str, new: str, p: int, old_end: int, new_end: int, starts: list[int]
) -> list[tuple[int, int]] | None:
    """The snapshot lines that differ inside [p, old_end), compared line by line; None when the
    stretch does not have the same number of lines on both sides."""
    first = _line_of(starts, p)
    a0 = starts[first]
    a1 = old.find("\n", old_end)
    b1 = new.find("\n", new_end)
    old_lines = old[a0 : len(old) if a1 < 0 else a1].split("\n")
    new_lines = new[a0 : len(new) if b1 < 0 else b1].split("\n")
    if len(old_lines) != len(new_lines):
        return None
    changed = [
        (first + k, first + k)
        for k, (x, y) in enumerate(zip(old_lines, new_lines, strict=True))
        if x != y
    ]
    if sum(len(old_lines[r - first]) for r, _ in changed) > REBUILD_CHARS:
        return None
    return changed


def build(family: Family, text: str, cursor: int, order: int) -> FileModel:
    """A snapshot of `text` (whole, or the window around `cursor`), lexed, not yet counted."""
    start, end = 0, len(text)
    if len(text) > WHOLE_FILE:
        start = max(0, cursor - WINDOW_BEFORE)
        if start:
            start = resume_point(text, start, family) + 1
            start = min(start, text.rfind("\n", 0, cursor) + 1)
        end = text.find("\n", min(len(text), cursor + WINDOW_AFTER))
        end = len(text) if end < 0 else end + 1
    snapshot = text[start:end]
    tokens, lines = lex_lines(snapshot, family, bos=start == 0)
    ids = token_ids(tokens)
    starts = [0]
    find = snapshot.find
    at = find("\n")
    while at >= 0:
        starts.append(at + 1)
        at = find("\n", at + 1)
    texts = dict(zip(ids, tokens, strict=True))
    words = sorted({t for t in texts.values() if t not in SPECIAL})
    after = len(text) - end
    found = FileModel(snapshot, start, after, ids, lines, starts, NGramModel(order), texts, words)
    prose, prose_rows = prose_lines(snapshot, family)
    if prose:
        prose_ids = token_ids(prose)
        prose_texts = {i: t for i, t in zip(prose_ids, prose, strict=True) if t != LINE_START}
        prose_words = sorted({t for t in prose_texts.values() if t not in SPECIAL})
        found.prose = FileModel(
            snapshot,
            start,
            after,
            prose_ids,
            prose_rows,
            starts,
            NGramModel(PROSE_ORDER),
            prose_texts,
            prose_words,
        )
    return found


class FileModels:
    """Per-path file models, least recently used dropped first. Event-loop only."""

    def __init__(self, order: int, capacity: int = 8) -> None:
        self._order = order
        self._capacity = capacity
        self._models: OrderedDict[str, FileModel] = OrderedDict()

    def preparing(self, path: str, family: Family, text: str) -> Iterator[None]:
        """Snapshot `text` and count it one slice per step (for a just-opened file)."""
        found = self._models.get(path)
        if len(text) > WHOLE_FILE or (found is not None and found.spans_for(text, 0)):
            return  # a big file's window depends on the cursor; a known file still fits
        model = build(family, text, 0, self._order)
        self._keep(path, model)
        while not model.ready and self._models.get(path) is model:
            model.count_slice()
            yield

    def get(self, path: str, family: Family, text: str, cursor: int) -> FileModel:
        """The file model for `text` with the cursor at `cursor`, its lines being typed left out."""
        found = self._models.get(path)
        spans = found.spans_for(text, cursor) if found is not None else None
        if found is None or spans is None:
            found = build(family, text, cursor, self._order)
            spans = found.spans_for(text, cursor) or []
            self._keep(path, found)
        else:
            self._models.move_to_end(path)
        found.finish()
        found.leave_out(spans)
        return found

    def forget(self, path: str) -> None:
        self._models.pop(path, None)

    def _keep(self, path: str, model: FileModel) -> None:
        self._models[path] = model
        self._models.move_to_end(path)
        while len(self._models) > self._capacity:
            self._models.popitem(last=False)


def cache_model(history: list[int], order: int) -> NGramModel:
    """An n-gram model of the last `CACHE_TOKENS` tokens before the cursor."""
    model = NGramModel(order)
    model.add(history[-CACHE_TOKENS:])
    return model
