"""Which names the next line is likely to use: identifiers around the cursor, by weight.

Every identifier in the ~20 lines above the cursor, the cursor line and the few lines below
it, weighted by closeness to the cursor and how often it appears; `a.b` / `a::b` pairs; and,
lightly, the other names in the cursor window (`member_uses.py` counts the whole file's uses
of its namespace imports' members). `definitions.py` finds where they are defined.

Names are found by regular expression on the live bytes (the tree may have pending edits),
so what the user just typed counts.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter, OrderedDict

from ghostfill.context.window import Window
from ghostfill.documents.store import Document

NEAR_ABOVE = 20
NEAR_BELOW = 3
WINDOW_WEIGHT = 0.03
BLOCK_ROWS = 8
MAX_BLOCKS = 1024
"""Blocks kept (8,192 rows, ~4 MB at most: the windows of the places visited last)."""

_IDENT = re.compile(rb"[A-Za-z_$][A-Za-z0-9_$]*")
_TOKEN_OR_NEWLINE = re.compile(rb"[A-Za-z_$][A-Za-z0-9_$]*|\n")
_MEMBER = re.compile(
    rb"(?<![\w$])([A-Za-z_$][\w$]*+)[ \t]*+(?:\?\.|\.|::|->)[ \t]*+([A-Za-z_$][\w$]*+)"
)
"""`owner.member`, `owner::member`, `owner->member` (possessive: no backtracking)."""
STOP = frozenset(
    "self this super cls if else elif for while return def class fn func function var let "
    "const new true false True False None null nil undefined and or not in is as from import "
    "try except finally catch throw raise with pub mut struct impl trait enum type interface "
    "package public private protected static void int str bool float string end then do "
    "async await yield lambda pass break continue match case switch default print len range "
    "err ok i32 i64 u8 u32 u64 usize f64 byte rune echo local require".split()
)
"""Keywords and builtins never looked up as names near the cursor (imports always are)."""
_STOP = frozenset(word.encode("ascii") for word in STOP)
_Counts = tuple[Counter[bytes], Counter[tuple[bytes, bytes]]]
_Tokens = tuple[list[bytes], list[tuple[bytes, bytes]]]


class WindowCounts:
    """Identifier and pair counts of the window outside the lines near the cursor.

    Kept whole while that text is unchanged (typing at the cursor does not change it), and
    counted in blocks of `BLOCK_ROWS` rows aligned to the top of the file, each kept by its
    text: a window at a new place recounts only the rows at its edges and the blocks it has
    not seen, and an edit recounts only the blocks it changed."""

    def __init__(self, max_blocks: int = MAX_BLOCKS) -> None:
        self.max_blocks = max_blocks
        self._key: tuple[str, int] | None = None
        self._value: _Counts = (Counter(), Counter())
        self._blocks: OrderedDict[bytes, _Tokens] = OrderedDict()

    def __call__(self, doc: Document, rows: list[tuple[int, int]]) -> _Counts:
        """The counts of the rows in the half-open `[first, end)` ranges of `rows`."""
        spans = [(doc.line_start(a), doc.line_end(b - 1)) for a, b in rows if a < b]
        data = doc.data
        key = (doc.uri, hash(tuple(data[a:b] for a, b in spans)))
        if key != self._key:
            parts: list[_Tokens] = []
            for a, b in rows:
                self._tokens(doc, a, b, parts)
            words = Counter(itertools.chain.from_iterable(p[0] for p in parts))
            pairs = Counter(itertools.chain.from_iterable(p[1] for p in parts))
            self._key, self._value = key, (words, pairs)
        return self._value

    def _tokens(self, doc: Document, first: int, end: int, out: list[_Tokens]) -> None:
        """The tokens of rows `[first, end)`: whole blocks from the cache, the rest read here."""
        if first >= end:
            return
        data = doc.data
        low = -(-first // BLOCK_ROWS) * BLOCK_ROWS
        high = end // BLOCK_ROWS * BLOCK_ROWS
        if low >= high:
            out.append(_read(data, doc.line_start(first), doc.line_end(end - 1)))
            return
        if first < low:
            out.append(_read(data, doc.line_start(first), doc.line_end(low - 1)))
        for block in range(low, high, BLOCK_ROWS):
            text = data[doc.line_start(block) : doc.line_end(block + BLOCK_ROWS - 1)]
            tokens = self._blocks.get(text)
            if tokens is None:
                tokens = _read(text, 0, len(text))
                self._blocks[text] = tokens
                if len(self._blocks) > self.max_blocks:
                    self._blocks.popitem(last=False)
            else:
                self._blocks.move_to_end(text)
            out.append(tokens)
        if high < end:
            out.append(_read(data, doc.line_start(high), doc.line_end(end - 1)))


def _read(data: bytes, start: int, stop: int) -> _Tokens:
    return _IDENT.findall(data, start, stop), _MEMBER.findall(data, start, stop)


def near_names(
    doc: Document, window: Window, window_counts: WindowCounts, floor: float = 0.0
) -> tuple[dict[str, float], dict[tuple[str, str], float]]:
    """Identifier -> weight, and (owner, member) -> weight, around the cursor. Names only
    in the rest of the window that weigh less than `floor` are left out (most of its names
    appear once there: the caller would drop them anyway)."""
    row = window.row
    first = max(0, row - NEAR_ABOVE)
    last = min(doc.line_count - 1, row + NEAR_BELOW)
    data = doc.data
    totals: dict[bytes, float] = {}
    pairs: dict[tuple[bytes, bytes], float] = {}
    # one pass over the lines around the cursor; b"\n" tokens count the rows
    r = first
    w = 1.0 / (1.0 + 0.25 * (row - r))
    for token in _TOKEN_OR_NEWLINE.findall(data, doc.line_start(first), window.cursor_byte):
        if token == b"\n":
            r += 1
            w = 1.0 / (1.0 + 0.25 * (row - r))
        else:
            totals[token] = totals.get(token, 0.0) + w
    below = _TOKEN_OR_NEWLINE.findall(data, window.cursor_byte, doc.line_end(last))
    r, w = row, 0.8  # the rest of the cursor line, then the lines below
    for token in below:
        if token == b"\n":
            r += 1
            w = 1.0 / (1.0 + 0.25 * (r - row))
        else:
            totals[token] = totals.get(token, 0.0) + w
    near = data[doc.line_start(first) : doc.line_end(last)]
    if b"." in near or b":" in near or b">" in near:
        for pair in _MEMBER.findall(near):
            pairs[pair] = pairs.get(pair, 0.0) + 0.5
    rest = [(window.first_row, first), (last + 1, window.last_row + 1)]
    counted_words, counted_pairs = window_counts(doc, rest)  # the rest of the window: lightly
    least = -math.log(1.0 - floor) / WINDOW_WEIGHT if floor < 1.0 else math.inf
    for word, n in counted_words.items():
        if word in totals:
            totals[word] += WINDOW_WEIGHT * n
        elif n >= least:
            totals[word] = WINDOW_WEIGHT * n
    for pair, n in counted_pairs.items():
        pairs[pair] = pairs.get(pair, 0.0) + WINDOW_WEIGHT * n
    weights = {
        word.decode("ascii"): 1.0 - math.exp(-total)
        for word, total in totals.items()
        if len(word) > 1 and word not in _STOP
    }
    members = {
        (a.decode("ascii"), b.decode("ascii")): 1.0 - math.exp(-total)
        for (a, b), total in pairs.items()
        if len(b) > 1 and b not in _STOP
    }
    return weights, members
