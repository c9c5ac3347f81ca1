"""The one task helper: held until done, failures logged once, cancellation never swallowed."""

from __future__ import annotations

import asyncio
import gc
import logging

import pytest
from ghostfill.tasks import Tasks


async def test_spawned_task_is_held_until_it_ends() -> None:
    tasks = Tasks("test")
    done = asyncio.Event()

    async def work() -> None:
        await asyncio.sleep(0.01)
        done.set()

    tasks.spawn(work())
    gc.collect()
    assert len(tasks) == 1
    await asyncio.wait_for(done.wait(), 2)
    await asyncio.sleep(0)
    assert len(tasks) == 0


async def test_failure_is_logged_as_error(caplog: pytest.LogCaptureFixture) -> None:
    tasks = Tasks("indexing")

    async def boom() -> None:
        raise ValueError("broken index")

    task = tasks.spawn(boom())
    await asyncio.wait([task])
    await asyncio.sleep(0)
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and "indexing task failed" in errors[0].getMessage()
    assert "broken index" in errors[0].getMessage()


async def test_quiet_failure_is_debug_only(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    tasks = Tasks("send")

    async def boom() -> None:
        raise OSError("refused")

    with pytest.raises(OSError):
        await tasks.spawn(boom(), quiet=True)
    await asyncio.sleep(0)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert any("send task failed" in r.getMessage() for r in caplog.records)


async def test_cancelled_task_is_not_a_failure(caplog: pytest.LogCaptureFixture) -> None:
    tasks = Tasks("test")
    task = tasks.spawn(asyncio.sleep(10))
    await asyncio.sleep(0)
    tasks.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not caplog.records
    assert len(tasks) == 0


async def test_finish_survives_the_callers_cancel_and_the_cancel_propagates() -> None:
    tasks = Tasks("close")
    finished = asyncio.Event()

    async def close_connection() -> None:
        await asyncio.sleep(0.05)
        finished.set()

    caller = asyncio.get_running_loop().create_task(tasks.finish(close_connection()))
    await asyncio.sleep(0.01)
    caller.cancel()
    with pytest.raises(asyncio.CancelledError):
        await caller
    assert not finished.is_set()
    await asyncio.wait_for(finished.wait(), 2)


async def test_close_cancels_and_waits_for_everything() -> None:
    tasks = Tasks("session")
    started = [tasks.spawn(asyncio.sleep(10)) for _ in range(3)]
    await asyncio.sleep(0)
    await tasks.close()
    assert all(t.cancelled() for t in started)
    assert len(tasks) == 0


async def test_wait_lets_work_finish() -> None:
    tasks = Tasks("completion")
    results: list[int] = []

    async def work(n: int) -> None:
        await asyncio.sleep(0.01 * n)
        results.append(n)

    for n in (3, 1, 2):
        tasks.spawn(work(n))
    await tasks.wait()
    assert sorted(results) == [1, 2, 3]
