"""`ghostfill bench replay --backend NAME --base-url URL`: the typing replay against a real
model server (a local llama.cpp `llama-server` or Ollama, or any preset), instead of the oracle.

The same typing plan is replayed VS Code style through a real `ghostfill serve`; the offline
engine is off, so every suggestion counted is the model's. A slow local model often answers
after the keystroke's request was answered empty; ghostfill then sends
`ghostfill/completionReady` and an editor asks again (served from the stream's cache), so a
completionReady that arrives before the next keystroke counts as ghost text shown at that
moment. The server's own measurements (prompt evaluation and decode speed, the share of each
prompt reused from the server's prompt cache, the median time to a first line) come from
`ghostfill/debugStats` at the end of the run.
"""

from __future__ import annotations

import argparse
import math
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lsprotocol import types

from ghostfill.bench.driver import ServerUnderTest, percentile
from ghostfill.bench.keystrokes import Client, Run, Sent, replay, workspace_copy
from ghostfill.bench.oracle import Oracle
from ghostfill.bench.typing_plan import Region


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("a real model server instead of the oracle")
    group.add_argument(
        "--backend",
        metavar="NAME",
        help="replay against this backend preset (e.g. llamacpp, ollama, openai-compatible)",
    )
    group.add_argument("--base-url", metavar="URL", help="--backend: the server's base URL")
    group.add_argument("--model", metavar="M", help="--backend: model id")
    group.add_argument(
        "--template", metavar="T", help="--backend: prompt kind (auto, chat or a FIM family)"
    )
    group.add_argument(
        "--window-tokens",
        type=int,
        metavar="N",
        help="--backend: context.windowTokens (smaller prompts for a slow local model)",
    )
    group.add_argument(
        "--budget-tokens", type=int, metavar="N", help="--backend: context.budgetTokens"
    )


def backend(args: Any) -> dict[str, Any]:
    """The `backend` settings of the replay against a real server."""
    out: dict[str, Any] = {"provider": args.backend}
    for key, value in (("baseUrl", args.base_url), ("model", args.model)):
        if value:
            out[key] = value
    if args.template:
        out["template"] = args.template
    return out


@dataclass(frozen=True)
class RealFigures:
    label: str
    keystrokes: int
    answered: int
    """Keystrokes whose own answer carried the model's ghost text before the next keystroke."""
    ready: int
    """Keystrokes answered empty whose completionReady came before the next keystroke."""
    ghost_ms: list[float]
    agree: int
    backend_calls: int
    cancelled: int
    pacing: dict[str, Any]


async def run(regions: Sequence[Region], args: Any, serve: list[str]) -> RealFigures:
    label = f"ghostfill, {args.backend}"
    run = Run(label)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        local = workspace_copy(regions, root)
        options: dict[str, Any] = {"backend": backend(args), "offline": {"enable": False}}
        if args.debounce_ms:
            options["completion"] = {"debounceMs": args.debounce_ms[0]}
        context = {"windowTokens": args.window_tokens, "budgetTokens": args.budget_tokens}
        if any(v is not None for v in context.values()):
            options["context"] = {k: v for k, v in context.items() if v is not None}
        server = ServerUnderTest(serve)
        await server.start(options, root)
        try:
            client = Client(server, types.TEXT_DOCUMENT_INLINE_COMPLETION)
            await replay(client, local, Oracle(), run, args.idle_s)
            stats = await debug_stats(server)
        finally:
            await server.stop()
    return figures(run, server.ready_at, stats)


async def debug_stats(server: ServerUnderTest) -> dict[str, Any]:
    result = plain(await server.client.protocol.send_request_async("ghostfill/debugStats", {}))
    return result if isinstance(result, dict) else {}


def plain(value: Any) -> Any:
    """A JSON result as plain dicts and lists (pygls hands untyped results over as named
    tuples)."""
    if hasattr(value, "_asdict"):
        value = value._asdict()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def figures(run: Run, ready_at: Sequence[float], stats: dict[str, Any]) -> RealFigures:
    ghost: list[float] = []
    answered = ready = agree = 0
    for sent in run.sent:
        if _shown(sent):
            assert sent.answered_at is not None
            answered += 1
            ghost.append((sent.answered_at - sent.at) * 1000)
            if run.truth.get(id(sent), "").startswith(sent.text.rstrip()):
                agree += 1
        elif (at := _ready_for(sent, ready_at)) is not None:
            ready += 1
            ghost.append((at - sent.at) * 1000)
    pacing = stats.get("pacing") or [{}]
    return RealFigures(
        run.label,
        len(run.sent),
        answered,
        ready,
        ghost,
        agree,
        int(stats.get("backendCalls") or 0),
        sum(1 for s in run.sent if s.cancelled),
        pacing[0] if isinstance(pacing[0], dict) else {},
    )


def _shown(sent: Sent) -> bool:
    return (
        sent.answered_at is not None
        and bool(sent.text.strip())
        and sent.answered_at <= sent.next_at
    )


def _ready_for(sent: Sent, ready_at: Sequence[float]) -> float | None:
    """The first completionReady after the keystroke and before the next one."""
    return next((t for t in ready_at if sent.at <= t <= sent.next_at), None)


def report(f: RealFigures) -> str:
    def ms(v: float) -> str:
        return f"{v:.0f}" if not math.isnan(v) else "-"

    keys = max(f.keystrokes, 1)
    shown = f.answered + f.ready
    p = f.pacing
    reuse = p.get("cacheReuseMedian")
    return "\n".join(
        [
            f"{f.label}: {f.keystrokes} keystrokes; the model's ghost text before the next "
            f"keystroke at {shown} ({shown / keys:.0%}: {f.answered} in the answer, "
            f"{f.ready} through completionReady)",
            f"  time to it p50 {ms(percentile(f.ghost_ms, 0.5))} ms, "
            f"p90 {ms(percentile(f.ghost_ms, 0.9))} ms; answers agreeing with the file "
            f"{f.agree}/{f.answered}",
            f"  backend requests {f.backend_calls} ({f.backend_calls / keys:.2f} per keystroke); "
            f"{f.cancelled} requests cancelled by the next keystroke",
            f"  measured by ghostfill: prompt evaluation {p.get('promptTokensPerS')} tokens/s, "
            f"decode {p.get('decodeTokensPerS')} tokens/s, context scale {p.get('contextScale')}, "
            f"prompt-cache reuse median {f'{reuse:.2f}' if reuse is not None else None} over {p.get('requests')} "
            f"requests, first line median {p.get('firstLineMsMedian')} ms",
        ]
    )


async def measure(regions: Sequence[Region], args: Any, serve: list[str]) -> int:
    result = await run(regions, args, serve)
    print(report(result), flush=True)
    return 0
