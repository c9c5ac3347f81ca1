"""Offline engine: hold out files of a code tree, cut lines, predict the rest of the line.

The engine indexes every file under PATH, found as the workspace indexer finds them
(.gitignore, privacy excludes and size limits honoured). Cuts fall on random non-blank lines of
the held-out files, at a random column after the indentation. While a file's cuts are
predicted the engine has forgotten that file (leave-one-out), so the workspace model has never
seen it. The engine gets the text before the cut and the file after that line (the rest of the
line does not exist yet, as when typing a new line) and must produce the rest of the line.

For each minConfidence of the sweep: coverage (cuts with a suggestion), exact (suggestion equals
the rest of the line, over all cuts), precision (exact among suggestions), ok-prefix (suggestions
that are a correct start of the rest of the line: accepting them never adds wrong text), saved
(share of the rest-of-line characters correct suggestions type for the user) and edit
similarity (1 - normalised Levenshtein, 0 without a suggestion). Also: suggest() latency, wall
and CPU, when the file model is rebuilt (first request on a line) and when it is reused
(typing along the line); index time; resident memory.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

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
        help="share (≤1) or number (>1) of the files that get cuts",
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
    parser.add_argument("--max-files", type=int, default=10000, help="files taken from PATH")
    parser.add_argument("--max-file-kb", type=int, default=512)
    parser.add_argument("--language", help="only files of this language")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--through-server",
        action="store_true",
        help="ask a real `ghostfill serve` over LSP, held-out files opened in the editor",
    )
    parser.add_argument(
        "--reopen-every", type=int, default=4, help="(--through-server) cuts between re-opens"
    )
    parser.add_argument(
        "--during-index",
        metavar="DIR",
        help="(--through-server) also time requests while DIR (a big tree) is being indexed",
    )


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
        end = self.text.find("\n", self.start)
        return CompletionContext(
            uri="file://" + self.path,
            path=self.path,
            language=self.language,
            prefix=self.text[: self.start + self.column],
            suffix=self.text[end:] if end >= 0 else "",
            line_prefix=self.line[: self.column],
            line_suffix="",
        )


@dataclass(frozen=True, slots=True)
class Row:
    min_confidence: float
    coverage: float
    exact: float
    precision: float
    ok_prefix: float
    saved: float
    edit_similarity: float


@dataclass(frozen=True, slots=True)
class Latency:
    p50: float
    p99: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Latency:
        return cls(percentile(values, 0.5), percentile(values, 0.99))


@dataclass(slots=True)
class Figures:
    paths: list[str]
    files: int
    held_out: int
    cuts: int
    index_seconds: float
    rss_mb: float
    rss_index_mb: float
    stats: dict[str, int]
    rebuilt: Latency
    rebuilt_cpu: Latency
    cached: Latency
    cached_cpu: Latency
    default_min_confidence: float
    sweep: list[Row] = field(default_factory=list)


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
    for _ in range(n if lines else 0):
        i, start, length = lines[rng.randrange(len(lines))]
        path, language, text = files[i]
        line = text[start : start + length]
        indent = len(line) - len(line.lstrip())
        column = rng.randrange(indent, len(line.rstrip()))
        cuts.append(Cut(path, language, text, start, column, line))
    return cuts


def sweep_row(t: float, cuts: Sequence[Cut], shown: Sequence[str | None]) -> Row:
    """What the user would have seen at each cut with minConfidence `t`."""
    n = len(cuts) or 1
    count = exact = ok_prefix = 0
    similarity = saved = 0.0
    for cut, text in zip(cuts, shown, strict=True):
        if text is None:
            continue
        count += 1
        got = text.rstrip()
        target = cut.target
        exact += got == target
        if got and target.startswith(got):
            ok_prefix += 1
            saved += len(got) / len(target)
        similarity += edit_similarity(got, target)
    return Row(
        min_confidence=t,
        coverage=count / n,
        exact=exact / n,
        precision=exact / count if count else 0.0,
        ok_prefix=ok_prefix / count if count else 0.0,
        saved=saved / n,
        edit_similarity=similarity / n,
    )


def run(args: argparse.Namespace) -> int:
    if args.through_server:
        return _run_through_server(args)
    figures = measure(args)
    if figures is None:
        print("ghostfill bench offline: not enough files under", ", ".join(args.paths))
        return 2
    print(json.dumps(dataclasses.asdict(figures), indent=2) if args.json else report(figures))
    return 0


def _run_through_server(args: argparse.Namespace) -> int:
    from ghostfill.bench import offline_server

    if list(args.min_confidence) == list(SWEEP):
        args.min_confidence = list(offline_server.SERVER_SWEEP)
    trees = offline_server.run(args)
    if not trees:
        print("ghostfill bench offline: not enough files under", ", ".join(args.paths))
        return 2
    if args.json:
        print(json.dumps([dataclasses.asdict(t) for t in trees], indent=2))
    else:
        print(offline_server.report(trees))
        print(offline_server.pooled(trees))
    return 0


def measure(args: argparse.Namespace) -> Figures | None:
    max_bytes = args.max_file_kb * 1024
    privacy = PrivacyFilter(DEFAULT_EXCLUDES)
    found = workspace_files(args.paths, LanguageRegistry(), privacy, args.max_files, max_bytes)
    if args.language:
        found = [f for f in found if f[1] == args.language]
    if len(found) < 2:
        return None
    rng = random.Random(args.seed)
    order = list(found)
    rng.shuffle(order)
    held = int(args.holdout) if args.holdout > 1 else max(1, round(len(order) * args.holdout))

    default = OfflineSettings().minConfidence
    engine = OfflineEngine(OfflineSettings(minConfidence=default))
    rss_before = rss_mb(os.getpid())
    started = time.perf_counter()
    held_files: list[tuple[str, str, str]] = []
    for path, language in order:
        text = read_source(path, max_bytes)
        if text is not None:
            engine.observe(path, text, language)
            if len(held_files) < held:
                held_files.append((path, language, text))
    index_seconds = time.perf_counter() - started
    rss_after = rss_mb(os.getpid())
    stats = engine.stats()

    cuts = choose_cuts(held_files, args.cuts, rng)
    by_file: dict[str, list[int]] = {}
    for i, cut in enumerate(cuts):
        by_file.setdefault(cut.path, []).append(i)
    thresholds = sorted(args.min_confidence)
    shown: dict[float, list[str | None]] = {t: [None] * len(cuts) for t in thresholds}
    times: dict[str, list[float]] = {
        "rebuilt": [],
        "rebuilt_cpu": [],
        "cached": [],
        "cached_cpu": [],
    }
    for path, indexes in by_file.items():
        first = cuts[indexes[0]]
        engine.forget(path)  # leave-one-out: the workspace model has never seen this file
        for i in indexes:
            ctx = cuts[i].context()
            engine.configure(OfflineSettings(minConfidence=default))
            for kind in ("rebuilt", "cached"):  # the first call builds the file model
                _, wall, cpu = _timed(engine, ctx)
                times[kind].append(wall)
                times[kind + "_cpu"].append(cpu)
            for t in thresholds:
                engine.configure(OfflineSettings(minConfidence=t))
                shown[t][i] = _timed(engine, ctx)[0]
        engine.observe(path, first.text, first.language)
    return Figures(
        paths=list(args.paths),
        files=stats["files"],
        held_out=len(held_files),
        cuts=len(cuts),
        index_seconds=index_seconds,
        rss_mb=rss_after,
        rss_index_mb=rss_after - rss_before,
        stats=stats,
        rebuilt=Latency.of(times["rebuilt"]),
        rebuilt_cpu=Latency.of(times["rebuilt_cpu"]),
        cached=Latency.of(times["cached"]),
        cached_cpu=Latency.of(times["cached_cpu"]),
        default_min_confidence=default,
        sweep=[sweep_row(t, cuts, shown[t]) for t in thresholds],
    )


def _timed(engine: OfflineEngine, ctx: CompletionContext) -> tuple[str | None, float, float]:
    """The suggestion, and the wall and CPU milliseconds suggest() took."""
    cpu = time.thread_time()
    wall = time.perf_counter()
    completion = engine.suggest(ctx)
    wall_ms = (time.perf_counter() - wall) * 1000
    cpu_ms = (time.thread_time() - cpu) * 1000
    return (completion.text if completion is not None else None), wall_ms, cpu_ms


def report(f: Figures) -> str:
    s = f.stats
    lines = [
        f"ghostfill bench offline: {', '.join(f.paths)}",
        f"  index    {f.files:,} files, {s['tokens']:,} tokens, {s['contexts']:,} contexts,"
        f" texts {s['texts']:,}, in {f.index_seconds:.1f} s;"
        f" RSS {f.rss_mb:.0f} MB ({f.rss_index_mb:+.0f} MB for the index)",
        f"  cuts     {f.cuts} in {f.held_out} held-out files (each forgotten while cut)",
        f"  suggest  file model rebuilt: p50 {f.rebuilt.p50:.1f} ms, p99 {f.rebuilt.p99:.1f} ms"
        f" (CPU {f.rebuilt_cpu.p50:.1f} / {f.rebuilt_cpu.p99:.1f});"
        f" reused: p50 {f.cached.p50:.1f} ms, p99 {f.cached.p99:.1f} ms"
        f" (CPU {f.cached_cpu.p50:.1f} / {f.cached_cpu.p99:.1f})",
        "",
        "  minConfidence  coverage   exact  precision  ok-prefix   saved  edit-sim",
    ]
    for row in f.sweep:
        mark = "  <- default" if abs(row.min_confidence - f.default_min_confidence) < 1e-9 else ""
        lines.append(
            f"  {row.min_confidence:>13.2f}  {row.coverage:>8.1%}  {row.exact:>6.1%}"
            f"  {row.precision:>9.1%}  {row.ok_prefix:>9.1%}  {row.saved:>6.1%}"
            f"  {row.edit_similarity:>8.2f}{mark}"
        )
    return "\n".join(lines)
