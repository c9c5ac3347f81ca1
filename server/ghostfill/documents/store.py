"""Open documents: UTF-8 text, line index and syntax tree, kept current by incremental edits.

Per connection state. A `didChange` edits the bytes, shifts the line index and records a
`Tree.edit`; the tree is re-parsed (incrementally) only when a request needs it.

Typing within one line moves the start of every later line: instead of rewriting the whole
index per keystroke (0.2 ms on a 5,000-line file), the shift is kept pending for the lines
after the edited one and added when they are read. Up to `MAX_PENDING_SHIFTS` lines may have
one (typing here, then there); they are folded into the index when there are more, or when
an edit adds or removes a line.
"""

from __future__ import annotations

import logging
from bisect import bisect_left, bisect_right
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePath
from typing import Protocol
from urllib.parse import unquote, urlparse

from ghostfill.documents.languages import LanguageRegistry, LanguageSpec
from ghostfill.documents.syntax import Grammars, SyntaxTree, byte_to_utf16, utf16_to_byte
from ghostfill.errors import DocumentError
from ghostfill.model import Position

log = logging.getLogger(__name__)

MAX_PARSE_BYTES = 4 * 1024 * 1024
"""Files larger than this are kept as text only: no tree, so no syntax-aware context."""
EDIT_LOG = 64
"""Byte edits a document keeps for consumers that update what they derived from its text
instead of deriving it again (`Document.edits_since`)."""
MAX_PENDING_SHIFTS = 16
"""Edited lines whose shift of the lines after them is kept pending (see the module's doc)."""


def uri_to_path(uri: str) -> str:
    """A file URI's path; any other URI (or one urllib cannot parse, such as `file://[`)
    stands for itself: it names no file on disk."""
    try:
        parsed = urlparse(uri)
    except ValueError:
        return uri
    if parsed.scheme in ("file", ""):
        return unquote(parsed.path)
    return uri


@dataclass(frozen=True, slots=True)
class TextChange:
    """One LSP content change; `start`/`end` None means the whole document is replaced."""

    text: str
    start: Position | None = None
    end: Position | None = None


class Document:
    """An open document's bytes, line starts and (optional) syntax tree."""

    def __init__(
        self,
        uri: str,
        text: str,
        version: int,
        spec: LanguageSpec | None,
        grammars: Grammars,
        language_id: str = "",
    ) -> None:
        self.uri = uri
        self.path = uri_to_path(uri)
        self.version = version
        self.spec = spec
        self.language_id = language_id
        self._grammars = grammars
        self.revision = 0
        """Counts changes to the text (any edit, not the editor's version)."""
        self._edits: deque[tuple[int, int, int]] = deque(maxlen=EDIT_LOG)
        self._edits_from = 0
        """The revision before the oldest edit kept."""
        self._set(text.encode("utf-8", errors="surrogatepass"))

    @property
    def language(self) -> str:
        """The grammar folder's name; for a file type without one, what the editor calls it
        (its languageId), else the file's extension ("" when it has neither)."""
        if self.spec is not None:
            return self.spec.name
        return self.language_id or PurePath(self.path).suffix.lstrip(".").lower()

    @property
    def line_count(self) -> int:
        return len(self._starts)

    def _set(self, data: bytes) -> None:
        self.data = data
        self.revision += 1
        self._edits.clear()  # the whole text is new: nothing to update from
        self._edits_from = self.revision
        self._starts = _line_starts(data, 0, 0)
        self._shift_rows: list[int] = []
        """Pending, in order: the lines after `_shift_rows[i]` (up to the next such line)
        start `_shift_sums[i]` bytes later than `_starts` says."""
        self._shift_sums: list[int] = []
        grammar = self._grammars.get(self.spec) if self.spec else None
        self.tree = SyntaxTree(grammar, data) if grammar and len(data) <= MAX_PARSE_BYTES else None

    @property
    def text(self) -> str:
        return self.data.decode("utf-8", errors="replace")

    def line(self, row: int) -> bytes:
        """The bytes of line `row` without its line break."""
        return self.data[self.line_start(row) : self.line_end(row)]

    def offset(self, pos: Position, *, strict: bool = True) -> int:
        """Byte offset of an LSP position; past the end is an error when `strict`, else clamped."""
        if pos.line < 0 or pos.character < 0:
            if strict:
                raise DocumentError(f"negative position {pos.line}:{pos.character}")
            pos = Position(max(pos.line, 0), max(pos.character, 0))
        if pos.line >= len(self._starts):
            if strict:
                raise DocumentError(f"line {pos.line} is past the end ({len(self._starts)} lines)")
            return len(self.data)
        return self.line_start(pos.line) + utf16_to_byte(self.line(pos.line), pos.character)

    def offset_of(self, row: int, col_byte: int) -> int:
        return self.line_start(row) + col_byte

    def point(self, offset: int) -> tuple[int, int]:
        """(row, byte column) of a byte offset, as tree-sitter wants it."""
        starts = self._starts
        row = max(bisect_right(starts, offset) - 1, 0)
        if self._shift_rows:  # pending shifts are mostly a few bytes: a step or two from there
            for _ in range(4):
                if row > 0 and self.line_start(row) > offset:
                    row -= 1
                elif row + 1 < len(starts) and self.line_start(row + 1) <= offset:
                    row += 1
                else:
                    break
            else:  # a long line typed or pasted: search with the shifts
                row = max(bisect_right(range(len(starts)), offset, key=self.line_start) - 1, 0)
        return row, offset - self.line_start(row)

    def position(self, offset: int) -> Position:
        row, col = self.point(offset)
        return Position(row, byte_to_utf16(self.line(row), col))

    def apply(self, change: TextChange, listener: EditListener | None = None) -> None:
        """Apply `change`, telling `listener` of it first, in byte offsets (a full replacement
        as the span that differs)."""
        new = change.text.encode("utf-8", errors="surrogatepass")
        if change.start is None or change.end is None:
            if listener is not None:
                listener.editing(self, *self._differing(new))
            self._set(new)
            return
        start = self.offset(change.start, strict=False)
        end = self.offset(change.end, strict=False)
        if end < start:
            raise DocumentError(f"edit range ends before it starts: {change.start}..{change.end}")
        if listener is not None:
            listener.editing(self, start, end, new)
        start_point, old_end_point = self.point(start), self.point(end)
        self.data = self.data[:start] + new + self.data[end:]
        self.revision += 1
        if len(self._edits) == EDIT_LOG:
            self._edits_from += 1
        self._edits.append((start, end, start + len(new)))
        delta = len(new) - (end - start)
        first, last = start_point[0], old_end_point[0]
        if first == last and b"\n" not in new:  # typing in one line: the shift stays pending
            self._pend(first, delta)
        else:
            self._fold_shift()
            self._starts = (
                self._starts[: first + 1]
                + _line_starts(new, start, 1)
                + [s + delta for s in self._starts[last + 1 :]]
            )
        if self.tree is not None:
            self.tree.edit(
                start,
                end,
                start + len(new),
                start_point,
                old_end_point,
                self.point(start + len(new)),
            )

    def _differing(self, new: bytes) -> tuple[int, int, bytes]:
        """(start, end, replacement) of the span where `new` differs from the text."""
        old = self.data
        head = 0
        limit = min(len(old), len(new))
        while head < limit and old[head] == new[head]:
            head += 1
        tail = 0
        while tail < limit - head and old[-1 - tail] == new[-1 - tail]:
            tail += 1
        return head, len(old) - tail, new[head : len(new) - tail]

    def edits_since(self, revision: int) -> list[tuple[int, int, int]] | None:
        """The byte edits made after `revision`, oldest first, each as (start, old end, new
        end) in the text as it was then; None when they are not all kept any more, or the
        text was replaced whole since."""
        if not self._edits_from <= revision <= self.revision:
            return None
        count = self.revision - revision
        return list(self._edits)[len(self._edits) - count :] if count else []

    def syntax(self, *, fresh: bool = True) -> SyntaxTree | None:
        """The tree, re-parsed now if edits are pending.

        With `fresh=False` a tree with pending edits is returned as it is: `Tree.edit` has
        already moved its nodes to the new offsets, so enclosing scopes are right without
        paying for a re-parse on the request path (the session re-parses when typing pauses).
        """
        if self.tree is not None and fresh:
            self.tree.refresh(self.data)
        return self.tree

    def _pend(self, row: int, delta: int) -> None:
        """The lines after `row` moved by `delta` bytes: kept pending."""
        if not delta:
            return
        rows, sums = self._shift_rows, self._shift_sums
        i = bisect_left(rows, row)
        if i == len(rows) or rows[i] != row:
            if len(rows) == MAX_PENDING_SHIFTS:
                self._fold_shift()
                i = 0
            rows.insert(i, row)
            sums.insert(i, sums[i - 1] if i else 0)
        for j in range(i, len(sums)):
            sums[j] += delta

    def _fold_shift(self) -> None:
        """Add the pending shifts into the line index."""
        rows, sums, starts = self._shift_rows, self._shift_sums, self._starts
        for i, (after, shift) in enumerate(zip(rows, sums, strict=True)):
            lo, hi = after + 1, rows[i + 1] + 1 if i + 1 < len(rows) else len(starts)
            if shift:
                starts[lo:hi] = [s + shift for s in starts[lo:hi]]
        rows.clear()
        sums.clear()

    def line_start(self, row: int) -> int:
        start = self._starts[row]
        if not self._shift_rows:
            return start
        k = bisect_left(self._shift_rows, row)
        return start + self._shift_sums[k - 1] if k else start

    def line_end(self, row: int) -> int:
        """Offset of the end of line `row`, before its line break."""
        end = self.line_start(row + 1) - 1 if row + 1 < len(self._starts) else len(self.data)
        if end > self.line_start(row) and self.data[end - 1 : end] == b"\r":
            end -= 1
        return end


def _line_starts(data: bytes, base: int, skip_first: int) -> list[int]:
    starts = [] if skip_first else [base]
    i = data.find(b"\n")
    while i != -1:
        starts.append(base + i + 1)
        i = data.find(b"\n", i + 1)
    return starts


class EditListener(Protocol):
    """Told of every edit before it is applied (the next-edit history), in byte offsets."""

    def editing(self, doc: Document, start: int, end: int, new: bytes) -> None: ...

    def forget(self, uri: str) -> None: ...


class DocumentStore:
    """uri -> Document for one connection."""

    def __init__(
        self, languages: LanguageRegistry, grammars: Grammars, listener: EditListener | None = None
    ) -> None:
        self.languages = languages
        self.grammars = grammars
        self.listener = listener
        self._docs: dict[str, Document] = {}

    def open(self, uri: str, text: str, version: int, language_id: str = "") -> Document:
        spec = self.languages.detect(uri_to_path(uri), language_id)
        doc = Document(uri, text, version, spec, self.grammars, language_id)
        if spec is None:
            log.debug(
                "%s: no grammar folder for this file type (languageId %r): no tree-sitter "
                "features (scopes, symbols, imports, syntax gate)",
                doc.path,
                language_id,
            )
        self._docs[uri] = doc
        if self.listener is not None:
            self.listener.forget(uri)
        return doc

    def change(self, uri: str, version: int, changes: list[TextChange]) -> Document:
        doc = self.get(uri)
        for change in changes:
            doc.apply(change, self.listener)
        doc.version = version
        return doc

    def close(self, uri: str) -> None:
        self._docs.pop(uri, None)
        if self.listener is not None:
            self.listener.forget(uri)

    def get(self, uri: str) -> Document:
        try:
            return self._docs[uri]
        except KeyError:
            raise DocumentError(f"document not open: {uri}") from None

    def find(self, uri: str) -> Document | None:
        return self._docs.get(uri)

    def __iter__(self) -> Iterator[Document]:
        return iter(list(self._docs.values()))

    def __len__(self) -> int:
        return len(self._docs)
