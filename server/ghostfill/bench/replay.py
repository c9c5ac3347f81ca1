"""Keystroke replay: type real files through the real server against a fake streaming backend.

For each chosen file, a few regions of consecutive lines are removed and typed back one
keystroke at a time, from the end of the line above: Enter (the line break plus the next
line's indentation, as an editor's auto-indent inserts it), a pause, the line's characters,
and so on. Each keystroke sends `didChange` and a completion request like
VS Code: `textDocument/inlineCompletion` for ghostfill, `textDocument/completion` for
tabby-agent (which has no inline completion), and `$/cancelRequest` for the previous request
when it is still pending. The fake backend is an oracle: its reply is the file's true text
after the cursor, found by locating the prompt's prefix in the file, streamed at `--ttft-ms`
and `--tokens-per-s` (ghostfill: an OpenAI-style `/v1/completions` FIM stream; tabby-agent: a
fake Tabby server, whose completion endpoint answers whole).

Printed per configuration: time to ghost text (keystroke → non-empty item, counted when it
arrives before the next keystroke) p50/p90/p99, its ratio to the backend's first-line time
(ttft + the first line's tokens at tokens/s), the same for answers that needed a new backend
request, backend calls per keystroke, cache hit rate (shown without a new backend request),
bytes sent to the backend, and how often the shown text agrees with the file.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import os
import shlex
import statistics
import sys
import tempfile
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from lsprotocol import types

from ghostfill.bench import replay_real, replay_responses
from ghostfill.bench.driver import ServerUnderTest
from ghostfill.bench.figures import HEADER, LEGEND, Figures, figures, merge, row
from ghostfill.bench.keystrokes import Client, Recording, Run, replay, workspace_copy
from ghostfill.bench.oracle import Oracle
from ghostfill.bench.peers import run_tabby
from ghostfill.bench.typing_plan import Region, plan
from ghostfill.fakes.openai import FakeProvider

SERVE_FLAGS = tuple(os.environ.get("GHOSTFILL_BENCH_SERVE_FLAGS", "").split())
"""Extra `ghostfill serve` flags for every run (e.g. `--log-level debug --log-file F`)."""


def serve_command() -> list[str]:
    """The server under test: this checkout in-process, or `GHOSTFILL_BENCH_SERVE` (a
    command line, e.g. another checkout's `env PYTHONPATH=../old/server python -m ghostfill
    serve`) to measure a before and an after in the same run of the harness."""
    other = os.environ.get("GHOSTFILL_BENCH_SERVE")
    if other:
        return shlex.split(other)
    return [sys.executable, "-m", "ghostfill", "serve", "--no-daemon"]


MODEL = "qwen2.5-coder-fake"
"""A FIM model name: ghostfill sends `/v1/completions` with Qwen's FIM prompt."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", type=Path, help="a source file or a folder to pick files from")
    parser.add_argument("--ttft-ms", type=float, default=150.0, help="backend time to first token")
    parser.add_argument("--tokens-per-s", type=float, default=1000.0, help="backend speed")
    parser.add_argument("--files", type=int, default=3, help="files to pick from PATH")
    parser.add_argument("--regions", type=int, default=2, help="regions typed per file")
    parser.add_argument("--region-lines", type=int, default=3, help="lines per region")
    parser.add_argument(
        "--keystroke-ms",
        type=float,
        default=150.0,
        help="median time between keystrokes (log-normal, sigma 0.5: 10%% are under 0.53x)",
    )
    parser.add_argument(
        "--pause-ms", type=float, default=600.0, help="pause after each Enter (reading)"
    )
    parser.add_argument(
        "--jitter", type=float, default=0.5, help="sigma of the log-normal key gaps (0: fixed)"
    )
    parser.add_argument(
        "--keystrokes", type=int, default=0, help="stop after N keystrokes in all (0: no limit)"
    )
    parser.add_argument(
        "--lookahead",
        type=int,
        nargs="+",
        default=None,
        metavar="LINES",
        help="ghostfill completion.lookaheadLines values to run (default: the setting's default)",
    )
    parser.add_argument(
        "--debounce-ms",
        type=int,
        nargs="+",
        default=None,
        metavar="MS",
        help="ghostfill completion.debounceMs values to run (default: the setting's default)",
    )
    parser.add_argument(
        "--peer",
        choices=["tabby"],
        action="append",
        default=[],
        help="also replay against a peer (installed on demand into ~/.cache/ghostfill/peers)",
    )
    parser.add_argument(
        "--tabby-debounce",
        nargs="+",
        default=["adaptive", "0"],
        metavar="MODE",
        help="tabby-agent debounce runs: `adaptive` (its default) and/or fixed intervals in ms",
    )
    parser.add_argument(
        "--wrong",
        type=float,
        default=0.0,
        metavar="RATE",
        help="share of replies that go wrong somewhere in their first line (0: a perfect oracle)",
    )
    replay_responses.add_arguments(parser)
    replay_real.add_arguments(parser)
    parser.add_argument("--no-ghostfill", action="store_true", help="run only the peers")
    parser.add_argument("--repeat", type=int, default=1, help="run every configuration N times")
    parser.add_argument("--seed", type=int, default=7)


async def run_ghostfill(
    regions: list[Region],
    args: Any,
    debounce: int | None,
    lookahead: int | None = None,
    transport: str = "",
) -> Run:
    oracle = Oracle(args.wrong, args.seed)
    label = "ghostfill" + (f", debounce {debounce} ms" if debounce is not None else ", default")
    if lookahead is not None:
        label += f", lookahead {lookahead}"
    label += f", responses/{transport}" if transport else ""
    run = Run(label)
    reply = Recording(
        replay_responses.chat_reply(oracle.continuation) if transport else oracle.fim_reply
    )
    provider = (
        replay_responses.fake(args, reply)
        if transport
        else FakeProvider(
            reply, ttft_ms=args.ttft_ms, tokens_per_s=args.tokens_per_s, models=(MODEL,)
        )
    )
    with tempfile.TemporaryDirectory() as tmp, provider as fake:
        root = Path(tmp)
        local = workspace_copy(regions, root)
        backend = {"provider": "openai-compatible", "baseUrl": fake.base_url, "model": MODEL}
        if transport:
            backend = replay_responses.backend(provider, transport)
        options: dict[str, Any] = {"backend": backend, "offline": {"enable": False}}
        completion: dict[str, Any] = {}
        if debounce is not None:
            completion["debounceMs"] = debounce
        if lookahead is not None:
            completion["lookaheadLines"] = lookahead
        if completion:
            options["completion"] = completion
        server = ServerUnderTest([*serve_command(), *SERVE_FLAGS])
        await server.start(options, root)
        run.startup_ms = server.startup_ms
        try:
            client = Client(server, types.TEXT_DOCUMENT_INLINE_COMPLETION)
            await replay(client, local, oracle, run, args.idle_s)
            run.rss_mb = server.rss()
        finally:
            await server.stop()
        run.connections = fake.accepted
        run.notifications = server.statuses + len(server.ready)
        run.transport = replay_responses.connections(provider) if transport else ""
        run.calls = [reply.call(r.body, r.size) for r in fake.completion_requests()]
    return run


async def measure(args: Any) -> int:
    regions = plan(args)
    if not regions:
        print(f"no files with typeable regions under {args.path}", file=sys.stderr)
        return 2
    keys = sum(len(r.keys) for r in regions)
    files = len({r.path for r in regions})
    backend = (
        f"backend {args.backend} at {args.base_url or 'its default URL'}"
        if args.backend
        else f"backend ttft {args.ttft_ms:.0f} ms, {args.tokens_per_s:.0f} tokens/s, "
        f"{args.wrong:.0%} of replies wrong"
    )
    print(
        f"replay: {files} files, {len(regions)} regions, {keys} keystrokes; {backend}; "
        f"typing {args.keystroke_ms:.0f} ms/key (median), {args.pause_ms:.0f} ms pause after Enter; "
        f"load {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    if args.backend:
        return await replay_real.measure(regions, args, [*serve_command(), *SERVE_FLAGS])
    configs: list[Callable[[], Coroutine[Any, Any, Run]]] = []
    if not args.no_ghostfill:
        for d in args.debounce_ms or [None]:
            for ahead in args.lookahead or [None]:
                for transport in args.transport or [""]:
                    configs.append(
                        functools.partial(run_ghostfill, regions, args, d, ahead, transport)
                    )
    if "tabby" in args.peer:
        for mode in args.tabby_debounce:
            configs.append(functools.partial(run_tabby, regions, args, mode))
    results: dict[int, list[Figures]] = {}
    for rep in range(max(args.repeat, 1)):
        for i, make in enumerate(configs):
            run = await make()
            fig = figures(run, args.ttft_ms, args.tokens_per_s)
            results.setdefault(i, []).append(fig)
            if args.repeat > 1:
                print(f"  run {rep + 1}: {row(fig)}", flush=True)
    merged = [merge(results[i]) for i in sorted(results)]
    print(HEADER)
    for f in merged:
        print(row(f))
    if args.transport:
        print(replay_responses.IDLE_HEADER)
        for f in merged:
            print(replay_responses.idle_row(f.label, f.idle_ms, f.transport))
    first = statistics.fmean(f.first_line_ms for f in merged)
    print(LEGEND.format(first=first))
    return 0


def run(args: argparse.Namespace) -> int:
    return asyncio.run(measure(args))
