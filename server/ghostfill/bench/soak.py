"""Long session: a keystroke replay against the real server, sampling what must stay bounded.

Types real code (standard library modules) into a document one keystroke at a time, asking
for ghost text after each, against a fake backend on 127.0.0.1 that answers with the true
continuation of the text (so typing through suggestions happens as with a good model) and
that fails for stretches (5xx, mid-stream errors, truncated streams, a 429). Between the
keystrokes the session opens, edits, saves and closes other documents and re-reads its
settings. Every few hundred keystrokes it samples `ghostfill/debugStats`: asyncio tasks,
continuations, open documents, RSS, open file descriptors, open sockets and the futures
pygls keeps. It prints peak RSS and, for each figure, the growth from the first quarter of the
run to the last; the exit status is 1 when any figure grew past its allowance.

    ghostfill bench soak                     # 10,000 keystrokes
    ghostfill bench soak --keystrokes 1500   # the CI variant (tests/e2e/test_soak.py)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from lsprotocol import types

from ghostfill.bench.driver import ServerUnderTest
from ghostfill.fakes.openai import FakeProvider, Fault

METRICS = (
    "tasks",
    "continuations",
    "documents",
    "rss_mb",
    "open_fds",
    "connections",
    "pendingRequests",
    "reparseTimers",
    "httpActive",
)
SLACK: dict[str, float] = {
    "tasks": 8,
    "continuations": 64,  # the cache is an LRU of 64
    "documents": 2,
    "open_fds": 10,
    "connections": 8,
    "pendingRequests": 4,
    "reparseTimers": 4,
    "httpActive": 3,
}
"""How much a figure may grow from the first quarter to the last (RSS: see `rss_slack`).
`connections` counts every socket (idle keep-alive connections included, up to 8);
`httpActive` counts HTTP connections checked out of the pool, which at rest should be none."""
FROM_ZERO = {"httpActive"}
POOL_SIZE = 16
"""The shared client's max_connections: a pool this full means leaked connections, and every
later request would wait for the pool timeout, so the replay stops there."""


def rss_slack(first_quarter_peak: float) -> float:
    return max(20.0, 0.25 * first_quarter_peak)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--keystrokes", type=int, default=10_000)
    parser.add_argument("--samples", type=int, default=40, help="debugStats samples taken")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print the samples as JSON too")


@dataclass
class Sample:
    keystroke: int
    values: dict[str, float]


@dataclass
class SoakResult:
    keystrokes: int
    samples: list[Sample] = field(default_factory=list)
    backend_calls: int = 0
    answered: int = 0
    seconds: float = 0.0
    stopped: str = ""
    """Why the replay ended early (empty when it ran to the end)."""
    checked_out_at_rest: float = float("nan")
    """HTTP connections still checked out once the server settled after the last keystroke
    (nothing streaming, cut-short responses drained): leaked ones never come back."""
    settle_ms: float = float("nan")

    def series(self, metric: str) -> list[float]:
        return [s.values[metric] for s in self.samples]

    def peak(self, metric: str) -> float:
        return max(self.series(metric), default=float("nan"))

    def quarters(self, metric: str) -> tuple[float, float]:
        """Peak of the first quarter of the samples and peak of the last quarter (for
        `httpActive` the first is 0: at rest no connection should be checked out at all)."""
        values = self.series(metric)
        n = max(len(values) // 4, 1)
        return (0.0 if metric in FROM_ZERO else max(values[:n])), max(values[-n:])

    def growth(self, metric: str) -> float:
        first, last = self.quarters(metric)
        return last - first

    def allowance(self, metric: str) -> float:
        first, _ = self.quarters(metric)
        return rss_slack(first) if metric == "rss_mb" else SLACK[metric]

    def unbounded(self) -> list[str]:
        """Figures whose last-quarter peak exceeds the first-quarter peak plus the allowance."""
        bad = [m for m in METRICS if self.growth(m) > self.allowance(m)]
        return bad + (["httpActive"] if self.stopped and "httpActive" not in bad else [])

    def report(self) -> str:
        lines = [
            f"soak: {self.keystrokes} keystrokes in {self.seconds:.0f} s, "
            f"{len(self.samples)} samples; {self.answered} suggestions shown; "
            f"backend calls per keystroke {self.backend_calls / max(self.keystrokes, 1):.2f}",
            f"peak RSS {self.peak('rss_mb'):.1f} MB; "
            f"RSS growth (last-quarter peak − first-quarter peak) {self.growth('rss_mb'):+.1f} MB",
            f"{'figure':<16}{'first':>8}{'peak':>8}{'last':>8}{'growth':>9}{'allowed':>9}",
        ]
        for metric in METRICS:
            values = self.series(metric)
            lines.append(
                f"{metric:<16}{values[0]:>8.1f}{max(values):>8.1f}{values[-1]:>8.1f}"
                f"{self.growth(metric):>+9.1f}{self.allowance(metric):>9.1f}"
            )
        bad = self.unbounded()
        if self.stopped:
            lines.append(f"stopped early: {self.stopped}")
        lines.append(
            f"at rest after the last keystroke: {self.checked_out_at_rest:.0f} HTTP connections "
            f"checked out (settled in {self.settle_ms:.0f} ms)"
        )
        lines.append("bounded: yes" if not bad else f"bounded: NO ({', '.join(bad)})")
        return "\n".join(lines)


def source_text(chars: int) -> str:
    """Real code to type: standard library modules, concatenated."""
    stdlib = Path(os.__file__).parent
    out: list[str] = []
    total = 0
    for path in sorted(stdlib.glob("*.py")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        out.append(text)
        total += len(text)
        if total >= chars + 2000:
            break
    return "".join(out)


def oracle(source: str) -> Callable[[dict[str, Any]], str]:
    """A backend that knows the file: it answers with what really comes next (one line)."""

    def reply(body: dict[str, Any]) -> str:
        messages = body.get("messages") or []
        prompt = str(messages[-1].get("content", "")) if messages else str(body.get("prompt", ""))
        head = prompt.split("{{FILL_HERE}}", 1)[0].split("<|fim_suffix|>", 1)[0]
        tail = head[-40:]
        at = source.find(tail) if tail else -1
        if at < 0:
            return "<COMPLETION></COMPLETION>" if messages else ""
        rest = source[at + len(tail) : at + len(tail) + 120].split("\n", 1)[0]
        return f"<COMPLETION>{rest}</COMPLETION>" if messages else rest

    return reply


# Fault stretches, as fractions of the run.
FAULTS: list[tuple[float, float, Fault]] = [
    (0.30, 0.33, Fault(status=500)),
    (0.45, 0.47, Fault(mid_stream_error=True)),
    (0.55, 0.57, Fault(truncate=True)),
    (0.70, 0.705, Fault(status=429, headers={"retry-after": "1"})),
    (0.80, 0.82, Fault(status=503)),
]


async def stats(server: ServerUnderTest) -> dict[str, float]:
    result = await server.client.protocol.send_request_async("ghostfill/debugStats", {})
    data = result._asdict() if hasattr(result, "_asdict") else dict(result)
    return {k: float(v) for k, v in data.items() if isinstance(v, int | float)}


async def soak(
    keystrokes: int,
    samples: int = 40,
    seed: int = 7,
    progress: Callable[[str], None] | None = None,
    env: dict[str, str] | None = None,
    faults: bool = True,
) -> SoakResult:
    rng = random.Random(seed)
    source = source_text(keystrokes)
    result = SoakResult(keystrokes)
    every = max(keystrokes // samples, 1)
    with tempfile.TemporaryDirectory() as tmp, FakeProvider(oracle(source)) as fake:
        root = Path(tmp)
        for n, chunk in enumerate(source[i : i + 20_000] for i in range(0, 60_000, 20_000)):
            (root / f"lib{n}.py").write_text(chunk, encoding="utf-8")
        server = ServerUnderTest(env={**os.environ, **env} if env else None)
        options: dict[str, Any] = {
            "backend": {
                "provider": "openai-compatible",
                "baseUrl": fake.base_url,
                "model": "fake-coder",
                "timeoutMs": 1000,
            },
            "completion": {"debounceMs": 0},
        }
        started = time.perf_counter()
        await server.start(options, root)
        try:
            schedule = FAULTS if faults else []
            await _replay(
                server, fake, root, source, keystrokes, every, rng, result, progress, schedule
            )
            await _settle(server, result)
        finally:
            await server.stop()
        result.seconds = time.perf_counter() - started
        result.backend_calls = len(fake.completion_requests())
    return result


SETTLE_S = 5.0
"""Longest wait after the last keystroke for the streams still running (a lookahead read on
past the shown line, a cut-short response drained for its connection) to end."""


async def _settle(server: ServerUnderTest, result: SoakResult) -> None:
    """Poll `ghostfill/debugStats` until no connection is checked out, or SETTLE_S passed."""
    started = time.perf_counter()
    while True:
        checked_out = (await stats(server))["httpActive"]
        waited = time.perf_counter() - started
        if checked_out == 0 or waited >= SETTLE_S:
            result.checked_out_at_rest, result.settle_ms = checked_out, waited * 1000
            return
        await asyncio.sleep(0.05)


async def _replay(
    server: ServerUnderTest,
    fake: FakeProvider,
    root: Path,
    source: str,
    keystrokes: int,
    every: int,
    rng: random.Random,
    result: SoakResult,
    progress: Callable[[str], None] | None,
    faults: list[tuple[float, float, Fault]],
) -> None:
    uri = (root / "typing.py").as_uri()
    server.open(uri, "", "python")
    line = col = 0
    version = 1
    typed = 0
    pending: list[asyncio.Future[Any]] = []
    for n in range(keystrokes):
        fake.fault = next((f for a, b, f in faults if a <= n / keystrokes < b), None)
        ch = source[typed]
        typed += 1
        version += 1
        server.insert(uri, version, line, col, ch)
        if ch == "\n":
            line, col = line + 1, 0
        else:
            col += len(ch.encode("utf-16-le")) // 2
        if n % 7 == 3:  # an editor that does not wait for every answer
            pending.append(asyncio.ensure_future(server.inline(uri, line, col)))
        elif await server.inline(uri, line, col):
            result.answered += 1
        if n % 250 == 125:
            await _side_document(server, root, n, rng)
        if n % 500 == 250:
            server.client.text_document_did_save(
                types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
            )
        if n % 1000 == 500:
            server.client.workspace_did_change_configuration(
                types.DidChangeConfigurationParams(settings=None)
            )
        sample = n % every == 0 or n == keystrokes - 1
        if sample or n % 25 == 0:
            done = await asyncio.gather(*pending)
            result.answered += sum(1 for text in done if text)
            pending.clear()
            s = await stats(server)
            if sample:
                result.samples.append(Sample(n + 1, s))
            if sample and progress is not None:
                progress(
                    f"{n + 1:>6} keystrokes  rss {s['rss_mb']:.1f} MB  tasks {s['tasks']:.0f}  "
                    f"fds {s['open_fds']:.0f}  sockets {s['connections']:.0f}  "
                    f"http checked out {s['httpActive']:.0f}"
                )
            if s["httpActive"] >= POOL_SIZE - 2:
                result.stopped = (
                    f"after {n + 1} of {keystrokes} keystrokes, {s['httpActive']:.0f} of "
                    f"{POOL_SIZE} HTTP connections were checked out of the pool with "
                    f"{s['tasks']:.0f} tasks running: leaked connections"
                )
                result.keystrokes = n + 1
                break
    await asyncio.gather(*pending)


async def _side_document(server: ServerUnderTest, root: Path, n: int, rng: random.Random) -> None:
    """Open another file, type a little in it, ask, close it."""
    uri = (root / f"scratch{n % 5}.py").as_uri()
    text = "def helper(value):\n    return value\n"
    server.open(uri, text, "python")
    for i in range(rng.randint(1, 5)):
        server.insert(uri, i + 2, 1, 16 + i, "_")
        await server.inline(uri, 1, 17 + i)
    server.client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )


def run(args: argparse.Namespace) -> int:
    result = asyncio.run(soak(args.keystrokes, args.samples, args.seed, progress=print))
    print(result.report())
    if args.json:
        print(json.dumps([asdict(s) for s in result.samples]))
    return 0 if not result.unbounded() else 1
