"""Continuations: early first-line answers, typing through, superseding."""

from __future__ import annotations

import asyncio

from ghostfill.lifecycle.continuations import Continuations
from ghostfill.model import CompletionContext, Position


def ctx(
    prefix: str, suffix: str = "\n", uri: str = "file:///a.py", multiline: bool = False
) -> CompletionContext:
    line_prefix = prefix.rsplit("\n", 1)[-1]
    return CompletionContext(
        uri=uri,
        path="/a.py",
        language="python",
        prefix=prefix,
        suffix=suffix,
        line_prefix=line_prefix,
        line_suffix=suffix.split("\n", 1)[0],
        multiline=multiline,
    )


def test_typing_through_matches_only_predicted_text() -> None:
    store = Continuations()
    c = store.add(ctx("def f():\n    "), Position(1, 4), 1, "fake")
    c.push("return 42")
    c.finish()
    hit = store.find(ctx("def f():\n    ret"))
    assert hit is not None and hit[1] == "ret" and hit[0].ready("ret") == "urn 42"
    assert store.find(ctx("def f():\n    rex")) is None
    assert store.find(ctx("def f():\n    ret", uri="file:///b.py")) is None
    assert store.find(ctx("def f():\n    ret", suffix="\nother")) is None


def test_multiline_answers_at_the_first_complete_line() -> None:
    store = Continuations()
    c = store.add(ctx("def f():\n"), Position(1, 0), 1, "fake", multiline=True)
    c.push("    x = 1")
    assert c.ready("") is None
    c.push("\n    y")
    assert c.ready("") == "    x = 1"
    c.push(" = 2\n")
    c.finish()
    assert c.ready("") == "    x = 1\n    y = 2"


def test_wait_returns_when_ready_or_times_out() -> None:
    async def scenario() -> tuple[str | None, str | None]:
        store = Continuations()
        c = store.add(ctx("x = "), Position(0, 4), 1, "fake")
        late = asyncio.get_running_loop().call_later(0.01, lambda: (c.push("1"), c.finish()))
        got = await c.wait("", 1.0)
        late.cancel()
        other = store.add(ctx("y = "), Position(0, 4), 1, "fake")
        missed = await other.wait("", 0.01)
        return got, missed

    assert asyncio.run(scenario()) == ("1", None)


def test_supersede_cancels_running_streams_of_that_document() -> None:
    async def scenario() -> tuple[bool, int]:
        store = Continuations()
        c = store.add(ctx("x = "), Position(0, 4), 1, "fake")
        c.task = asyncio.get_running_loop().create_task(asyncio.sleep(10))
        done = store.add(ctx("z = ", uri="file:///b.py"), Position(0, 4), 1, "fake")
        done.finish()
        cancelled = store.supersede("file:///a.py")
        await asyncio.sleep(0)
        return c.task.cancelled(), cancelled

    assert asyncio.run(scenario()) == (True, 1)


def test_capacity_evicts_oldest() -> None:
    store = Continuations(capacity=2)
    for n in range(3):
        store.add(ctx(f"v{n} = "), Position(0, 5), 1, "fake").finish()
    assert len(store) == 2 and store.find(ctx("v0 = ")) is None


async def test_a_claim_is_counted_while_it_waits_and_answered_after() -> None:
    store = Continuations()
    c = store.add(ctx("def f():\n    "), Position(1, 4), 1, "fake")
    waiter = asyncio.ensure_future(c.claim("", 2.0))
    await asyncio.sleep(0.01)
    assert c.claims == 1 and c.claimed == 1 and not c.unclaimed_since(0)
    c.push("return 42\n")
    assert await waiter == "return 42"
    assert c.claims == 0 and c.answered == len("return 42")


async def test_a_cancelled_claim_leaves_an_orphan() -> None:
    store = Continuations()
    c = store.add(ctx("def f():\n    "), Position(1, 4), 1, "fake")
    waiter = asyncio.ensure_future(c.claim("", 2.0))
    await asyncio.sleep(0.01)
    claimed = c.claimed
    waiter.cancel()
    try:
        await waiter
    except asyncio.CancelledError:
        pass
    else:
        raise AssertionError("the cancellation must propagate")
    assert c.claims == 0 and c.unclaimed_since(claimed)
    again = asyncio.ensure_future(c.claim("", 0.01))
    await again
    assert not c.unclaimed_since(claimed)  # claimed again meanwhile: not an orphan


async def test_every_waiter_wakes_on_the_line_and_a_timed_out_one_leaves_none_behind() -> None:
    store = Continuations()
    c = store.add(ctx("x = "), Position(0, 4), 1, "fake")
    assert await c.wait("", 0.005) is None  # timed out: its waiter is gone
    first = asyncio.ensure_future(c.wait("", 2.0))
    second = asyncio.ensure_future(c.wait("", 2.0))
    await asyncio.sleep(0.01)
    c.push("1")
    c.finish()
    assert await asyncio.wait_for(asyncio.gather(first, second), 1.0) == ["1", "1"]
    assert c._waiters == []
