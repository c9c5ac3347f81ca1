"""What a stats event costs on the request path, next to a floor measured in the same run.

The request path only builds the event and enqueues it (`Feedback.served` / `shown` /
`accepted`, item id included); SQLite runs on the writer thread. Prints the per-event cost
(p50/p99, in microseconds) of each call and of the floor (building the same tuple and
appending it to a list), then how long the writer took to commit them all. Writes to a
temporary database, never to your stats.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from ghostfill.feedback.events import ItemInfo
from ghostfill.feedback.recorder import Feedback
from ghostfill.feedback.spend import SpendGuard
from ghostfill.feedback.store import StatsStore

INFO = ItemInfo("cerebras", "gpt-oss-120b", "python", "backend", 42, 8)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--events", type=int, default=20000, help="events per kind")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)]


def _line(name: str, samples: list[float]) -> str:
    return (
        f"  {name:<34} p50 {_percentile(samples, 0.5):6.2f} us   "
        f"p99 {_percentile(samples, 0.99):6.2f} us   mean {sum(samples) / len(samples):6.2f} us"
    )


def run(args: argparse.Namespace) -> int:
    n = max(int(args.events), 100)
    with tempfile.TemporaryDirectory(prefix="ghostfill-bench-stats-") as tmp:
        store = StatsStore(Path(tmp) / "stats.db")
        feedback = Feedback(store, SpendGuard())
        clock = time.perf_counter_ns
        floor: list[float] = []
        sink: list[tuple[object, ...]] = []
        served: list[float] = []
        shown: list[float] = []
        accepted: list[float] = []
        for i in range(n):
            t0 = clock()
            sink.append((time.time(), "served", "session", str(i), INFO, 1.5, 42))
            t1 = clock()
            item = feedback.item("file:///ws/app.py", i, f"    return value_{i}")
            feedback.served(item, INFO, 1.5)
            t2 = clock()
            feedback.shown(item)
            t3 = clock()
            feedback.accepted(item)
            t4 = clock()
            floor.append((t1 - t0) / 1000)
            served.append((t2 - t1) / 1000)
            shown.append((t3 - t2) / 1000)
            accepted.append((t4 - t3) / 1000)
        drain = time.perf_counter()
        store.close(60.0)
        drained = time.perf_counter() - drain
        written = store.written
    p50 = _percentile(served, 0.5)
    print(f"ghostfill bench stats: {n} suggestions, {3 * n} events")
    print(_line("floor (build a tuple, list.append)", floor))
    print(_line("served (item id + event + enqueue)", served))
    print(_line("shown (event + enqueue)", shown))
    print(_line("accepted (event + enqueue)", accepted))
    print(
        f"  served p50 is {p50 / max(_percentile(floor, 0.5), 1e-9):.0f}x the floor; "
        f"budget 100 us per event: {'met' if _percentile(served, 0.99) < 100 else 'MISSED'} at p99"
    )
    print(
        f"  writer thread: {written} rows committed in {drained * 1000:.0f} ms after the "
        f"last event ({written / max(drained, 1e-9):,.0f} rows/s while draining)"
    )
    return 0
