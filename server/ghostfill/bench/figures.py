"""Figures of a replay run: time to ghost text, misses against the backend's first-line time,
backend calls, cache hits, bytes sent, agreement with the file."""

from __future__ import annotations

import bisect
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

from ghostfill.bench.driver import percentile
from ghostfill.bench.keystrokes import Run
from ghostfill.bench.oracle import first_line_ms


@dataclass
class Figures:
    label: str
    keystrokes: int
    shown: int
    ghost_ms: list[float]
    fresh_ms: list[float]
    fresh_ratio: list[float]
    first_line_ms: float
    calls: int
    cache_hits: int
    bytes_sent: int
    agree: int
    hit_ms: list[float] = field(default_factory=list)
    """Time to ghost text of the keystrokes answered without a new backend request."""
    idle_ms: list[float] = field(default_factory=list)
    """Time to ghost text of each region's first keystroke, after its quiet time."""
    transport: list[str] = field(default_factory=list)


def figures(run: Run, ttft_ms: float, tokens_per_s: float) -> Figures:
    began = min((s.at for s in run.sent), default=0.0)
    calls = sorted((c for c in run.calls if c.at >= began), key=lambda c: c.at)
    times = [c.at for c in calls]
    ghost: list[float] = []
    fresh: list[float] = []
    ratio: list[float] = []
    hit: list[float] = []
    idle: list[float] = []
    hits = agree = 0
    for sent in run.sent:
        if sent.answered_at is None or not sent.text.strip() or sent.answered_at > sent.next_at:
            continue
        ms = (sent.answered_at - sent.at) * 1000
        ghost.append(ms)
        if sent.idle:
            idle.append(ms)
        lo = bisect.bisect_left(times, sent.at)
        # A call made for this keystroke answers no sooner than the backend's first token; a
        # call in the window that started later (a prefetch after a cache hit) did not serve it.
        hi = bisect.bisect_right(times, sent.answered_at - ttft_ms / 1000 * 0.9)
        if hi > lo:
            fresh.append(ms)
            ratio.append(ms / first_line_ms(calls[hi - 1].reply, ttft_ms, tokens_per_s))
        else:
            hits += 1
            hit.append(ms)
        if run.truth.get(id(sent), "").startswith(sent.text.rstrip()):
            agree += 1
    replies = [c.reply for c in calls if c.reply.strip()]
    mean_first = (
        statistics.fmean(first_line_ms(r, ttft_ms, tokens_per_s) for r in replies)
        if replies
        else ttft_ms
    )
    return Figures(
        run.label,
        len(run.sent),
        len(ghost),
        ghost,
        fresh,
        ratio,
        mean_first,
        len(calls),
        hits,
        sum(c.size for c in calls),
        agree,
        hit,
        idle,
        [run.transport] if run.transport else [],
    )


def merge(parts: Sequence[Figures]) -> Figures:
    first = parts[0]
    return Figures(
        first.label,
        sum(p.keystrokes for p in parts),
        sum(p.shown for p in parts),
        [m for p in parts for m in p.ghost_ms],
        [m for p in parts for m in p.fresh_ms],
        [r for p in parts for r in p.fresh_ratio],
        statistics.fmean(p.first_line_ms for p in parts),
        sum(p.calls for p in parts),
        sum(p.cache_hits for p in parts),
        sum(p.bytes_sent for p in parts),
        sum(p.agree for p in parts),
        [m for p in parts for m in p.hit_ms],
        [m for p in parts for m in p.idle_ms],
        [t for p in parts for t in p.transport],
    )


HEADER = (
    f"{'configuration':<34} {'keys':>5} {'shown':>6} {'p50':>7} {'p90':>7} {'p99':>7} "
    f"{'x1st p50':>8} {'fresh p50':>9} {'x1st':>5} {'calls/key':>9} {'cache':>6} "
    f"{'KB/key':>7} {'agree':>6}"
)


def row(f: Figures) -> str:
    def pct(v: float) -> str:
        return f"{v:.0f}" if not math.isnan(v) else "-"

    p50 = percentile(f.ghost_ms, 0.5)
    fresh_ratio = percentile(f.fresh_ratio, 0.5)
    return (
        f"{f.label:<34} {f.keystrokes:>5} {f.shown / max(f.keystrokes, 1):>6.0%} "
        f"{pct(p50):>7} {pct(percentile(f.ghost_ms, 0.9)):>7} "
        f"{pct(percentile(f.ghost_ms, 0.99)):>7} "
        f"{p50 / f.first_line_ms if f.ghost_ms else float('nan'):>8.2f} "
        f"{pct(percentile(f.fresh_ms, 0.5)):>9} "
        f"{fresh_ratio:>5.2f} {f.calls / max(f.keystrokes, 1):>9.3f} "
        f"{f.cache_hits / max(f.shown, 1):>6.0%} "
        f"{f.bytes_sent / 1024 / max(f.keystrokes, 1):>7.2f} {f.agree / max(f.shown, 1):>6.0%}"
    )


LEGEND = """\
keys: keystrokes typed; shown: keystrokes that got non-empty ghost text before the next one;
p50/p90/p99: ms from keystroke to that ghost text; x1st p50: p50 / the backend's mean
first-line time (ttft + first line's tokens / tokens-per-s, {first:.0f} ms here); fresh p50 / x1st:
the same for answers that needed a new backend request (per-request ratio, median);
calls/key: backend requests per keystroke; cache: shown without a new backend request;
KB/key: request bytes sent to the backend per keystroke; agree: shown first line matches the file."""
