"""Extracting a file's definitions with `tags.scm`: pure functions, run in a thread or a child
process.

Where the parsing happens: tree_sitter holds the GIL for a whole parse and a whole query, so
parsing in a thread of the server stalls its event loop for as long as each parse (measured
on the stdlib: ~10 ms for a 120 KB file; p99 100 ms while a thread parses continuously). And
its chunked-input form, which would let a thread pause, leaks every chunk (tree_sitter
0.26.1). So the index extracts a backlog in batches in one child process (`extract_batch`),
and single files in its worker thread, pausing between query slices (`Pacer`).

Memory is bounded: a definition keeps its name, kind, rows and a short header (the signature,
or the whole text of a definition of a few lines), at most `MAX_DEFINITIONS_PER_FILE` per file.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable
from pathlib import Path

from ghostfill.context.symbols import CONTAINERS, Definition, FileSymbols
from ghostfill.documents.languages import LanguageRegistry, SymbolRules
from ghostfill.documents.syntax import Grammar, Grammars, parse_once

SHORT_LINES = 6
SHORT_CHARS = 360
"""A definition this small is kept whole (constants, type aliases, small helpers)."""
MAX_HEADER_LINES = 4
MAX_HEADER_CHARS = 240
MAX_DEFINITIONS_PER_FILE = 1000
QUERY_SLICE = 8 * 1024
"""Queries run over slices of this many bytes so the worker can pause between them."""

_LINE_ENDS = frozenset({b",", b";", b"};", b"},"})
"""What may follow a short definition on its last line (a field's `,`, a C struct's `;`)."""


class Pacer:
    """Called often from a worker; sleeps `rest_s` once `slice_s` has passed since it last did.

    A sleep (not `sleep(0)`) is what reliably hands the GIL to a waiting thread: a voluntary
    release is usually taken back by the same thread before the waiter is scheduled.
    """

    def __init__(self, slice_s: float = 0.001, rest_s: float = 0.0002) -> None:
        self.slice_s = slice_s
        self.rest_s = rest_s
        self._since = time.perf_counter()

    def __call__(self) -> None:
        now = time.perf_counter()
        if now - self._since >= self.slice_s:
            time.sleep(self.rest_s)
            self._since = time.perf_counter()


def extract(
    grammar: Grammar, path: str, data: bytes, pause: Callable[[], None] | None = None
) -> FileSymbols:
    """Every definition `tags.scm` finds in `data`. Pure: safe to run in any thread."""
    tree = parse_once(grammar, data)
    seen: set[tuple[int, int]] = set()
    found: list[Definition] = []
    for start in range(0, max(len(data), 1), QUERY_SLICE):
        if pause is not None:
            pause()
        stop = min(start + QUERY_SLICE, len(data))
        for n, match in enumerate(tree.matches("tags", start, stop, only="definition.")):
            if pause is not None and n % 32 == 31:
                pause()
            node = None
            kind = ""
            for capture, spans in match.captures.items():
                if capture.startswith("definition."):
                    node, kind = spans[0], capture[11:]
                    break
            name = match.first("name")
            if node is None or name is None or (node.start_byte, name.start_byte) in seen:
                continue
            seen.add((node.start_byte, name.start_byte))
            found.append(
                _definition(
                    data,
                    kind,
                    (node.start_byte, node.end_byte, node.start_row, node.end_row),
                    data[name.start_byte : name.end_byte].decode("utf-8", errors="replace"),
                    grammar.spec.symbols,
                )
            )
            if len(found) >= MAX_DEFINITIONS_PER_FILE:
                break
        if len(found) >= MAX_DEFINITIONS_PER_FILE:
            break
    found.sort(key=lambda d: (d.line, -d.end_line, d.name))
    if pause is not None:
        pause()
    return FileSymbols.of(path, grammar.spec.name, found)


def _definition(
    data: bytes, kind: str, node: tuple[int, int, int, int], name: str, rules: SymbolRules
) -> Definition:
    start, end, start_row, end_row = node
    lines: list[str] = []
    pos = data.rfind(b"\n", 0, start) + 1
    while pos < end and len(lines) <= SHORT_LINES:
        nl = data.find(b"\n", pos, end)
        stop = end if nl == -1 else nl
        lines.append(data[pos:stop].decode("utf-8", errors="replace").rstrip())
        pos = stop + 1
    sig = _signature_length(lines, rules.signature_ends)
    if pos >= end and len(lines) <= SHORT_LINES and sum(map(len, lines)) <= SHORT_CHARS:
        line_end = data.find(b"\n", end)
        rest = data[end : len(data) if line_end == -1 else line_end].strip()
        if lines and rest in _LINE_ENDS:  # the `,` / `;` after a field or a C struct
            lines[-1] += rest.decode()
        return Definition(name, kind, start_row, end_row, "\n".join(lines), sig)
    header = "\n".join(lines[:sig])
    if len(header) > MAX_HEADER_CHARS:
        header = header[:MAX_HEADER_CHARS].rstrip() + " ..."
        sig = header.count("\n") + 1
    tail = ""
    if kind in CONTAINERS:
        last = data[data.rfind(b"\n", 0, end) + 1 : end].decode("utf-8", "replace").rstrip()
        tail = last if last.strip() in rules.closers else ""
    return Definition(name, kind, start_row, end_row, header, sig, tail)


def _signature_length(lines: list[str], ends: tuple[str, ...]) -> int:
    """Lines up to where the body starts: brackets closed and a body opener, or a deeper line."""
    depth = 0
    first_indent = len(lines[0]) - len(lines[0].lstrip()) if lines else 0
    for i, line in enumerate(lines[:MAX_HEADER_LINES]):
        depth += sum(line.count(c) for c in "([") - sum(line.count(c) for c in ")]")
        if depth > 0:
            continue
        if line.endswith(ends) or i + 1 >= len(lines):
            return i + 1
        following = lines[i + 1]
        if following.strip() and len(following) - len(following.lstrip()) > first_indent:
            return i + 1
    return min(len(lines), MAX_HEADER_LINES) or 1


Job = tuple[str, str | None, str]
"""(path, text or None to read it from disk, language); language "" means forget the file."""


def extract_batch(roots: tuple[str, ...], jobs: list[Job]) -> list[FileSymbols | None]:
    """Extract every job's definitions (the child process's work; any process may call it).
    `roots` are the registry's grammar roots, the packaged one first."""
    grammars = _grammars(tuple(roots))
    out: list[FileSymbols | None] = []
    for path, text, language in jobs:
        out.append(extract_job(grammars, path, text, language))
    return out


@functools.lru_cache(maxsize=2)
def _grammars(roots: tuple[str, ...]) -> Grammars:
    """One set of loaded grammars per process and set of grammar roots (a memo, not shared
    state)."""
    return Grammars(LanguageRegistry(Path(roots[0]), [Path(r) for r in roots[1:]]))


def extract_job(
    grammars: Grammars,
    path: str,
    text: str | None,
    language: str,
    pause: Callable[[], None] | None = None,
) -> FileSymbols | None:
    grammar = grammars.by_name(language)
    if grammar is None or grammar.query("tags") is None:
        return None
    if text is None:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
    return extract(grammar, path, text.encode("utf-8", errors="surrogatepass"), pause)


def child_init() -> None:
    """In the child: stdout is the language server's protocol channel; never write to it."""
    os.dup2(2, 1)
