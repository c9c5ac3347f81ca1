"""Per-stage timings of one request, for the debug log and `ghostfill bench overhead --stages`.

A request is broken into: lookup (probe the document and the cache), context (gather),
prompt (render and prepare), connect (from sending the HTTP request to its response
headers: a new connection's TCP and TLS set-up shows here), ttft (response headers to the
first token), first line (first token to the answer), filters (time spent in the stream
filters, not waiting on the backend), prepare (the filters' work done while the provider
thinks, off the request path: `waiting.py`), gc (cycle collections while the request ran, part of
the other stages' time), and own: the request's total less the time it was
blocked on the provider (the response headers, then every read of the body until the answer),
which is the server's own work on the request path whatever the provider's speed. The LSP
write is what a client's round trip adds to the server's total. Each request logs one line at
debug level:

    stages backend: lookup 0.04 context 1.10 prompt 0.21 connect 0.80 ttft 100.3 ...

Times are in milliseconds. `connect` is recorded by the HTTP transport through a context
variable that the pipeline sets for the stream's task, so the transport needs no reference
to the request.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field

STAGES = (
    "lookup",
    "context",
    "prompt",
    "connect",
    "ttft",
    "first_line",
    "filters",
    "prepare",
    "gc",
    "own",
)
LOG_PREFIX = "stages "


@dataclass
class Timings:
    """Marks of one request, in `time.perf_counter()` seconds."""

    started: float = field(default_factory=time.perf_counter)
    ms: dict[str, float] = field(default_factory=dict)
    _mark: float = 0.0
    sent_at: float | None = None
    headers_at: float | None = None
    first_token_at: float | None = None
    waits: dict[str, float] = field(default_factory=dict)
    """Seconds spent waiting on the "backend" stream and on the "filtered" one above it."""
    network_s: float = 0.0
    """Seconds spent waiting for the response body's bytes (recorded by the transport)."""
    _settled: set[str] = field(default_factory=set)
    gc_clock: Callable[[], float] | None = None
    """Seconds the process has spent in cycle collections so far (None: not counted)."""
    _gc_at_start: float = 0.0

    def __post_init__(self) -> None:
        self._mark = self.started
        if self.gc_clock is not None:
            self._gc_at_start = self.gc_clock()

    def lap(self, stage: str) -> None:
        """`stage` took the time since the previous lap."""
        now = time.perf_counter()
        self.ms[stage] = self.ms.get(stage, 0.0) + (now - self._mark) * 1000
        self._mark = now

    def add(self, stage: str, ms: float) -> None:
        self.ms[stage] = self.ms.get(stage, 0.0) + ms

    def answered(self) -> None:
        """The request's answer is ready: the network stages are settled from the marks."""
        now = time.perf_counter()
        if self.sent_at is not None and self.headers_at is not None:
            self.ms["connect"] = (self.headers_at - self.sent_at) * 1000
            if self.first_token_at is not None:
                self.ms["ttft"] = (self.first_token_at - self.headers_at) * 1000
        if self.first_token_at is not None:
            self.ms["first_line"] = (now - self.first_token_at) * 1000
        self.ms["total"] = (now - self.started) * 1000
        if self.gc_clock is not None:
            self.ms["gc"] = (self.gc_clock() - self._gc_at_start) * 1000
        if self.sent_at is not None:
            blocked = self.network_s + ((self.headers_at or now) - self.sent_at)
            self.ms["own"] = max(self.ms["total"] - blocked * 1000, 0.0)

    def settle(self, part: str) -> bool:
        """Mark `part` ("answer" or "stream") done; True once both are, when the line is whole."""
        self._settled.add(part)
        return self._settled >= {"answer", "stream"}

    def streamed(self) -> None:
        """The stream ended: the filters' own time is known."""
        if "filtered" in self.waits:
            own = self.waits["filtered"] - self.waits.get("backend", 0.0)
            self.ms["filters"] = max(own, 0.0) * 1000

    def line(self, source: str) -> str:
        parts = [f"{name} {self.ms[name]:.2f}" for name in (*STAGES, "total") if name in self.ms]
        return f"{LOG_PREFIX}{source}: " + " ".join(parts)


CURRENT: ContextVar[Timings | None] = ContextVar("ghostfill_request_timings", default=None)
"""The timings of the request whose stream runs in the current task (set by the pipeline)."""


def request_sent() -> None:
    """Called by the transport as it sends a request."""
    timings = CURRENT.get()
    if timings is not None and timings.sent_at is None:
        timings.sent_at = time.perf_counter()


def headers_received() -> None:
    """Called by the transport when the response headers arrived."""
    timings = CURRENT.get()
    if timings is not None and timings.headers_at is None:
        timings.headers_at = time.perf_counter()


def body_wait(seconds: float) -> None:
    """Called by the transport after waiting `seconds` for the next bytes of a body."""
    timings = CURRENT.get()
    if timings is not None:
        timings.network_s += seconds


async def measured(source: AsyncIterator[str], timings: Timings, key: str) -> AsyncIterator[str]:
    """Pass `source` through, adding the time spent waiting for each item to
    `timings.waits[key]` (for "backend" the first item also marks the first token)."""
    iterator = aiter(source)
    while True:
        began = time.perf_counter()
        try:
            item = await anext(iterator)
        except StopAsyncIteration:
            timings.waits[key] = timings.waits.get(key, 0.0) + time.perf_counter() - began
            return
        now = time.perf_counter()
        timings.waits[key] = timings.waits.get(key, 0.0) + now - began
        if key == "backend" and timings.first_token_at is None:
            timings.first_token_at = now
        yield item
