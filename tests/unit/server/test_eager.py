"""Eager start: a coroutine that needs no waiting is done at once; one that waits behaves as
a task in every way (result, exception, cancellation reaching the coroutine)."""

from __future__ import annotations

import asyncio

import pytest
from ghostfill.server import eager


async def test_a_coroutine_that_never_waits_is_done_without_a_task() -> None:
    ran: list[str] = []

    async def hit() -> str:
        ran.append("ran")
        return "answer"

    tasks_before = len(asyncio.all_tasks())
    future = eager.start(hit())
    assert ran == ["ran"]  # before anything else ran on the loop
    assert future.done() and future.result() == "answer"
    assert len(asyncio.all_tasks()) == tasks_before


async def test_a_coroutine_that_waits_finishes_in_a_task() -> None:
    gate: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    steps: list[str] = []

    async def miss() -> str:
        steps.append("before")
        got = await gate
        await asyncio.sleep(0)
        steps.append("after")
        return got + "!"

    future = eager.start(miss())
    assert steps == ["before"] and not future.done()
    assert isinstance(future, asyncio.Task)
    gate.set_result("streamed")
    assert await future == "streamed!"
    assert steps == ["before", "after"]


async def test_failures_are_the_futures() -> None:
    async def broken() -> None:
        raise ValueError("bad params")

    async def broken_later() -> None:
        await asyncio.sleep(0)
        raise ValueError("bad stream")

    with pytest.raises(ValueError, match="bad params"):
        eager.start(broken()).result()
    with pytest.raises(ValueError, match="bad stream"):
        await eager.start(broken_later())


@pytest.mark.parametrize("before_first_step", [True, False])
async def test_cancelling_reaches_the_coroutine(before_first_step: bool) -> None:
    """`$/cancelRequest` cancels the future: the coroutine sees CancelledError where it
    waits, and its clean-up runs (also when the task had not run a step yet)."""
    gate: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    seen: list[str] = []

    async def waiting() -> None:
        try:
            await gate
        except asyncio.CancelledError:
            seen.append("cancelled")
            raise
        finally:
            seen.append("cleaned up")

    future = eager.start(waiting())
    if not before_first_step:
        await asyncio.sleep(0)
    future.cancel()
    with pytest.raises(asyncio.CancelledError):
        await future
    assert seen == ["cancelled", "cleaned up"]
    assert future.cancelled()
