"""The workspace symbol index: every definition `tags.scm` finds, per file, by name.

Fed in the background. `observe(path, text, language)` (the WorkspaceIndexer's consumer
protocol, also called for open documents on open and save) only queues the file; a worker
thread extracts it (`extract.py`: a backlog in a child process, single files in the thread)
and swaps the file's entries in, so a re-observed file replaces its old definitions and a
lookup never sees half a file. Without a child process (it cannot start) everything is
extracted in the thread.

Locking, one rule: `_lock` guards every table (`_files`, `_by_name`, `_by_dir`, `_by_stem`,
`_folders`, `_folder_versions`, the counts) and the queue. Every method that reads or writes
them holds it for exactly that and no longer: lookups return copies, the worker takes it only
to take jobs and to swap a file's entries in, never while extracting or waiting for the child.
The one exception is `generation`, written under the lock and read without it by callers that
cache what they derive (an int: a stale read only refreshes a cache one request later).

Memory is bounded: at most `max_definitions` definitions in all; queued texts above
`max_pending_bytes` are read from disk by the extractor instead of being held.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from ghostfill.context.extract import Job, Pacer, child_init, extract_batch, extract_job
from ghostfill.context.symbols import FileSymbols
from ghostfill.documents.syntax import Grammars

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

log = logging.getLogger(__name__)

BATCH_FILES = 64
BATCH_BYTES = 2 * 1024 * 1024
BACKLOG = 16
"""From this many queued files on, batches go to the child process."""
CHILD_IDLE_S = 30.0
"""The child process exits after this long without work (it holds ~40 MB)."""


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
        return extract_job(self.grammars, path, text, language, pause)

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
            folder, stem = self._folder_and_stem(path)
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
        folder, stem = self._folder_and_stem(path)
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

    def _folder_and_stem(self, path: str) -> tuple[str, str]:
        """A file's folder and the module stem it is found by: an index file (`__init__.py`,
        `index.ts`, `mod.rs`: any language's `index_names`) stands for its folder."""
        folder, name = os.path.split(path)
        stem = name.split(".", 1)[0]
        if stem in self.grammars.registry.index_names():
            stem = os.path.basename(folder)
        return folder, stem

    # -- lookups (any thread) ---------------------------------------------------------------

    def file(self, path: str) -> FileSymbols | None:
        with self._lock:
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
        with self._lock:
            entry = self._by_name.get(name)
            if entry is None:
                return 0
            return len(entry) if isinstance(entry, list) else 1

    def in_folder(self, folder: str) -> list[str]:
        with self._lock:
            return list(self._by_dir.get(folder, ()))

    def folder_version(self, folder: str) -> int:
        """Changes whenever a file of `folder` is added, replaced or removed."""
        with self._lock:
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
        with self._lock:
            return {
                "files": len(self._files),
                "definitions": self._count,
                "names": len(self._by_name),
                "pending": len(self._queue),
            }

    def __len__(self) -> int:
        with self._lock:
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
        with self._lock:
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
        # imported here: most workspaces never have a backlog, and multiprocessing (~10 ms)
        # would otherwise load with every server
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        try:
            return ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=child_init,
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
            roots = tuple(str(r) for r in self.grammars.registry.roots)
            results = child.submit(extract_batch, roots, work).result()
        else:
            results = [extract_job(self.grammars, *job, pause) for job in work]
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
