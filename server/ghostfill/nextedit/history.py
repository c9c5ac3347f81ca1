"""A bounded per-document history of the user's edits, coalesced as they type.

The document store tells the history of every change before applying it (byte offsets in the
text as it reads before the change). A change that touches the latest edit joins it, so typing
a word, or deleting a name and typing another, is one edit `old -> new`; any other change starts
a new edit. Older edits are shifted by later ones so their offsets stay current; an edit that a
later change overlaps is dropped (its text is no longer what it was).
"""

from __future__ import annotations

from collections import deque

from ghostfill.documents.store import Document
from ghostfill.nextedit.model import Edit

DEFAULT_SIZE = 16


class EditHistory:
    """uri -> the latest edits, oldest first (an EditListener for the document store)."""

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self.size = max(size, 1)
        self._docs: dict[str, deque[Edit]] = {}

    def resize(self, size: int) -> None:
        self.size = max(size, 1)
        for uri, edits in self._docs.items():
            self._docs[uri] = deque(edits, maxlen=self.size)

    def edits(self, uri: str) -> list[Edit]:
        return list(self._docs.get(uri, ()))

    def last(self, uri: str) -> Edit | None:
        edits = self._docs.get(uri)
        return edits[-1] if edits else None

    def forget(self, uri: str) -> None:
        self._docs.pop(uri, None)

    def editing(self, doc: Document, start: int, end: int, new: bytes) -> None:
        edits = self._docs.get(doc.uri)
        if edits is None:
            edits = self._docs[doc.uri] = deque(maxlen=self.size)
        last = edits[-1] if edits else None
        joins = last is not None and start <= last.end and end >= last.start
        delta = len(new) - (end - start)
        overlapped: list[Edit] = []
        for e in edits:  # shift what lies after the change; note what it overlaps
            if joins and e is last:
                continue
            if e.start >= end:
                e.start += delta
            elif e.end > start:
                overlapped.append(e)
        if overlapped:
            kept = [e for e in edits if not any(e is o for o in overlapped)]
            edits = self._docs[doc.uri] = deque(kept, maxlen=self.size)
        if joins and last is not None:
            lo, hi = min(start, last.start), max(end, last.end)
            now = doc.data[lo:hi]
            last.old = doc.data[lo : last.start] + last.old + doc.data[last.end : hi]
            last.new = now[: start - lo] + new + now[end - lo :]
            last.start = lo
            if last.old == last.new:  # typed and undone: nothing happened
                edits.pop()
        elif new or end > start:
            edits.append(Edit(start, doc.data[start:end], new))
