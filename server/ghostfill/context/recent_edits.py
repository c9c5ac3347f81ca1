"""Recent edits: the places the user changed last, shown as they read now.

The user's last edits elsewhere are the best hint of what they are doing (llama.vscode keeps a
ring of recent chunks, Continue its "recently edited ranges", Tabby its recent changes). Every
`didChange` is recorded as a region of lines of its document; regions are shifted when lines
are inserted or deleted above them and merged when edits touch or come close, so typing along a
line stays one region. At request time the newest regions, except those the cursor window
already shows, are read from the live document (a closed document's regions keep the text they
had when it closed).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ghostfill.context.window import Window
from ghostfill.documents.store import Document, TextChange
from ghostfill.model import Snippet
from ghostfill.settings import Settings

MAX_REGIONS = 16
MAX_SHOWN = 6
MERGE_LINES = 3
"""Edits this close to a region join it."""
CONTEXT_LINES = 2
MAX_LINES = 12
NEWEST_SCORE = 0.5
DECAY = 0.85


@dataclass(slots=True)
class _Region:
    uri: str
    path: str
    first: int
    last: int
    focus: int
    """The row of the latest edit in the region (what a snippet is centred on)."""
    doc: Document | None
    text: str = ""
    text_row: int = 0


class RecentEdits:
    """A SnippetSource (and document listener) over the latest edited regions."""

    def __init__(self, max_regions: int = MAX_REGIONS, max_shown: int = MAX_SHOWN) -> None:
        self.max_regions = max_regions
        self.max_shown = max_shown
        self._regions: list[_Region] = []
        """Oldest first."""

    # -- document hooks ---------------------------------------------------------------------

    def opened(self, doc: Document) -> None:
        for r in self._regions:
            if r.uri == doc.uri:
                r.doc, r.text = doc, ""

    def changed(self, doc: Document, changes: Sequence[TextChange]) -> None:
        for change in changes:
            if change.start is None or change.end is None:
                self._regions = [r for r in self._regions if r.uri != doc.uri]
                continue
            first, old_last = change.start.line, change.end.line
            added = change.text.count("\n")
            self.record(doc, first, first + added, added - (old_last - first), old_last)

    def saved(self, doc: Document) -> None:
        return

    def closed(self, doc: Document) -> None:
        for r in self._regions:
            if r.uri == doc.uri and r.doc is not None:
                r.text, r.text_row = _read(doc, r)
                r.doc = None

    def record(
        self, doc: Document, first: int, last: int, delta: int = 0, old_last: int | None = None
    ) -> None:
        """Lines `first..last` of `doc` were just edited; `delta` lines were added (or removed,
        if negative) where the old text ended at `old_last`."""
        old_last = first if old_last is None else old_last
        for r in self._regions:
            if r.uri != doc.uri or r.doc is None:
                continue
            if r.first > old_last:
                r.first, r.last, r.focus = r.first + delta, r.last + delta, r.focus + delta
            elif r.last >= first:
                r.last = max(r.last + delta, first)
                r.focus = min(max(r.focus, r.first), r.last)
        merged = _Region(doc.uri, doc.path, first, last, first, doc)
        kept: list[_Region] = []
        for r in self._regions:
            if (
                r.uri == doc.uri
                and r.doc is not None
                and r.first - MERGE_LINES <= last
                and first <= r.last + MERGE_LINES
            ):
                merged.first, merged.last = min(merged.first, r.first), max(merged.last, r.last)
            else:
                kept.append(r)
        kept.append(merged)
        self._regions = kept[-self.max_regions :]

    # -- the source -------------------------------------------------------------------------

    def snippets(self, doc: Document, window: Window, settings: Settings) -> list[Snippet]:
        if not settings.context.recentEdits:
            return []
        out: list[Snippet] = []
        for r in reversed(self._regions):
            if len(out) >= self.max_shown:
                break
            if r.uri == doc.uri and r.first <= window.last_row and r.last >= window.first_row:
                continue  # the window shows it
            text, row = (r.text, r.text_row) if r.doc is None else _read(r.doc, r)
            if text.strip():
                score = NEWEST_SCORE * DECAY ** len(out)
                out.append(Snippet(r.path, text, "edit", round(score, 6), row))
        return out


def _read(doc: Document, r: _Region) -> tuple[str, int]:
    """The region's lines (with a little context), centred on its latest edit."""
    count = doc.line_count
    start = max(0, r.first - CONTEXT_LINES, r.focus - MAX_LINES // 2)
    end = min(count - 1, r.last + CONTEXT_LINES, start + MAX_LINES - 1)
    if start > end:
        return "", start
    text = doc.data[doc.line_start(start) : doc.line_end(end)].decode("utf-8", errors="replace")
    return text.rstrip(), start
