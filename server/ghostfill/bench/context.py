"""Context quality and speed: does the definition the next line needs reach the prompt?

The symbol index is built from every file of PATH, found the way the workspace indexer finds
them (.gitignore, privacy excludes, size limits); the build time is the time from the first
file handed to the index to the index being idle, with the files fed from a thread as the
indexer feeds them, while the main thread keeps gathering context for one document: those
gathers are the "during indexing" latency (a request must not wait for the index).

Cuts: random lines (up to three per file) whose code (not strings or comments: the tree's
identifier tokens) uses a name that exactly one other file of the tree defines at its top
level (a function, class, type, constant or macro; at most two files define the name at all)
and this file does not define. The line is emptied to its indentation, the cursor put there,
the rest of the file kept after it (as when inserting a line), and the context gathered with
every source: definitions, neighbours from `--open` other random files of the same language,
recent edits (none: cuts are independent, so no edit carries over from one to the next). Recall: cuts whose snippets hold the definition (a snippet of the defining file
containing the definition's first line), over all cuts and split by whether the file imports
the name (or the module it is reached through, `module.name`). Budget share: tokens of snippets over the
budget. Gather time: `ContextEngine.gather`, the whole request-path context stage.

The 5,000-line figure: the largest file of the tree's main language, repeated or cut to 5,000
lines, opened as a document; at random lines a new line is started (Enter) and ten characters
typed, each an incremental edit recorded by the hooks as the server records didChange, and the
context gathered after every keystroke (the first after Enter is also reported alone).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import threading
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ghostfill.bench.driver import percentile, rss_mb
from ghostfill.context.gather import ContextEngine
from ghostfill.context.imports import Binding, read_imports, resolve, rules_of
from ghostfill.context.index import SymbolIndex
from ghostfill.context.ranking import used
from ghostfill.context.symbols import KINDS
from ghostfill.documents.languages import ImportRules, LanguageRegistry
from ghostfill.documents.privacy import PrivacyFilter
from ghostfill.documents.store import Document, DocumentStore, TextChange
from ghostfill.documents.syntax import Grammars, SyntaxTree, parse_once
from ghostfill.documents.workspace import read_source, workspace_files
from ghostfill.model import Position
from ghostfill.settings import DEFAULT_EXCLUDES, ContextSettings, Settings

_IMPORT_LINE = re.compile(r"^\s*(import|from|use|package|#\s*include|using|require)\b")
BIG_LINES = 5000
BURST = 10
"""Keystrokes typed at each random place of the 5,000-line file (after an Enter)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="code tree(s) to index")
    parser.add_argument("--cuts", type=int, default=300, help="lines cut")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-files", type=int, default=10000, help="files indexed under PATH")
    parser.add_argument("--max-file-kb", type=int, default=512)
    parser.add_argument("--exclude", nargs="*", default=[], metavar="GLOB", help="skip these")
    parser.add_argument("--language", help="cut only files of this language")
    parser.add_argument("--budget", type=int, default=2000, help="context budgetTokens")
    parser.add_argument("--open", type=int, default=4, help="other files open as neighbours")
    parser.add_argument("--keystrokes", type=int, default=300, help="timed edits on 5,000 lines")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--misses", type=int, default=0, help="print this many missed cuts")


@dataclass(frozen=True, slots=True)
class Cut:
    path: str
    row: int
    indent: str
    target: str
    defining: frozenset[str]
    heads: frozenset[str]
    """First lines of the target's definitions, any of which in a snippet is a hit."""
    how: str
    """How the file sees the target: "import" (by name, or `module.target`), "package"
    (same folder in Go, Java, C#) or "include" (a module imported whole)."""


def run(args: argparse.Namespace) -> int:
    rng = random.Random(args.seed)
    registry = LanguageRegistry()
    grammars = Grammars(registry)
    roots = [os.path.abspath(p) for p in args.paths]
    privacy = PrivacyFilter(DEFAULT_EXCLUDES + tuple(args.exclude), tuple(roots), True)
    max_bytes = args.max_file_kb * 1024
    files = workspace_files(roots, registry, privacy, args.max_files, max_bytes)
    if not files:
        print("no source files found", file=sys.stderr)
        return 2
    languages = Counter(language for _, language in files)
    language = args.language or languages.most_common(1)[0][0]
    settings = Settings(context=ContextSettings(budgetTokens=args.budget))
    engine = ContextEngine.standard(grammars)
    index = engine.symbols
    assert index is not None
    for spec_name in languages:  # load grammars and compile queries before timing
        grammar = grammars.by_name(spec_name)
        if grammar is not None:
            grammar.query("tags")
            grammar.query("imports")
            grammar.query("context")
    rss_before = rss_mb(os.getpid())
    build = _build(index, files, max_bytes, registry, grammars, settings, engine)
    rss_after = rss_mb(os.getpid())
    store = DocumentStore(registry, grammars)
    same = [p for p, lang in files if lang == language]
    chosen = [(p, lang) for p, lang in files if lang == language]
    cuts = _cuts(index, grammars, chosen, rng, args.cuts, max_bytes)
    results = _evaluate(engine, store, cuts, same, rng, args.open, settings, max_bytes, args.misses)
    big = _big_file(engine, store, same, rng, args.keystrokes, settings, max_bytes)
    figures = {
        "paths": roots,
        "files": len(files),
        "language": language,
        "index": build,
        "rss_mb": {"before_index": round(rss_before, 1), "after_index": round(rss_after, 1)},
        **results,
        "big_file": big,
    }
    engine.close()
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        _print(figures)
    return 0


def _build(
    index: SymbolIndex,
    files: list[tuple[str, str]],
    max_bytes: int,
    registry: LanguageRegistry,
    grammars: Grammars,
    settings: Settings,
    engine: ContextEngine,
) -> dict[str, object]:
    """Index every file from a feeder thread while this thread keeps gathering context."""
    probe_path, _ = max(files[:200], key=lambda f: os.path.getsize(f[0]))
    probe_text = read_source(probe_path, max_bytes) or ""
    probe = DocumentStore(registry, grammars).open(Path(probe_path).as_uri(), probe_text, 1)
    rows = max(probe.line_count - 1, 1)

    def gather_once(samples: list[float], rng: random.Random) -> None:
        row = rng.randrange(rows)
        started = time.perf_counter()
        engine.gather(probe, Position(row, 0), settings)
        samples.append((time.perf_counter() - started) * 1000)

    idle: list[float] = []
    rng = random.Random(7)
    for _ in range(200):
        gather_once(idle, rng)
    read_s = 0.0

    def feed() -> None:
        nonlocal read_s
        for path, language in files:
            t = time.perf_counter()
            text = read_source(path, max_bytes)
            read_s += time.perf_counter() - t
            if text is not None:
                index.observe(path, text, language)

    started = time.perf_counter()
    feeder = threading.Thread(target=feed, name="bench-feeder")
    feeder.start()
    busy: list[float] = []
    while feeder.is_alive() or not index.wait_idle(0):
        gather_once(busy, rng)
        time.sleep(0.005)
    feeder.join()
    index.wait_idle()
    seconds = time.perf_counter() - started
    stats = index.stats()
    return {
        "seconds": round(seconds, 2),
        "extract_seconds": round(index.extract_s, 2),
        "read_seconds": round(read_s, 2),
        "files": stats["files"],
        "definitions": stats["definitions"],
        "names": stats["names"],
        "index_mb": round(index.size_bytes() / 1e6, 1),
        "gather_idle_ms": _percentiles(idle),
        "gather_while_indexing_ms": _percentiles(busy),
    }


TOP_KINDS = frozenset({"function", "class", "interface", "type", "enum", "constant", "macro"})


def _cuts(
    index: SymbolIndex,
    grammars: Grammars,
    files: list[tuple[str, str]],
    rng: random.Random,
    wanted: int,
    max_bytes: int,
) -> list[Cut]:
    """Up to five cuts in each file (fewer when the tree is large), files in random order."""
    order = files[:]
    rng.shuffle(order)
    per_file = max(1, min(5, wanted // max(len(order), 1) + 1))
    cuts: list[Cut] = []
    for path, language in order:
        if len(cuts) >= wanted:
            break
        grammar = grammars.by_name(language)
        own = index.file(path)
        text = read_source(path, max_bytes)
        if grammar is None or own is None or text is None:
            continue
        data = text.encode("utf-8")
        tree = parse_once(grammar, data)
        rule = rules_of(grammar.spec)
        imports = read_imports(tree, data, [(0, len(data))], rule)
        bound = imports.bindings
        included = frozenset(
            f for module in imports.wildcards for f in resolve(module, path, rule, index)
        )
        own_names = set(own.names)
        lines = text.split("\n")
        starts = [0]
        for line in lines[:-1]:
            starts.append(starts[-1] + len(line.encode("utf-8")) + 1)
        in_imports = {
            row
            for m in tree.matches("imports")
            if (st := m.first("import.statement")) is not None
            for row in range(st.start_row, st.end_row + 1)
        }
        rows = [r for r in range(3, len(lines)) if r not in in_imports]
        rng.shuffle(rows)
        taken = 0
        for row in rows[:400]:
            cut = _cut_at(
                index,
                tree,
                data,
                path,
                lines,
                starts,
                row,
                own_names,
                bound,
                rule,
                included,
            )
            if cut is not None:
                cuts.append(cut)
                taken += 1
                if taken >= per_file or len(cuts) >= wanted:
                    break
    return cuts


def _cut_at(
    index: SymbolIndex,
    tree: SyntaxTree,
    data: bytes,
    path: str,
    lines: list[str],
    starts: list[int],
    row: int,
    own_names: set[str],
    bound: Mapping[str, Binding],
    rule: ImportRules,
    included: frozenset[str],
) -> Cut | None:
    """A cut at `row` if the line uses (in code, not in a string or comment) a name that
    exactly one other file defines at its top level (function, class, type, constant) and
    that the file sees through an import, its package (Go, Java, C#: same folder) or an
    include (`#include`, `source`, `require`, `from m import *`)."""
    line = lines[row]
    if not line.strip() or len(line) > 200 or _IMPORT_LINE.match(line):
        return None
    start = starts[row]
    end = start + len(line.encode("utf-8"))
    words: list[tuple[str, str]] = []
    before: list[str] = ["", ""]
    for a, b, kind in tree.tokens(start, end):
        text = data[a:b].decode("utf-8", errors="replace")
        if kind.endswith("identifier") or kind in ("constant", "name", "word"):
            owner = before[0] if before[1] in (".", "::", "->", "?.") else ""
            words.append((text, owner))
        before = [before[1], text]
    for word, owner in words:
        if len(word) < 3 or word in own_names or (word in bound and not bound[word].name):
            continue
        if index.with_stem(word):
            continue  # also a module's name (`parse` the module, `parse` a function)
        if owner and (owner not in bound or bound[owner].name == word):
            continue  # `obj.name` / `warnings.warn`: not the tree's top-level `name`
        defining = [fs for fs in index.defining(word, 8) if fs.path != path]
        top = [
            fs
            for fs in defining
            if any(fs.names[i] == word and KINDS[fs.kinds[i]] in TOP_KINDS for i in fs.top_level())
        ]
        if len(top) != 1 or len(defining) > 2:
            continue
        target = top[0].path
        if owner in bound and not bound[owner].name:
            if target not in resolve(bound[owner].module, path, rule, index):
                continue  # `os.pipe` where the tree's os.py does not define pipe
            how = "import"
        elif word in bound:
            how = "import"
        elif rule.same_package and os.path.dirname(target) == os.path.dirname(path):
            how = "package"
        elif target in included:
            how = "include"
        else:
            continue  # a builtin, a local or a parameter that happens to share the name
        heads = frozenset(
            d.header.split("\n")[0].strip() for d in top[0].named(word) if d.kind in TOP_KINDS
        )
        indent = line[: len(line) - len(line.lstrip())]
        return Cut(path, row, indent, word, frozenset({target}), heads, how)
    return None


def _evaluate(
    engine: ContextEngine,
    store: DocumentStore,
    cuts: list[Cut],
    paths: list[str],
    rng: random.Random,
    open_count: int,
    settings: Settings,
    max_bytes: int,
    show_misses: int = 0,
) -> dict[str, object]:
    hits = 0
    by_how: Counter[str] = Counter()
    hits_how: Counter[str] = Counter()
    shares: list[float] = []
    times: list[float] = []
    cpu_times: list[float] = []
    cold: list[float] = []
    kinds: Counter[str] = Counter()
    for cut in cuts:
        text = read_source(cut.path, max_bytes) or ""
        lines = text.split("\n")
        lines[cut.row] = cut.indent
        opened: list[Document] = []
        for path in rng.sample(paths, min(open_count, len(paths))):
            if path != cut.path:
                other = read_source(path, max_bytes)
                if other is not None:
                    doc = store.open(Path(path).as_uri(), other, 1)
                    engine.opened(doc)
                    opened.append(doc)
        doc = store.open(Path(cut.path).as_uri(), "\n".join(lines), 1)
        engine.opened(doc)
        position = Position(cut.row, len(cut.indent.encode("utf-16-le")) // 2)
        started = time.perf_counter()
        ctx = engine.gather(doc, position, settings)
        cold.append((time.perf_counter() - started) * 1000)
        typed = TextChange("x", position, position)  # one keystroke, then the next request
        store.change(doc.uri, 2, [typed])  # (not recorded as an edit: cuts are independent)
        after = Position(position.line, position.character + 1)
        started, cpu = time.perf_counter(), time.thread_time()
        engine.gather(doc, after, settings)
        times.append((time.perf_counter() - started) * 1000)
        cpu_times.append((time.thread_time() - cpu) * 1000)
        shares.append(used(ctx.snippets) / settings.context.budgetTokens)
        hit = next(
            (
                s
                for s in ctx.snippets
                if s.path in cut.defining and any(h in s.text for h in cut.heads)
            ),
            None,
        )
        if hit is not None:
            hits += 1
            kinds[hit.kind] += 1
        if hit is None and show_misses > 0:
            show_misses -= 1
            print(f"MISS {cut.path}:{cut.row + 1} {cut.target!r} defined in {sorted(cut.defining)}")
            print(f"     line: {lines[cut.row - 1].strip()[:100]!r} / next used {cut.target}")
            for s in ctx.snippets:
                print(f"     got {s.kind} {s.score:.3f} {s.path}:{s.start_line + 1}")
        by_how[cut.how] += 1
        hits_how[cut.how] += hit is not None
        for d in [*opened, doc]:
            engine.closed(d)
            store.close(d.uri)
    n = max(len(cuts), 1)
    return {
        "cuts": len(cuts),
        "recall": round(hits / n, 3),
        "recall_by_how": {
            how: {"cuts": count, "recall": round(hits_how[how] / count, 3)}
            for how, count in sorted(by_how.items())
        },
        "hits_by_kind": dict(kinds),
        "budget_share": {
            "mean": round(statistics.fmean(shares), 3) if shares else 0.0,
            "p50": round(percentile(shares, 0.5), 3),
        },
        "gather_ms": _percentiles(times),
        "gather_cpu_ms": _percentiles(cpu_times),
        "gather_first_ms": _percentiles(cold),
    }


def _big_file(
    engine: ContextEngine,
    store: DocumentStore,
    paths: list[str],
    rng: random.Random,
    keystrokes: int,
    settings: Settings,
    max_bytes: int,
) -> dict[str, object]:
    path = max(paths, key=lambda p: os.path.getsize(p))
    lines = (read_source(path, max_bytes) or "").split("\n")
    while len(lines) < BIG_LINES:
        lines += lines
    lines = lines[:BIG_LINES]
    doc = store.open(Path(path).as_uri(), "\n".join(lines), 1)
    engine.opened(doc)
    for other in rng.sample(paths, min(4, len(paths))):
        text = read_source(other, max_bytes)
        if text is not None and other != path:
            engine.opened(store.open(Path(other).as_uri(), text, 1))
    times: list[float] = []
    cpu_times: list[float] = []
    moved: list[float] = []
    version = 2
    for _ in range(max(keystrokes // BURST, 1)):  # a new place, then typing there
        row = rng.randrange(BIG_LINES - 1)
        enter = Position(row, len(doc.line(row)))
        store.change(doc.uri, version, [TextChange("\n    ", enter, enter)])
        engine.changed(doc, [TextChange("\n    ", enter, enter)])
        row += 1
        for n in range(BURST):
            col = len(doc.line(row))
            change = TextChange("xy"[n % 2], Position(row, col), Position(row, col))
            version += 1
            store.change(doc.uri, version, [change])
            engine.changed(doc, [change])
            started, cpu = time.perf_counter(), time.thread_time()
            engine.gather(doc, Position(row, col + 1), settings)
            times.append((time.perf_counter() - started) * 1000)
            cpu_times.append((time.thread_time() - cpu) * 1000)
            if n == 0:
                moved.append(times[-1])
    return {
        "path": path,
        "lines": BIG_LINES,
        "gather_ms": _percentiles(times),
        "gather_cpu_ms": _percentiles(cpu_times),
        "gather_new_place_ms": _percentiles(moved),
    }


def _percentiles(values: list[float]) -> dict[str, float]:
    return {
        "p50": round(percentile(values, 0.5), 3),
        "p90": round(percentile(values, 0.9), 3),
        "p99": round(percentile(values, 0.99), 3),
        "max": round(max(values), 3) if values else float("nan"),
        "n": len(values),
    }


def _print(f: dict[str, object]) -> None:
    index = f["index"]
    assert isinstance(index, dict)
    big = f["big_file"]
    assert isinstance(big, dict)

    def ms(p: object) -> str:
        assert isinstance(p, dict)
        return f"p50 {p['p50']:.2f} ms  p90 {p['p90']:.2f} ms  p99 {p['p99']:.2f} ms  (n={p['n']})"

    paths = f["paths"]
    assert isinstance(paths, list)
    print(f"tree            {', '.join(paths)}  ({f['files']} files, {f['language']})")
    print(
        f"index           {index['seconds']} s for {index['files']} files "
        f"({index['definitions']} definitions, {index['names']} names, {index['index_mb']} MB); "
        f"extract {index['extract_seconds']} s, read {index['read_seconds']} s"
    )
    print(f"rss             {f['rss_mb']}")
    print(f"gather idle     {ms(index['gather_idle_ms'])}")
    print(f"gather indexing {ms(index['gather_while_indexing_ms'])}")
    print(
        f"recall          {f['recall']:.3f} over {f['cuts']} cuts  "
        f"{f['recall_by_how']}  hits by kind {f['hits_by_kind']}"
    )
    print(f"budget share    {f['budget_share']}")
    print(f"gather          {ms(f['gather_ms'])}  (after a keystroke)")
    print(f"  cpu           {ms(f['gather_cpu_ms'])}")
    print(f"  first         {ms(f['gather_first_ms'])}  (first request on a newly opened file)")
    print(f"5,000 lines     {ms(big['gather_ms'])}  ({big['path']})")
    print(f"  cpu           {ms(big['gather_cpu_ms'])}")
    print(f"  new place     {ms(big['gather_new_place_ms'])}  (first keystroke after Enter)")
