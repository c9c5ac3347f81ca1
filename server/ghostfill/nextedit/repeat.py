"""Repeated edits: the same change on two sibling lines -> offer it on the next line.

The last two edits must replace the same text with the same text, each within one line, on
adjacent lines. The place on the next line is where the replaced text sits with the context both
edits share around it (the text before it on the line, without indentation, and after it); a
place that is not unique, or no place, is no edit.
"""

from __future__ import annotations

from ghostfill.documents.store import Document
from ghostfill.nextedit.model import Edit, Replacement


def repeat_edit(doc: Document, edits: list[Edit]) -> tuple[Replacement, ...]:
    if len(edits) < 2:
        return ()
    first, second = edits[-2], edits[-1]
    if (first.old, first.new) != (second.old, second.new) or first.old == first.new:
        return ()
    if any(b"\n" in part for part in (first.old, first.new)):
        return ()
    rows = [doc.point(e.start)[0] for e in (first, second)]
    step = rows[1] - rows[0]
    target = rows[1] + step
    if step not in (1, -1) or not 0 <= target < doc.line_count:
        return ()
    lefts, rights = zip(*(_sides(doc, e) for e in (first, second)), strict=True)
    at_start = all(not left for left in lefts)
    at_end = all(not right.strip() for right in rights)
    left = _common_prefix([s[::-1] for s in lefts])[::-1]
    right = _common_prefix(list(rights))
    if not (left or right or at_start or at_end or first.old):
        return ()
    line = doc.line(target)
    old = first.old
    indent = len(line) - len(line.lstrip())
    found: list[int] = []
    for p in range(len(line) - len(old) + 1):
        if (at_start and p != indent) or (at_end and p + len(old) != len(line.rstrip())):
            continue
        if line[p : p + len(old)] != old:
            continue
        before, after = line[:p].lstrip(), line[p + len(old) :]
        if not before.endswith(left) or not after.startswith(right):
            continue
        found.append(p)
    if len(found) != 1:
        return ()
    start = doc.line_start(target) + found[0]
    text = first.new.decode("utf-8", errors="replace")
    return (Replacement(start, start + len(old), text),)


def _sides(doc: Document, edit: Edit) -> tuple[bytes, bytes]:
    """The line's text before the edit (without indentation) and after it."""
    row, col = doc.point(edit.start)
    line = doc.line(row)
    return line[:col].lstrip(), line[col + len(edit.new) :]


def _common_prefix(parts: list[bytes]) -> bytes:
    first, *rest = parts
    n = 0
    while n < len(first) and all(n < len(p) and p[n] == first[n] for p in rest):
        n += 1
    return first[:n]
