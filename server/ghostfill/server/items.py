"""LSP items from suggestions: what VS Code, Neovim, Emacs and Helix accept as ghost text or
as a completion-menu entry."""

from __future__ import annotations

from lsprotocol import types

from ghostfill.documents.store import Document
from ghostfill.model import Completion, Position

COMPLETION_LABEL = "ghostfill"


def _line_start_range(doc: Document, pos: types.Position) -> tuple[types.Range, str]:
    """The range from the start of the cursor's line to the cursor, and the text in it."""
    row, col = doc.point(doc.offset(Position(pos.line, pos.character)))
    end = doc.position(doc.offset_of(row, col))
    rng = types.Range(
        start=types.Position(line=row, character=0),
        end=types.Position(line=end.line, character=end.character),
    )
    return rng, doc.line(row)[:col].decode("utf-8", errors="replace")


def inline_item(
    doc: Document, pos: types.Position, completion: Completion
) -> types.InlineCompletionItem:
    """range = line start..cursor and insertText = line prefix + suggestion: VS Code drops
    items whose text does not extend the text in their range."""
    rng, head = _line_start_range(doc, pos)
    return types.InlineCompletionItem(insert_text=head + completion.text, range=rng)


def _word_range(doc: Document, pos: types.Position) -> tuple[types.Range, str]:
    """The identifier before the cursor, and its range."""
    rng, head = _line_start_range(doc, pos)
    i = len(head)
    while i > 0 and (head[i - 1].isalnum() or head[i - 1] == "_"):
        i -= 1
    word = head[i:]
    units = len(word.encode("utf-16-le")) // 2
    start = types.Position(line=rng.end.line, character=rng.end.character - units)
    return types.Range(start=start, end=rng.end), word


def _escape_snippet(text: str) -> str:
    return text.replace("\\", "\\\\").replace("$", "\\$").replace("}", "\\}")


def completion_item(
    doc: Document, pos: types.Position, completion: Completion, snippets: bool = False
) -> types.CompletionItem:
    """One item that replaces the word before the cursor (not the line: Neovim 0.7's omnifunc
    and Emacs filter and replace from the word start whatever the range says). Clients with
    snippet support get an escaped snippet: Neovim 0.11+'s vim.lsp.completion inserts a
    plain-text item only up to its first space."""
    rng, head = _word_range(doc, pos)
    text = head + completion.text
    fmt = types.InsertTextFormat
    first = completion.text.split("\n", 1)[0]
    source = "offline" if completion.source == "offline" else completion.backend
    return types.CompletionItem(
        label=(head + first).strip()[:80] or first,
        kind=types.CompletionItemKind.Text,
        detail=f"{COMPLETION_LABEL} ({source})",
        label_details=types.CompletionItemLabelDetails(description=COMPLETION_LABEL),
        filter_text=text,
        sort_text="0",
        text_edit=types.TextEdit(range=rng, new_text=_escape_snippet(text) if snippets else text),
        insert_text_format=fmt.Snippet if snippets else fmt.PlainText,
    )
