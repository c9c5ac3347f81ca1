"""Long sessions: nothing the server holds may grow without bound.

The CI variant of `ghostfill bench soak` (1,500 keystrokes instead of 10,000): the real server,
a fake backend that knows the file being typed and fails for stretches, side documents opened
and closed, saves and settings reloads. Figures sampled through `ghostfill/debugStats`; each
must stay within an allowance of its first-quarter peak (generous: this checks growth without
bound, not precise sizes). No timings are asserted.
"""

from __future__ import annotations

import pytest
from ghostfill.bench.soak import soak

KEYSTROKES = 1500


def say(request: pytest.FixtureRequest, text: str) -> None:
    capture = request.config.pluginmanager.getplugin("capturemanager")
    if capture is None:
        print(text)
        return
    with capture.global_and_fixture_disabled():
        print(f"\n{text}")


async def test_long_session_stays_bounded(request: pytest.FixtureRequest) -> None:
    result = await soak(KEYSTROKES, samples=24)
    say(request, result.report())
    assert result.stopped == "", result.stopped
    assert result.samples[-1].keystroke == KEYSTROKES
    assert result.unbounded() == [], result.report()
    assert result.answered > KEYSTROKES // 10  # suggestions were really shown along the way


async def test_superseded_streams_leave_no_connection_checked_out() -> None:
    """Typing while suggestions stream: each keystroke supersedes the stream the last one
    started, sometimes just as its connection opens. Once no stream runs, no HTTP connection
    may be checked out of the pool: 16 leaked ones and every later request waits for the pool
    timeout, so the backend is dead until the server restarts. The replay stops early when the
    pool nears full; after the last keystroke the server is given time to settle (streams
    read on past the shown line and cut-short responses drained end within a second), and
    every connection must then be back."""
    result = await soak(600, samples=12, faults=False)
    assert result.stopped == "", result.stopped
    assert result.checked_out_at_rest == 0, result.report()
