"""Next edits: rename propagation, repeated edits and noise on real code, offline.

Cases come from the Python files under PATH (`bench/nextedit_cases.py` says how, with answers
from Python's own `ast`/`symtable`, not from the rules): each case opens the file as a
document, sends the typing as the editor sends didChange (one change per keystroke, through
the same document store and edit history the server uses) and asks for the next edit at the
cursor. Scores per kind: exact (applying the predicted edits gives the right text), partial (some
of the right ones and nothing else), wrong (any edit that is not right), missed (no edit);
noise cases score a false positive for any edit. Latency: the prediction at the request (the
re-parse after typing included), p50/p95. Overhead: what the edit history adds to a didChange,
the same keystrokes into the same file with and without it, interleaved, in the same run.
With `--git REPO`, cases from the repository's history too: given a commit's first hunks in a
file, the next hunk.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import AsyncExitStack
from pathlib import Path

from ghostfill.bench import nextedit_model
from ghostfill.bench.driver import percentile
from ghostfill.bench.nextedit_cases import (
    Case,
    history_cases,
    noise_cases,
    open_case,
    rename_cases,
    repeat_cases,
    score,
)
from ghostfill.documents.languages import LanguageRegistry
from ghostfill.documents.store import DocumentStore, TextChange
from ghostfill.documents.syntax import Grammars
from ghostfill.model import Position
from ghostfill.nextedit.predict import NextEdits
from ghostfill.settings import NextEditSettings

MAX_FILE_BYTES = 200_000
OVERHEAD_KEYS = 3000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="trees of Python files")
    parser.add_argument("--cases", type=int, default=200, help="cases per kind")
    parser.add_argument("--files", type=int, default=400, help="files sampled under PATH")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--window-lines", type=int, default=NextEditSettings().windowLines)
    parser.add_argument("--git", metavar="REPO", help="also cases from this repository's history")
    parser.add_argument("--commits", type=int, default=200, help="commits read with --git")
    parser.add_argument("--misses", type=int, default=0, help="print this many failed cases")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    nextedit_model.add_arguments(parser)


def run(args: argparse.Namespace) -> int:
    rng = random.Random(args.seed)
    files = list(_python_files(args.paths))
    rng.shuffle(files)
    files = files[: args.files]
    if not files:
        print("no Python files found", file=sys.stderr)
        return 2
    registry = LanguageRegistry()
    grammars = Grammars(registry)
    spec = registry.get("python")
    comment = spec.line_comment if spec else "#"
    pools: dict[str, list[Case]] = defaultdict(list)
    for path in files:
        text = _read(path)
        if text is None:
            continue
        for case in (
            *rename_cases(path, text, rng),
            *repeat_cases(path, text, rng, comment),
            *noise_cases(path, text, rng, comment),
        ):
            pools[case.kind].append(case)
    if args.git:
        for case in history_cases(os.path.abspath(args.git), args.commits, rng):
            pools[case.kind].append(case)
    settings = NextEditSettings(windowLines=args.window_lines, format=args.format)
    asked: dict[str, list[Case]] = {}
    scores: dict[str, dict[str, object]] = {}
    misses: list[str] = []
    latencies: list[float] = []
    for kind, pool in sorted(pools.items()):
        chosen = rng.sample(pool, min(args.cases, len(pool)))
        asked[kind] = chosen[: args.model_cases]
        counts: dict[str, int] = defaultdict(int)
        for case in chosen:
            outcome, ms = _evaluate(registry, grammars, settings, case)
            counts[outcome] += 1
            latencies.append(ms)
            if outcome not in ("exact", "quiet") and len(misses) < args.misses:
                misses.append(f"{kind}: {outcome} {case.path} at {case.cursor}")
        scores[kind] = _rates(dict(counts), len(chosen))
    figures = {
        "paths": [os.path.abspath(p) for p in args.paths],
        "files": len(files),
        "window_lines": args.window_lines,
        "kinds": scores,
        "latency_ms": _percentiles(latencies),
        "did_change_overhead": _overhead(registry, grammars, files, rng),
    }
    model = asyncio.run(_with_model(args, registry, grammars, settings, asked))
    if model is not None:
        figures["with_model"] = model
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        _print(figures, misses)
    return 0


async def _with_model(
    args: argparse.Namespace,
    registry: LanguageRegistry,
    grammars: Grammars,
    settings: NextEditSettings,
    pools: dict[str, list[Case]],
) -> dict[str, object] | None:
    async with AsyncExitStack() as stack:
        target = await nextedit_model.open_target(args, stack)
        if target is None:
            return None
        return await nextedit_model.evaluate(target, registry, grammars, settings, pools)


def _evaluate(
    registry: LanguageRegistry, grammars: Grammars, settings: NextEditSettings, case: Case
) -> tuple[str, float]:
    next_edits = NextEdits(settings=lambda: settings)
    doc = open_case(registry, grammars, next_edits, case)
    t0 = time.perf_counter()
    prediction = next_edits.predict(doc, case.cursor)
    ms = (time.perf_counter() - t0) * 1000
    return score(doc, prediction, case), ms


def _overhead(
    registry: LanguageRegistry, grammars: Grammars, files: list[str], rng: random.Random
) -> dict[str, float]:
    """Per-keystroke didChange cost in the largest sampled file, with and without the history."""
    path = max(files, key=lambda p: os.path.getsize(p))
    text = _read(path) or ""
    lines = text.split("\n")
    plain = DocumentStore(registry, grammars)
    hooked = DocumentStore(registry, grammars, NextEdits())
    timings: dict[str, list[float]] = {"without": [], "with": []}
    for name, store in (("without", plain), ("with", hooked)):
        store.open(f"file:///{name}.py", text, 1, "python")
    row, col = 0, 0
    for key in range(OVERHEAD_KEYS):
        if key % 10 == 0:
            row = rng.randrange(len(lines))
            col = 0
        change = [TextChange("x", Position(row, col), Position(row, col))]
        order = [("without", plain), ("with", hooked)]
        if key % 2:
            order.reverse()
        for name, store in order:
            t0 = time.perf_counter()
            store.change(f"file:///{name}.py", key + 2, change)
            timings[name].append((time.perf_counter() - t0) * 1e6)
        col += 1
    without = percentile(timings["without"], 0.5)
    with_history = percentile(timings["with"], 0.5)
    return {
        "file_lines": len(lines),
        "keystrokes": OVERHEAD_KEYS,
        "p50_us_without": round(without, 1),
        "p50_us_with": round(with_history, 1),
        "ratio": round(with_history / without, 3) if without else float("nan"),
    }


def _rates(counts: dict[str, int], n: int) -> dict[str, object]:
    return {"n": n, **{k: round(v / n, 3) for k, v in sorted(counts.items())}} if n else {"n": 0}


def _percentiles(values: list[float]) -> dict[str, float]:
    return {
        "p50": round(percentile(values, 0.5), 2),
        "p95": round(percentile(values, 0.95), 2),
        "max": round(max(values), 2) if values else float("nan"),
        "n": len(values),
    }


def _python_files(paths: list[str]) -> Iterator[str]:
    for root in paths:
        if os.path.isfile(root):
            yield root
            continue
        for folder, dirs, names in os.walk(root):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
            for name in sorted(names):
                full = os.path.join(folder, name)
                if name.endswith(".py") and 0 < os.path.getsize(full) <= MAX_FILE_BYTES:
                    yield full


def _read(path: str) -> str | None:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return text if "\r" not in text else None


def _print(f: dict[str, object], misses: list[str]) -> None:
    print(f"next edits over {f['files']} files of {', '.join(map(str, f['paths']))}")  # type: ignore[call-overload]
    kinds = f["kinds"]
    assert isinstance(kinds, dict)
    for kind, rates in kinds.items():
        rest = "  ".join(f"{k} {v:.3f}" for k, v in rates.items() if k != "n")
        print(f"  {kind:<32} n={rates['n']:<4} {rest}")
    lat = f["latency_ms"]
    assert isinstance(lat, dict)
    print(f"  prediction latency: p50 {lat['p50']:.2f} ms  p95 {lat['p95']:.2f} ms  (n={lat['n']})")
    o = f["did_change_overhead"]
    assert isinstance(o, dict)
    print(
        f"  didChange on {o['file_lines']} lines: p50 {o['p50_us_without']:.1f} us without the "
        f"history, {o['p50_us_with']:.1f} us with it (x{o['ratio']})"
    )
    if "with_model" in f:
        nextedit_model.print_figures(f["with_model"])  # type: ignore[arg-type]
    for line in misses:
        print(f"  miss: {line}")
