"""The code before and after the cursor, within a token budget, cut at line boundaries."""

from __future__ import annotations

from dataclasses import dataclass

from ghostfill.documents.store import Document

CHARS_PER_TOKEN = 4
"""Budgets are in tokens; without a tokenizer four characters per token is the usual estimate."""
MAX_GRID_LINES = 16
GRID_CHARS = 320
SUFFIX_SHARE = 0.25
"""The share of the window after the cursor when the setting leaves it to the backend (-1)."""
"""One grid step per this many characters of budget (about eight 40-character lines)."""


@dataclass(frozen=True, slots=True)
class Window:
    prefix: str
    suffix: str
    line_prefix: str
    line_suffix: str
    first_row: int
    """First line included in the prefix (scopes starting above it are shown as signatures)."""
    cursor_byte: int
    row: int = 0
    """The cursor's line."""
    last_row: int = 0
    """Last line included in the suffix (context sources skip what the window already shows)."""


def cursor_window(
    doc: Document, row: int, col_byte: int, budget_tokens: int, suffix_share: float = -1.0
) -> Window:
    """`suffix_share` of the budget after the cursor (clamped to 0-0.5; negative:
    `SUFFIX_SHARE`), the rest before it, whole lines only.

    The edges are cache-stable: the first line snaps forward to a grid counted from the top of
    the file and the last line back to a grid counted from its end, so typing (even Enter)
    between them leaves both where they were, and the prompt built from the window changes
    only at the cursor until it has travelled a grid step. A model server's prompt cache then
    reuses everything before the cursor. Works on line offsets, so only the bytes that end up
    in the window are sliced and decoded.
    """
    budget = max(budget_tokens, 16) * CHARS_PER_TOKEN
    grid = max(1, min(MAX_GRID_LINES, budget // GRID_CHARS))
    cursor = doc.offset_of(row, col_byte)
    after = int(budget * (SUFFIX_SHARE if suffix_share < 0 else min(suffix_share, 0.5)))
    before = budget - after
    # Near the edges by bisection (a 5,000-line file's window spans ~150 lines), then exact:
    # the lines fit or not in order, so the steps below find the edge a line-by-line walk does.
    first = 0 if cursor <= before else min(row, doc.point(cursor - before)[0])
    while first > 0 and cursor - doc.line_start(first - 1) <= before:
        first -= 1
    while first < row and cursor - doc.line_start(first) > before:
        first += 1
    if first > 0 and (snapped := -(-first // grid) * grid) <= row:
        first = snapped
    last = max(row, doc.point(min(cursor + after, len(doc.data)))[0])
    while last + 1 < doc.line_count and doc.line_end(last + 1) - cursor <= after:
        last += 1
    while last > row and doc.line_end(last) - cursor > after:
        last -= 1
    below = doc.line_count - 1 - last
    if below > 0 and (snapped := doc.line_count - 1 - -(-below // grid) * grid) >= row:
        last = snapped
    end = doc.line_end(last)
    if last + 1 < doc.line_count:
        end = doc.line_start(last + 1)
    data = doc.data
    line_start, line_end = doc.line_start(row), doc.line_end(row)
    return Window(
        prefix=data[doc.line_start(first) : cursor].decode("utf-8", errors="replace"),
        suffix=data[cursor:end].decode("utf-8", errors="replace"),
        line_prefix=data[line_start:cursor].decode("utf-8", errors="replace"),
        line_suffix=data[cursor:line_end].decode("utf-8", errors="replace"),
        first_row=first,
        cursor_byte=cursor,
        row=row,
        last_row=last,
    )
