"""The workspace symbol index: every definition `tags.scm` finds, per file, by name.

Fed in the background. `observe(path, text, language)` (the WorkspaceIndexer's consumer
protocol, also called for open documents on open and save) only queues the file; a worker
thread extracts it and swaps the file's entries in under a lock, so a re-observed file
replaces its old definitions and a lookup never sees half a file.

Where the parsing happens: tree_sitter holds the GIL for a whole parse and a whole query, so
parsing in a thread of the server stalls its event loop for as long as each parse (measured
on the stdlib: ~10 ms for a 120 KB file; p99 100 ms while a thread parses continuously). And
its chunked-input form, which would let a thread pause, leaks every chunk (tree_sitter
0.26.1). So a backlog (the initial index, a branch switch) is extracted in batches by one
child process (`extract_batch`), and the server only unpickles the results; single files
(a save, an open document) are extracted in the worker thread, pausing between query slices.
Without a child process (it cannot start) everything is extracted in the thread.

Memory is bounded: a definition keeps its name, kind, rows and a short header (the signature,
or the whole text of a definition of a few lines), at most `MAX_DEFINITIONS_PER_FILE` per file
and `max_definitions` in all; queued texts above `max_pending_bytes` are read from disk by
the extractor instead of being held.
"""

from __future__ import annotations

import functools
import logging
import multiprocessing
import os
import re
import sys
import threading
import time
from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from ghostfill.documents.languages import LanguageRegistry
from ghostfill.documents.syntax import Grammar, Grammars, parse_once

log = logging.getLogger(__name__)

KINDS = (
    "function",
    "method",
    "class",
    "interface",
    "type",
    "constant",
    "variable",
    "module",
    "field",
    "enum",
    "macro",
)
CONTAINERS = frozenset({"class", "interface", "enum", "module"})
"""Kinds shown as a skeleton: their header plus the headers of their members."""

SHORT_LINES = 6
SHORT_CHARS = 360
"""A definition this small is kept whole (constants, type aliases, small helpers)."""
MAX_HEADER_LINES = 4
MAX_HEADER_CHARS = 240
MAX_SKELETON_LINES = 24
MAX_OUTLINE_LINES = 32
MAX_DEFINITIONS_PER_FILE = 1000
QUERY_SLICE = 8 * 1024
"""Queries run over slices of this many bytes so the worker can pause between them."""

_OPENERS = ("{", ":", ";", "=>", "->", "=", "do", "then")
_LINE_ENDS = frozenset({b",", b";", b"};", b"},"})
_CLOSERS = frozenset({"}", "};", "end", "})", "];", ")"})


@dataclass(frozen=True, slots=True)
class Definition:
    """One definition: where it is and the first lines of its text."""

    name: str
    kind: str
    line: int
    """0-based row where the definition starts."""
    end_line: int
    header: str
    """The definition's first lines: the whole text when short, else its signature."""
    signature_lines: int
    """How many lines of `header` form the signature (the rest is a short body)."""
    tail: str = ""
    """The closing line of a container (`}`, `end`), to close its skeleton."""


@dataclass(frozen=True, slots=True, eq=False)
class FileSymbols:
    """A file's definitions in document order, stored as columns to keep the index small.

    Per definition: its name (interned), kind (an index into KINDS), four ints (line,
    end line, signature lines, end of its header in `texts`) and its UTF-8 header followed
    by NUL and its tail. About 110 bytes a definition instead of ~600 as objects.
    """

    path: str
    language: str
    names: tuple[str, ...]
    kinds: bytes
    rows: array[int]
    texts: bytes

    @classmethod
    def of(cls, path: str, language: str, definitions: Iterable[Definition]) -> FileSymbols:
        names: list[str] = []
        kinds = bytearray()
        rows: array[int] = array("i")
        texts = bytearray()
        for d in definitions:
            names.append(sys.intern(d.name))
            kinds.append(_KIND_INDEX.get(d.kind, 0))
            texts += d.header.encode("utf-8", errors="replace")
            if d.tail:
                texts += b"\0" + d.tail.encode("utf-8", errors="replace")
            rows.extend((d.line, d.end_line, d.signature_lines, len(texts)))
        return cls(path, language, tuple(names), bytes(kinds), rows, bytes(texts))

    def __len__(self) -> int:
        return len(self.names)

    def definition(self, i: int) -> Definition:
        line, end_line, sig, stop = self.rows[4 * i : 4 * i + 4]
        start = self.rows[4 * i - 1] if i else 0
        header, _, tail = self.texts[start:stop].decode("utf-8", errors="replace").partition("\0")
        return Definition(self.names[i], KINDS[self.kinds[i]], line, end_line, header, sig, tail)

    @property
    def definitions(self) -> tuple[Definition, ...]:
        return tuple(self.definition(i) for i in range(len(self.names)))

    def named(self, name: str) -> list[Definition]:
        return [self.definition(i) for i in self.indices(name)]

    def indices(self, name: str) -> list[int]:
        """Positions of `name` in `names` (tuple.index scans in C: ~1 µs per 200 names)."""
        out: list[int] = []
        names = self.names
        try:
            i = names.index(name)
            while True:
                out.append(i)
                i = names.index(name, i + 1)
        except ValueError:
            return out

    def container_of(self, d: Definition) -> Definition | None:
        """The innermost class-like definition enclosing `d`."""
        found = -1
        rows = self.rows
        for i in range(len(self.names)):
            line = rows[4 * i]
            if line > d.line:
                break
            if (
                KINDS[self.kinds[i]] in CONTAINERS
                and line <= d.line <= rows[4 * i + 1]
                and (line, self.names[i]) != (d.line, d.name)
            ):
                found = i
        return self.definition(found) if found >= 0 else None

    def members(self, c: Definition) -> list[Definition]:
        """Direct members of container `c` (definitions inside it, not inside one another)."""
        out: list[Definition] = []
        last_end = c.line
        rows = self.rows
        for i in range(len(self.names)):
            line, end = rows[4 * i], rows[4 * i + 1]
            if line <= c.line:
                continue
            if line > c.end_line:
                break
            if out and line <= last_end:
                continue
            out.append(self.definition(i))
            last_end = end
        return out

    def top_level(self) -> list[int]:
        """Indices of the definitions not inside another one."""
        out: list[int] = []
        last_end = -1
        for i in range(len(self.names)):
            line, end = self.rows[4 * i], self.rows[4 * i + 1]
            if line > last_end:
                out.append(i)
                last_end = end
        return out

    def outline(self, limit: int = MAX_OUTLINE_LINES) -> tuple[str, int]:
        """The file at a glance, in about `limit` lines, and the row of its first definition.

        Every top-level signature when they fit, then classes expanded to their skeletons while
        room is left. A file with more picks its public functions and types first, then its
        public constants, then the rest, and shows them in file order."""
        top = [self.definition(i) for i in self.top_level()]
        if not top:
            return "", 0
        parts = [_signature(d) for d in top]
        if sum(map(len, parts)) > limit:
            order = sorted(range(len(top)), key=lambda n: (_outline_rank(top[n]), n))
            keep: set[int] = set()
            used = 0
            for n in order:
                if used + len(parts[n]) > limit - 1:
                    continue
                keep.add(n)
                used += len(parts[n])
            lines = [line for n in sorted(keep) for line in parts[n]]
            return _dedent("\n".join([*lines, "..."])), top[0].line
        room = limit - sum(map(len, parts))
        for n, d in enumerate(top):
            if d.kind in CONTAINERS and room > 0:
                skeleton = self._skeleton(d, len(parts[n]) + room)
                room -= len(skeleton) - len(parts[n])
                parts[n] = skeleton
        return _dedent("\n".join(line for part in parts for line in part)), top[0].line

    def render(self, d: Definition) -> str:
        """The text shown to a model: a skeleton for containers, the header with its container's
        signature for members, the header otherwise. Dedented, at most a few dozen lines."""
        if d.kind in CONTAINERS:
            lines = self._skeleton(d, MAX_SKELETON_LINES)
            lines += self._detached(d, MAX_SKELETON_LINES - len(lines))
            return _dedent("\n".join(lines))
        parent = self.container_of(d)
        if parent is None:
            return _dedent(d.header)
        text = "\n".join([*_signature(parent), d.header])
        if parent.tail:
            text += "\n" + parent.tail
        return _dedent(text)

    def _skeleton(self, d: Definition, room: int) -> list[str]:
        """A container's header and its members' signatures, in at most `room` lines (never
        less than its signature)."""
        whole = d.header.split("\n")
        if d.signature_lines < len(whole):
            return whole if len(whole) <= room else _signature(d)  # short: kept whole
        lines = _signature(d)
        tail = [d.tail] if d.tail else []
        members = self.members(d)
        for n, m in enumerate(members):
            sig = _signature(m)
            more = n + 1 < len(members)
            if len(lines) + len(sig) + len(tail) + (1 if more else 0) > room:
                if len(lines) + 1 + len(tail) <= room:
                    lines.append(_indent_of(m.header) + "...")
                break
            lines += sig
        return lines + tail if len(lines) + len(tail) <= room else lines

    def _detached(self, c: Definition, room: int) -> list[str]:
        """Signatures of `c`'s methods written outside its body: Rust `impl` blocks after it,
        Go methods with `c` as receiver, C++ `void C::m()`."""
        if room <= 1 or self.language not in DETACHED_LANGUAGES:
            return []
        mention = re.compile(rf"\b{re.escape(c.name)}\b")
        found: list[str] = []
        inside_until = c.end_line
        rows, kinds = self.rows, self.kinds
        for i in range(len(self.names)):
            line = rows[4 * i]
            if line <= c.end_line:
                continue
            kind = KINDS[kinds[i]]
            if kind in CONTAINERS:
                if self.language == "rust" and kind != "module":
                    break  # the next type: its impl blocks are its own
                inside_until = max(inside_until, rows[4 * i + 1])
                continue
            if kind != "method" or line <= inside_until:
                continue
            m = self.definition(i)
            sig = _signature(m)
            if self.language != "rust" and not mention.search(sig[0]):
                continue
            if len(found) + len(sig) > room:
                found.append(_indent_of(sig[0]) + "...")
                break
            found += sig
        if found and self.language in DETACHED_BLOCKS:
            opener, closer = DETACHED_BLOCKS[self.language]
            found = [opener.format(name=c.name), *found, closer]
        return found


DETACHED_LANGUAGES = frozenset({"rust", "go", "cpp", "c"})
"""Languages whose methods may be written outside their type's body."""
DETACHED_BLOCKS: Mapping[str, tuple[str, str]] = MappingProxyType({"rust": ("impl {name} {{", "}")})
"""How a language groups methods written apart from their type (shown around them)."""

_KIND_INDEX: Mapping[str, int] = MappingProxyType({k: i for i, k in enumerate(KINDS)})


def _outline_rank(d: Definition) -> int:
    """Which top-level definitions an outline keeps first (lower first)."""
    private = d.name.startswith("_")
    if d.kind in ("function", "class", "interface", "type", "enum", "macro", "module"):
        return 2 if private else 0
    if d.kind == "constant":
        return 3 if private else 1
    return 4


def _signature(d: Definition) -> list[str]:
    return d.header.split("\n")[: d.signature_lines]


def _indent_of(text: str) -> str:
    return text[: len(text) - len(text.lstrip())]


def _dedent(text: str) -> str:
    lines = text.split("\n")
    widths = [len(x) - len(x.lstrip()) for x in lines if x.strip()]
    cut = min(widths, default=0)
    return "\n".join(x[cut:] for x in lines) if cut else text


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


def _definition(data: bytes, kind: str, node: tuple[int, int, int, int], name: str) -> Definition:
    start, end, start_row, end_row = node
    lines: list[str] = []
    pos = data.rfind(b"\n", 0, start) + 1
    while pos < end and len(lines) <= SHORT_LINES:
        nl = data.find(b"\n", pos, end)
        stop = end if nl == -1 else nl
        lines.append(data[pos:stop].decode("utf-8", errors="replace").rstrip())
        pos = stop + 1
    sig = _signature_length(lines)
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
        tail = last if last.strip() in _CLOSERS else ""
    return Definition(name, kind, start_row, end_row, header, sig, tail)


def _signature_length(lines: list[str]) -> int:
    """Lines up to where the body starts: brackets closed and a body opener, or a deeper line."""
    depth = 0
    first_indent = len(lines[0]) - len(lines[0].lstrip()) if lines else 0
    for i, line in enumerate(lines[:MAX_HEADER_LINES]):
        depth += sum(line.count(c) for c in "([") - sum(line.count(c) for c in ")]")
        if depth > 0:
            continue
        if line.endswith(_OPENERS) or i + 1 >= len(lines):
            return i + 1
        following = lines[i + 1]
        if following.strip() and len(following) - len(following.lstrip()) > first_indent:
            return i + 1
    return min(len(lines), MAX_HEADER_LINES) or 1


Job = tuple[str, str | None, str]
"""(path, text or None to read it from disk, language); language "" means forget the file."""

BATCH_FILES = 64
BATCH_BYTES = 2 * 1024 * 1024
BACKLOG = 16
"""From this many queued files on, batches go to the child process."""
CHILD_IDLE_S = 30.0
"""The child process exits after this long without work (it holds ~40 MB)."""


def extract_batch(root: str, jobs: list[Job]) -> list[FileSymbols | None]:
    """Extract every job's definitions (the child process's work; any process may call it)."""
    grammars = _grammars(root)
    out: list[FileSymbols | None] = []
    for path, text, language in jobs:
        out.append(_extract_job(grammars, path, text, language))
    return out


@functools.lru_cache(maxsize=2)
def _grammars(root: str) -> Grammars:
    """One set of loaded grammars per process and grammar folder (a memo, not shared state)."""
    return Grammars(LanguageRegistry(Path(root)))


def _extract_job(
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


def _child_init() -> None:
    """In the child: stdout is the language server's protocol channel; never write to it."""
    os.dup2(2, 1)


class SymbolIndex:
    """Definitions of the workspace's files by name, kept current in the background."""

    def __init__(
        self,
        grammars: Grammars,
        *,
        max_definitions: int = 300_000,
        max_pending_bytes: int = 16 * 1024 * 1024,
        processes: bool = True,
        pacer: Callable[[], Callable[[], None]] = Pacer,
    ) -> None:
        self.grammars = grammars
        self.max_definitions = max_definitions
        self.max_pending_bytes = max_pending_bytes
        self.processes = processes
        """Extract backlogs in a child process (False: always in the worker thread)."""
        self._pacer = pacer
        self._files: dict[str, FileSymbols] = {}
        self._by_name: dict[str, FileSymbols | list[FileSymbols]] = {}
        """name -> the file defining it, or the files (most names have one: no list for them)."""
        self._by_dir: dict[str, dict[str, None]] = {}
        self._by_stem: dict[str, dict[str, None]] = {}
        self._folders: dict[str, dict[str, None]] = {}
        self._folder_versions: dict[str, int] = {}
        self.generation = 0
        """Bumped on every change, so callers can cache what they derive from the index."""
        self._count = 0
        self._lock = threading.Condition()
        self._queue: OrderedDict[str, tuple[str | None, str]] = OrderedDict()
        self._pending_bytes = 0
        self._busy = False
        self._closed = False
        self._worker: threading.Thread | None = None
        self.extract_s = 0.0
        """Seconds spent extracting (in the thread, or waiting for the child)."""
        self.skipped = 0

    # -- the WorkspaceIndexer's consumer protocol -------------------------------------------

    def observe(self, path: str, text: str, language: str) -> None:
        """Queue `path` for (re-)indexing; returns at once (any thread)."""
        self._enqueue(path, text, language)

    def forget(self, path: str) -> None:
        self._enqueue(path, None, "")

    # -- synchronous pieces (the worker uses them; tests and benches may too) --------------

    def extract(
        self, path: str, text: str, language: str, pause: Callable[[], None] | None = None
    ) -> FileSymbols | None:
        return _extract_job(self.grammars, path, text, language, pause)

    def add(self, symbols: FileSymbols) -> None:
        """Replace the entries of `symbols.path` with these."""
        with self._lock:
            self._remove(symbols.path)
            if self._count + len(symbols) > self.max_definitions:
                self.skipped += 1
                if self.skipped == 1:
                    log.warning("symbol index full (%d definitions)", self._count)
                return
            path = symbols.path
            self._files[path] = symbols
            self._count += len(symbols)
            by_name = self._by_name
            for name in set(symbols.names):
                entry = by_name.get(name)
                if entry is None:
                    by_name[name] = symbols
                elif isinstance(entry, list):
                    entry.append(symbols)
                else:
                    by_name[name] = [entry, symbols]
            folder, stem = _folder_and_stem(path)
            self._by_dir.setdefault(folder, {})[path] = None
            self._by_stem.setdefault(stem, {})[path] = None
            self._folders.setdefault(os.path.basename(folder), {})[folder] = None
            self._folder_versions[folder] = self._folder_versions.get(folder, 0) + 1
            self.generation += 1

    def remove(self, path: str) -> None:
        with self._lock:
            self._remove(path)

    def _remove(self, path: str) -> None:
        old = self._files.pop(path, None)
        if old is None:
            return
        self._count -= len(old)
        by_name = self._by_name
        for name in set(old.names):
            entry = by_name.get(name)
            if entry is old:
                del by_name[name]
            elif isinstance(entry, list):
                entry.remove(old)
                if len(entry) == 1:
                    by_name[name] = entry[0]
        self.generation += 1
        folder, stem = _folder_and_stem(path)
        self._folder_versions[folder] = self._folder_versions.get(folder, 0) + 1
        for table, key in ((self._by_dir, folder), (self._by_stem, stem)):
            paths = table.get(key)
            if paths is not None:
                paths.pop(path, None)
                if not paths:
                    del table[key]
        if folder not in self._by_dir:
            named = self._folders.get(os.path.basename(folder))
            if named is not None:
                named.pop(folder, None)
                if not named:
                    del self._folders[os.path.basename(folder)]

    # -- lookups (any thread) ---------------------------------------------------------------

    def file(self, path: str) -> FileSymbols | None:
        return self._files.get(path)

    def defining(self, name: str, limit: int = 16) -> list[FileSymbols]:
        """Files that define `name`, at most `limit` of them (in indexing order)."""
        with self._lock:
            entry = self._by_name.get(name)
            if entry is None:
                return []
            return entry[:limit] if isinstance(entry, list) else [entry]

    def count(self, name: str) -> int:
        """How many files define `name`."""
        entry = self._by_name.get(name)
        if entry is None:
            return 0
        return len(entry) if isinstance(entry, list) else 1

    def in_folder(self, folder: str) -> list[str]:
        with self._lock:
            return list(self._by_dir.get(folder, ()))

    def folder_version(self, folder: str) -> int:
        """Changes whenever a file of `folder` is added, replaced or removed."""
        return self._folder_versions.get(folder, 0)

    def with_stem(self, stem: str) -> list[str]:
        """Indexed files named `stem.*`, or index files (`__init__`, `index`, `mod`) of a
        folder named `stem`."""
        with self._lock:
            return list(self._by_stem.get(stem, ()))

    def folders_named(self, name: str) -> list[str]:
        """Folders holding indexed files whose last component is `name`."""
        with self._lock:
            return list(self._folders.get(name, ()))

    def stats(self) -> dict[str, int]:
        return {
            "files": len(self._files),
            "definitions": self._count,
            "names": len(self._by_name),
            "pending": len(self._queue),
        }

    def __len__(self) -> int:
        return len(self._files)

    def size_bytes(self) -> int:
        """Approximate memory held by the index (names counted once; for benches)."""
        with self._lock:
            total = sys.getsizeof(self._files) + sys.getsizeof(self._by_name)
            for fs in self._files.values():
                total += sum(
                    sys.getsizeof(x) for x in (fs, fs.path, fs.names, fs.kinds, fs.rows, fs.texts)
                )
            for name, entry in self._by_name.items():
                total += sys.getsizeof(name)
                if isinstance(entry, list):
                    total += sys.getsizeof(entry)
            for table in (self._by_dir, self._by_stem, self._folders):
                total += sys.getsizeof(table) + sum(sys.getsizeof(v) for v in table.values())
            return total

    def __contains__(self, path: object) -> bool:
        return path in self._files

    def paths(self) -> Iterable[str]:
        with self._lock:
            return list(self._files)

    # -- the worker -------------------------------------------------------------------------

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until every queued file is indexed (tests, benches, `ghostfill complete`)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._lock:
            while self._queue or self._busy:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._lock.wait(left)
        return True

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._queue.clear()
            self._lock.notify_all()
        if self._worker is not None:
            self._worker.join(timeout=5)

    def _enqueue(self, path: str, text: str | None, language: str) -> None:
        with self._lock:
            if self._closed:
                return
            old = self._queue.pop(path, None)
            if old is not None and old[0] is not None:
                self._pending_bytes -= len(old[0])
            if text is not None and self._pending_bytes + len(text) > self.max_pending_bytes:
                text = None  # read it from disk when its turn comes
            elif text is not None:
                self._pending_bytes += len(text)
            self._queue[path] = (text, language)
            self._lock.notify_all()
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(
                    target=self._run, name="ghostfill-symbols", daemon=True
                )
                self._worker.start()

    def _take(self, most: int) -> list[Job]:
        """Up to `most` queued jobs (and BATCH_BYTES of text), oldest first; under the lock."""
        jobs: list[Job] = []
        size = 0
        while self._queue and len(jobs) < most and size < BATCH_BYTES:
            path, (text, language) = self._queue.popitem(last=False)
            if text is not None:
                self._pending_bytes -= len(text)
                size += len(text)
            jobs.append((path, text, language))
        return jobs

    def _run(self) -> None:
        pause = self._pacer()
        child: ProcessPoolExecutor | None = None
        try:
            while True:
                idle: ProcessPoolExecutor | None = None
                with self._lock:
                    if not self._queue and not self._closed:
                        self._lock.wait(CHILD_IDLE_S if child is not None else None)
                    if self._closed:
                        return
                    if not self._queue:
                        idle, child = child, None
                if idle is not None:  # idle for CHILD_IDLE_S: let the process go (not locked)
                    idle.shutdown(wait=True)
                    continue
                with self._lock:
                    if not self._queue:
                        continue
                    backlog = self.processes and len(self._queue) >= BACKLOG
                    jobs = self._take(BATCH_FILES if backlog or child is not None else 1)
                    self._busy = True
                try:
                    if backlog or (child is not None and len(jobs) > 1):
                        child = child or self._start_child()
                    if child is not None and len(jobs) > 1:
                        try:
                            self._process(jobs, child, pause)
                        except Exception as exc:  # the process died, or could not start
                            log.warning("symbol index: extracting here instead (%r)", exc)
                            child.shutdown(wait=True, cancel_futures=True)
                            child, self.processes = None, False
                            self._process(jobs, None, pause)
                    else:
                        self._process(jobs, None, pause)
                except Exception:  # one bad batch must not stop the index
                    log.exception("indexing %d file(s) failed", len(jobs))
                finally:
                    with self._lock:
                        self._busy = False
                        self._lock.notify_all()
        finally:
            if child is not None:
                child.shutdown(wait=True, cancel_futures=True)

    def _start_child(self) -> ProcessPoolExecutor | None:
        try:
            return ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_child_init,
                max_tasks_per_child=256,
            )
        except (OSError, ValueError) as exc:
            log.warning("symbol index: no extraction process (%s); extracting here", exc)
            self.processes = False
            return None

    def _process(
        self, jobs: list[Job], child: ProcessPoolExecutor | None, pause: Callable[[], None]
    ) -> None:
        started = time.perf_counter()
        work = [job for job in jobs if job[2]]
        if child is not None and work:
            results = child.submit(extract_batch, str(self.grammars.registry.root), work).result()
        else:
            results = [_extract_job(self.grammars, *job, pause) for job in work]
            pause()
        self.extract_s += time.perf_counter() - started
        found = dict(zip((job[0] for job in work), results, strict=True))
        for path, _, _ in jobs:
            symbols = found.get(path)
            if symbols is None:
                self.remove(path)
            else:
                self.add(_interned(symbols))


def _interned(fs: FileSymbols) -> FileSymbols:
    """Names from another process are fresh strings: share them with the rest of the index."""
    names = tuple(sys.intern(n) for n in fs.names)
    return FileSymbols(fs.path, fs.language, names, fs.kinds, fs.rows, fs.texts)


INDEX_STEMS = frozenset({"__init__", "index", "mod"})
"""A file with one of these names stands for its folder (`store/__init__.py` is `store`)."""


def _folder_and_stem(path: str) -> tuple[str, str]:
    folder, name = os.path.split(path)
    stem = name.split(".", 1)[0]
    if stem in INDEX_STEMS:
        stem = os.path.basename(folder)
    return folder, stem
