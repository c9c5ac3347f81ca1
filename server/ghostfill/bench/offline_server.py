"""`ghostfill bench offline --through-server`: the offline engine measured the way an editor asks.

For each tree (a package), a few files are held out: the workspace is a copy of the tree without
them, so the engine's index has never seen them. A real `ghostfill serve` process (no backend,
stdio LSP) indexes that workspace; then each held-out file is opened (`didOpen`, its path inside
the workspace), a line is cut at a random column (the rest of the line deleted, as when typing a
new line) and `textDocument/inlineCompletion` is asked at the cut. The first suggested line is
scored against the deleted text:

- exact: the first line equals the rest of the line (share of all cuts);
- coverage: anything suggested; precision: exact among suggestions;
- latency p50 / p99 of the request round trip, and p50 of the first request after a `didOpen`
  (the file is closed and re-opened every `--reopen-every` cuts, so there are enough of them).

Each minConfidence of the sweep is one pass over the same cuts (the setting is changed through
`workspace/didChangeConfiguration`, as an editor would). With `--during-index`, requests are
also timed while a large workspace is still being indexed (learning must not block them).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lsprotocol import types

from ghostfill.bench.driver import ServerUnderTest, percentile
from ghostfill.bench.offline import Cut, Latency, Row, choose_cuts, sweep_row
from ghostfill.documents.languages import LanguageRegistry
from ghostfill.documents.privacy import PrivacyFilter
from ghostfill.documents.workspace import read_source, workspace_files
from ghostfill.settings import DEFAULT_EXCLUDES, OfflineSettings

SERVER_SWEEP = (0.05, 0.2, 0.35, 0.5, 0.7)
INDEX_WAIT_S = 120.0


@dataclass(slots=True)
class TreeFigures:
    path: str
    language: str
    files: int
    held_out: int
    cuts: int
    index_seconds: float
    latency: Latency
    cpu: Latency
    """Server CPU time per request (all threads; the ask plus its didChange/didOpen)."""
    first_after_open: Latency
    first_open_of_file: Latency
    """The first request after a file's first didOpen (its model counted from nothing)."""
    default_min_confidence: float
    first_open_values: list[float] = field(default_factory=list)
    """Each file's first request, pooled across trees in `pooled` (a tree holds only a few)."""
    sweep: list[Row] = field(default_factory=list)
    during_index: Latency | None = None
    idle: Latency | None = None


def run(args: argparse.Namespace) -> list[TreeFigures]:
    return asyncio.run(_run(args))


async def _run(args: argparse.Namespace) -> list[TreeFigures]:
    out: list[TreeFigures] = []
    thresholds = sorted(args.min_confidence) if args.min_confidence else list(SERVER_SWEEP)
    for tree in args.paths:
        found = _tree(args, tree)
        if found is not None:
            out.append(await _measure_tree(args, tree, *found, thresholds))
    if args.during_index and out:
        out[-1].during_index, out[-1].idle = await _during_index(args)
    return out


def _tree(args: argparse.Namespace, tree: str) -> tuple[list[tuple[str, str]], str] | None:
    max_bytes = args.max_file_kb * 1024
    privacy = PrivacyFilter(DEFAULT_EXCLUDES)
    found = workspace_files([tree], LanguageRegistry(), privacy, args.max_files, max_bytes)
    if args.language:
        found = [f for f in found if f[1] == args.language]
    if len(found) < 2:
        return None
    languages = sorted({lang for _, lang in found}, key=[lang for _, lang in found].count)
    return found, languages[-1]


async def _measure_tree(
    args: argparse.Namespace,
    tree: str,
    found: list[tuple[str, str]],
    language: str,
    thresholds: Sequence[float],
) -> TreeFigures:
    rng = random.Random(args.seed)
    order = list(found)
    rng.shuffle(order)
    held = int(args.holdout) if args.holdout > 1 else max(1, round(len(order) * args.holdout))
    max_bytes = args.max_file_kb * 1024
    held_files: list[tuple[str, str, str]] = []
    for path, lang in order:
        if len(held_files) >= held:
            break
        text = read_source(path, max_bytes)
        if text is not None and text.strip():
            held_files.append((path, lang, text))
    held_paths = {p for p, _, _ in held_files}
    root = Path(tempfile.mkdtemp(prefix="ghostfill-bench-offline-"))
    try:
        copied = _copy_tree(tree, root, [p for p, _ in found if p not in held_paths])
        # The held-out files live at their own path inside the workspace, but not on disk.
        moved = _relocated(held_files, tree, root)
        cuts = choose_cuts(moved, args.cuts, rng)
        default = OfflineSettings().minConfidence
        passes = [default, *(t for t in thresholds if abs(t - default) > 1e-9)]
        server = _server()
        await server.start({"offline": {"minConfidence": default}}, root)
        try:
            started = time.perf_counter()
            await _wait_indexed(server, copied)
            index_seconds = time.perf_counter() - started
            shown: dict[float, list[str | None]] = {}
            times: list[float] = []
            first: list[float] = []
            cpu: list[float] = []
            new_file: list[float] = []
            for t in passes:
                if t != default:
                    await _configure(server, {"offline": {"minConfidence": t}})
                timed = t == default
                shown[t] = await _pass(
                    server, cuts, args.reopen_every, times, first, cpu, new_file, timed
                )
        finally:
            await server.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)
    rows = [sweep_row(t, cuts, shown[t]) for t in sorted(passes)]
    return TreeFigures(
        path=tree,
        language=language,
        files=copied,
        held_out=len(held_files),
        cuts=len(cuts),
        index_seconds=index_seconds,
        latency=Latency.of(times),
        cpu=Latency.of(cpu),
        first_after_open=Latency.of(first),
        first_open_of_file=Latency.of(new_file),
        first_open_values=list(new_file),
        default_min_confidence=default,
        sweep=rows,
    )


def _server() -> ServerUnderTest:
    env = dict(os.environ, GHOSTFILL_NO_DAEMON="1")
    return ServerUnderTest([sys.executable, "-m", "ghostfill", "serve"], env=env)


def _relocated(
    files: Sequence[tuple[str, str, str]], tree: str, root: Path
) -> list[tuple[str, str, str]]:
    return [(str(root / os.path.relpath(p, tree)), lang, text) for p, lang, text in files]


def _copy_tree(tree: str, root: Path, paths: Sequence[str]) -> int:
    for path in paths:
        target = root / os.path.relpath(path, tree)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    return len(paths)


async def _debug_stats(server: ServerUnderTest) -> dict[str, Any]:
    result = await server.client.protocol.send_request_async("ghostfill/debugStats", {})
    plain = _plain(result)
    return plain if isinstance(plain, dict) else {}


def _plain(value: Any) -> Any:
    """pygls hands custom results back as namespace objects; turn them into dicts."""
    if hasattr(value, "_asdict"):
        return {k: _plain(v) for k, v in value._asdict().items()}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


async def _wait_indexed(server: ServerUnderTest, files: int) -> None:
    """Until the offline index holds `files` files and stopped growing (or the time is up)."""
    deadline = time.perf_counter() + INDEX_WAIT_S
    last = -1
    while time.perf_counter() < deadline:
        stats = await _debug_stats(server)
        count = int(stats.get("offline", {}).get("files", 0))
        if count >= files or (count == last and count > 0):
            return
        last = count
        await asyncio.sleep(0.25)


async def _cpu_ms(server: ServerUnderTest) -> float:
    """The server process's CPU time so far (every thread), in ms."""
    return float((await _debug_stats(server)).get("cpu_ms", 0.0))


async def _configure(server: ServerUnderTest, options: dict[str, Any]) -> None:
    """Change settings as an editor does; the server pulls them back and applies them."""
    server.options = options
    server.client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings=options)
    )
    await _debug_stats(server)
    await asyncio.sleep(0.2)


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _cut_text(cut: Cut) -> str:
    end = cut.text.find("\n", cut.start)
    rest = cut.text[end:] if end >= 0 else ""
    return cut.text[: cut.start + cut.column] + rest


async def _pass(
    server: ServerUnderTest,
    cuts: Sequence[Cut],
    reopen_every: int,
    times: list[float],
    first: list[float],
    cpu_times: list[float],
    new_file: list[float],
    timed: bool,
) -> list[str | None]:
    """One pass over the cuts: returns the first suggested line per cut (None: nothing)."""
    shown: list[str | None] = []
    seen: set[str] = set()
    open_path = ""
    since_open = 0
    version = 1
    previous: Cut | None = None
    for cut in cuts:
        uri = Path(cut.path).as_uri()
        row = cut.text.count("\n", 0, cut.start)
        fresh = cut.path != open_path or since_open >= reopen_every
        if fresh:
            if open_path:
                server.client.text_document_did_close(
                    types.DidCloseTextDocumentParams(
                        types.TextDocumentIdentifier(uri=Path(open_path).as_uri())
                    )
                )
            version = 1
            server.open(uri, _cut_text(cut), cut.language)
            open_path, since_open = cut.path, 0
        else:
            assert previous is not None
            version += 1
            _recut(server, uri, version, previous, cut)
        since_open += 1
        previous = cut
        cpu = await _cpu_ms(server) if timed else 0.0
        started = time.perf_counter()
        text = await _inline(server, uri, row, _utf16(cut.line[: cut.column]))
        elapsed = (time.perf_counter() - started) * 1000
        if timed:
            times.append(elapsed)
            cpu_times.append(await _cpu_ms(server) - cpu)
            if fresh:
                first.append(elapsed)
            if cut.path not in seen:
                new_file.append(elapsed)
        seen.add(cut.path)
        shown.append(text.split("\n", 1)[0].rstrip() if text else None)
    if open_path:
        server.client.text_document_did_close(
            types.DidCloseTextDocumentParams(
                types.TextDocumentIdentifier(uri=Path(open_path).as_uri())
            )
        )
    return shown


def _recut(server: ServerUnderTest, uri: str, version: int, old: Cut, new: Cut) -> None:
    """Restore the previously cut line, then cut the new one (two incremental changes)."""
    old_row = old.text.count("\n", 0, old.start)
    new_row = new.text.count("\n", 0, new.start)
    at = types.Position(line=old_row, character=_utf16(old.line[: old.column]))
    start = types.Position(line=new_row, character=_utf16(new.line[: new.column]))
    end = types.Position(line=new_row, character=start.character + _utf16(new.line[new.column :]))
    server.client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(start=at, end=at), text=old.line[old.column :]
                ),
                types.TextDocumentContentChangePartial(
                    range=types.Range(start=start, end=end), text=""
                ),
            ],
        )
    )


async def _inline(server: ServerUnderTest, uri: str, line: int, character: int) -> str:
    """The suggestion after the cursor: the item's text minus what its range already holds."""
    result = await server.client.text_document_inline_completion_async(
        types.InlineCompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=line, character=character),
            context=types.InlineCompletionContext(
                trigger_kind=types.InlineCompletionTriggerKind.Automatic
            ),
        )
    )
    if not isinstance(result, types.InlineCompletionList) or not result.items:
        return ""
    item = result.items[0]
    text = item.insert_text if isinstance(item.insert_text, str) else item.insert_text.value
    covered = character - item.range.start.character if item.range is not None else 0
    # insertText repeats the covered text (line start..cursor) in UTF-16 units.
    return text.encode("utf-16-le")[2 * covered :].decode("utf-16-le", errors="replace")


async def _during_index(args: argparse.Namespace) -> tuple[Latency, Latency]:
    """Request latency while a big workspace indexes, and once it is done (same file)."""
    root = Path(args.during_index)
    probe = root / "ghostfill_bench_probe.py"
    text = "import os\n\n\ndef main(path):\n    return os.path.join(path, 'x')\n"
    server = _server()
    await server.start({}, root)
    busy: list[float] = []
    idle: list[float] = []
    try:
        server.open(probe.as_uri(), text, "python")
        deadline = time.perf_counter() + INDEX_WAIT_S
        last, steady = -1, 0
        while time.perf_counter() < deadline and steady < 3:  # 3 checks without a new file
            for _ in range(10):
                started = time.perf_counter()
                await _inline(server, probe.as_uri(), 4, 11)
                busy.append((time.perf_counter() - started) * 1000)
                await asyncio.sleep(0.02)
            count = int((await _debug_stats(server)).get("offline", {}).get("files", 0))
            steady = steady + 1 if count == last and count > 0 else 0
            last = count
        for _ in range(100):
            started = time.perf_counter()
            await _inline(server, probe.as_uri(), 4, 11)
            idle.append((time.perf_counter() - started) * 1000)
            await asyncio.sleep(0.02)
    finally:
        await server.stop()
    return Latency.of(busy), Latency.of(idle)


def report(figures: Sequence[TreeFigures]) -> str:
    lines = ["ghostfill bench offline --through-server (real `ghostfill serve`, no backend)"]
    for f in figures:
        lines += [
            "",
            f"  {f.path} ({f.language}): {f.files} files indexed in {f.index_seconds:.1f} s;"
            f" {f.cuts} cuts in {f.held_out} held-out files opened in the editor",
            f"  request  p50 {f.latency.p50:.1f} ms, p99 {f.latency.p99:.1f} ms"
            f" (server CPU p50 {f.cpu.p50:.1f} ms, p99 {f.cpu.p99:.1f} ms);"
            f" first after didOpen p50 {f.first_after_open.p50:.1f} ms,"
            f" p99 {f.first_after_open.p99:.1f} ms; after a file's first didOpen p50"
            f" {f.first_open_of_file.p50:.1f} ms",
            "  minConfidence  coverage   exact  precision  ok-prefix  edit-sim",
        ]
        for row in f.sweep:
            mark = (
                "  <- default" if abs(row.min_confidence - f.default_min_confidence) < 1e-9 else ""
            )
            lines.append(
                f"  {row.min_confidence:>13.2f}  {row.coverage:>8.1%}  {row.exact:>6.1%}"
                f"  {row.precision:>9.1%}  {row.ok_prefix:>9.1%}  {row.edit_similarity:>8.2f}{mark}"
            )
        if f.during_index is not None and f.idle is not None:
            lines.append(
                f"  requests while --during-index indexes: p50 {f.during_index.p50:.1f} ms,"
                f" p99 {f.during_index.p99:.1f} ms; idle p50 {f.idle.p50:.1f} ms,"
                f" p99 {f.idle.p99:.1f} ms"
            )
    return "\n".join(lines)


def pooled(figures: Sequence[TreeFigures]) -> str:
    """One line per language: cut-weighted means of the default row, and latency medians."""
    by: dict[str, list[TreeFigures]] = {}
    for f in figures:
        by.setdefault(f.language, []).append(f)
    out = []
    for language, fs in sorted(by.items()):
        n = sum(f.cuts for f in fs) or 1
        rows = [_default_row(f) for f in fs]
        exact = sum(r.exact * f.cuts for r, f in zip(rows, fs, strict=True)) / n
        cov = sum(r.coverage * f.cuts for r, f in zip(rows, fs, strict=True)) / n
        prec = exact / cov if cov else 0.0
        p50 = percentile([f.latency.p50 for f in fs], 0.5)
        first = percentile([f.first_after_open.p50 for f in fs], 0.5)
        cpu = percentile([f.cpu.p50 for f in fs], 0.5)
        opened = [v for f in fs for v in f.first_open_values]
        out.append(
            f"  {language}: exact {exact:.1%}, coverage {cov:.1%}, precision {prec:.1%},"
            f" p50 {p50:.1f} ms (server CPU {cpu:.1f} ms), first after didOpen p50 {first:.1f} ms,"
            f" after a file's first didOpen p50 {percentile(opened, 0.5):.1f} ms"
            f" ({len(opened)} files) ({n} cuts)"
        )
    return "\n".join(out)


def _default_row(f: TreeFigures) -> Row:
    return next(r for r in f.sweep if abs(r.min_confidence - f.default_min_confidence) < 1e-9)
