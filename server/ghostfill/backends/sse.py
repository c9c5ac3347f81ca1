"""Server-sent events as providers send them: `data:` lines, comments, `[DONE]` or plain EOF."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx

from ghostfill.errors import StreamError


async def sse_json(response: httpx.Response) -> AsyncIterator[tuple[str, dict[str, Any]]]:
    """Yield (event name, JSON data) per event; stop at `[DONE]` or end of stream.

    Comment lines (`: keep-alive`, `: OPENROUTER PROCESSING`) and blank keep-alives are skipped.
    A `data:` line that is not JSON raises StreamError (a malformed or truncated stream).
    """
    event = ""
    async for line in response.aiter_lines():
        if not line or line.startswith(":"):
            if not line:
                event = ""
            continue
        if line.startswith("event:"):
            event = line[6:].strip()
            continue
        if not line.startswith("data:"):
            continue
        data = line[5:].strip()
        if data.startswith("[DONE]"):
            return
        try:
            parsed = json.loads(data)
        except json.JSONDecodeError:
            raise StreamError("the backend sent a malformed stream event") from None
        if isinstance(parsed, dict):
            yield event, parsed


async def ndjson(response: httpx.Response) -> AsyncIterator[dict[str, Any]]:
    """Yield one JSON object per line (Ollama's native stream)."""
    async for line in response.aiter_lines():
        if not line.strip():
            continue
        try:
            parsed = json.loads(line)
        except json.JSONDecodeError:
            raise StreamError("the backend sent a malformed stream line") from None
        if isinstance(parsed, dict):
            yield parsed
