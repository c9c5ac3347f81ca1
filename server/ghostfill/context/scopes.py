"""Signatures of the scopes enclosing the cursor (class, function, ...), from `context.scm`.

A scope's signature is its text from the `@context` node's start up to its `@context.end`
body, so `def area(self, r: float) -> float:` and not the body. Only scopes whose header
is above the cursor window are returned: the model already sees the others.
"""

from __future__ import annotations

from ghostfill.documents.store import Document

MAX_SIGNATURE_LINES = 4


def enclosing_signatures(
    doc: Document, cursor_byte: int, above_row: int | None = None
) -> tuple[str, ...]:
    tree = doc.syntax()
    if tree is None:
        return ()
    out: list[str] = []
    for match in tree.enclosing("context", cursor_byte, "context"):
        scope = match.first("context")
        assert scope is not None
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
