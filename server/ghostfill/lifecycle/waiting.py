"""Work a request does while its provider thinks, instead of after the first token.

Some of what the filters need depends only on the request, not on the answer: the syntax
gate's parse of the code as it is, the brackets the prefix leaves open. The pipeline sets
`WHILE_WAITING` for a stream's task to that work; the HTTP layer calls `request_written()`
once the request's body is on the wire (httpx's `trace` extension tells it), which queues
the work for the loop's next turn. The loop then runs it while the provider works: the
answer, when it comes, meets the work done. Queued, not run in place, so that the send
task first reaches its read of the response.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

WHILE_WAITING: ContextVar[Callable[[], None] | None] = ContextVar(
    "ghostfill_while_waiting", default=None
)
"""What the request whose stream runs in the current task can do while it waits."""

WRITTEN = ("http11.send_request_body.complete", "http2.send_request_body.complete")
"""httpcore's trace events that mean the whole request has been sent."""


def request_written() -> None:
    """The current request is sent: queue its waiting work (run once: the work's own memo
    makes a second call, after a retry, cost nothing)."""
    work = WHILE_WAITING.get()
    if work is not None:
        asyncio.get_running_loop().call_soon(work)


async def trace(event: str, info: dict[str, Any]) -> None:
    """httpcore's trace hook (the `trace` request extension)."""
    if event in WRITTEN:
        request_written()
