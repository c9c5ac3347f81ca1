"""Offline engine quality and speed: hold out files, cut lines, predict the rest of the line.

The engine indexes every file of PATH, found the way the workspace indexer finds them
(.gitignore, privacy excludes and size limits honoured). Cuts fall on random lines of the
held-out files, at a random column after the indentation; while a file's cuts are predicted the
engine has forgotten that file (leave-one-out), so the workspace model has never seen it. The
engine sees the text before the cut and the file after that line (the rest of the line does not
exist yet, as when typing a new line) and must produce the rest of the line.

Figures: coverage (cuts with a suggestion), precision (exact among suggestions), exact match
and edit similarity (1 - normalised Levenshtein; 0 without a suggestion) over all cuts, "ok
prefix" (suggestions that are a correct start of the line: accepting them never adds wrong
text), for each minConfidence of the sweep; suggest() latency (file model rebuilt: the first
request on a line; cached: typing on along the line); index time; resident memory.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass

from ghostfill.bench.driver import percentile, rss_mb
from ghostfill.documents.languages import LanguageRegistry
from ghostfill.documents.privacy import PrivacyFilter
from ghostfill.documents.workspace import read_source, workspace_files
from ghostfill.engine import OfflineEngine
from ghostfill.model import CompletionContext
from ghostfill.settings import DEFAULT_EXCLUDES, OfflineSettings

SWEEP = (0.05, 0.1, 0.2, 0.3, 0.35, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="code tree(s) to learn from")
    parser.add_argument(
        "--holdout",
        type=float,
        default=0.1,
        help="share (≤1) or number (>1) of files cut; each is left out of the index while cut",
    )
    parser.add_argument("--cuts", type=int, default=1000, help="lines cut in held-out files")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--min-confidence",
        type=float,
        nargs="+",
        default=list(SWEEP),
        metavar="X",
        help="thresholds of the sweep table",
    )
    parser.add_argument("--max-files", type=int, default=10000, help="files found under PATH")
    parser.add_argument("--max-file-kb", type=int, default=512)
    parser.add_argument("--language", help="only files of this language")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")


@dataclass(frozen=True, slots=True)
class Cut:
    path: str
    language: str
    text: str
    start: int
    """Offset of the cut line's first character."""
    column: int
    line: str

    @property
    def target(self) -> str:
        return self.line[self.column :].rstrip()

    def context(self) -> CompletionContext:
        prefix = self.text[: self.start + self.column]
        end = self.text.find("\n", self.start)
        suffix = self.text[end:] if end >= 0 else ""
        return CompletionContext(
            uri="file://" + self.path,
            path=self.path,
            language=self.language,
            prefix=prefix,
            suffix=suffix,
            line_prefix=self.line[: self.column],
            line_suffix="",
        )


@dataclass(frozen=True, slots=True)
class Outcome:
    text: str | None
    confidence: float
    ms: float


def edit_similarity(a: str, b: str) -> float:
    """1 - Levenshtein(a, b) / max(len(a), len(b))."""
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return 1.0 - prev[-1] / max(len(a), len(b))


def choose_cuts(files: Sequence[tuple[str, str, str]], n: int, rng: random.Random) -> list[Cut]:
    """`n` cuts spread uniformly over the non-blank lines of `files` (path, language, text)."""
    lines: list[tuple[int, int, int]] = []  # (file index, line start offset, line length)
    for i, (_, _, text) in enumerate(files):
        offset = 0
        for line in text.split("\n"):
            if line.strip():
                lines.append((i, offset, len(line)))
            offset += len(line) + 1
    cuts: list[Cut] = []
    if not lines:
        return cuts
    for _ in range(n):
        i, start, length = lines[rng.randrange(len(lines))]
        path, language, text = files[i]
        line = text[start : start + length]
        body = line.rstrip()
        indent = len(line) - len(line.lstrip())
        column = rng.randrange(indent, len(body))
        cuts.append(Cut(path, language, text, start, column, line))
    return cuts


def sweep_row(t: float, cuts: Sequence[Cut], outcomes: Sequence[Outcome]) -> dict[str, float]:
    """Figures for one threshold: what the user would have seen at each cut."""
    n = len(cuts)
    shown = exact = ok_prefix = 0
    similarity = saved = 0.0
    for cut, out in zip(cuts, outcomes, strict=True):
        if out.text is None:
            continue
        shown += 1
        got = out.text.rstrip()
        target = cut.target
        exact += got == target
        if got and target.startswith(got):
            ok_prefix += 1
            saved += len(got) / len(target)
        similarity += edit_similarity(got, target)
    return {
        "min_confidence": t,
        "coverage": shown / n if n else 0.0,
        "precision": exact / shown if shown else 0.0,
        "exact": exact / n if n else 0.0,
        "ok_prefix": ok_prefix / shown if shown else 0.0,
        "saved": saved / n if n else 0.0,
        "edit_similarity": similarity / n if n else 0.0,
    }


def run(args: argparse.Namespace) -> int:
    figures = measure(args)
    if figures is None:
        print("ghostfill bench offline: not enough files under", ", ".join(args.paths))
        return 2
    print(json.dumps(figures, indent=2) if args.json else report(figures))
    return 0


def measure(args: argparse.Namespace) -> dict[str, object] | None:
    registry = LanguageRegistry()
    privacy = PrivacyFilter(DEFAULT_EXCLUDES)
    max_bytes = args.max_file_kb * 1024
    found = workspace_files(args.paths, registry, privacy, args.max_files, max_bytes)
    if args.language:
        found = [f for f in found if f[1] == args.language]
    rng = random.Random(args.seed)
    order = list(found)
    rng.shuffle(order)
    held = int(args.holdout) if args.holdout > 1 else max(1, round(len(order) * args.holdout))
    if len(order) < 2:
        return None

    thresholds = sorted(args.min_confidence)
    default = OfflineSettings().minConfidence
    engine = OfflineEngine(OfflineSettings(minConfidence=default))
    rss_before = rss_mb(os.getpid())
    started = time.perf_counter()
    texts: dict[str, str] = {}
    for path, language in order:
        text = read_source(path, max_bytes)
        if text is not None:
            engine.observe(path, text, language)
            if len(texts) < held:
                texts[path] = text
    index_s = time.perf_counter() - started
    rss_after = rss_mb(os.getpid())
    stats = engine.stats()

    held_files = [(p, lang, texts[p]) for p, lang in order if p in texts]
    cuts = choose_cuts(held_files, args.cuts, rng)
    by_file: dict[str, list[int]] = {}
    for i, cut in enumerate(cuts):
        by_file.setdefault(cut.path, []).append(i)
    outcomes = {t: [Outcome(None, 0.0, 0.0)] * len(cuts) for t in thresholds}
    rebuilt: list[float] = []
    cached: list[float] = []
    for path, indexes in by_file.items():
        first = cuts[indexes[0]]
        engine.forget(path)  # leave-one-out: the workspace model has never seen this file
        for i in indexes:
            ctx = cuts[i].context()
            engine.configure(OfflineSettings(minConfidence=default))
            rebuilt.append(_timed(engine, ctx)[1])  # the file model is built for this line
            cached.append(_timed(engine, ctx)[1])
            for t in thresholds:
                engine.configure(OfflineSettings(minConfidence=t))
                text, ms = _timed(engine, ctx)
                outcomes[t][i] = Outcome(text, t, ms)
        engine.observe(path, first.text, first.language)
    rows = [sweep_row(t, cuts, outcomes[t]) for t in thresholds]
    return {
        "paths": list(args.paths),
        "files_indexed": stats["files"],
        "held_out": len(held_files),
        "cuts": len(cuts),
        "index_seconds": index_s,
        "rss_mb": rss_after,
        "rss_index_mb": rss_after - rss_before,
        "stats": stats,
        "latency_ms": {
            "rebuilt_p50": percentile(rebuilt, 0.5),
            "rebuilt_p99": percentile(rebuilt, 0.99),
            "cached_p50": percentile(cached, 0.5),
            "cached_p99": percentile(cached, 0.99),
        },
        "sweep": rows,
        "default_min_confidence": default,
    }


def _timed(engine: OfflineEngine, ctx: CompletionContext) -> tuple[str | None, float]:
    t0 = time.perf_counter()
    completion = engine.suggest(ctx)
    ms = (time.perf_counter() - t0) * 1000
    return (completion.text if completion is not None else None), ms


def report(f: dict[str, object]) -> str:
    stats = f["stats"]
    lat = f["latency_ms"]
    assert isinstance(stats, dict) and isinstance(lat, dict)
    rows = f["sweep"]
    assert isinstance(rows, list)
    lines = [
        f"ghostfill bench offline: {', '.join(f['paths'])}",  # type: ignore[arg-type]
        f"  index   {f['files_indexed']} files, {stats['tokens']:,} tokens, "
        f"{stats['contexts']:,} contexts, vocabulary {stats['vocabulary']:,} in "
        f"{f['index_seconds']:.1f} s; RSS {f['rss_mb']:.0f} MB (index {f['rss_index_mb']:+.0f} MB)",
        f"  cuts    {f['cuts']} in {f['held_out']} held-out files (each forgotten while cut)",
        f"  suggest file model rebuilt p50 {lat['rebuilt_p50']:.1f} ms  p99 {lat['rebuilt_p99']:.1f} ms;"
        f"  cached p50 {lat['cached_p50']:.1f} ms  p99 {lat['cached_p99']:.1f} ms",
        "",
        "  minConfidence  coverage  exact  precision  ok-prefix  saved  edit-sim",
    ]
    default = f["default_min_confidence"]
    for row in rows:
        mark = "  <- default" if abs(row["min_confidence"] - default) < 1e-9 else ""
        lines.append(
            f"  {row['min_confidence']:>13.2f}  {row['coverage']:>8.1%}  {row['exact']:>5.1%}"
            f"  {row['precision']:>9.1%}  {row['ok_prefix']:>9.1%}  {row['saved']:>5.1%}"
            f"  {row['edit_similarity']:>8.2f}{mark}"
        )
    return "\n".join(lines)
