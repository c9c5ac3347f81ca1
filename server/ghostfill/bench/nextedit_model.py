"""Next edits from a model in `ghostfill bench nextedit`: the same cases, the stage as served.

With `--fake` the model is the fake next-edit server on 127.0.0.1 (`fakes/nextedit.py`) with
an oracle that knows each case's true next edit: it answers the region at the cursor with that
edit made when the edit lies inside the region, else "no change". That is the ceiling a
perfect model reaches with the region the format rewrites, and it proves the wire, the parse
and the diff end to end. With `--backend` (and `--base-url`, `--model`) a real server is asked,
e.g. a llama.cpp server. Each case is typed into the same store and history the server uses;
the offline rules answer first, and the model is asked only when they have nothing (and the
latest edit is near the cursor), as `textDocument/copilotInlineEdit` does.
"""

from __future__ import annotations

import argparse
import os
import time
from collections import defaultdict
from contextlib import AsyncExitStack
from dataclasses import dataclass

from ghostfill.backends.client import make_client
from ghostfill.backends.network import resolve as resolve_network
from ghostfill.backends.registry import resolve
from ghostfill.backends.rewrite import RewriteClient, rewrite_client
from ghostfill.bench.driver import percentile
from ghostfill.bench.nextedit_cases import Case, open_case, score
from ghostfill.documents.languages import LanguageRegistry
from ghostfill.documents.syntax import Grammars
from ghostfill.errors import BackendError
from ghostfill.fakes.nextedit import FakeNextEdit, NextHunkOracle
from ghostfill.nextedit.formats import FORMATS, pick
from ghostfill.nextedit.predict import NextEdits
from ghostfill.settings import BackendSettings, NextEditSettings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("next edits from a model")
    group.add_argument("--fake", action="store_true", help="ask the fake next-edit model (oracle)")
    group.add_argument("--backend", help="ask this backend preset (e.g. llamacpp)")
    group.add_argument("--base-url", default="", help="the backend's base URL")
    group.add_argument("--model", default="", help="the model id")
    group.add_argument("--api-key-env", default="", help="environment variable with the key")
    group.add_argument(
        "--format", default="auto", choices=["auto", *FORMATS], help="next-edit prompt format"
    )
    group.add_argument("--timeout-ms", type=int, default=30000, help="first-byte deadline")
    group.add_argument("--model-cases", type=int, default=20, help="cases per kind asked")


@dataclass
class Target:
    label: str
    rewriter: RewriteClient
    oracle: NextHunkOracle | None = None


async def open_target(args: argparse.Namespace, stack: AsyncExitStack) -> Target | None:
    """The model to ask (None: offline only); what it opens is closed with `stack`."""
    if not (args.fake or args.backend):
        return None
    oracle = None
    if args.fake:
        oracle = NextHunkOracle()
        fake = stack.enter_context(FakeNextEdit(oracle))
        settings = BackendSettings(
            provider="openai-compatible", baseUrl=fake.base_url, model="fake-next-edit"
        )
    else:
        settings = BackendSettings(
            provider=args.backend,  # checked by resolve
            baseUrl=args.base_url,
            model=args.model,
            apiKeyEnv=args.api_key_env,
        )
    config = resolve(settings, "", os.environ)
    client = make_client(resolve_network(None, os.environ), http2=False)
    stack.push_async_callback(client.aclose)
    rewriter = rewrite_client(config, client, timeout_ms=args.timeout_ms)
    if rewriter is None:
        raise SystemExit(f"{settings.provider} has no OpenAI-style API for next edits")
    label = (
        "fake next-edit oracle"
        if args.fake
        else f"{settings.provider} {rewriter.model or '(the loaded model)'}"
    )
    return Target(label, rewriter, oracle)


async def evaluate(
    target: Target,
    registry: LanguageRegistry,
    grammars: Grammars,
    settings: NextEditSettings,
    pools: dict[str, list[Case]],
) -> dict[str, object]:
    """Scores per kind with the model behind the rules, the share of cases the model was
    asked about, and the model's latency."""
    settings = NextEditSettings(
        windowLines=settings.windowLines, useBackend=True, format=settings.format
    )
    kinds: dict[str, object] = {}
    latencies: list[float] = []
    errors: dict[str, int] = defaultdict(int)
    for kind, pool in sorted(pools.items()):
        offline: dict[str, int] = defaultdict(int)
        counts: dict[str, int] = defaultdict(int)
        asked = 0
        for case in pool:
            next_edits = NextEdits(settings=lambda: settings, rewriter=lambda _d: target.rewriter)
            doc = open_case(registry, grammars, next_edits, case)
            prediction = next_edits.predict(doc, case.cursor)
            offline[score(doc, prediction, case)] += 1
            if prediction.empty:
                if target.oracle is not None:
                    target.oracle.current = doc.text
                    target.oracle.expected = doc.text if case.expected is None else case.expected
                sent = target.rewriter.sent
                t0 = time.perf_counter()
                try:
                    prediction = await next_edits.ask_model(doc, case.cursor)
                except BackendError as exc:
                    errors[exc.user_message] += 1
                if target.rewriter.sent > sent:
                    asked += 1
                    latencies.append((time.perf_counter() - t0) * 1000)
            counts[score(doc, prediction, case)] += 1
        n = len(pool)
        kinds[kind] = {
            "n": n,
            "asked": round(asked / n, 3) if n else 0,
            "offline": _rates(offline, n),
            "model": _rates(counts, n),
        }
    return {
        "model": target.label,
        "format": pick(settings.format, target.rewriter.model, target.rewriter.root).name,
        "kinds": kinds,
        "latency_ms": {
            "p50": round(percentile(latencies, 0.5), 1) if latencies else None,
            "p95": round(percentile(latencies, 0.95), 1) if latencies else None,
            "n": len(latencies),
        },
        "errors": dict(errors),
    }


def _rates(counts: dict[str, int], n: int) -> dict[str, float]:
    return {k: round(v / n, 3) for k, v in sorted(counts.items())} if n else {}


def print_figures(figures: dict[str, object]) -> None:
    print(f"  with a model behind the rules: {figures['model']} (format {figures['format']})")
    kinds = figures["kinds"]
    assert isinstance(kinds, dict)
    for kind, row in kinds.items():
        print(f"    {kind:<30} n={row['n']:<4} model asked {row['asked']:.3f}")
        for side in ("offline", "model"):
            rest = "  ".join(f"{k} {v:.3f}" for k, v in row[side].items())
            print(f"      {side:<8} {rest}")
    lat = figures["latency_ms"]
    assert isinstance(lat, dict)
    print(f"    model latency: p50 {lat['p50']} ms  p95 {lat['p95']} ms  (n={lat['n']})")
    for message, count in dict(figures["errors"]).items():  # type: ignore[call-overload]
        print(f"    model error x{count}: {message}")
