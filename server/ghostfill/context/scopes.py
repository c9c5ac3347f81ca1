"""Signatures of the scopes enclosing the cursor (class, function, ...), from `context.scm`.

A scope's signature is its text from the `@context` node's start up to its `@context.end`
body, so `def area(self, r: float) -> float:` and not the body. Only scopes whose header
is above the cursor window are returned: the model already sees the others.
"""

from __future__ import annotations

from ghostfill.documents.store import Document
from ghostfill.documents.syntax import Match, SyntaxTree

MAX_SIGNATURE_LINES = 4


def enclosing_scopes(doc: Document, tree: SyntaxTree, cursor_byte: int) -> list[Match]:
    """Matches of `@context` around the cursor, outermost first.

    In indentation languages a block ends at its last statement, so a cursor on the fresh,
    indented line after it is outside every node. Scopes around the last code before the
    cursor count too when the cursor is indented deeper than their header.
    """
    found = tree.enclosing("context", cursor_byte, "context")
    row, col = doc.point(cursor_byte)
    head = doc.line(row)[:col]
    if head.strip():
        return found
    before = doc.data[:cursor_byte].rstrip()
    if not before:
        return found
    starts = {m.captures["context"][0].start_byte for m in found}
    indent = len(head.expandtabs(4))
    for match in tree.enclosing("context", len(before) - 1, "context"):
        scope = match.captures["context"][0]
        header = doc.line(scope.start_row)
        header_indent = len(header) - len(header.lstrip())
        if scope.start_byte not in starts and indent > header_indent:
            found.append(match)
    found.sort(
        key=lambda m: (m.captures["context"][0].start_byte, -m.captures["context"][0].end_byte)
    )
    return found


def enclosing_signatures(
    doc: Document,
    cursor_byte: int,
    above_row: int | None = None,
    scopes: list[Match] | None = None,
) -> tuple[str, ...]:
    """`scopes`: the `enclosing_scopes` already found for this cursor (not searched again)."""
    if scopes is None:
        tree = doc.syntax(fresh=False)
        if tree is None:
            return ()
        scopes = enclosing_scopes(doc, tree, cursor_byte)
    out: list[str] = []
    for match in scopes:
        scope = match.captures["context"][0]
        if above_row is not None and scope.start_row >= above_row:
            continue
        end = match.first("context.end")
        stop = (
            end.start_byte
            if end is not None and end.start_byte > scope.start_byte
            else scope.end_byte
        )
        line_start = scope.start_byte - doc.point(scope.start_byte)[1]
        text = doc.data[line_start:stop].decode("utf-8", errors="replace").rstrip()
        lines = text.splitlines()[:MAX_SIGNATURE_LINES]
        if lines:
            out.append("\n".join(lines))
    return tuple(out)
