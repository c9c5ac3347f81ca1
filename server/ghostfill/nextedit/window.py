"""The rewrite window: whole lines around the cursor, what a model is asked to rewrite."""

from __future__ import annotations

from dataclasses import dataclass

from ghostfill.documents.store import Document
from ghostfill.model import Position

DEFAULT_LINES = 20


@dataclass(frozen=True, slots=True)
class RewriteWindow:
    """Bytes `start..end` of the document (whole lines), and the rows they span."""

    start: int
    end: int
    first_row: int
    last_row: int
    text: str
    cursor: int
    """The cursor's byte offset inside `text`."""


def rewrite_window(doc: Document, cursor: Position, lines: int = DEFAULT_LINES) -> RewriteWindow:
    """`lines` lines above and below the cursor's line (fewer at the document's edges)."""
    offset = doc.offset(cursor, strict=False)
    row, _ = doc.point(offset)
    first = max(row - lines, 0)
    last = min(row + lines, doc.line_count - 1)
    start, end = doc.line_start(first), doc.line_end(last)
    text = doc.data[start:end].decode("utf-8", errors="replace")
    return RewriteWindow(start, end, first, last, text, offset - start)


def region(doc: Document, offset: int, above: int, below: int) -> RewriteWindow:
    """`above` lines above the line of byte `offset` and `below` lines below it (fewer at the
    document's edges): the editable region a model rewrites."""
    row, _ = doc.point(offset)
    first = max(row - max(above, 0), 0)
    last = min(row + max(below, 0), doc.line_count - 1)
    start, end = doc.line_start(first), doc.line_end(last)
    text = doc.data[start:end].decode("utf-8", errors="replace")
    return RewriteWindow(start, end, first, last, text, offset - start)
