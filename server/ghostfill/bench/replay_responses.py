"""`ghostfill bench replay --transport websocket http`: the typing replay against Codex-Spark's
API, the Responses API, over its WebSocket mode or over HTTP SSE.

The fake provider charges every new connection a set-up cost (`--setup-ms`, TCP + TLS to a
distant provider) and closes HTTP keep-alive connections idle for `--idle-close-s`, as
providers do; sockets stay open (kept warm by pings). Before each region the replay stays
quiet for `--idle-s`, so the region's first keystroke is a fresh request after an idle gap;
those are reported apart. The oracle answers the chat hole-fill prompt with the file's true
text, so both transports see identical replies.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable, Sequence
from typing import Any

from ghostfill.bench.driver import percentile
from ghostfill.fakes.openai import FakeProvider
from ghostfill.fakes.responses import FakeResponses
from ghostfill.prompt.chat import HOLE

MODEL = "gpt-5.3-codex-spark"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--transport",
        choices=["websocket", "http"],
        nargs="+",
        default=[],
        help="replay against the Responses API (Codex-Spark) over these transports",
    )
    parser.add_argument(
        "--setup-ms", type=float, default=80.0, help="--transport: cost of each new connection"
    )
    parser.add_argument(
        "--idle-close-s",
        type=float,
        default=2.0,
        help="--transport: the provider closes HTTP connections idle this long",
    )
    parser.add_argument(
        "--idle-s",
        type=float,
        default=1.0,
        help="quiet time before each region (its first keystroke is a request after idle)",
    )


def chat_reply(continuation: Callable[[str], str]) -> Callable[[dict[str, Any]], str]:
    """The oracle for a chat hole-fill prompt (chat `messages` or Responses `input`)."""

    def reply(body: dict[str, Any]) -> str:
        messages = body.get("input") or body.get("messages") or []
        query = str(messages[-1].get("content", "")) if messages else ""
        block = query[query.rfind("<QUERY ") :]
        if HOLE not in block:
            return ""
        prefix = block.split(HOLE, 1)[0].split(">\n", 1)[-1]
        return f"<COMPLETION>{continuation(prefix)}</COMPLETION>"

    return reply


def fake(args: Any, reply: Callable[[dict[str, Any]], str]) -> FakeResponses:
    return FakeResponses(
        reply,
        ttft_ms=args.ttft_ms,
        tokens_per_s=args.tokens_per_s,
        setup_ms=args.setup_ms,
        idle_close_s=args.idle_close_s,
        models=(MODEL,),
    )


def backend(provider: FakeProvider, transport: str) -> dict[str, Any]:
    return {
        "provider": "openai-compatible",
        "baseUrl": provider.base_url,
        "model": MODEL,
        "transport": transport,
    }


def connections(provider: FakeProvider) -> str:
    assert isinstance(provider, FakeResponses)
    return (
        f"{provider.accepted} connections ({provider.sockets} WebSockets), "
        f"{provider.closed_early} responses cut short"
    )


IDLE_HEADER = f"{'after idle gaps':<34} {'n':>5} {'p50':>7} {'p90':>7}  connections opened"


def idle_row(label: str, idle_ms: Sequence[float], opened: Sequence[str]) -> str:
    def pct(v: float) -> str:
        return f"{v:.0f}" if not math.isnan(v) else "-"

    return (
        f"{label:<34} {len(idle_ms):>5} {pct(percentile(list(idle_ms), 0.5)):>7} "
        f"{pct(percentile(list(idle_ms), 0.9)):>7}  {'; '.join(opened)}"
    )
