"""Status notifications, coalesced: a new state goes out at once, repeats of the same state
within `EVERY_S` become one, the latest, sent when the interval ends.

Every stream ends with an `idle` status carrying its latency. Back to back, that is one
notification per request: a write to the pipe and a message for the editor to parse (and,
after the answer, work that delays the next request) for a status bar nobody reads faster
than a few times a second. Nothing is lost: the last state and latency always arrive.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from ghostfill.server.messages import StatusParams

EVERY_S = 0.25
"""Shortest interval between two notifications of the same state."""


class StatusLine:
    def __init__(self, send: Callable[[StatusParams], None], every_s: float = EVERY_S) -> None:
        self._send = send
        self._every_s = every_s
        self._last: tuple[str, str, str, str | None] | None = None
        self._sent_at = float("-inf")
        self._pending: StatusParams | None = None
        self._timer: asyncio.TimerHandle | None = None

    def update(self, params: StatusParams) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop (a tool, a test): nothing to coalesce with
            self._send(params)
            return
        now = loop.time()
        same = self._last == _what(params)
        if same and now - self._sent_at < self._every_s:
            self._pending = params
            if self._timer is None:
                self._timer = loop.call_at(self._sent_at + self._every_s, self._flush)
            return
        self._drop_pending()
        self._emit(params, now)

    def _flush(self) -> None:
        self._timer = None
        pending, self._pending = self._pending, None
        if pending is not None:
            self._emit(pending, asyncio.get_running_loop().time())

    def _emit(self, params: StatusParams, now: float) -> None:
        self._last = _what(params)
        self._sent_at = now
        self._send(params)

    def _drop_pending(self) -> None:
        self._pending = None
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


def _what(params: StatusParams) -> tuple[str, str, str, str | None]:
    """What a status says, apart from the latency."""
    return params.state, params.backend, params.model, params.message
