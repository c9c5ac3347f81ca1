"""Side by side: the same typing replay, the same fakes, one run, through ghostfill and its peers.

300 keystrokes of real Python (the standard library unless PATH is given) typed at a fixed
200 ms per key, Enter plus the editor's auto-indent as one key, each pending request
cancelled at the next key; an oracle backend with TTFT 100 ms and 1000 tokens/s that always
answers the true continuation. Peers (installed on demand from npm into
~/.cache/ghostfill/peers): tabby-agent 1.5.0 (adaptive debounce and debounce 0) and GitHub
Copilot's language server 1.539.0 (its default 200 ms delay and delay 0). A bare standard
library JSON-RPC echo server, timed in the same run with the same client and at the same
rhythm (one didChange + request per keystroke interval: a process woken from idle answers
slower than one kept busy back to back), is the floor for a cached keystroke; its
back-to-back figure is printed too.

Printed: one table with backend calls per keystroke, keystrokes with ghost text before the
next key (in time), on a backend miss the median time to ghost text over TTFT + the first
line's generation (miss ratio), cached keystroke latency (p50 of keystrokes answered without
a backend request), RSS at the end, startup (spawn to initialize result), and each figure's
ratio to ghostfill's.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import sys
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ghostfill.bench.driver import ServerUnderTest, percentile, tree_rss_mb
from ghostfill.bench.figures import Figures, figures
from ghostfill.bench.keystrokes import Run
from ghostfill.bench.peers import PeerMissing, run_tabby
from ghostfill.bench.replay import add_arguments as add_replay_arguments
from ghostfill.bench.replay import run_ghostfill
from ghostfill.bench.typing_plan import plan

PEERS = ("tabby", "copilot")
ECHO_REQUESTS = 100


def add_arguments(parser: argparse.ArgumentParser) -> None:
    default = Path(os.__file__).resolve().parent
    parser.add_argument(
        "path",
        type=Path,
        nargs="?",
        default=default,
        help="Python to type (default: this Python's standard library, the same in every run)",
    )
    parser.add_argument("--keystrokes", type=int, default=300)
    parser.add_argument("--keystroke-ms", type=float, default=200.0)
    parser.add_argument("--ttft-ms", type=float, default=100.0)
    parser.add_argument("--tokens-per-s", type=float, default=1000.0)
    parser.add_argument(
        "--peer",
        choices=PEERS,
        action="append",
        default=None,
        help="peers to run (default: all); each is installed on first use",
    )
    parser.add_argument("--no-peers", action="store_true", help="ghostfill and the echo only")
    parser.add_argument("--seed", type=int, default=7)


@dataclass
class Result:
    label: str
    run: Run | None
    fig: Figures | None
    error: str = ""


def replay_args(args: argparse.Namespace) -> argparse.Namespace:
    """The replay's own arguments (its defaults) with the comparison's fixed plan."""
    parser = argparse.ArgumentParser()
    add_replay_arguments(parser)
    rargs = parser.parse_args([str(args.path)])
    for name, value in {
        "files": 2,
        "regions": 2,
        "region_lines": 5,
        "keystrokes": args.keystrokes,
        "keystroke_ms": args.keystroke_ms,
        "pause_ms": args.keystroke_ms,
        "jitter": 0.0,
        "ttft_ms": args.ttft_ms,
        "tokens_per_s": args.tokens_per_s,
        "wrong": 0.0,
        "seed": args.seed,
    }.items():
        setattr(rargs, name, value)
    return rargs


@dataclass
class Echo:
    paced: list[float]
    """Round trips one keystroke interval apart, as the replay types (ms)."""
    back_to_back: list[float]
    rss: float
    startup_ms: float


async def echo_floor(pace_s: float, n: int = ECHO_REQUESTS) -> Echo:
    """Round trips of didChange + inline request against the bare echo server, timed with the
    same client the replay uses: `n` one `pace_s` apart, then `n` back to back."""
    server = ServerUnderTest([sys.executable, "-m", "ghostfill.bench.echo"])
    await server.start({})
    uri = "file:///echo.py"
    server.open(uri, "x = 1\n", "python")
    runs: tuple[list[float], list[float]] = ([], [])
    version = 1
    for times, pause in zip(runs, (pace_s, 0.0), strict=True):
        for _ in range(n):
            if pause:
                await asyncio.sleep(pause)
            version += 1
            server.insert(uri, version, 0, 0, " ")
            started = time.perf_counter()
            await server.inline(uri, 0, 1)
            times.append((time.perf_counter() - started) * 1000)
    rss = tree_rss_mb(server.pid)
    await server.stop()
    return Echo(runs[0], runs[1], rss, server.startup_ms)


def _p50(values: list[float]) -> float:
    return percentile(values, 0.5) if values else math.nan


def _ratio(value: float, base: float) -> str:
    if math.isnan(value) or math.isnan(base) or base == 0:
        return "-"
    return f"{value / base:.2f}x"


def table(results: list[Result], floor: Echo) -> str:
    head = (
        f"{'':<36} {'calls/key':>9} {'in time':>8} {'miss':>6} {'cached':>8} "
        f"{'RSS MB':>7} {'startup':>8}"
    )
    lines = [head]
    base = next((r for r in results if r.fig is not None and r.label.startswith("ghostfill")), None)

    def cells(r: Result) -> tuple[float, float, float, float, float, float]:
        assert r.fig is not None and r.run is not None
        f = r.fig
        keys = max(f.keystrokes, 1)
        return (
            f.calls / keys,
            f.shown / keys,
            _p50(f.fresh_ratio),
            _p50(f.hit_ms),
            r.run.rss_mb,
            r.run.startup_ms,
        )

    for r in results:
        if r.fig is None:
            lines.append(f"{r.label:<36} not run: {r.error}")
            continue
        c = cells(r)
        lines.append(
            f"{r.label:<36} {c[0]:>9.3f} {c[1]:>8.1%} {c[2]:>5.2f}x {c[3]:>6.2f}ms "
            f"{c[4]:>7.0f} {c[5]:>6.0f}ms"
        )
        if base is not None and r is not base:
            b = cells(base)
            lines.append(
                f"{'  vs ghostfill':<36} {_ratio(c[0], b[0]):>9} {_ratio(c[1], b[1]):>8} "
                f"{_ratio(c[2], b[2]):>6} {_ratio(c[3], b[3]):>8} {_ratio(c[4], b[4]):>7} "
                f"{_ratio(c[5], b[5]):>8}"
            )
    echo, busy = _p50(floor.paced), _p50(floor.back_to_back)
    lines.append(
        f"{'bare JSON-RPC echo (stdlib)':<36} {'':>9} {'':>8} {'':>6} {echo:>6.2f}ms "
        f"{floor.rss:>7.0f} {floor.startup_ms:>6.0f}ms"
    )
    lines.append(f"{'  back to back':<36} {'':>9} {'':>8} {'':>6} {busy:>6.2f}ms")
    if base is not None and base.fig is not None and base.run is not None:
        cached = _p50(base.fig.hit_ms)
        lines.append(
            f"ghostfill cached keystroke / echo: {_ratio(cached, echo)} "
            f"(/ back-to-back echo: {_ratio(cached, busy)})"
        )
        calls = max(len(base.run.calls), 1)
        lines.append(
            f"ghostfill: {base.run.connections} connections to the backend for "
            f"{len(base.run.calls)} requests (and the warm-up); "
            f"{base.run.notifications / calls:.1f} ghostfill/* notifications per backend request"
        )
    return "\n".join(lines)


async def measure(args: argparse.Namespace) -> int:
    rargs = replay_args(args)
    regions = plan(rargs)
    keys = sum(len(r.keys) for r in regions)
    print(
        f"compare: {keys} keystrokes of {args.path.name} at {args.keystroke_ms:.0f} ms per key; "
        f"backend ttft {args.ttft_ms:.0f} ms, {args.tokens_per_s:.0f} tokens/s, oracle; "
        f"load {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    runs: list[tuple[str, Callable[[], Coroutine[Any, Any, Run]]]] = [
        ("ghostfill", lambda: run_ghostfill(regions, rargs, None))
    ]
    peers = [] if args.no_peers else args.peer or list(PEERS)
    if "tabby" in peers:
        runs.append(("tabby-agent 1.5.0, adaptive", lambda: run_tabby(regions, rargs, "adaptive")))
        runs.append(("tabby-agent 1.5.0, debounce 0", lambda: run_tabby(regions, rargs, "0")))
    if "copilot" in peers:
        from ghostfill.bench.copilot import run_copilot

        runs.append(("Copilot LS 1.539.0, default", lambda: run_copilot(regions, rargs, None)))
        runs.append(("Copilot LS 1.539.0, delay 0", lambda: run_copilot(regions, rargs, 0)))
    results: list[Result] = []
    for label, make in runs:
        try:
            run = await make()
        except (PeerMissing, OSError, RuntimeError, TimeoutError) as exc:
            results.append(Result(label, None, None, str(exc) or type(exc).__name__))
            print(f"{label}: not run ({exc})", file=sys.stderr, flush=True)
            continue
        run.label = label
        results.append(Result(label, run, figures(run, args.ttft_ms, args.tokens_per_s)))
        print(f"{label}: done", file=sys.stderr, flush=True)
    floor = await echo_floor(args.keystroke_ms / 1000)
    print(table(results, floor))
    print(
        "calls/key: backend requests per keystroke; in time: keystrokes with ghost text "
        "before the next key; miss: median time to ghost text / (TTFT + first line's "
        "generation) over keystrokes that needed a backend request; cached: p50 time to ghost "
        "text of the others; RSS at the end; startup: spawn to initialize result."
    )
    return 0


def run(args: argparse.Namespace) -> int:
    return asyncio.run(measure(args))
