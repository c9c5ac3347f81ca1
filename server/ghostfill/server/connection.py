"""One editor connection at work: its `Session` (state) and `Client` (talk-back) over the
`Workspace` its folders and settings select, with its own `Pipeline`.

The handlers call one method here per LSP message; this is where a message becomes what the
connection does: configure, follow documents, index, complete, report. Everything per
connection is this connection's own; the workspace (offline model, symbol index) is shared
with the other connections on the same folders, and `configure()` never changes it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from lsprotocol import types

from ghostfill import logs
from ghostfill.backends.base import Backend
from ghostfill.context.definitions import DefinitionSource
from ghostfill.context.gather import ContextEngine
from ghostfill.context.neighbours import NeighbourSource
from ghostfill.context.recent_edits import RecentEdits
from ghostfill.daemon.pids import alive
from ghostfill.documents.store import Document, TextChange, uri_to_path
from ghostfill.errors import ConfigError, GhostfillError
from ghostfill.feedback.command import live_report
from ghostfill.feedback.lsp import accept_command
from ghostfill.feedback.recorder import Feedback
from ghostfill.lifecycle.collector import Collector
from ghostfill.model import Completion, Position
from ghostfill.pipeline import Events, Pipeline, Spawn
from ghostfill.server import messages
from ghostfill.server.client import Client
from ghostfill.server.items import inline_item
from ghostfill.server.process import process_stats
from ghostfill.server.session import Session
from ghostfill.server.shared import Shared
from ghostfill.server.workspaces import IndexKey, Workspace
from ghostfill.tasks import Tasks

log = logging.getLogger(__name__)

REPARSE_IDLE_S = 0.15
"""Typing pause after which an edited document's tree is re-parsed."""
AHEAD_AFTER_S = 0.002
"""Wait after an edit before gathering the context there ahead of the request. The request
of an editor that asks at once is read within a fraction of a millisecond and cancels it;
editors' debounces are 50-200 ms."""
PARENT_POLL_S = 2.0
"""How often the editor process named in initialize `processId` is checked for life."""


def context_engine(workspace: Workspace) -> ContextEngine:
    """A connection's context sources: definitions from the workspace's (shared) symbol
    index; neighbours and recent edits from its own open documents."""
    symbols = workspace.symbols
    return ContextEngine([DefinitionSource(symbols), NeighbourSource(), RecentEdits()], symbols)


def pipeline(
    session: Session,
    workspace: Workspace,
    context: ContextEngine,
    events: Events,
    spawn: Spawn,
    collector: Collector | None = None,
) -> Pipeline:
    """The request pipeline of one connection (or one `ghostfill complete` run)."""
    return Pipeline(
        settings=lambda: session.settings,
        privacy=session.privacy,
        context=context,
        engine=workspace.engine,
        backends=session.backends,
        continuations=session.continuations,
        debouncer=session.debouncer,
        events=events,
        spawn=spawn,
        workspace=lambda: session.roots[0] if session.roots else "",
        pacer=workspace.pacer,
        collector=collector,
    )


class Connection:
    def __init__(
        self,
        shared: Shared,
        session: Session,
        client: Client,
        *,
        pending_requests: Callable[[], int] = lambda: 0,
        parent_gone: Callable[[], None] = lambda: None,
    ) -> None:
        self.shared = shared
        self.session = session
        self.client = client
        self._pending_requests = pending_requests
        self._parent_gone = parent_gone
        self._tasks = Tasks("connection")
        self._started = False
        self._warmed: Backend | None = None
        """The backend last warmed (a request may build it before `_backend_changed` runs)."""
        self._backend_calls = 0
        self._loop = asyncio.get_running_loop()
        self.workspace: Workspace | None = None
        self.context = ContextEngine()
        self.pipeline = self._attach()

    # -- the workspace ----------------------------------------------------------------------

    def _attach(self) -> Pipeline:
        """Use the workspace of the current folders and settings (sharing it with the other
        connections on them); a changed key moves this connection to another workspace."""
        key = IndexKey.of(self.session.roots, self.session.settings, self.session.id)
        old = self.workspace
        if old is not None and old.key == key:
            return self.pipeline
        workspace = self.workspace = self.shared.workspaces.acquire(key)
        self.context = context_engine(workspace)
        for doc in self.session.documents:
            if not self.session.privacy().excluded(doc.path):
                self.context.opened(doc)
        if old is not None:
            self._backend_calls += self.pipeline.backend_calls
            old.use(self.session.id, None, None)
            self.spawn(self.shared.workspaces.release(old))
            if self._started:
                self.spawn(self.index())
        return pipeline(
            self.session, workspace, self.context, self, self.spawn, self.shared.collector
        )

    # -- lifecycle ------------------------------------------------------------------------

    def initialize(self, options: object, api_key: str | None, folders: list[str]) -> None:
        """The client's initialize: its folders, its settings, its key."""
        self.session.capabilities = self.client.capabilities
        self.session.folders = folders
        self.session.roots = [uri_to_path(f) for f in folders]
        self.configure(options, api_key=api_key)

    async def initialized(self) -> None:
        """After initialize: the client's current settings, then the index."""
        await self.pull_configuration()
        self._started = True
        self.shared.keep_generated_code()
        self.shared.collector.settled()  # initialize is answered
        await self.index()
        self.shared.collector.settled()  # and what the index built is kept

    async def pull_configuration(self, fallback: object = None) -> None:
        """Ask the client for the `ghostfill` section; editors without workspace/configuration
        (or that send settings with the notification) use what they pushed."""
        raw = await self.client.configuration("ghostfill")
        raw = raw if raw is not None else fallback
        if raw is not None:
            self.configure(raw)

    def configure(self, raw: object, *, api_key: str | None = None) -> None:
        """Parse and apply settings (initializationOptions or workspace/configuration)."""
        session = self.session
        problems = session.apply(raw, api_key)
        if api_key:
            self.shared.redact.add(api_key)
        level = session.log_level or session.settings.logLevel
        self.client.level = logs.LEVELS.get(level, logging.INFO)
        self.shared.set_log_level(session.id, level)
        for problem in problems:
            self.client.show_once(
                types.MessageType.Warning, f"ghostfill: {problem}; using the default."
            )
        self.shared.warn = self._stats_warning
        session.feedback.configure(session.settings, notify=self._spend_notice)
        grammars = [*session.settings.context.grammarPaths, *session.grammar_flags]
        again = self.shared.use_grammars(session.id, grammars)
        if again:
            log.info("languages: %s", ", ".join(self.shared.languages.names()))
        try:
            if session.backends.configure(session.settings, session.api_key):
                config = session.backends.config
                assert config is not None
                self.shared.redact.add(config.api_key)
                # Built after this message is answered (initialize's result goes out first),
                # or sooner by the first request that needs it.
                self._loop.call_soon(self._backend_changed)
        except ConfigError as exc:
            self.problem(exc)
        self.pipeline = self._attach()
        assert self.workspace is not None
        s = session.settings
        again = self.workspace.use(session.id, s.offline.enable, s.context.symbols) or again
        if again and self._started:  # new languages, or the engine enabled again: learn them
            self.spawn(self.index(again=True))
        self.status("idle")

    def _backend_changed(self) -> None:
        """The backend configured last: built (unless a request already built it), logged
        and warmed once; a network setting that failed only in the build is reported."""
        backends = self.session.backends
        backend = backends.build()
        if backends.error is not None:
            error, backends.error = backends.error, None
            self.problem(error)
        if backend is None or backend is self._warmed:
            return
        self._warmed = backend
        log.info("backend %s, model %s", backend.name, backend.config.model)
        self.spawn(backend.warm())

    def _stats_warning(self, message: str) -> None:
        """From the stats writer thread: a popup on this connection's loop."""
        self._loop.call_soon_threadsafe(
            self.client.show_once, types.MessageType.Warning, f"ghostfill: {message}"
        )

    def _spend_notice(self, message: str) -> None:
        log.warning("%s", message)
        self.client.show_once(types.MessageType.Warning, f"ghostfill: {message}")
        self.status("offline", None, message)

    async def index(self, again: bool = False) -> None:
        """Index the workspace unless it is (or is being) indexed: the progress ends when
        every index a request uses is complete; a complete workspace reports nothing."""
        workspace, s = self.workspace, self.session.settings
        if workspace is None or not workspace.roots or not (s.offline.enable or s.context.symbols):
            return
        if workspace.ready and not again:
            log.info("workspace already indexed in this process")
            return
        task = workspace.index(again)
        token = await self.client.begin("ghostfill: indexing")
        unfollow = workspace.follow(lambda done, total: self.client.report(token, done, total))
        try:
            count = await asyncio.shield(task)
        except asyncio.CancelledError:
            self.client.end(token, "stopped")
            raise
        except Exception as exc:
            log.error("indexing failed: %r", exc, exc_info=exc)
            self.client.end(token, "failed")
            return
        finally:
            unfollow()
        self.client.end(token, f"{count} files")

    def watch_parent(self, pid: int | None) -> None:
        """End when the editor that started us dies without saying goodbye."""
        if not pid or pid == os.getpid():
            return

        async def watch() -> None:
            while True:
                await asyncio.sleep(PARENT_POLL_S)
                if not alive(pid):
                    break
            log.warning("parent process %d is gone", pid)
            self._parent_gone()

        self.spawn(watch())

    async def close(self) -> None:
        """Release everything this connection holds; the workspace stays for the others."""
        self.client.closed = True
        await self._tasks.close()
        for handle in self.session.reparse.values():
            handle.cancel()
        self.session.reparse.clear()
        self._cancel_ahead()
        for doc in list(self.session.documents):
            self.session.continuations.drop(doc.uri)
        await self.session.backends.close()
        if self.workspace is not None:
            workspace, self.workspace = self.workspace, None
            workspace.use(self.session.id, None, None)
            await self.shared.workspaces.release(workspace)
        self.shared.forget(self.session.id)

    def spawn(self, coro: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        """Run `coro` in the background, keeping a reference and logging its failure."""
        return self._tasks.spawn(coro)

    # -- documents ------------------------------------------------------------------------

    def open_document(self, uri: str, text: str, version: int, language_id: str) -> None:
        doc = self.session.documents.open(uri, text, version, language_id)
        if not self.session.privacy().excluded(doc.path) and self.workspace is not None:
            self.context.opened(doc)
            if self.session.settings.offline.enable:
                self.spawn(self.workspace.engine.prepare(doc.path, text, doc.language))
            if doc.language not in self.shared.rehearsed:
                self.shared.rehearsed.add(doc.language)
                self.spawn(self.rehearse(doc))

    async def rehearse(self, doc: Document) -> None:
        """The first document of a language in this process: a request's path is walked once
        in the background (`Pipeline.rehearse`), from the request's decoding to the reply's
        encoding, so the first keystroke finds every first-use cost paid."""
        await asyncio.sleep(0)  # after the didOpen and whatever came with it
        found = await self.pipeline.rehearse(doc)
        if found is None:
            return
        position, completion = found
        where = types.Position(position.line, position.character)
        converter = self.shared.converter
        trigger = types.InlineCompletionContext(types.InlineCompletionTriggerKind.Automatic)
        params = types.InlineCompletionParams(trigger, types.TextDocumentIdentifier(doc.uri), where)
        request = json.dumps(converter.unstructure(types.InlineCompletionRequest(0, params)))
        converter.structure(json.loads(request), types.InlineCompletionRequest)
        item = inline_item(doc, where, completion)
        item.command = accept_command("rehearsal")
        reply = types.InlineCompletionResponse(id=0, result=types.InlineCompletionList([item]))
        json.dumps(converter.unstructure(reply))
        log.debug("request path rehearsed for %s", doc.language)

    # -- feedback: what happened to the suggestions ---------------------------------------

    @property
    def feedback(self) -> Feedback:
        return self.session.feedback

    def served(self, doc: Document, line: int, insert_text: str, completion: Completion) -> str:
        """Record an item going to the editor; returns its id (the accept command's argument)."""
        backend = self.session.backend
        model = backend.config.model if backend and completion.source != "offline" else ""
        return self.session.feedback.serve(
            doc.uri, line, insert_text, doc.language, completion, model
        )

    async def stats_report(self, since: str | None) -> dict[str, Any]:
        """`ghostfill/stats`: the local report (read on a thread) and the spend caps."""
        if self.shared.stats is None:
            return {}
        settings = self.session.settings
        return await live_report(self.shared.stats, self.shared.guard, since, settings)

    def change_document(self, uri: str, version: int, changes: list[TextChange]) -> None:
        """Raises DocumentError for an unknown document or an edit that does not fit."""
        doc = self.session.documents.change(uri, version, changes)
        self.context.changed(doc, changes)
        self._reparse_when_idle(doc)
        self._gather_ahead(doc, changes)

    def save_document(self, uri: str) -> None:
        """A save: the symbol index and the offline model re-count the file's text."""
        doc = self.session.documents.find(uri)
        if doc is not None and not self.session.privacy().excluded(doc.path):
            self.context.saved(doc)
            self.spawn(self._learn(doc.path, doc.text))

    def close_document(self, uri: str) -> None:
        """Forget everything kept for `uri`: the text, its debounce state, its pending re-parse
        and the streams still running for it."""
        session = self.session
        if (doc := session.documents.find(uri)) is not None:
            self.context.closed(doc)
        session.documents.close(uri)
        session.debouncer.forget(uri)
        if (handle := session.reparse.pop(uri, None)) is not None:
            handle.cancel()
        session.continuations.drop(uri)

    def file_changed(self, uri: str, *, deleted: bool) -> None:
        """A watched file changed on disk (or was deleted)."""
        self.spawn(self._learn_from_disk(uri_to_path(uri), deleted))

    def _reparse_when_idle(self, doc: Document) -> None:
        """Re-parse once typing pauses, so requests never pay for it (they use the edited tree)."""
        reparse = self.session.reparse
        if (handle := reparse.pop(doc.uri, None)) is not None:
            handle.cancel()

        def run() -> None:
            reparse.pop(doc.uri, None)  # a fired timer must not keep the document alive
            doc.syntax()

        reparse[doc.uri] = asyncio.get_running_loop().call_later(REPARSE_IDLE_S, run)

    def _gather_ahead(self, doc: Document, changes: list[TextChange]) -> None:
        """Gather the context at the end of the last edit `AHEAD_AFTER_S` after it: editors
        wait their debounce (VS Code ~50 ms, Neovim 200 ms) between sending an edit and
        asking, so a request there finds it gathered. A request sent at once cancels it and
        gathers for itself."""
        self._cancel_ahead()
        session = self.session
        last = changes[-1] if changes else None
        if last is None or last.start is None:
            return  # a whole-document replacement says nothing of where the cursor is
        end = doc.offset(last.start, strict=False) + len(
            last.text.encode("utf-8", errors="surrogatepass")
        )
        position, version = doc.position(min(end, len(doc.data))), doc.version

        def run() -> None:
            session.ahead = None
            if session.documents.find(doc.uri) is not doc or doc.version != version:
                return
            started = time.perf_counter()
            try:
                gathered = self.pipeline.ahead(doc, position)
            except Exception:  # ahead of time only: the request gathers for itself
                log.exception("gathering context ahead failed")
                return
            if gathered:
                log.debug(
                    "context gathered ahead at %d:%d in %.2f ms",
                    position.line,
                    position.character,
                    (time.perf_counter() - started) * 1000,
                )

        session.ahead = asyncio.get_running_loop().call_later(AHEAD_AFTER_S, run)

    def _cancel_ahead(self) -> None:
        if (handle := self.session.ahead) is not None:
            handle.cancel()
            self.session.ahead = None

    async def _learn(self, path: str, text: str | None) -> None:
        if self.workspace is not None and not self.session.privacy().excluded(path):
            await self.workspace.indexer.update(path, text)

    async def _learn_from_disk(self, path: str, deleted: bool) -> None:
        if self.workspace is None or self.session.privacy().excluded(path):
            return
        if deleted:
            await self._learn(path, None)
            return
        try:
            text = await asyncio.to_thread(Path(path).read_text, encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return
        await self._learn(path, text)

    # -- requests -------------------------------------------------------------------------

    async def complete(self, uri: str, pos: types.Position) -> tuple[Document, Completion] | None:
        """The suggestion at `pos`, with the document as it is when it is ready."""
        self._cancel_ahead()  # the editor asked: the request gathers (or hits the cache) itself
        position = Position(pos.line, pos.character)
        try:
            doc = self.session.documents.get(uri)
            with self.session.next_edits.completing():  # next edits wait for ghost text
                completion = await self.pipeline.complete(doc, position)
            if completion is None or not completion.text:
                return None
            doc.offset(position)  # still valid after edits while waiting?
        except GhostfillError as exc:
            log.info("no completion: %s", exc.user_message)
            return None
        return doc, completion

    async def models(self) -> messages.ModelsResult:
        """For the editor's model picker: the backend's own list (GET /models)."""
        backend = self.session.backend
        if backend is None:
            return messages.ModelsResult([], "the offline engine has no models to choose from")
        try:
            return messages.ModelsResult(await backend.models())
        except GhostfillError as exc:
            return messages.ModelsResult([], exc.user_message)

    def debug_stats(self) -> messages.DebugStats:
        """`ghostfill/debugStats`: the counts a long session must keep bounded."""
        active, idle = self.shared.clients.pools()
        workspace = self.workspace
        rss_mb, fds, sockets, cpu_ms = process_stats()
        return messages.DebugStats(
            tasks=len(asyncio.all_tasks()),
            background=len(self._tasks),
            continuations=len(self.session.continuations),
            documents=len(self.session.documents),
            pending_requests=self._pending_requests(),
            reparse_timers=len(self.session.reparse),
            backend_calls=self._backend_calls + self.pipeline.backend_calls,
            prefetches=self.pipeline.prefetches,
            context_reused=self.context.reused,
            context_ahead=self.context.ahead_count,
            offline=workspace.stats() if workspace is not None else {},
            next_edit=self.session.next_edits.stats(),
            symbols=workspace.symbol_stats() if workspace is not None else {},
            index_runs=workspace.index_runs if workspace is not None else 0,
            pacing=workspace.pacer.stats() if workspace is not None else [],
            http_active=active,
            http_idle=idle,
            sessions=self.shared.sessions,
            workspaces=len(self.shared.workspaces),
            rss_mb=rss_mb,
            open_fds=fds,
            connections=sockets,
            cpu_ms=cpu_ms,
        )

    # -- Events: how the pipeline talks to the client ----------------------------------

    def ready(self, uri: str, version: int, position: Position) -> None:
        at = types.Position(line=position.line, character=position.character)
        self.client.completion_ready(messages.CompletionReadyParams(uri, version, at))

    def status(
        self, state: str, latency_ms: float | None = None, message: str | None = None
    ) -> None:
        config = self.session.backends.config  # (known before the backend is built)
        self.client.status(
            messages.StatusParams(
                state=state,
                backend=config.provider if config else "offline",
                model=config.model if config else "",
                latency_ms=round(latency_ms, 1) if latency_ms is not None else None,
                message=message,
            )
        )

    def problem(self, error: GhostfillError) -> None:
        log.warning("%s", error.user_message)
        self.client.show_once(
            types.MessageType.Error, f"ghostfill: {error.user_message}", key=error.key
        )
