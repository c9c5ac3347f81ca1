"""Server overhead per request: the real server over stdio, an instant fake backend, a 5,000-line file.

Prints spawn→initialize time, the first fresh request a second after the file was opened
(what a process pays the first time shows there), request latency for fresh requests (backend
asked) and cache hits, the fake backend's own share, the server's CPU time per keystroke
(user + system, from /proc: the figure a loaded or drifting machine moves least), and its RSS
after the run. With `--stages` the server runs with its debug log in a file, and each request's stage timings (lookup, context,
prompt, connect, TTFT, first line, filters) are read back from it; "write" is what the
client's round trip adds to the server's own total (JSON-RPC encoding, the pipe, the client).
The first fresh request's stages are printed on their own line, apart from the statistics.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import httpx

from ghostfill.bench.compare import echo_floor
from ghostfill.bench.driver import ServerUnderTest, cpu_ms, percentile, rss_mb, summary
from ghostfill.bench.replay import serve_command
from ghostfill.fakes.openai import FakeProvider
from ghostfill.lifecycle.timings import LOG_PREFIX, STAGES


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lines", type=int, default=5000, help="size of the generated Python file")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--ttft-ms",
        type=float,
        default=0.0,
        help="the fake's time to the first token (0: instant); with one, the work done while "
        "the provider thinks leaves the request path",
    )
    parser.add_argument(
        "--keys-per-place",
        type=int,
        default=1,
        metavar="K",
        help="type K keystrokes at each place before moving to another random line (1: every "
        "fresh request at a new place, the worst case; an editor asks where the user types, "
        "and there the context of the scope is reused)",
    )
    parser.add_argument(
        "--editor-wait-ms",
        type=float,
        default=0.0,
        metavar="MS",
        help="wait MS between sending each edit and asking, as editors do (their debounce: "
        "VS Code ~50 ms, Neovim 200 ms); 0: ask at once, the worst case",
    )
    parser.add_argument(
        "--stages", action="store_true", help="break each request into stages (debug log)"
    )
    parser.add_argument(
        "--index-files",
        type=int,
        default=0,
        metavar="N",
        help="put N standard library modules in the workspace: requests start while they are "
        "indexed, and are reported apart from those after indexing ended",
    )
    parser.add_argument(
        "--offline", action="store_true", help="keep the offline engine on (it learns too)"
    )
    parser.add_argument(
        "--next-edit",
        choices=["off", "rules", "model"],
        default="off",
        help="also ask textDocument/copilotInlineEdit after every change, as an editor showing "
        "next edits does, alongside the completion request (rules: offline; model: the fake "
        "backend is asked too)",
    )


def big_python_file(lines: int) -> str:
    """Real code: standard library modules concatenated until `lines` lines."""
    stdlib = Path(os.__file__).parent
    out: list[str] = []
    for path in sorted(stdlib.glob("*.py")):
        try:
            out += path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            continue
        if len(out) >= lines:
            break
    return "\n".join(out[:lines]) + "\n"


FIRST_AFTER_S = 1.0
"""The pause between opening the file and the first request (before the others)."""


REPLY = "value = compute(x)"
"""What the fake answers every request."""
MODEL = "fake-coder"

WARM_FLOOR = 5
"""Requests of the floor's client before it is timed (its connection and first-use costs)."""


async def backend_time(fake: FakeProvider, client: httpx.AsyncClient) -> float:
    """What the fake costs any HTTP client: one full streamed request from this process (ms).
    Timed after every request pair, on a warm connection, so that the floor meets the same
    machine as the server's requests (a floor timed once, after the run, moved by ±0.3 ms
    from run to run here)."""
    body = {"model": MODEL, "stream": True, "messages": [{"role": "user", "content": "x"}]}
    started = time.perf_counter()
    async with client.stream("POST", f"{fake.base_url}/chat/completions", json=body) as response:
        async for _ in response.aiter_lines():
            pass
    return (time.perf_counter() - started) * 1000


async def measure(args: argparse.Namespace) -> int:
    rng = random.Random(args.seed)
    text = big_python_file(args.lines)
    lines = text.split("\n")
    with (
        tempfile.TemporaryDirectory() as tmp,
        FakeProvider(REPLY, ttft_ms=args.ttft_ms) as fake,
    ):
        root = Path(tmp)
        path = root / "big.py"
        path.write_text(text, encoding="utf-8")
        log_file = root / "server.log"
        logged = args.stages or args.index_files > 0
        flags = ["--log-level", "debug", "--log-file", str(log_file)] if logged else []
        if args.index_files:
            stdlib_copies(root / "lib", args.index_files)
        server = ServerUnderTest([*serve_command(), *flags])
        options = {
            "backend": {
                "provider": "openai-compatible",
                "baseUrl": fake.base_url,
                "model": MODEL,
            },
            "completion": {"debounceMs": 0},
            "offline": {"enable": bool(args.offline)},
            "nextEdit": {
                "enable": args.next_edit != "off",
                "useBackend": args.next_edit == "model",
            },
        }
        await server.start(options, root)
        uri = path.as_uri()
        server.open(uri, text, "python")
        first = float("nan")
        if not args.index_files:  # (with them, the first requests are meant to meet indexing)
            server.warm_client()
            await asyncio.sleep(FIRST_AFTER_S)  # the user reads the file they opened
            row = rng.randrange(len(lines) - 1)
            started = asyncio.get_running_loop().time()
            await server.inline(uri, row, len(lines[row]))
            first = (asyncio.get_running_loop().time() - started) * 1000
        floor = httpx.AsyncClient()
        for _ in range(WARM_FLOOR):
            await backend_time(fake, floor)
        cpu = cpu_ms(server.pid)
        asked = await ask(server, uri, lines, rng, args, fake, floor)
        cpu = (cpu_ms(server.pid) - cpu) / args.requests
        rss = rss_mb(server.pid)
        await server.stop()
        relay = await relay_floor(uri, text, args, fake, floor)
        await floor.aclose()
        logged_stages = stage_lines(log_file) if args.stages else []
        indexed_at = indexing_end(log_file) if args.index_files else None
    overhead = asked.overhead()
    speed = (
        f"fake backend with TTFT {args.ttft_ms:g} ms" if args.ttft_ms else "instant fake backend"
    )
    print(f"file: {args.lines} lines; {args.requests} requests; {speed} on 127.0.0.1")
    print(f"next edits asked after every change: {args.next_edit}")
    print(
        f"keystrokes per place: {args.keys_per_place}; the editor asks "
        + (f"{args.editor_wait_ms:g} ms after each edit" if args.editor_wait_ms else "at once")
    )
    print(f"spawn → initialize result      {server.startup_ms:.0f} ms")
    print(f"fresh request, round trip (ms) {summary(asked.fresh)}")
    print(f"  the fake alone, via httpx    {summary(asked.backend)}  (one after each pair)")
    print(f"  server overhead (ms)         {summary(overhead)}")
    print(f"  a bare pygls + httpx relay   {summary(relay.overhead())}  (its overhead, same fake)")
    print(f"cache hit, round trip (ms)     {summary(asked.cached)}")
    print(
        f"first fresh request, {FIRST_AFTER_S:.0f} s after opening the file: {first:.1f} ms round trip"
    )
    if logged_stages and not math.isnan(first):  # its stages, apart from the statistics
        print_first(logged_stages[0][1])
        logged_stages = logged_stages[1:]
    print(f"server CPU per keystroke (a didChange, a fresh request, a cache hit): {cpu:.2f} ms")
    print(f"backend requests from the server: {asked.served}; RSS after run: {rss:.0f} MB")
    if args.index_files:
        during = [
            o
            for o, at in zip(overhead, asked.sent_at, strict=True)
            if indexed_at is None or at < indexed_at
        ]
        after = overhead[len(during) :]
        print(
            f"workspace: {args.index_files} modules indexed at startup (offline engine "
            f"{'on' if args.offline else 'off'})"
        )
        print(f"  overhead while indexing (ms)  {summary(during)}  ({len(during)} requests)")
        print(f"  overhead after indexing (ms)  {summary(after)}  ({len(after)} requests)")
    if args.editor_wait_ms:  # what the same wait costs a bare LSP round trip, for scale
        echo = await echo_floor(args.editor_wait_ms / 1000)
        print(
            f"bare JSON-RPC echo (stdlib), same client: p50 {percentile(echo.paced, 0.5):.2f} ms "
            f"{args.editor_wait_ms:g} ms after each edit, {percentile(echo.back_to_back, 0.5):.2f}"
            " ms back to back"
        )
    if logged_stages:
        print_stages(read_stages(logged_stages), asked.fresh, asked.cached)
    return 0


@dataclass
class Asked:
    """One server's timed requests: round trips (ms) and the fake's floor beside them."""

    fresh: list[float] = field(default_factory=list)
    cached: list[float] = field(default_factory=list)
    sent_at: list[float] = field(default_factory=list)
    """When each fresh request was sent (epoch seconds)."""
    backend: list[float] = field(default_factory=list)
    served: int = 0
    """Backend requests the server made."""

    def overhead(self) -> list[float]:
        """Each fresh round trip less the fake's median cost to any HTTP client."""
        floor = percentile(self.backend, 0.5)
        return [max(f - floor, 0.0) for f in self.fresh]


async def ask(
    server: ServerUnderTest,
    uri: str,
    lines: list[str],
    rng: random.Random,
    args: argparse.Namespace,
    fake: FakeProvider,
    floor: httpx.AsyncClient,
    *,
    again: bool = True,
) -> Asked:
    """Type a space at the end of a random line and ask, `args.requests` times (`again`: ask
    once more at the same place, the cache hit), timing the fake alone after each."""
    out = Asked()
    before = len(fake.completion_requests())
    version = 1
    row = 0
    for n in range(args.requests):
        if n % max(args.keys_per_place, 1) == 0:
            row = rng.randrange(len(lines) - 1)
        col = len(lines[row])
        version += 1
        server.insert(uri, version, row, col, " ")
        lines[row] += " "
        col += 1
        if args.editor_wait_ms:
            await asyncio.sleep(args.editor_wait_ms / 1000)
        edit = _next_edit(server, uri, version, row, col) if args.next_edit != "off" else None
        started = asyncio.get_running_loop().time()
        out.sent_at.append(time.time())
        await server.inline(uri, row, col)
        out.fresh.append((asyncio.get_running_loop().time() - started) * 1000)
        if edit is not None:
            await edit
        if again:
            started = asyncio.get_running_loop().time()
            await server.inline(uri, row, col)
            out.cached.append((asyncio.get_running_loop().time() - started) * 1000)
        if args.editor_wait_ms:  # the fake's floor after the same idle wait
            await asyncio.sleep(args.editor_wait_ms / 1000)
        out.backend.append(await backend_time(fake, floor))
    out.served = len(fake.completion_requests()) - before - len(out.backend)
    return out


async def relay_floor(
    uri: str, text: str, args: argparse.Namespace, fake: FakeProvider, floor: httpx.AsyncClient
) -> Asked:
    """The same requests through `relay_floor.py`: what a pygls + httpx server costs."""
    relay = ServerUnderTest(
        [sys.executable, "-m", "ghostfill.bench.relay_floor", fake.base_url, MODEL]
    )
    await relay.start({})
    relay.warm_client()
    relay.open(uri, text, "python")
    quiet = argparse.Namespace(**{**vars(args), "next_edit": "off"})
    lines = text.split("\n")
    try:
        answer = await relay.inline(uri, 0, 0)  # its client's and the fake's first use, untimed
        if answer != REPLY:
            raise RuntimeError(f"the relay floor answered {answer!r}, not the fake's {REPLY!r}")
        return await ask(
            relay, uri, lines, random.Random(args.seed), quiet, fake, floor, again=False
        )
    finally:
        await relay.stop()


def print_first(parts: dict[str, float]) -> None:
    """The first fresh request's own stages (what its first-use costs were spent on)."""
    shown = ", ".join(f"{name} {ms:.2f}" for name, ms in parts.items())
    print(f"  in the server (ms): {shown}")


def _next_edit(
    server: ServerUnderTest, uri: str, version: int, row: int, col: int
) -> asyncio.Future[object]:
    """A copilotInlineEdit request sent now (answered while the completion is asked for)."""
    sent: asyncio.Future[object] = asyncio.ensure_future(
        server.client.protocol.send_request_async(
            "textDocument/copilotInlineEdit",
            {
                "textDocument": {"uri": uri, "version": version},
                "position": {"line": row, "character": col},
            },
        )
    )
    return sent


def stdlib_copies(folder: Path, n: int) -> None:
    """`n` standard library modules (repeated when there are fewer) under `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    sources = sorted(Path(os.__file__).parent.glob("*.py"))
    for i in range(n):
        source = sources[i % len(sources)]
        try:
            text = source.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        (folder / f"m{i}_{source.name}").write_text(text, encoding="utf-8")


def indexing_end(log_file: Path) -> float | None:
    """When the server logged the end of its startup indexing (epoch seconds)."""
    try:
        lines = log_file.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    for line in lines:
        if " indexed " in line and " files" in line:
            try:
                stamp = datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f")
            except ValueError:
                continue
            return stamp.timestamp()
    return None


def stage_lines(log_file: Path) -> list[tuple[str, dict[str, float]]]:
    """(source, {stage: ms}) of each `stages ...` debug line of the server, in order."""
    try:
        text = log_file.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    out: list[tuple[str, dict[str, float]]] = []
    for line in text.splitlines():
        at = line.find(LOG_PREFIX)
        if at == -1:
            continue
        source, _, rest = line[at + len(LOG_PREFIX) :].partition(": ")
        words = rest.split()
        parts: dict[str, float] = {}
        for name, value in zip(words[::2], words[1::2], strict=False):
            try:
                parts[name] = float(value)
            except ValueError:
                continue
        out.append((source, parts))
    return out


def read_stages(
    lines: list[tuple[str, dict[str, float]]],
) -> dict[str, dict[str, list[float]]]:
    """{"backend" | "cache": {stage: [ms, ...]}} from `stage_lines`."""
    out: dict[str, dict[str, list[float]]] = {}
    for source, parts in lines:
        into = out.setdefault(source, {})
        for name, value in parts.items():
            into.setdefault(name, []).append(value)
    return out


def print_stages(
    stages: dict[str, dict[str, list[float]]], fresh: list[float], cached: list[float]
) -> None:
    print("per stage (ms, from the server's debug log):")
    for source, round_trips in (("backend", fresh), ("cache", cached)):
        parts = stages.get(source, {})
        if not parts:
            continue
        print(f"  {'fresh request' if source == 'backend' else 'cache hit'}:")
        for name in (*STAGES, "total"):
            if name in parts:
                print(f"    {name:<12} {summary(parts[name])}")
        total = percentile(parts.get("total", []), 0.5)
        print(
            f"    {'write':<12} p50 {percentile(round_trips, 0.5) - total:.2f} (round trip - total)"
        )


def run(args: argparse.Namespace) -> int:
    return asyncio.run(measure(args))
