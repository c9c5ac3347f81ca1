"""Start a handler's coroutine at once, in the caller's stack, and reply in its last step.

pygls wraps every coroutine handler in a task: its first step runs on the next turn of the
loop and the response goes out on the turn after (a done-callback), two wake-ups per request
for an answer that was ready all along. `start(coro, done)` runs the coroutine up to its first
suspension right away. If it finishes there, `done` gets a done future at once; if it
suspends, the rest runs in an ordinary task that first waits on what the coroutine was
waiting for, so cancellation, exceptions and results behave as in any task (this is what
Python 3.12's eager task factory does; ghostfill supports 3.11).

`done` is called in the step that finishes the coroutine, not on a later turn: a stream that
wakes the request with its first line and keeps going (final filters, status notifications)
is then behind the response, not ahead of it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Generator
from typing import Any, TypeVar

T = TypeVar("T")

Done = Callable[["asyncio.Future[T]"], object]


def start(coro: Coroutine[Any, Any, T], done: Done[T] | None = None) -> asyncio.Future[T]:
    """A done future when `coro` completed without suspending, else its task; `done` (if
    given) is called with a done future holding the outcome as soon as there is one."""
    loop = asyncio.get_running_loop()
    try:
        waiting_on = coro.send(None)
    except StopIteration as stop:
        return _outcome(loop, done, result=stop.value)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # CancelledError included: the future reports it
        return _outcome(loop, done, error=exc)
    return loop.create_task(_Resumed(coro, waiting_on, done))


def _outcome(
    loop: asyncio.AbstractEventLoop,
    done: Done[T] | None,
    *,
    result: Any = None,
    error: BaseException | None = None,
) -> asyncio.Future[T]:
    future: asyncio.Future[T] = loop.create_future()
    if isinstance(error, asyncio.CancelledError):
        future.cancel()
    elif error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)
    if done is not None:
        try:
            done(future)
        except Exception as exc:  # as a future's callbacks: reported, the step goes on
            loop.call_exception_handler(
                {"message": "eager start: the done callback failed", "exception": exc}
            )
    return future


class _Resumed(Coroutine[Any, Any, T]):
    """A started coroutine as a task sees a fresh one: its first step hands the task what
    the coroutine is already waiting on; every later step goes to the coroutine, and the step
    that ends it reports the outcome to `done`."""

    def __init__(self, coro: Coroutine[Any, Any, T], waiting_on: Any, done: Done[T] | None) -> None:
        self._coro = coro
        self._waiting_on = waiting_on
        self._first = True
        self._done = done

    def send(self, value: Any) -> Any:
        if self._first:
            self._first = False
            return self._waiting_on
        return self._step(self._coro.send, value)

    def throw(self, *exc: Any) -> Any:
        self._first = False
        return self._step(self._coro.throw, *exc)

    def _step(self, step: Callable[..., Any], *args: Any) -> Any:
        if self._done is None:
            return step(*args)
        try:
            return step(*args)
        except StopIteration as stop:
            self._report(result=stop.value)
            raise
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # cancellation included: reported, then re-raised
            self._report(error=exc)
            raise

    def _report(self, *, result: Any = None, error: BaseException | None = None) -> None:
        done, self._done = self._done, None
        _outcome(asyncio.get_running_loop(), done, result=result, error=error)

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
