"""Stop at any stop string (FIM sentinels, `</COMPLETION>`), even one split across chunks.

Only text that could be the start of a stop string is held back (the `<|endo` at the end of a
chunk), so a line break is passed on the moment it arrives: holding a fixed number of
characters would delay every first line by a few tokens.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from ghostfill.postprocess.base import FilterContext


def held(buffer: str, stops: tuple[str, ...]) -> int:
    """Length of the longest end of `buffer` that begins some stop string (and is shorter)."""
    longest = 0
    for stop in stops:
        for k in range(min(len(stop) - 1, len(buffer)), longest, -1):
            if stop.startswith(buffer[-k:]):
                longest = k
                break
    return longest


async def stop_at_stop_tokens(chunks: AsyncIterator[str], ctx: FilterContext) -> AsyncIterator[str]:
    stops = tuple(s for s in (*ctx.stop, *ctx.strip) if s)
    if not stops:
        async for chunk in chunks:
            yield chunk
        return
    strip = tuple(s for s in ctx.strip if s and s not in ctx.stop)
    buffer = ""
    async for chunk in chunks:
        buffer += chunk
        cut = min((i for s in ctx.stop if s and (i := buffer.find(s)) != -1), default=-1)
        if cut != -1:
            head = _without(buffer[:cut], strip)
            if head:
                yield head
            return
        buffer = _without(buffer, strip)
        keep = len(buffer) - held(buffer, stops)
        if keep > 0:
            yield buffer[:keep]
            buffer = buffer[keep:]
    if buffer:
        yield buffer


def _without(text: str, strip: tuple[str, ...]) -> str:
    for s in strip:
        text = text.replace(s, "")
    return text
