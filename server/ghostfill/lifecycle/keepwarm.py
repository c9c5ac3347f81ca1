"""Keep the backend's pooled connection warm while the user is typing.

The connection is opened at initialize (the backend's `warm()`, its cheapest GET). Servers
and load balancers close keep-alive connections left idle for about a minute, and the pool
drops them after its own expiry, so the first keystroke after a pause would pay TCP and TLS
set-up again. While the user has asked for a completion in the last `ACTIVE_S`, the backend
is warmed again whenever it has seen no request for `REWARM_S`; after that the loop stops,
and the next request starts it again.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from typing import Any, Protocol

REWARM_S = 45.0
"""Below the usual 60 s idle timeout of providers' load balancers."""
ACTIVE_S = 600.0
"""How long after the last completion request the connection is kept warm."""


class Warmable(Protocol):
    async def warm(self) -> None: ...


Spawn = Callable[[Coroutine[Any, Any, None]], "asyncio.Task[None]"]


class KeepWarm:
    def __init__(
        self, spawn: Spawn, *, interval_s: float = REWARM_S, active_s: float = ACTIVE_S
    ) -> None:
        self.spawn = spawn
        self.interval_s = interval_s
        self.active_s = active_s
        self.warmed = 0
        self._asked = 0.0
        self._traffic = 0.0
        self._backend: Warmable | None = None
        self._task: asyncio.Task[None] | None = None

    def asked(self, backend: Warmable | None) -> None:
        """A completion request arrived (the user is active) for `backend`."""
        self._asked = time.monotonic()
        self._backend = backend
        if backend is not None and (self._task is None or self._task.done()):
            self._task = self.spawn(self._loop())

    def traffic(self) -> None:
        """A request went to the backend: its connection is warm now."""
        self._traffic = time.monotonic()

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.interval_s)
            now = time.monotonic()
            if now - self._asked > self.active_s or self._backend is None:
                return
            if now - self._traffic >= self.interval_s:
                self._traffic = now
                self.warmed += 1
                await self._backend.warm()
