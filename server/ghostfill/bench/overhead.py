"""Server overhead per request: the real server over stdio, an instant fake backend, a 5,000-line file.

Prints spawn→initialize time, request latency for fresh requests (backend asked) and cache
hits, the fake backend's own share, and the server's RSS after the run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import tempfile
import time
from pathlib import Path

import httpx

from ghostfill.bench.driver import ServerUnderTest, percentile, rss_mb, summary
from ghostfill.fakes.openai import FakeProvider


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lines", type=int, default=5000, help="size of the generated Python file")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)


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


async def backend_time(fake: FakeProvider, n: int = 50) -> list[float]:
    """What the fake costs any HTTP client: a full streamed request from this process."""
    body = {"model": "fake-coder", "stream": True, "messages": [{"role": "user", "content": "x"}]}
    times: list[float] = []
    async with httpx.AsyncClient() as client:
        for _ in range(n):
            started = time.perf_counter()
            async with client.stream(
                "POST", f"{fake.base_url}/chat/completions", json=body
            ) as response:
                async for _ in response.aiter_lines():
                    pass
            times.append((time.perf_counter() - started) * 1000)
    return times


async def measure(args: argparse.Namespace) -> int:
    rng = random.Random(args.seed)
    text = big_python_file(args.lines)
    lines = text.split("\n")
    with tempfile.TemporaryDirectory() as tmp, FakeProvider("value = compute(x)") as fake:
        root = Path(tmp)
        path = root / "big.py"
        path.write_text(text, encoding="utf-8")
        server = ServerUnderTest()
        options = {
            "backend": {
                "provider": "openai-compatible",
                "baseUrl": fake.base_url,
                "model": "fake-coder",
            },
            "completion": {"debounceMs": 0},
            "offline": {"enable": False},
        }
        await server.start(options, root)
        uri = path.as_uri()
        server.open(uri, text, "python")
        fresh: list[float] = []
        cached: list[float] = []
        version = 1
        for _ in range(args.requests):
            row = rng.randrange(len(lines) - 1)
            col = len(lines[row])
            version += 1
            server.insert(uri, version, row, col, " ")
            lines[row] += " "
            col += 1
            started = asyncio.get_running_loop().time()
            await server.inline(uri, row, col)
            fresh.append((asyncio.get_running_loop().time() - started) * 1000)
            started = asyncio.get_running_loop().time()
            await server.inline(uri, row, col)
            cached.append((asyncio.get_running_loop().time() - started) * 1000)
        rss = rss_mb(server.pid)
        await server.stop()
        backend = await backend_time(fake)
    overhead = [max(f - percentile(backend, 0.5), 0.0) for f in fresh]
    print(f"file: {args.lines} lines; {args.requests} requests; instant fake backend on 127.0.0.1")
    print(f"spawn → initialize result      {server.startup_ms:.0f} ms")
    print(f"fresh request, round trip (ms) {summary(fresh)}")
    print(f"  the fake alone, via httpx    {summary(backend)}")
    print(f"  server overhead (ms)         {summary(overhead)}")
    print(f"cache hit, round trip (ms)     {summary(cached)}")
    print(f"backend requests: {len(fake.completion_requests())}; RSS after run: {rss:.0f} MB")
    return 0


def run(args: argparse.Namespace) -> int:
    return asyncio.run(measure(args))
