"""The stream watchdog: one timer per stream, a deadline per read, and only its own
cancellations turned into TimeoutError."""

from __future__ import annotations

import asyncio

import pytest
from ghostfill.backends.watchdog import Watchdog


async def later(value: str, after_s: float) -> str:
    await asyncio.sleep(after_s)
    return value


async def test_a_read_in_time_returns_its_value() -> None:
    watchdog = Watchdog(5.0)
    assert await watchdog.read(later("a", 0)) == "a"
    assert await watchdog.read(later("b", 0.01)) == "b"
    watchdog.close()


async def test_a_read_that_overruns_its_limit_raises_timeout() -> None:
    watchdog = Watchdog(0.05)
    assert await watchdog.read(later("a", 0)) == "a"
    with pytest.raises(TimeoutError):
        await watchdog.read(later("never", 30))
    assert asyncio.current_task().cancelling() == 0  # type: ignore[union-attr]
    watchdog.close()


async def test_time_between_reads_does_not_count() -> None:
    watchdog = Watchdog(0.05)
    assert await watchdog.read(later("a", 0)) == "a"
    await asyncio.sleep(0.2)  # the consumer is busy elsewhere: not a stall
    assert await watchdog.read(later("b", 0.01)) == "b"
    watchdog.close()


async def test_a_shorter_limit_applies_to_the_next_read() -> None:
    """The first read may wait long (time to first token), the rest only a stall's limit:
    the timer armed for the long limit must not decide when a later read times out."""
    watchdog = Watchdog(30.0)
    assert await watchdog.read(later("first", 0)) == "first"
    watchdog.limit_s = 0.05
    stalled = asyncio.ensure_future(watchdog.read(later("never", 30)))
    await asyncio.sleep(0.5)
    assert stalled.done()
    with pytest.raises(TimeoutError):
        stalled.result()
    watchdog.close()


async def test_a_cancellation_from_elsewhere_is_not_a_timeout() -> None:
    watchdog = Watchdog(30.0)
    reading = asyncio.ensure_future(watchdog.read(later("never", 30)))
    await asyncio.sleep(0.01)
    reading.cancel()
    with pytest.raises(asyncio.CancelledError):
        await reading
    watchdog.close()


async def test_the_read_in_progress_is_the_one_cancelled_when_the_stream_changed_hands() -> None:
    watchdog = Watchdog(0.05)

    async def read(value: str, after_s: float) -> str:
        return await watchdog.read(later(value, after_s))

    assert await asyncio.ensure_future(read("first", 0)) == "first"  # another task's read
    with pytest.raises(TimeoutError):
        await read("never", 30)  # this task's: it times out, the first task is long done
    watchdog.close()
