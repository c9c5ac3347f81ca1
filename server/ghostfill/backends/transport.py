"""A transport that survives cancellation: every keystroke cancels a stream, and none may leak.

httpcore 1.0 loses a pooled connection when the task using it is cancelled while it connects
or while it closes a response (encode/httpcore#1093). Ghost text cancels superseded streams
all day, so after a few hundred keystrokes the pool (16 connections) is exhausted and every
request waits out its timeout. Here sending and closing run in tasks of their own, shielded:
the caller is cancelled at once, and the connection still goes back to the pool (or is closed).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine
from typing import Any, TypeVar

import httpx

from ghostfill.tasks import Tasks

T = TypeVar("T")


class _Shield:
    """Runs work to completion even when its caller is cancelled, keeping the tasks alive."""

    def __init__(self) -> None:
        self._tasks = Tasks("transport")

    async def finish(self, work: Coroutine[Any, Any, T]) -> T:
        return await self._tasks.finish(work)

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
    def __init__(self, inner: httpx.AsyncByteStream, shield: _Shield) -> None:
        self._inner = inner
        self._shield = shield

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._inner:
            yield chunk

    async def aclose(self) -> None:
        await self._shield.finish(self._inner.aclose())


class CancelSafeTransport(httpx.AsyncBaseTransport):
    """Wraps the real transport; `_inner` stays reachable for ghostfill/debugStats."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self._inner = inner
        self._shield = _Shield()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._shield.send(self._inner, request)
        assert isinstance(response.stream, httpx.AsyncByteStream)
        response.stream = _SafeStream(response.stream, self._shield)
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()
