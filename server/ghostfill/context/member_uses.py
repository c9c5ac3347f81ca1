"""Which members of its namespace imports a file uses (`os.path`, `util.x`), and how often.

`definitions.py` offers the definitions of the members a file reaches for most. Counting them
means finding every `module.` in the file, which on a 5,000-line file is a third of the
context of a request at a new place. So the uses are found once per text and kept with their
offsets; after edits they are updated from the document's byte edits (`Document.edits_since`):
the edits are composed into a map from the old text to the new one, the kept uses are moved
through it, and only the lines the edits touched are searched again. A use never spans a line
(a `module.member` is one identifier, a dot and another), so whole lines are enough.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import accumulate

from ghostfill.context.window import Window
from ghostfill.documents.store import Document

MAX_MEMBER_USES = 128
"""Uses of one module's members counted per file (enough to know which it uses most)."""
MEMBER_SKIP_LINES = 5
"""Lines above and below the cursor left to the near names."""
KEPT_USES = MAX_MEMBER_USES + 64
"""Uses of one module kept per text: the counted ones and room for those near the cursor."""
MAX_SCAN_BYTES = 1024 * 1024
MAX_KEPT_MODULES = 64
"""Modules whose uses are kept for the current text."""

_IDENT = re.compile(rb"[A-Za-z_$][A-Za-z0-9_$]*")
_WORD_BYTES = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_$")

Uses = dict[str, list[tuple[int, str]]]
"""module -> (offset, member) of its first `KEPT_USES` uses, in order."""


@dataclass(slots=True)
class Region:
    """A span of the old text (`old_start`..`old_end`) that is `new_start`..`new_end` now."""

    old_start: int
    old_end: int
    new_start: int
    new_end: int

    @property
    def growth(self) -> int:
        return (self.new_end - self.new_start) - (self.old_end - self.old_start)


def compose(regions: list[Region], start: int, old_end: int, new_end: int) -> list[Region]:
    """`regions` (in order, apart) after one more edit of the current text: `start`..`old_end`
    became `start`..`new_end`. Regions the edit touches merge into one."""
    delta = new_end - old_end
    before = [r for r in regions if r.new_end < start]
    touched = [r for r in regions if r.new_end >= start and r.new_start <= old_end]
    after = [r for r in regions if r.new_start > old_end]
    shift = sum(r.growth for r in before)
    if touched and touched[0].new_start <= start:
        first_old, first_new = touched[0].old_start, touched[0].new_start
    else:
        first_old, first_new = start - shift, start
    if touched and touched[-1].new_end >= old_end:
        last_old, last_new = touched[-1].old_end, touched[-1].new_end
    else:
        last_old = old_end - shift - sum(r.growth for r in touched)
        last_new = old_end
    merged = Region(first_old, last_old, first_new, last_new + delta)
    moved = [Region(r.old_start, r.old_end, r.new_start + delta, r.new_end + delta) for r in after]
    return [*before, merged, *moved]


def find_uses(
    data: bytes, module: str, lo: int = 0, hi: int | None = None
) -> list[tuple[int, str]]:
    """(offset, member) of the uses of `module.` in `data[lo:hi]`, at most `KEPT_USES`."""
    needle = module.encode() + b"."
    end = len(data) if hi is None else hi
    found: list[tuple[int, str]] = []
    i = data.find(needle, lo, end)
    while i >= 0 and len(found) < KEPT_USES:
        m = _IDENT.match(data, i + len(needle))
        if m is not None and (i == 0 or data[i - 1] not in _WORD_BYTES):
            found.append((i, m.group().decode("ascii")))
        i = data.find(needle, i + len(needle), end)
    return found


def moved(uses: Uses, regions: list[Region], data: bytes) -> Uses:
    """`uses` of the old text as uses of `data`, the text after the edits `regions` sum up.
    Uses before the first touched line stay, those after the last move by the edits' growth
    (both by slicing: typing touches one place, and a module may have ~200 uses); only those
    in between are looked at one by one; the touched lines are searched again."""
    spans = whole_lines(data, ((r.new_start, r.new_end) for r in regions))  # touched lines
    starts = [r.old_start for r in regions]
    shifts = list(accumulate(r.growth for r in regions))
    growth = shifts[-1]
    out: Uses = {}
    for module, kept in uses.items():
        head = bisect_left(kept, spans[0][0], key=_offset)
        tail = bisect_right(kept, spans[-1][1] - growth, key=_offset)
        now = kept[:head]
        for at, member in kept[head:tail]:
            k = bisect_right(starts, at) - 1
            if k >= 0 and at < regions[k].old_end:
                continue  # inside an edit: found again below
            at += shifts[k] if k >= 0 else 0
            if not any(lo <= at <= hi for lo, hi in spans):
                now.append((at, member))
        for lo, hi in spans:
            now += find_uses(data, module, lo, hi)
        now.sort()
        now += kept[tail:] if not growth else [(at + growth, m) for at, m in kept[tail:]]
        out[module] = now[:KEPT_USES]
    return out


def _offset(use: tuple[int, str]) -> int:
    return use[0]


def whole_lines(
    data: bytes, spans: Iterable[tuple[int, int]], lo: int = 0, hi: int | None = None
) -> list[tuple[int, int]]:
    """The whole lines of `data[lo:hi]` that `spans` (in order) touch, each as (its start,
    the end of its last line before the break), touching or adjacent ones merged."""
    stop = len(data) if hi is None else hi
    lines: list[tuple[int, int]] = []
    for start, end in spans:
        first = data.rfind(b"\n", lo, start) + 1 or lo
        last = data.find(b"\n", end, stop)
        last = stop if last == -1 else last
        if lines and first <= lines[-1][1] + 1:
            lines[-1] = (lines[-1][0], max(last, lines[-1][1]))
        else:
            lines.append((first, last))
    return lines


class MemberUses:
    """`module.member` counts of the current file, from its uses kept through the edits."""

    def __init__(self, max_modules: int = MAX_KEPT_MODULES) -> None:
        self.max_modules = max_modules
        self._uses: tuple[str, int, Uses] = ("", -1, {})
        """(uri, revision, module -> uses) of the last text asked about, for every module
        asked about there (the window's imports change as it moves; the text's uses do not)."""

    def __call__(
        self, doc: Document, window: Window, modules: list[str]
    ) -> Counter[tuple[str, str]]:
        """How often the file uses each `module.member` of its namespace imports (`util.x`
        with `import * as util`, `codecs.lookup` with `import codecs`): the members the code
        reaches for are the likely next ones. The lines around the cursor are left out (the
        near names count them). The kept uses are in order, so that is two bisections and
        a count of at most `MAX_MEMBER_USES` per module, whatever the file's size."""
        if not modules or len(doc.data) > MAX_SCAN_BYTES:
            return Counter()
        start = doc.line_start(max(0, window.row - MEMBER_SKIP_LINES))
        end = doc.line_end(min(doc.line_count - 1, window.row + MEMBER_SKIP_LINES))
        found: Counter[tuple[str, str]] = Counter()
        for module, uses in self.uses(doc, tuple(modules)).items():
            lo = bisect_left(uses, start, key=_offset)
            hi = bisect_left(uses, end, key=_offset)
            outside = uses[:lo] + uses[hi:] if hi > lo else uses
            found.update((module, member) for _, member in outside[:MAX_MEMBER_USES])
        return found

    def uses(self, doc: Document, modules: tuple[str, ...]) -> Uses:
        """The uses of `modules` in `doc`: kept, moved through the edits since, or found.
        Kept per module: a module whose uses were cut at `KEPT_USES` is found again after an
        edit (its uses past the cut are not tracked); the others are moved."""
        uri, revision, kept = self._uses
        if uri != doc.uri:
            kept = {}
        elif revision != doc.revision:
            edits = doc.edits_since(revision)
            whole = {m: u for m, u in kept.items() if len(u) < KEPT_USES}
            if edits is None or not whole:
                kept = {}
            else:
                regions: list[Region] = []
                for edit in edits:
                    regions = compose(regions, *edit)
                kept = moved(whole, regions, doc.data) if regions else whole
        found = {m: kept[m] if m in kept else find_uses(doc.data, m) for m in modules}
        others = [(m, u) for m, u in kept.items() if m not in found]
        room = max(self.max_modules - len(found), 0)  # the modules asked for last stay
        kept = dict(others[max(len(others) - room, 0) :])
        self._uses = (doc.uri, doc.revision, {**kept, **found})
        return found
