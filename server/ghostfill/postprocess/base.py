"""The filter shape: an async generator from text chunks to text chunks.

A filter that decides the suggestion is finished simply returns; the consumer then stops
iterating the backend stream, which closes the HTTP connection so the provider stops too.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FilterContext:
    line_prefix: str
    line_suffix: str
    prefix: str
    suffix: str
    multiline: bool
    max_lines: int
    stop: tuple[str, ...] = ()
    strip: tuple[str, ...] = ()
    chat: bool = False
    language: str = ""
    indent_unit: str = "    "


StreamFilter = Callable[[AsyncIterator[str], FilterContext], AsyncIterator[str]]


def chain(
    chunks: AsyncIterator[str], filters: Sequence[StreamFilter], ctx: FilterContext
) -> AsyncIterator[str]:
    for f in filters:
        chunks = f(chunks, ctx)
    return chunks


async def lines_of(chunks: AsyncIterator[str]) -> AsyncIterator[tuple[str, bool]]:
    """Re-chunk into (text, complete_line) pieces: whole lines as they finish, then the rest."""
    pending = ""
    async for chunk in chunks:
        pending += chunk
        while (i := pending.find("\n")) != -1:
            yield pending[: i + 1], True
            pending = pending[i + 1 :]
    if pending:
        yield pending, False
