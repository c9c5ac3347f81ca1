"""A transport that survives cancellation and keeps its connections: every keystroke cancels
or cuts short a stream, and none may leak or cost a new connection.

httpcore 1.0 loses a pooled connection when the task using it is cancelled while it connects
or while it closes a response (encode/httpcore#1093). Ghost text cancels superseded streams
all day, so after a few hundred keystrokes the pool (16 connections) is exhausted and every
request waits out its timeout. Here sending and closing run in tasks of their own, shielded:
the caller is cancelled at once, and the connection still goes back to the pool (or is closed).

A response closed before its end (a filter stopped at the end of the line, the request was
superseded) is read to its end in the background instead of being dropped, when that ends
within `DRAIN_S` and `DRAIN_BYTES`: a connection whose response was read to the end goes
back to the pool, so the next request skips TCP (and TLS) set-up. A stream that goes on
longer is closed, which also tells the provider to stop generating.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Coroutine
from typing import Any, TypeVar

import httpx

from ghostfill.lifecycle import timings
from ghostfill.tasks import Tasks

T = TypeVar("T")

DRAIN_S = 0.25
"""Longest a cut-short response is read on in the background to keep its connection."""
DRAIN_BYTES = 64 * 1024


class _Shield:
    """Runs work to completion even when its caller is cancelled, keeping the tasks alive."""

    def __init__(self) -> None:
        self._tasks = Tasks("transport")

    async def finish(self, work: Coroutine[Any, Any, T]) -> T:
        return await self._tasks.finish(work)

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        self._tasks.spawn(work, quiet=True)

    async def send(
        self, transport: httpx.AsyncBaseTransport, request: httpx.Request
    ) -> httpx.Response:
        task = self._tasks.spawn(transport.handle_async_request(request), quiet=True)
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            task.add_done_callback(self._close_abandoned)
            raise

    def _close_abandoned(self, task: asyncio.Task[httpx.Response]) -> None:
        """A response that arrived after its request was cancelled: close it, returning the
        connection to the pool."""
        if not task.cancelled() and task.exception() is None:
            self._tasks.spawn(task.result().aclose(), quiet=True)


class _SafeStream(httpx.AsyncByteStream):
    def __init__(self, inner: httpx.AsyncByteStream, shield: _Shield, stats: PoolStats) -> None:
        self._inner = inner
        self._shield = shield
        self._stats = stats
        self._chunks: AsyncIterator[bytes] | None = None
        self._ended = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        chunks = self._chunks = aiter(self._inner)
        while True:
            began = time.perf_counter()
            try:
                chunk = await anext(chunks)
            except StopAsyncIteration:
                break
            timings.body_wait(time.perf_counter() - began)  # the request's time on the wire
            yield chunk
        self._ended = True

    async def aclose(self) -> None:
        if self._ended or self._chunks is None:
            await self._shield.finish(self._inner.aclose())
            return
        self._shield.spawn(self._drain(self._chunks))

    async def _drain(self, chunks: AsyncIterator[bytes]) -> None:
        """Read the rest of a response closed early, then close it: back to the pool."""
        size = 0
        try:
            async with asyncio.timeout(DRAIN_S):
                async for chunk in chunks:
                    size += len(chunk)
                    if size > DRAIN_BYTES:
                        break
                else:
                    self._stats.drained += 1
                    return
        except (TimeoutError, httpx.HTTPError, OSError):
            pass
        finally:
            await self._inner.aclose()
        self._stats.dropped += 1


class PoolStats:
    """What happened to responses closed before their end (for ghostfill/debugStats)."""

    def __init__(self) -> None:
        self.drained = 0
        """Read to their end in the background: their connection went back to the pool."""
        self.dropped = 0
        """Too long to wait for: closed, with their connection."""


class CancelSafeTransport(httpx.AsyncBaseTransport):
    """Wraps the real transport; `_inner` stays reachable for ghostfill/debugStats."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self._inner = inner
        self._shield = _Shield()
        self.stats = PoolStats()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timings.request_sent()
        response = await self._shield.send(self._inner, request)
        timings.headers_received()
        assert isinstance(response.stream, httpx.AsyncByteStream)
        response.stream = _SafeStream(response.stream, self._shield, self.stats)
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()
