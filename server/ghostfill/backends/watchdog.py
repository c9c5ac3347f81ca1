"""A deadline for each read of a stream, with one timer per stream instead of one per read.

`asyncio.timeout` around every read of a line schedules a timer and cancels it again: ~7 us
a line here, ~20 lines in a short answer, hundreds in a long one, and each cancelled timer
stays in the loop's heap until it is cleaned out. `Watchdog` keeps one timer for the whole
stream: a read only notes when it began; the timer, when it fires, checks whether the read
in progress (if any) has been waiting longer than its limit, and re-arms itself otherwise.
A read that overran is cancelled as `asyncio.timeout` does it (the task is cancelled, and the
cancellation is turned into `TimeoutError` only when it is the watchdog's own: a cancellation
from elsewhere still propagates).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

T = TypeVar("T")


class Watchdog:
    def __init__(self, limit_s: float) -> None:
        self.limit_s = limit_s
        """The current read's limit (the first read's may differ from the rest's)."""
        self._loop = asyncio.get_running_loop()
        self._task: asyncio.Task[object] | None = None
        """The task of the read in progress (a stream may change hands between reads)."""
        self._began: float | None = None
        self._fired = False
        self._handle: asyncio.TimerHandle | None = None

    async def read(self, awaitable: Awaitable[T]) -> T:
        """`await awaitable`, raising TimeoutError when it takes longer than `limit_s`."""
        task = self._task = asyncio.current_task()
        assert task is not None, "a watchdog guards reads in a task"
        began = self._began = self._loop.time()
        due = began + self.limit_s
        if self._handle is None or self._handle.when() > due:  # none yet, or the limit shrank
            if self._handle is not None:
                self._handle.cancel()
            self._handle = self._loop.call_at(due, self._check)
        cancelling = task.cancelling()
        try:
            return await awaitable
        except asyncio.CancelledError:
            if self._fired and task.uncancel() <= cancelling:
                raise TimeoutError from None
            raise
        finally:
            self._began = None
            self._fired = False

    def close(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def _check(self) -> None:
        began = self._began
        now = self._loop.time()
        if began is None:  # between reads: the next one starts its own clock
            self._handle = self._loop.call_at(now + self.limit_s, self._check)
        elif now - began < self.limit_s:
            self._handle = self._loop.call_at(began + self.limit_s, self._check)
        else:
            self._handle = None
            self._fired = True
            if self._task is not None:
                self._task.cancel()
