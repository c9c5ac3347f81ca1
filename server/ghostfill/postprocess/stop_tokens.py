"""Stop at any stop string (FIM sentinels, `</COMPLETION>`), even one split across chunks."""

from __future__ import annotations

from collections.abc import AsyncIterator

from ghostfill.postprocess.base import FilterContext


async def stop_at_stop_tokens(chunks: AsyncIterator[str], ctx: FilterContext) -> AsyncIterator[str]:
    stops = tuple(s for s in (*ctx.stop, *ctx.strip) if s)
    if not stops:
        async for chunk in chunks:
            yield chunk
        return
    hold = max(len(s) for s in stops) - 1
    buffer = ""
    async for chunk in chunks:
        buffer += chunk
        cut = min((i for s in ctx.stop if s and (i := buffer.find(s)) != -1), default=-1)
        for s in ctx.strip:
            buffer = buffer.replace(s, "") if s not in ctx.stop else buffer
        if cut != -1:
            if buffer[:cut]:
                yield buffer[:cut]
            return
        if len(buffer) > hold:
            keep = len(buffer) - hold
            yield buffer[:keep]
            buffer = buffer[keep:]
    if buffer:
        yield buffer
