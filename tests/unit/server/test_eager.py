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


async def test_done_hears_the_outcome_in_the_step_that_ends_the_coroutine() -> None:
    """The response goes out before anything the finishing step scheduled (a stream's status
    and completionReady notifications), not a loop turn later as a task's done-callback."""
    loop = asyncio.get_running_loop()
    gate: asyncio.Future[str] = loop.create_future()
    order: list[str] = []

    async def miss() -> str:
        got = await gate
        loop.call_soon(order.append, "scheduled by the last step")
        return got

    def done(future: asyncio.Future[str]) -> None:
        order.append(f"done: {future.result()}")

    task = eager.start(miss(), done)
    task.add_done_callback(lambda _: order.append("task done-callback"))
    gate.set_result("answer")
    await task
    await asyncio.sleep(0)
    assert order == ["done: answer", "scheduled by the last step", "task done-callback"]


async def test_done_hears_at_once_when_nothing_was_awaited() -> None:
    heard: list[str] = []
    eager.start(_answer(), lambda future: heard.append(future.result()))
    assert heard == ["at once"]


async def _answer() -> str:
    return "at once"


@pytest.mark.parametrize("how", ["cancelled", "raised"])
async def test_done_hears_cancellation_and_failure_once(how: str) -> None:
    gate: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    heard: list[asyncio.Future[None]] = []

    async def waiting() -> None:
        await gate

    task = eager.start(waiting(), heard.append)
    await asyncio.sleep(0)
    if how == "cancelled":
        task.cancel()
    else:
        gate.set_exception(ValueError("stream broke"))
    with pytest.raises((asyncio.CancelledError, ValueError)):
        await task
    assert len(heard) == 1 and heard[0].done()
    if how == "cancelled":
        assert heard[0].cancelled()
    else:
        assert isinstance(heard[0].exception(), ValueError)


async def test_a_failing_done_is_reported_and_the_outcome_stands() -> None:
    loop = asyncio.get_running_loop()
    reported: list[dict[str, object]] = []
    loop.set_exception_handler(lambda _, context: reported.append(context))
    gate: asyncio.Future[str] = loop.create_future()

    async def miss() -> str:
        return await gate

    def done(_: asyncio.Future[str]) -> None:
        raise BrokenPipeError("the editor went away")

    task = eager.start(miss(), done)
    gate.set_result("answer")
    try:
        assert await task == "answer"
    finally:
        loop.set_exception_handler(None)
    assert [type(context["exception"]) for context in reported] == [BrokenPipeError]
