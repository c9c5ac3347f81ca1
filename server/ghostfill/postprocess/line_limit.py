"""Single line or block: stop at the line end, or at the end of the block by indentation."""

from __future__ import annotations

from collections.abc import AsyncIterator

from ghostfill.postprocess.base import FilterContext, lines_of

LOOKAHEAD_CUT = "lookahead_cut"
"""Memo key: the stream was stopped at the lookahead limit (the model had more to say)."""


def cut_at_lookahead(ctx: FilterContext) -> bool:
    """Whether the stream was stopped at the lookahead limit (the model had more to say)."""
    return bool(ctx.memo.get(LOOKAHEAD_CUT))


def indent_width(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


async def limit_lines(chunks: AsyncIterator[str], ctx: FilterContext) -> AsyncIterator[str]:
    """Single-line mode ends at the first line break (a leading break means no suggestion),
    or with `lookahead` > 0 that many lines later: those lines are not shown with the first
    one, they are kept for the user typing on past it (Enter and the next line).

    Block mode keeps lines while they stay inside the block: indented at least as deep as the
    cursor when it sits in an empty body, or deeper than the opener line when the cursor ends
    one. It stops at `max_lines`.
    """
    if not ctx.multiline:
        count = 0
        async for piece, complete in lines_of(chunks):
            if count >= ctx.lookahead:
                text = piece[:-1] if complete else piece
                if text:
                    yield text
                if complete and ctx.lookahead:
                    ctx.memo[LOOKAHEAD_CUT] = True
                return
            count += 1
            yield piece
        return
    in_body = not ctx.line_prefix.strip()
    base = indent_width(ctx.line_prefix)
    count = 0
    async for piece, _ in lines_of(chunks):
        count += 1
        if count > 1 and piece.strip():
            width = indent_width(piece)
            if width < base if in_body else width <= base:
                return
        if count >= ctx.max_lines:
            yield piece.rstrip("\n")
            return
        yield piece
