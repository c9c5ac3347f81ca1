"""The code before and after the cursor, within a token budget, cut at line boundaries."""

from __future__ import annotations

from dataclasses import dataclass

from ghostfill.documents.store import Document

CHARS_PER_TOKEN = 4
"""Budgets are in tokens; without a tokenizer four characters per token is the usual estimate."""


@dataclass(frozen=True, slots=True)
class Window:
    prefix: str
    suffix: str
    line_prefix: str
    line_suffix: str
    first_row: int
    """First line included in the prefix (scopes starting above it are shown as signatures)."""
    cursor_byte: int


def cursor_window(doc: Document, row: int, col_byte: int, budget_tokens: int) -> Window:
    """Three quarters of the budget before the cursor, one quarter after, whole lines only."""
    line = doc.line(row)
    head, tail = line[:col_byte], line[col_byte:]
    budget = max(budget_tokens, 16) * CHARS_PER_TOKEN
    before: list[bytes] = [head]
    used = len(head)
    first = row
    while first > 0:
        text = doc.line(first - 1)
        if used + len(text) + 1 > budget * 3 // 4:
            break
        before.append(text)
        used += len(text) + 1
        first -= 1
    after: list[bytes] = [tail]
    used_after = len(tail)
    last = row
    while last + 1 < doc.line_count:
        text = doc.line(last + 1)
        if used_after + len(text) + 1 > budget // 4:
            break
        after.append(text)
        used_after += len(text) + 1
        last += 1
    prefix = b"\n".join(reversed(before)).decode("utf-8", errors="replace")
    suffix = b"\n".join(after).decode("utf-8", errors="replace")
    if last + 1 < doc.line_count:
        suffix += "\n"
    return Window(
        prefix=prefix,
        suffix=suffix,
        line_prefix=head.decode("utf-8", errors="replace"),
        line_suffix=tail.decode("utf-8", errors="replace"),
        first_row=first,
        cursor_byte=doc.offset_of(row, col_byte),
    )
