"""Start a handler's coroutine at once, in the caller's stack: a request that needs no waiting
(a cache hit) is answered before the next message is read, with no task and no loop turn.

pygls wraps every coroutine handler in a task: its first step runs on the next turn of the
loop and the response goes out on the turn after (a done-callback), two wake-ups per request
for an answer that was ready all along. `start(coro)` runs the coroutine up to its first
suspension right away. If it finishes there, the result comes back in a done future; if it
suspends, the rest runs in an ordinary task that first waits on what the coroutine was
waiting for, so cancellation, exceptions and results behave as in any task (this is what
Python 3.12's eager task factory does; ghostfill supports 3.11).
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Generator
from typing import Any, TypeVar

T = TypeVar("T")


def start(coro: Coroutine[Any, Any, T]) -> asyncio.Future[T]:
    """A done future when `coro` completed without suspending, else its task."""
    loop = asyncio.get_running_loop()
    try:
        waiting_on = coro.send(None)
    except StopIteration as stop:
        done: asyncio.Future[T] = loop.create_future()
        done.set_result(stop.value)
        return done
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # CancelledError included: the future reports it
        failed: asyncio.Future[T] = loop.create_future()
        if isinstance(exc, asyncio.CancelledError):
            failed.cancel()
        else:
            failed.set_exception(exc)
        return failed
    return loop.create_task(_Resumed(coro, waiting_on))


class _Resumed(Coroutine[Any, Any, T]):
    """A started coroutine as a task sees a fresh one: its first step hands the task what
    the coroutine is already waiting on; every later step goes to the coroutine."""

    def __init__(self, coro: Coroutine[Any, Any, T], waiting_on: Any) -> None:
        self._coro = coro
        self._waiting_on = waiting_on
        self._first = True

    def send(self, value: Any) -> Any:
        if self._first:
            self._first = False
            return self._waiting_on
        return self._coro.send(value)

    def throw(self, *exc: Any) -> Any:
        self._first = False
        return self._coro.throw(*exc)

    def close(self) -> None:
        self._coro.close()

    def __await__(self) -> Generator[Any, Any, T]:
        value = self.send(None)
        while True:
            try:
                sent = yield value
            except BaseException as exc:  # cancellation included: the coroutine decides
                try:
                    value = self.throw(exc)
                except StopIteration as stop:
                    return stop.value  # type: ignore[no-any-return]
            else:
                try:
                    value = self.send(sent)
                except StopIteration as stop:
                    return stop.value  # type: ignore[no-any-return]
