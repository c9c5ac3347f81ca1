"""A document store with a next-edit history, and edits typed the way an editor sends them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ghostfill.documents.languages import LanguageRegistry
from ghostfill.documents.store import Document, DocumentStore, TextChange
from ghostfill.documents.syntax import Grammars
from ghostfill.model import Position
from ghostfill.nextedit.history import EditHistory
from ghostfill.nextedit.language import NameRulesCache
from ghostfill.nextedit.predict import NextEdits, Rewriter
from ghostfill.settings import NextEditSettings

REGISTRY = LanguageRegistry()
GRAMMARS = Grammars(REGISTRY)


@dataclass
class Editor:
    history: EditHistory = field(default_factory=EditHistory)
    window_lines: int = 50
    rewriter: Callable[[Document], Rewriter | None] | None = None
    use_backend: bool = False
    enable: bool = True
    store: DocumentStore = field(init=False)
    doc: Document = field(init=False)

    def __post_init__(self) -> None:
        self.next_edits = NextEdits(self.history, NameRulesCache(), self.settings, self.rewriter)
        self.store = DocumentStore(REGISTRY, GRAMMARS, self.next_edits)

    def settings(self) -> NextEditSettings:
        return NextEditSettings(
            enable=self.enable,
            windowLines=self.window_lines,
            history=self.history.size,
            useBackend=self.use_backend,
        )

    def open(self, text: str, name: str = "t.py") -> Document:
        self.doc = self.store.open(f"file:///w/{name}", text, 1)
        return self.doc

    def change(self, row: int, col: int, end_row: int, end_col: int, text: str) -> None:
        change = TextChange(text, Position(row, col), Position(end_row, end_col))
        self.store.change(self.doc.uri, self.doc.version + 1, [change])

    def type(self, row: int, col: int, text: str) -> None:
        """Type `text` one character at a time from row:col (newlines move to the next row)."""
        for ch in text:
            self.change(row, col, row, col, ch)
            if ch == "\n":
                row, col = row + 1, 0
            else:
                col += 1

    def rename_at(self, row: int, col: int, old: str, new: str) -> None:
        """Select `old` at row:col and type `new` over it."""
        self.change(row, col, row, col + len(old), new[0])
        self.type(row, col + 1, new[1:])

    def backspace_and_type(self, row: int, col: int, old: str, new: str) -> None:
        """Put the cursor after `old` at row:col, delete it character by character, type `new`."""
        for i in range(len(old), 0, -1):
            self.change(row, col + i - 1, row, col + i, "")
        self.type(row, col, new)

    def predict(self, row: int = 0, col: int = 0) -> list[tuple[int, int, str]]:
        found = self.next_edits.predict(self.doc, Position(row, col))
        return [(e.start, e.end, e.text) for e in found.edits]

    def predicted_text(self, row: int = 0, col: int = 0) -> str:
        from ghostfill.nextedit.model import apply

        found = self.next_edits.predict(self.doc, Position(row, col))
        return apply(self.doc.data, found.edits).decode()
