"""Background tasks: the one helper that spawns, shields, cancels and logs them.

asyncio keeps only a weak reference to a running task, so a task nobody holds can vanish
mid-flight, and an exception nobody retrieves is reported at exit as "never retrieved". `Tasks`
holds every task it spawns until it ends, logs a failure once, and cancels what is left on
`cancel()`/`close()`. A cancelled task is not a failure and no CancelledError is caught here:
cancellation always reaches whoever awaits the task (or the caller of `finish`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")


class Tasks:
    """The background tasks of one owner (a session, the pipeline, a transport)."""

    def __init__(self, owner: str = "background") -> None:
        self.owner = owner
        self._live: set[asyncio.Task[Any]] = set()

    def spawn(self, coro: Coroutine[Any, Any, T], *, quiet: bool = False) -> asyncio.Task[T]:
        """Run `coro` in a task of its own, held until it ends. A failure is logged as an error,
        or at debug level when `quiet` (its awaiter handles the error, or it does not matter)."""
        task = asyncio.get_running_loop().create_task(coro)
        self._live.add(task)
        task.add_done_callback(self._quiet_done if quiet else self._done)
        return task

    async def finish(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run `coro` to the end even if the caller is cancelled meanwhile: the caller's
        CancelledError propagates at once, the work carries on in its own task."""
        return await asyncio.shield(self.spawn(coro, quiet=True))

    async def wait(self) -> None:
        """Wait until every task spawned so far has ended (their failures are already logged)."""
        if live := list(self._live):
            await asyncio.wait(live)

    def cancel(self) -> None:
        """Cancel every task still running (they end at their next await)."""
        for task in list(self._live):
            task.cancel()

    async def close(self) -> None:
        """Cancel every task still running and wait until they have ended."""
        self.cancel()
        await self.wait()

    def __len__(self) -> int:
        return len(self._live)

    def __iter__(self) -> Iterator[asyncio.Task[Any]]:
        return iter(list(self._live))

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._live.discard(task)
        if not task.cancelled() and (exc := task.exception()) is not None:
            log.error("%s task failed: %r", self.owner, exc, exc_info=exc)

    def _quiet_done(self, task: asyncio.Task[Any]) -> None:
        self._live.discard(task)
        if not task.cancelled() and (exc := task.exception()) is not None:
            log.debug("%s task failed: %r", self.owner, exc)
