"""Stop where the model starts repeating: the line above the cursor, its own previous line, or
the first line after the cursor (the code that is already there).

Lines are compared whole (the first one with the text before the cursor on its line). A line
above or a previous line only counts when it says something (a few characters with a letter or
digit), so closing brackets and `end` may repeat; the line after the cursor counts as written,
indentation included, so a model re-typing a closing `}` the suffix already has stops there.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from ghostfill.postprocess.base import FilterContext, lines_of

MIN_CHARS = 4
"""Shortest stripped line whose repetition counts (`pass`, `i++;`, `x = 1`)."""


def meaningful(line: str) -> bool:
    text = line.strip()
    return len(text) >= MIN_CHARS and any(c.isalnum() for c in text)


def last_line(text: str) -> str:
    """The last non-blank line of `text`."""
    for line in reversed(text.splitlines()):
        if line.strip():
            return line
    return ""


def first_line(text: str) -> str:
    """The first non-blank line of `text`."""
    for line in text.splitlines():
        if line.strip():
            return line
    return ""


async def stop_at_repetition(chunks: AsyncIterator[str], ctx: FilterContext) -> AsyncIterator[str]:
    previous = last_line(ctx.above)
    after = first_line(ctx.below).rstrip()
    first = True
    async for piece, complete in lines_of(chunks):
        body = piece[:-1] if complete else piece
        line = (ctx.line_prefix + body) if first else body
        first = False
        if line.strip():
            repeats_previous = meaningful(line) and line.strip() == previous.strip()
            if repeats_previous or line.rstrip() == after:
                return
            previous = line
        yield piece
