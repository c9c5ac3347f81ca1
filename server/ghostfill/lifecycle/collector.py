"""Cyclic garbage collection in the user's pauses, not in the middle of a keystroke.

CPython's cycle collector runs whenever allocations pass a threshold, and a collection walks
every tracked object of the generations it collects: the oldest holds everything the process
keeps (modules, grammars, generated (un)structure code, documents, indexes), so a full
collection took 40-80 ms and a middle one up to 30 ms on a 2-core machine, landing in
whichever keystroke was being answered (the p99 of a fresh request), and the young ones
added ~0.2 ms to every other request.

`Collector` freezes what the process holds (`gc.freeze`: the collector stops walking it; it
is still freed by reference counting) once startup settled and at every pause in the typing;
automatic collections then walk only what was allocated since, which is small. The garbage
in cycles among frozen objects is found by a full collection (unfreeze, collect, freeze)
in a pause, once what is frozen grew by `FULL_GROWTH` since the last one, and after
`FULL_AFTER_S` in any case while the process is used. The time spent collecting is counted
(`paused_s`), so each request's share shows in its stage timings.

The cost is memory: startup's short-lived cycles wait for the first collection instead of
being freed as they form, and the arenas they held stay fragmented afterwards (measured:
resident 64 -> 74 MB after 30 requests, well inside the 120 MB budget). A high young
threshold instead of holding collections kept 67 MB but started ~45 ms slower.
"""

from __future__ import annotations

import asyncio
import gc
import time
from typing import Any

QUIET_S = 1.0
"""A pause in requests this long is when the collector runs."""
FULL_GROWTH = 0.25
"""A full collection is due once the frozen objects grew by this share since the last one."""
FULL_AFTER_S = 600.0
"""...or this long after the last one (cycles among long-lived objects that died)."""
YOUNG_THRESHOLD = 2000
"""Allocations between two young collections (CPython's default: 700)."""


class Collector:
    def __init__(
        self,
        quiet_s: float = QUIET_S,
        full_growth: float = FULL_GROWTH,
        full_after_s: float = FULL_AFTER_S,
    ) -> None:
        self.quiet_s = quiet_s
        self.full_growth = full_growth
        self.full_after_s = full_after_s
        self.paused_s = 0.0
        """Seconds spent in cycle collections since `install`, automatic or not."""
        self.collections = {"young": 0, "full": 0}
        """Collections this object ran in pauses (young: what was not frozen; full: all)."""
        self._began = 0.0
        self._last_request = 0.0
        self._frozen_after_full = 0
        self._full_at = time.monotonic()
        self._timer: asyncio.TimerHandle | None = None
        self._installed = False
        self._held = False
        self._saved_threshold: tuple[int, int, int] | None = None

    def paused(self) -> float:
        """Seconds spent in cycle collections so far (a clock for stage timings)."""
        return self.paused_s

    def install(self) -> Collector:
        """Take over the collector's timing for this process (undone by `uninstall`). Until
        `settled`, nothing is collected: startup builds hundreds of thousands of objects that
        live as long as the process, and collecting them as they come took ~50 ms of it."""
        if self._installed:
            return self
        self._installed = True
        self._held = gc.isenabled()
        gc.disable()
        gc.callbacks.append(self._observe)
        self._saved_threshold = gc.get_threshold()
        _, middle, old = self._saved_threshold
        gc.set_threshold(YOUNG_THRESHOLD, middle, old)
        return self

    def uninstall(self) -> None:
        if not self._installed:
            return
        self._installed = False
        if self._observe in gc.callbacks:
            gc.callbacks.remove(self._observe)
        if self._saved_threshold is not None:
            gc.set_threshold(*self._saved_threshold)
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        gc.unfreeze()
        self._release()

    def settled(self) -> None:
        """Startup work ended (initialize answered, the workspace indexed): freeze what it
        left, so the collections during the typing that follows do not walk it, and let the
        collector run again. Nothing is collected now."""
        if self._installed:
            gc.freeze()
            self._release()

    def _release(self) -> None:
        if self._held:  # what startup built is frozen before the collector may walk it
            self._held = False
            gc.freeze()
            gc.enable()

    def request(self) -> None:
        """A request arrived: the collector waits for the next pause."""
        if not self._installed:
            return
        self._release()  # a request before any initialize was answered: startup is over
        loop = asyncio.get_running_loop()
        self._last_request = loop.time()
        if self._timer is None:
            self._timer = loop.call_later(self.quiet_s, self._check)

    def _check(self) -> None:
        loop = asyncio.get_running_loop()
        waited = loop.time() - self._last_request
        if waited < self.quiet_s:
            self._timer = loop.call_later(self.quiet_s - waited, self._check)
            return
        self._timer = None
        self.collect()

    def collect(self) -> None:
        """Collect now: what is not frozen, or everything when a full collection is due;
        then freeze what is left."""
        frozen = gc.get_freeze_count()
        due = (
            frozen > self._frozen_after_full * (1 + self.full_growth)
            or time.monotonic() - self._full_at > self.full_after_s
        )
        if due:
            gc.unfreeze()
            gc.collect()
            self.collections["full"] += 1
            self._full_at = time.monotonic()
        else:
            gc.collect()
            self.collections["young"] += 1
        gc.freeze()
        if due:
            self._frozen_after_full = gc.get_freeze_count()

    def _observe(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._began = time.perf_counter()
        else:
            self.paused_s += time.perf_counter() - self._began
