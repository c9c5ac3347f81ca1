"""Walk the workspace folders and feed their files to the indexes, in the background.

Shared by the offline engine and the context engine's symbol index: each is a `Consumer`.
The walk and the reading run in a worker thread (`asyncio.to_thread`), in small batches, with
the event loop free between batches, so requests never wait for indexing.

What is never read:
- directories that are never source: version control (`.git`, `.hg`, `.svn`, `.jj`, `.bzr`),
  virtual environments (`.venv`, `venv`, and any folder holding a `pyvenv.cfg`), dependency
  trees (`node_modules`, `bower_components`) and tool caches (`__pycache__`, `.mypy_cache`,
  `.pytest_cache`, `.ruff_cache`, `.tox`, `.nox`) — whether or not they are gitignored;
- anything a `.gitignore` (at any depth) excludes; an ignored folder is not entered;
- files the privacy filter excludes (`.env*`, keys, certificates, user globs): they are
  never opened;
- symbolic links, files above the size limit, files whose language is not registered, and
  files that are not UTF-8 text (binary).

At most `max_files` files are indexed; the walk is breadth-first, so the limit keeps the
top-level code and drops the deepest folders.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Protocol

import pathspec

from ghostfill.documents.languages import LanguageRegistry
from ghostfill.documents.privacy import PrivacyFilter

log = logging.getLogger(__name__)

SKIP_DIRS: frozenset[str] = frozenset(
    {
        ".git", ".hg", ".svn", ".jj", ".bzr",
        ".venv", "venv",
        "node_modules", "bower_components",
        "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".tox", ".nox",
    }
)  # fmt: skip
"""Folder names never entered, gitignored or not."""
BATCH_FILES = 16
"""Files read and counted per worker-thread hop; the event loop runs between hops."""


class Consumer(Protocol):
    def observe(self, path: str, text: str, language: str) -> None: ...

    def forget(self, path: str) -> None: ...


class GitIgnore:
    """The `.gitignore` rules of one workspace folder, nested files included (loaded lazily)."""

    def __init__(self, root: str) -> None:
        self.root = root
        self._specs: dict[str, pathspec.GitIgnoreSpec | None] = {}

    def _spec(self, rel_dir: str) -> pathspec.GitIgnoreSpec | None:
        if rel_dir in self._specs:
            return self._specs[rel_dir]
        spec: pathspec.GitIgnoreSpec | None = None
        try:
            with open(os.path.join(self.root, rel_dir, ".gitignore"), encoding="utf-8") as f:
                spec = pathspec.GitIgnoreSpec.from_lines(f.read().splitlines())
        except (OSError, UnicodeDecodeError, ValueError):
            spec = None
        self._specs[rel_dir] = spec
        return spec

    def ignored(self, rel_path: str, is_dir: bool) -> bool:
        """Whether the rules of the folders above `rel_path` ignore it (deeper rules win).

        Only the entry itself is tested; the walker never enters an ignored folder, and
        `ignored_path` checks the folders above for single-file updates.
        """
        parts = rel_path.split("/")
        result = False
        for i in range(len(parts)):
            spec = self._spec("/".join(parts[:i]))
            if spec is None:
                continue
            sub = "/".join(parts[i:]) + ("/" if is_dir else "")
            decision = spec.check_file(sub).include
            if decision is not None:
                result = decision
        return result

    def ignored_path(self, rel_path: str) -> bool:
        """Whether a file or any folder above it is ignored."""
        parts = rel_path.split("/")
        for i in range(1, len(parts)):
            folder = "/".join(parts[:i])
            if parts[i - 1] in SKIP_DIRS or self.ignored(folder, True):
                return True
        return self.ignored(rel_path, False)


class WorkspaceIndexer:
    """Finds the workspace's source files and hands their text to every consumer."""

    def __init__(
        self,
        languages: LanguageRegistry,
        consumers: Sequence[Consumer],
        privacy: PrivacyFilter,
        max_files: int,
        max_file_bytes: int,
    ) -> None:
        self.languages = languages
        self.consumers = list(consumers)
        self.privacy = privacy
        self.max_files = max_files
        self.max_file_bytes = max_file_bytes
        self._indexed: set[str] = set()
        self._updated: set[str] = set()
        """Paths an `update` has handled: a running `index` must not overwrite them."""
        self._ignores: dict[str, GitIgnore] = {
            os.path.abspath(root): GitIgnore(os.path.abspath(root)) for root in privacy.roots
        }

    @property
    def indexed(self) -> frozenset[str]:
        return frozenset(self._indexed)

    async def index(
        self, roots: Sequence[str], report: Callable[[int, int], None] | None = None
    ) -> int:
        """Walk `roots` and feed eligible files to the consumers; returns files indexed.

        `report(done, total)` is called as batches finish (for LSP work-done progress); it ends
        with `done == total`.
        """
        paths = await asyncio.to_thread(lambda: list(self.walk(roots, 4 * self.max_files)))
        total = len(paths)
        indexed = 0
        if report is not None:
            report(0, total)
        for start in range(0, total, BATCH_FILES):
            if len(self._indexed) >= self.max_files:
                break
            batch = paths[start : start + BATCH_FILES]
            indexed += await asyncio.to_thread(self._feed, batch)
            if report is not None and start + BATCH_FILES < total:
                report(start + len(batch), total)
        if report is not None:
            report(total, total)
        return indexed

    async def update(self, path: str, text: str | None) -> None:
        """A file was saved, created, changed on disk (text None: read it) or deleted.

        Use `text=None` for deletions and for watched-file events whose content is on disk;
        a path that no longer exists is forgotten.
        """
        await asyncio.to_thread(self._update, path, text)

    def _update(self, path: str, text: str | None) -> None:
        path = os.path.abspath(path)
        self._updated.add(path)
        language = self._eligible(path)
        gone = text is None and (not os.path.isfile(path) or os.path.islink(path))
        if language is None or gone:
            self._forget(path)
            return
        if text is None:
            text = self._read(path)
            if text is None:
                self._forget(path)
                return
        elif len(text.encode("utf-8", errors="surrogatepass")) > self.max_file_bytes:
            self._forget(path)
            return
        if path not in self._indexed and len(self._indexed) >= self.max_files:
            return
        self._observe(path, text, language)

    def _forget(self, path: str) -> None:
        if path not in self._indexed:
            return
        self._indexed.discard(path)
        for consumer in self.consumers:
            try:
                consumer.forget(path)
            except Exception:  # as in _observe: one consumer's bug must not stop the others
                log.exception("forgetting %s failed in %s", path, type(consumer).__name__)

    def _eligible(self, path: str) -> str | None:
        """The language of `path` if it may be indexed (ignore rules, privacy, language)."""
        if self.privacy.excluded(path):
            return None
        spec = self.languages.detect(path)
        if spec is None:
            return None
        for root, rules in self._rules_for(path):
            rel = os.path.relpath(path, root).replace(os.sep, "/")
            if rules.ignored_path(rel):
                return None
        return spec.name

    def _rules_for(self, path: str) -> Iterator[tuple[str, GitIgnore]]:
        for root, rules in self._ignores.items():
            if path == root or path.startswith(root.rstrip(os.sep) + os.sep):
                yield root, rules

    def walk(self, roots: Sequence[str], limit: int | None = None) -> Iterator[tuple[str, str]]:
        """(path, language) of the files under `roots` that may be read, breadth-first.

        Reading can still rule a file out (binary, not UTF-8); `limit` bounds the walk.
        """
        found = 0
        for root in roots:
            root = os.path.abspath(root)
            rules = self._ignores.setdefault(root, GitIgnore(root))
            queue: deque[str] = deque([""])
            while queue:
                rel_dir = queue.popleft()
                try:
                    with os.scandir(os.path.join(root, rel_dir)) as it:
                        entries = sorted(it, key=lambda e: e.name)
                except OSError:
                    continue
                if rel_dir and any(e.name == "pyvenv.cfg" for e in entries):
                    continue
                for entry in entries:
                    rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
                    try:
                        if entry.is_symlink():
                            continue
                        if entry.is_dir():
                            if entry.name not in SKIP_DIRS and not rules.ignored(rel, True):
                                queue.append(rel)
                            continue
                        if not entry.is_file():
                            continue
                        if entry.stat().st_size > self.max_file_bytes:
                            continue
                    except OSError:
                        continue
                    path = entry.path
                    if self.privacy.excluded(path):
                        continue
                    spec = self.languages.detect(path)
                    if spec is None or rules.ignored(rel, False):
                        continue
                    yield path, spec.name
                    found += 1
                    if limit is not None and found >= limit:
                        return

    def _feed(self, batch: Sequence[tuple[str, str]]) -> int:
        fed = 0
        for path, language in batch:
            if len(self._indexed) >= self.max_files and path not in self._indexed:
                break
            if path in self._updated:
                continue  # an update already handled a newer version
            text = self._read(path)
            if text is None:
                continue
            self._observe(path, text, language)
            fed += 1
        return fed

    def _observe(self, path: str, text: str, language: str) -> None:
        self._indexed.add(path)
        for consumer in self.consumers:
            try:
                consumer.observe(path, text, language)
            except Exception:  # one consumer's bug must not stop the others or the walk
                log.exception("indexing %s failed in %s", path, type(consumer).__name__)

    def _read(self, path: str) -> str | None:
        return read_source(path, self.max_file_bytes)


def read_source(path: str | Path, max_file_bytes: int) -> str | None:
    """A file's text as the indexer reads it; None if unreadable, too large or not UTF-8 text."""
    try:
        with open(path, "rb") as f:
            data = f.read(max_file_bytes + 1)
    except OSError:
        return None
    if len(data) > max_file_bytes or b"\x00" in data[:8192]:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def workspace_files(
    roots: Sequence[str],
    languages: LanguageRegistry,
    privacy: PrivacyFilter,
    max_files: int,
    max_file_bytes: int,
) -> list[tuple[str, str]]:
    """The files `WorkspaceIndexer` would consider, at most `max_files` (for benchmarks)."""
    walker = WorkspaceIndexer(languages, (), privacy, max_files, max_file_bytes)
    return list(walker.walk(roots, max_files))
