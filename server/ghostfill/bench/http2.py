"""HTTP/1.1 against HTTP/2 to the same backend, through ghostfill's own client and backend code.

One fake OpenAI-style server over TLS (`fakes.h2`: the same server loop for both protocols,
ALPN picks) streams a completion, one SSE event per token. For each protocol a fresh client
(ghostfill's `make_client`, its pool limits and cancel-safe transport) runs, in turns:

- `whole`: a streamed request read to its end (time to the first text, time to the end);
- `cut`: a request read only to its first line and then left, as ghostfill does when it has
  answered and a keystroke supersedes the stream, immediately followed by the next request.
  HTTP/2 resets just that stream and keeps the connection; HTTP/1.1 reads a short rest to
  its end in the background or closes the connection, and the next request may need a new one.

Printed: p50/p90 per protocol and kind, the client's own CPU time per request (the fake
runs in a process of its own, so its framing cost is not in it), and how many connections the
server accepted for how many requests. Turns alternate between the protocols so a load change hits both alike.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import ssl
import statistics
import sys
import tempfile
import time
from asyncio.subprocess import Process
from pathlib import Path
from typing import Any

from ghostfill.backends.base import Backend
from ghostfill.backends.client import make_client
from ghostfill.backends.registry import create, resolve
from ghostfill.bench.driver import percentile
from ghostfill.model import ChatMessage, GenerationParams, Prompt
from ghostfill.settings import Settings, parse

TEXT = "value = compute(alpha, beta)\n" + "".join(f"    line_{i} = {i} * value\n" for i in range(8))
"""A first line and the lookahead's worth of lines after it."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--requests", type=int, default=60, help="requests per protocol and kind")
    parser.add_argument("--ttft-ms", type=float, default=0.0)
    parser.add_argument("--tokens-per-s", type=float, default=0.0, help="0: as fast as it goes")
    parser.add_argument(
        "--connect-ms",
        type=float,
        nargs="+",
        default=[0.0, 100.0],
        help="set-up delay of every new connection, one run each (100: a provider ~50 ms away)",
    )


def _trusting(authority: Any) -> ssl.SSLContext:
    """A client context (one per client: httpcore sets ALPN on it) trusting the fake's CA."""
    ctx = ssl.create_default_context()
    authority.configure_trust(ctx)
    return ctx


def _settings(base_url: str) -> Settings:
    raw = {"backend": {"provider": "openai-compatible", "baseUrl": base_url, "model": "fake-coder"}}
    return parse(raw).settings


async def _one(backend: Backend, prompt: Prompt, cut: bool) -> tuple[float, float, float]:
    """(ms to the first text, ms to the end or to the cut, this process's CPU ms) of one
    streamed request."""
    params = GenerationParams(max_tokens=512)
    cpu = time.process_time()
    started = time.perf_counter()
    first = 0.0
    text = ""
    stream = backend.stream(prompt, params)
    try:
        async for chunk in stream:
            if not first:
                first = time.perf_counter()
            text += chunk
            if cut and "\n" in text:
                break
    finally:
        await stream.aclose()  # type: ignore[attr-defined]
    end = time.perf_counter()
    return (first - started) * 1000, (end - started) * 1000, (time.process_time() - cpu) * 1000


async def _fake(args: argparse.Namespace, cert: Path, connect_ms: float) -> Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "ghostfill.fakes.h2",
        "--cert",
        str(cert),
        "--text",
        TEXT,
        "--ttft-ms",
        str(args.ttft_ms),
        "--tokens-per-s",
        str(args.tokens_per_s),
        "--connect-ms",
        str(connect_ms),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )


async def _ask(fake: Process) -> list[Any]:
    assert fake.stdin is not None and fake.stdout is not None
    fake.stdin.write(b"\n")
    result: list[Any] = json.loads(await fake.stdout.readline())
    return result


async def one_run(args: argparse.Namespace, authority: Any, cert: Path, connect_ms: float) -> None:
    fake = await _fake(args, cert, connect_ms)
    assert fake.stdout is not None
    try:
        port = int(await asyncio.wait_for(fake.stdout.readline(), 20))
        config = resolve(_settings(f"https://127.0.0.1:{port}/v1").backend)
        assert config is not None
        clients = {
            name: make_client(verify=_trusting(authority), http2=name == "h2")
            for name in ("http/1.1", "h2")
        }
        backends = {name: create(config, client) for name, client in clients.items()}
        prompt = backends["h2"].prepare(
            Prompt("def f(x):\n    ", "\n", (ChatMessage("user", "complete"),))
        )
        first_ms: dict[str, list[float]] = {}
        end_ms: dict[str, list[float]] = {}
        cpu_ms: dict[str, list[float]] = {}
        for _ in range(args.requests):
            for kind in ("whole", "cut"):
                for name, backend in backends.items():
                    first, end, cpu = await _one(backend, prompt, kind == "cut")
                    first_ms.setdefault(f"{name} {kind}", []).append(first)
                    end_ms.setdefault(f"{name} {kind}", []).append(end)
                    cpu_ms.setdefault(f"{name} {kind}", []).append(cpu)
        await asyncio.sleep(0.3)  # background drains end
        for client in clients.values():
            await client.aclose()
        connections, requests, resets = await _ask(fake)
    finally:
        if fake.stdin is not None:
            fake.stdin.close()
        await fake.wait()
    print(
        f"new-connection set-up {connect_ms:.0f} ms; {args.requests} requests per protocol and "
        f"kind; ttft {args.ttft_ms:.0f} ms, "
        f"{'unpaced' if not args.tokens_per_s else f'{args.tokens_per_s:.0f} tokens/s'}; "
        f"{len(TEXT)} characters per answer; load {os.getloadavg()[0]:.1f}"
    )
    print(
        f"  {'':<16} {'first text p50':>15} {'p90':>7} {'end p50':>10} {'p90':>7} "
        f"{'client CPU/request':>19}"
    )
    for key in first_ms:
        f, e, c = first_ms[key], end_ms[key], cpu_ms[key]
        print(
            f"  {key:<16} {percentile(f, 0.5):>12.2f} ms {percentile(f, 0.9):>7.2f} "
            f"{percentile(e, 0.5):>7.2f} ms {percentile(e, 0.9):>7.2f} "
            f"{statistics.fmean(c):>16.2f} ms"
        )
    print(
        f"  connections accepted: {connections} for {requests} requests; "
        f"HTTP/2 streams reset: {resets}"
    )


async def measure(args: argparse.Namespace) -> int:
    try:
        import trustme
    except ImportError:
        print("bench http2 needs trustme for the fake's certificate (pip install trustme)")
        return 2
    authority = trustme.CA()
    with tempfile.TemporaryDirectory() as tmp:
        cert = Path(tmp) / "chain.pem"
        authority.issue_cert("127.0.0.1").private_key_and_cert_chain_pem.write_to_path(str(cert))
        for connect_ms in args.connect_ms:
            await one_run(args, authority, cert, connect_ms)
    return 0


def run(args: argparse.Namespace) -> int:
    return asyncio.run(measure(args))
