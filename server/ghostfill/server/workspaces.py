"""Per-workspace state shared by every connection of the process on the same folders.

A `Workspace` holds what is expensive to build and the same for every editor window open on
a folder: the offline engine's model and the symbol index, both fed by one `WorkspaceIndexer`
walk. `Workspaces` is the registry, keyed by `IndexKey`: the workspace folders plus the
settings that decide what may be indexed (privacy globs, `context.workspaceOnly`, the file
limits). Two windows on the same root with the same privacy settings share one index; a
window whose settings would index differently (a stricter `privacy.exclude`) gets its own,
so nothing one window excludes ever reaches the other's suggestions. A connection with no
folder gets a private workspace (an unrelated single file shares nothing).

Readiness: `Workspace.index()` is one task per workspace, started by the first connection
that wants an index and awaited by the others. It completes only when every index a request
uses is complete: the walk has fed the offline model and the symbol index has extracted
every queued file (it extracts in the background, after the walk). A connection that joins a
workspace whose index is complete sees `ready` and reports no indexing at all.

What stays per connection (in `Session`): documents, settings, the backend and its key,
the continuation cache and the debounce, and the context sources that follow open documents
(neighbours, recent edits).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from ghostfill.context.index import SymbolIndex
from ghostfill.documents.languages import LanguageRegistry
from ghostfill.documents.privacy import PrivacyFilter
from ghostfill.documents.syntax import Grammars
from ghostfill.documents.workspace import Consumer, WorkspaceIndexer
from ghostfill.engine import OfflineEngine
from ghostfill.engine.lexers import Lexers
from ghostfill.lifecycle.pacing import Pacer
from ghostfill.settings import Settings
from ghostfill.tasks import Tasks

log = logging.getLogger(__name__)

Report = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class IndexKey:
    """What makes two connections' indexes the same: their folders and indexing settings."""

    roots: tuple[str, ...]
    excludes: tuple[str, ...]
    workspace_only: bool
    max_files: int
    max_file_bytes: int
    owner: int = 0
    """Non-zero for a connection without folders: its workspace is its own."""

    @classmethod
    def of(cls, roots: Sequence[str], settings: Settings, owner: int) -> IndexKey:
        return cls(
            roots=tuple(roots),
            excludes=settings.privacy.globs,
            workspace_only=settings.context.workspaceOnly,
            max_files=settings.offline.maxFiles,
            max_file_bytes=settings.offline.maxFileKb * 1024,
            owner=0 if roots else owner,
        )


class Wanted:
    """A consumer fed only while some connection wants it (nothing is learnt for a feature
    nobody has on); it remembers what it missed, so turning it on walks the folders again."""

    def __init__(self, inner: Consumer) -> None:
        self.inner = inner
        self._wants: dict[int, bool] = {}
        self._skipped = False

    @property
    def on(self) -> bool:
        return any(self._wants.values()) or not self._wants

    def want(self, connection: int, enable: bool | None) -> bool:
        """A connection's wish (None: it left); True when it is on again after skipping."""
        if enable is None:
            self._wants.pop(connection, None)
        else:
            self._wants[connection] = enable
        again = self.on and self._skipped
        self._skipped = self._skipped and not again
        return again

    def observe(self, path: str, text: str, language: str) -> None:
        if self.on:
            self.inner.observe(path, text, language)
        else:
            self._skipped = True

    def forget(self, path: str) -> None:
        self.inner.forget(path)


class Workspace:
    """The offline model and symbol index of one set of folders, and their indexing."""

    def __init__(self, key: IndexKey, languages: LanguageRegistry, grammars: Grammars) -> None:
        self.key = key
        self.privacy = PrivacyFilter(key.excludes, key.roots, key.workspace_only)
        self.engine = OfflineEngine(Settings().offline, lexers=Lexers(languages))
        """Suggestions take each connection's own offline settings; it learns while any
        connection of the workspace has it enabled."""
        self.symbols = SymbolIndex(grammars)
        self._engine = Wanted(self.engine)
        self._symbols = Wanted(self.symbols)
        self.indexer = WorkspaceIndexer(
            languages,
            [self._engine, self._symbols],
            self.privacy,
            key.max_files,
            key.max_file_bytes,
        )
        self.pacer = Pacer()
        """Measured backend speeds (per provider, URL and model), for every window here."""
        self.users = 0
        self.index_runs = 0
        self._indexing: asyncio.Task[int] | None = None
        self._followers: list[Report] = []
        self._progress = (0, 0)

    @property
    def roots(self) -> tuple[str, ...]:
        return self.key.roots

    @property
    def ready(self) -> bool:
        """Every index is complete: joining connections report no indexing."""
        task = self._indexing
        return task is not None and task.done() and not task.cancelled()

    @property
    def indexing(self) -> bool:
        return self._indexing is not None and not self._indexing.done()

    def index(self, again: bool = False) -> asyncio.Task[int]:
        """The workspace's indexing (files indexed), started once and shared; `again` walks
        the folders anew once the last walk is over (new languages, the engine re-enabled)."""
        task = self._indexing
        if task is None or (again and task.done()):
            task = self._indexing = asyncio.get_running_loop().create_task(self._index())
        return task

    def use(self, connection: int, offline: bool | None, symbols: bool | None) -> bool:
        """A connection's `offline.enable` and `context.symbols` (None: it left); True when
        either index is on again after skipping files: the folders should be walked again."""
        again = self._symbols.want(connection, symbols)
        return self._engine.want(connection, offline) or again

    async def _index(self) -> int:
        self.index_runs += 1
        count = await self.indexer.index(list(self.roots), self._report)
        # The walk is done; the symbol index still extracts what it queued, in its worker.
        await asyncio.to_thread(self.symbols.wait_idle)
        log.info("indexed %d files: %s", count, self.engine.stats())
        return count

    def follow(self, report: Report) -> Callable[[], None]:
        """Call `report(done, total)` as indexing advances; returns the unsubscribe."""
        self._followers.append(report)
        report(*self._progress)
        return lambda: self._followers.remove(report) if report in self._followers else None

    def _report(self, done: int, total: int) -> None:
        self._progress = (done, total)
        for report in list(self._followers):
            try:
                report(done, total)
            except Exception:  # one editor's progress must not stop another's indexing
                log.exception("progress report failed")

    async def close(self) -> None:
        if self._indexing is not None and not self._indexing.done():
            self._indexing.cancel()
        await asyncio.to_thread(self.symbols.close)

    def stats(self) -> dict[str, int]:
        return self.engine.stats()

    def symbol_stats(self) -> dict[str, int]:
        return self.symbols.stats()


class Workspaces:
    """The process's workspaces, each shared by the connections whose `IndexKey` matches.

    `linger_s` keeps a workspace nobody uses for that long (a window that reloads, or a
    daemon between windows, finds its index still there); 0 closes it at once.
    """

    def __init__(
        self, languages: LanguageRegistry, grammars: Grammars, linger_s: float = 0.0
    ) -> None:
        self.languages = languages
        self.grammars = grammars
        self.linger_s = linger_s
        self._open: dict[IndexKey, Workspace] = {}
        self._closing: dict[IndexKey, asyncio.TimerHandle] = {}
        self._tasks = Tasks("workspaces")

    def acquire(self, key: IndexKey) -> Workspace:
        if (handle := self._closing.pop(key, None)) is not None:
            handle.cancel()
        workspace = self._open.get(key)
        if workspace is None:
            workspace = self._open[key] = Workspace(key, self.languages, self.grammars)
            log.info("workspace %s: new", key.roots or "(no folder)")
        workspace.users += 1
        return workspace

    async def release(self, workspace: Workspace) -> None:
        workspace.users -= 1
        if workspace.users > 0 or self._open.get(workspace.key) is not workspace:
            return
        if self.linger_s > 0:
            loop = asyncio.get_running_loop()
            self._closing[workspace.key] = loop.call_later(
                self.linger_s, self._close_later, workspace
            )
            return
        await self._close(workspace)

    def _close_later(self, workspace: Workspace) -> None:
        self._closing.pop(workspace.key, None)
        if workspace.users == 0:
            self._tasks.spawn(self._close(workspace))

    async def _close(self, workspace: Workspace) -> None:
        if self._open.get(workspace.key) is workspace:
            del self._open[workspace.key]
        log.info("workspace %s: closed", workspace.roots or "(no folder)")
        await workspace.close()

    async def close(self) -> None:
        for handle in self._closing.values():
            handle.cancel()
        self._closing.clear()
        for workspace in list(self._open.values()):
            await self._close(workspace)

    def __len__(self) -> int:
        return len(self._open)

    def __iter__(self) -> Iterator[Workspace]:
        return iter(list(self._open.values()))
