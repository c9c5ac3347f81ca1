"""Status notifications: a new state at once, repeats of a state coalesced to the latest."""

from __future__ import annotations

import asyncio

from ghostfill.server.messages import StatusParams
from ghostfill.server.status_line import StatusLine


def status(state: str, latency: float | None = None, backend: str = "fake") -> StatusParams:
    return StatusParams(state=state, backend=backend, model="m", latency_ms=latency)


async def test_repeats_become_the_latest_one_and_a_new_state_goes_out_at_once() -> None:
    sent: list[tuple[str, float | None]] = []
    line = StatusLine(lambda p: sent.append((p.state, p.latency_ms)), every_s=0.05)
    for latency in (1.0, 2.0, 3.0):  # three streams ending back to back
        line.update(status("idle", latency))
    assert sent == [("idle", 1.0)]
    await asyncio.sleep(0.1)
    assert sent == [("idle", 1.0), ("idle", 3.0)]  # the last latency arrives
    line.update(status("busy"))
    line.update(status("idle", 4.0))
    assert sent[-2:] == [("busy", None), ("idle", 4.0)]


async def test_a_new_state_replaces_a_held_repeat() -> None:
    sent: list[tuple[str, float | None]] = []
    line = StatusLine(lambda p: sent.append((p.state, p.latency_ms)), every_s=0.05)
    line.update(status("idle", 1.0))
    line.update(status("idle", 2.0))
    line.update(status("error"))
    await asyncio.sleep(0.1)
    assert sent == [("idle", 1.0), ("error", None)]


async def test_another_backend_is_news() -> None:
    sent: list[str] = []
    line = StatusLine(lambda p: sent.append(p.backend), every_s=10)
    line.update(status("idle", 1.0))
    line.update(status("idle", 1.0, backend="other"))
    assert sent == ["fake", "other"]


def test_without_a_loop_every_status_goes_out() -> None:
    sent: list[str] = []
    line = StatusLine(lambda p: sent.append(p.state), every_s=10)
    line.update(status("idle"))
    line.update(status("idle"))
    assert sent == ["idle", "idle"]
