"""Debounce only when it pays: wait only while the user is typing faster than `debounceMs`.

A slow typist's request starts at once; during a burst each request waits `debounceMs` and
gives up if a newer one for the same document arrived meanwhile. Cache hits never get here.
"""

from __future__ import annotations

import asyncio
import time


class Debouncer:
    def __init__(self) -> None:
        self._last: dict[str, float] = {}
        self._generation: dict[str, int] = {}

    def arrive(self, uri: str) -> tuple[int, float]:
        """Register a request; returns its generation and the time since the previous one (s)."""
        now = time.perf_counter()
        gap = now - self._last.get(uri, 0.0)
        self._last[uri] = now
        gen = self._generation.get(uri, 0) + 1
        self._generation[uri] = gen
        return gen, gap

    def current(self, uri: str, generation: int) -> bool:
        return self._generation.get(uri) == generation

    async def settle(self, uri: str, generation: int, gap_s: float, debounce_ms: int) -> bool:
        """False when a newer request superseded this one while it waited."""
        if debounce_ms <= 0 or gap_s * 1000 >= debounce_ms:
            return True
        await asyncio.sleep(debounce_ms / 1000)
        return self.current(uri, generation)

    def forget(self, uri: str) -> None:
        self._last.pop(uri, None)
        self._generation.pop(uri, None)
