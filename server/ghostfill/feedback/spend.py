"""The spend guard: past `backend.maxTokensPerHour` or `backend.maxCostPerDay`, serve offline.

Usage is counted over every window and the daemon: the stats writer thread re-reads the
totals from the database after each batch it commits (and every half minute when idle), and
usage recorded but not yet committed is added on top. With `stats.enable = false` nothing is
written, so the guard counts this process's own usage only.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from ghostfill.feedback.events import Event

HOUR_S = 3600.0

Notify = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Caps:
    tokens_per_hour: int = 0
    cost_per_day: float = 0.0

    @property
    def any(self) -> bool:
        return self.tokens_per_hour > 0 or self.cost_per_day > 0


@dataclass(frozen=True, slots=True)
class Usage:
    tokens_hour: int = 0
    cost_today: float = 0.0


def day_start(now: float) -> float:
    """Local midnight before `now` (the daily cap resets then)."""
    t = time.localtime(now)
    return time.mktime((t.tm_year, t.tm_mon, t.tm_mday, 0, 0, 0, 0, 0, -1))


def usage_from(conn: sqlite3.Connection, now: float) -> Usage:
    hour = conn.execute(
        "SELECT COALESCE(SUM(prompt_tokens + completion_tokens), 0) FROM events "
        "WHERE kind = 'request' AND at >= ?",
        (now - HOUR_S,),
    ).fetchone()[0]
    cost = conn.execute(
        "SELECT COALESCE(SUM(cost), 0) FROM events WHERE kind = 'request' AND at >= ?",
        (day_start(now),),
    ).fetchone()[0]
    return Usage(int(hour), float(cost))


class SpendGuard:
    """`over()` is asked on every backend request (cheap: no I/O); `add` and `refresh` feed it."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.caps = Caps()
        self._clock = clock
        self._lock = threading.Lock()
        self._stored = Usage()
        self._unstored: deque[Event] = deque()
        """Usage recorded but not yet counted by a refresh (all of it when nothing is stored)."""
        self._notify: Notify | None = None
        self._tripped = False

    def configure(self, caps: Caps, notify: Notify | None = None) -> None:
        self.caps = caps
        self._notify = notify

    def add(self, event: Event) -> None:
        """A finished backend request (on the event loop)."""
        if event.kind == "request":
            with self._lock:
                self._unstored.append(event)

    def refresh(self, conn: sqlite3.Connection, written: list[Event]) -> None:
        """After the writer committed `written` (on its thread): totals from the database,
        which now hold those events too."""
        usage = usage_from(conn, self._clock())
        ids = {id(e) for e in written}
        with self._lock:
            self._stored = usage
            self._unstored = deque(e for e in self._unstored if id(e) not in ids)

    def usage(self) -> Usage:
        now = self._clock()
        hour_from, day_from = now - HOUR_S, day_start(now)
        with self._lock:
            while self._unstored and self._unstored[0].at < min(hour_from, day_from):
                self._unstored.popleft()
            tokens = sum(
                e.prompt_tokens + e.completion_tokens for e in self._unstored if e.at >= hour_from
            )
            cost = sum(e.cost for e in self._unstored if e.at >= day_from)
            return Usage(self._stored.tokens_hour + tokens, self._stored.cost_today + cost)

    def reason(self) -> str | None:
        """Why the backend is paused, or None."""
        if not self.caps.any:
            return None
        used = self.usage()
        caps = self.caps
        if caps.tokens_per_hour and used.tokens_hour >= caps.tokens_per_hour:
            return (
                f"{used.tokens_hour:,} tokens in the last hour reached backend.maxTokensPerHour "
                f"({caps.tokens_per_hour:,})"
            )
        if caps.cost_per_day and used.cost_today >= caps.cost_per_day:
            return (
                f"an estimated ${used.cost_today:.2f} today reached backend.maxCostPerDay "
                f"(${caps.cost_per_day:.2f})"
            )
        return None

    def over(self) -> bool:
        """True while a cap is reached; says so once each time a cap is first reached."""
        why = self.reason()
        if why is None:
            self._tripped = False
            return False
        if not self._tripped:
            self._tripped = True
            if self._notify is not None:
                self._notify(
                    f"spending cap reached: {why}; serving offline suggestions until "
                    "usage falls below it"
                )
        return True
