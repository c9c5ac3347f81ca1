"""Stream framings as providers send them: server-sent events and newline-delimited JSON.

SSE: `event:` and `data:` lines, dispatched at a blank line; comment lines (`: keep-alive`,
`: OPENROUTER PROCESSING`, llama.cpp pings) are skipped; `data: [DONE]` ends the stream, and
so does plain EOF (Cerebras may omit `[DONE]`; llama.cpp's native endpoints never send it).
Whether the answer was complete is the wire decoder's call, not the framing's.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from ghostfill.backends.base import BackendConfig
from ghostfill.backends.http import malformed, truncated
from ghostfill.errors import StreamError


@dataclass(frozen=True, slots=True)
class Event:
    name: str
    """The `event:` field, "" when the provider sends bare `data:` lines."""
    data: dict[str, Any] | None
    """The parsed JSON; None for the `[DONE]` sentinel (always the last event)."""


async def sse_events(lines: AsyncIterator[str], config: BackendConfig) -> AsyncIterator[Event]:
    """Parse SSE lines into events; a `data:` payload that is not a JSON object raises
    StreamError (a malformed stream, or the wrong kind of server behind the base URL)."""
    name = ""
    data: list[str] = []
    async for line in lines:
        if not line:
            if data:
                event = _event(name, data, config)
                yield event
                if event.data is None:
                    return
            name, data = "", []
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if field == "event":
            name = value.strip()
        elif field == "data":
            data.append(value)
    if data:
        # A last event without its blank line: complete JSON is fine (some servers end so);
        # half an event is a stream cut off mid-write.
        try:
            yield _event(name, data, config)
        except StreamError:
            raise truncated(config) from None


def _event(name: str, data: list[str], config: BackendConfig) -> Event:
    payload = "\n".join(data).strip()
    if payload.startswith("[DONE]"):
        return Event(name, None)
    return Event(name, _object(payload, config))


async def ndjson(lines: AsyncIterator[str], config: BackendConfig) -> AsyncIterator[dict[str, Any]]:
    """One JSON object per line (Ollama's native stream); blank lines are keep-alives. A bad
    last line is a truncated stream, a bad line followed by more is a malformed one."""
    async for line in lines:
        if not line.strip():
            continue
        try:
            parsed = _object(line, config)
        except StreamError as bad:
            async for _ in lines:
                raise bad from None  # more lines follow: malformed
            raise truncated(config) from None
        yield parsed


def _object(text: str, config: BackendConfig) -> dict[str, Any]:
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError:
        raise malformed(config) from None
    if not isinstance(parsed, dict):
        raise malformed(config)
    return parsed
