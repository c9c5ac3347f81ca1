"""Chat models wrap answers: drop `<COMPLETION>` tags, markdown fences and an echoed prefix."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

from ghostfill.postprocess.base import FilterContext

_OPEN_TAG = re.compile(r"^\s*(?:<COMPLETION>[ \t]*)+", re.IGNORECASE)
"""The answer's opening tag, repeated or not (small models such as SmolLM2 open with it and
often put the code on the next line)."""
_FENCE = re.compile(r"^\s*```[\w+#.-]*[ \t]*\n?")
_HEAD = 80
"""Characters buffered before deciding what wrapping to strip; well under one streamed line."""


async def strip_chat_wrapping(chunks: AsyncIterator[str], ctx: FilterContext) -> AsyncIterator[str]:
    if not ctx.chat:
        async for chunk in chunks:
            yield chunk
        return
    head = ""
    decided = False
    tail_hold = ""
    async for chunk in chunks:
        if not decided:
            head += chunk
            if _needs_more(head):
                continue
            text = _clean_head(head, ctx)
            decided = True
            chunk = text
        # A closing fence ends the answer.
        combined = tail_hold + chunk
        if (i := combined.find("```")) != -1:
            if combined[:i].rstrip("\n"):
                yield combined[:i].rstrip("\n") if combined[:i].endswith("\n") else combined[:i]
            return
        tail_hold = combined[-2:] if combined.endswith("`") else ""
        out = combined[: len(combined) - len(tail_hold)]
        if out:
            yield out
    if not decided and head:
        text = _clean_head(head, ctx)
        if (i := text.find("```")) != -1:
            text = text[:i].rstrip("\n")
        if text:
            yield text
    elif tail_hold:
        yield tail_hold


def _needs_more(head: str) -> bool:
    """Wait for the first real line (after any tag or fence) before deciding what to strip."""
    if len(head) >= _HEAD:
        return False
    tagged = _OPEN_TAG.match(head)
    body = head[tagged.end() :] if tagged else head
    if tagged and body.startswith("\n"):
        body = body[1:]
        if not body.strip():
            return True  # the tag's own line: the code starts on the next one
    body = body.lstrip(" ")
    fenced = _FENCE.match(body)
    if fenced:
        body = body[fenced.end() :]
    elif body.startswith("`"):
        return True
    return "\n" not in body


def _clean_head(text: str, ctx: FilterContext) -> str:
    tagged = _OPEN_TAG.match(text)
    if tagged:
        text = text[tagged.end() :]
        if text.startswith("\n") and (not ctx.multiline or not ctx.line_prefix.strip()):
            # `<COMPLETION>` on a line of its own: the line break is the tag's, not the code's,
            # and the code's indentation repeats the cursor line's.
            text = text[1:]
            if ctx.line_prefix and not ctx.line_prefix.strip() and text.startswith(ctx.line_prefix):
                text = text[len(ctx.line_prefix) :]
    fenced = _FENCE.match(text)
    if fenced:
        text = text[fenced.end() :]
    echo = ctx.line_prefix.strip()
    if echo and text.startswith(ctx.line_prefix):
        return text[len(ctx.line_prefix) :]
    if len(echo) > 1 and text.lstrip().startswith(echo):
        rest = text.lstrip()[len(echo) :]
        return rest.lstrip(" ") if ctx.line_prefix.endswith(" ") else rest
    return text
