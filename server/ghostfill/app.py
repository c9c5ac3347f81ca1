"""Composition root: builds every object once and wires them together. No module globals.

Two kinds of state are kept apart. `Shared` belongs to a workspace and can serve many editor
connections (offline model, continuation cache, HTTP client, backend); `Session` belongs to
one connection (open documents, settings, debounce, the user's notices).
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import time
from collections.abc import Callable, Coroutine, Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO, Protocol, cast

import httpx
from lsprotocol import types
from pygls.lsp.server import LanguageServer

from ghostfill import __version__, handlers, logs
from ghostfill.backends.base import Backend, BackendConfig
from ghostfill.backends.client import make_client
from ghostfill.backends.network import NetworkConfig
from ghostfill.backends.network import resolve as resolve_network
from ghostfill.backends.registry import create, resolve
from ghostfill.context.gather import ContextEngine
from ghostfill.daemon.pids import alive
from ghostfill.documents.languages import LanguageRegistry
from ghostfill.documents.privacy import PrivacyFilter
from ghostfill.documents.store import Document, DocumentStore, TextChange, uri_to_path
from ghostfill.documents.syntax import Grammars
from ghostfill.documents.workspace import Consumer, WorkspaceIndexer
from ghostfill.engine import OfflineEngine
from ghostfill.engine.lexers import Lexers
from ghostfill.errors import ConfigError, GhostfillError
from ghostfill.feedback.command import live_report
from ghostfill.feedback.meter import MeteredBackend
from ghostfill.feedback.recorder import Feedback
from ghostfill.feedback.spend import SpendGuard
from ghostfill.feedback.store import StatsStore
from ghostfill.feedback.store import default_path as default_stats_path
from ghostfill.lifecycle.continuations import Continuations
from ghostfill.lifecycle.debounce import Debouncer
from ghostfill.lifecycle.pacing import Pacer
from ghostfill.model import Completion, Position
from ghostfill.nextedit.predict import NextEdits
from ghostfill.pipeline import Events, Pipeline
from ghostfill.protocol import GhostfillProtocol, GhostfillServer, ResyncingStdin
from ghostfill.settings import ParsedSettings, Settings, parse, with_overrides
from ghostfill.tasks import Tasks

log = logging.getLogger(__name__)

REPARSE_IDLE_S = 0.15
"""Typing pause after which an edited document's tree is re-parsed."""
PARENT_POLL_S = 2.0
"""How often the editor process named in initialize `processId` is checked for life."""


class BackendHolder:
    """The configured backend, rebuilt only when its resolved config changes; the HTTP client,
    rebuilt only when the network settings (proxy, trust) change."""

    def __init__(self, meter: Callable[[Backend], Backend] | None = None) -> None:
        self._client: httpx.AsyncClient | None = None
        self._config: BackendConfig | None = None
        self._network: NetworkConfig | None = None
        self._meter = meter
        self.backend: Backend | None = None
        self._closing = Tasks("retired backends")

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = make_client(self._network)
        return self._client

    def configure(self, settings: Settings, api_key: str) -> bool:
        """Apply settings; True when the backend changed (and should be warmed)."""
        config = resolve(settings.backend, api_key)
        network = resolve_network(settings.network)
        if config == self._config and network == self._network:
            return False
        if network != self._network:
            self._network = network
            if self._client is not None:
                self._closing.spawn(self._client.aclose())
                self._client = None
        self._config = config
        if self.backend is not None:
            self._retire(self.backend)
        backend = create(config, self.client) if config else None
        self.backend = self._meter(backend) if backend and self._meter else backend
        return self.backend is not None

    def _retire(self, old: Backend) -> None:
        """Close what a replaced backend holds beyond the shared client (its WebSocket)."""
        close = getattr(old, "aclose", None)
        if close is not None:
            self._closing.spawn(close())

    async def close(self) -> None:
        close = getattr(self.backend, "aclose", None)
        if close is not None:
            await close()
        if self._client is not None:
            await self._client.aclose()

    def pool(self) -> dict[str, int]:
        """HTTP connections in the shared pool: checked out (a stream in progress, or leaked)
        and idle (kept alive). Read from httpcore's pool for `ghostfill/debugStats`."""
        transport = getattr(self._client, "_transport", None)
        pool = getattr(transport, "_pool", None) or getattr(
            getattr(transport, "_inner", None),
            "_pool",
            None,  # a wrapping transport
        )
        connections = getattr(pool, "connections", None) or []
        idle = sum(1 for c in connections if getattr(c, "is_idle", lambda: False)())
        return {"httpActive": len(connections) - idle, "httpIdle": idle}


class Shared:
    """Per-workspace state: everything expensive to build or worth sharing between windows."""

    def __init__(self, settings: Settings, grammar_paths: Sequence[str] = ()) -> None:
        self.grammar_flags = tuple(grammar_paths)
        """`--grammar-path` folders: after `context.grammarPaths`, so they win."""
        self.languages = LanguageRegistry(extra=[*settings.context.grammarPaths, *grammar_paths])
        self.grammars = Grammars(self.languages)
        self.engine = OfflineEngine(settings.offline, lexers=Lexers(self.languages))
        self.continuations = Continuations()
        self.guard = SpendGuard()
        self.stats = StatsStore(
            default_stats_path(), warn=self._stats_warning, after_write=self.guard.refresh
        )
        self.feedback = Feedback(self.stats, self.guard)
        """Backend usage (tokens, cost) of every connection; items are per session."""
        self.warn: Callable[[str], None] = lambda message: None
        """How a stats problem reaches the user; set by the session (any thread)."""
        self.backends = BackendHolder(
            lambda backend: MeteredBackend(backend, self.feedback.record, self.guard)
        )
        self.context = ContextEngine.standard(self.grammars)
        self.pacer = Pacer()
        """Measured backend speeds, shared by every window of the workspace."""

    def _stats_warning(self, message: str) -> None:
        self.warn(message)

    def use_grammars(self, settings: Settings) -> bool:
        """Read the grammar folders `settings` and the flags name; True if the languages
        changed (documents opened from now on use them)."""
        return self.languages.use_paths([*settings.context.grammarPaths, *self.grammar_flags])

    def pipeline(self, session: SessionLike, debouncer: Debouncer) -> Pipeline:
        """The request pipeline for one connection (or one `ghostfill complete` run)."""
        return Pipeline(
            settings=lambda: session.settings,
            privacy=session.privacy,
            context=self.context,
            engine=self.engine,
            backends=self.backends,
            continuations=self.continuations,
            debouncer=debouncer,
            events=session,
            spawn=session.spawn,
            workspace=lambda: session.roots[0] if session.roots else "",
            pacer=self.pacer,
        )


class SessionLike(Events, Protocol):
    """What a pipeline needs from whoever drives it: an editor session or the terminal."""

    roots: list[str]

    @property
    def settings(self) -> Settings: ...

    def privacy(self) -> PrivacyFilter: ...

    def spawn(self, coro: Coroutine[Any, Any, None]) -> asyncio.Task[None]: ...


class Session:
    """One editor connection: its documents, settings and how to talk back to it."""

    def __init__(
        self,
        server: LanguageServer,
        shared: Shared,
        overrides: dict[str, Any],
        redact: logs.RedactingFilter,
        log_level: str | None = None,
    ) -> None:
        self.server = server
        self.log_level = log_level
        self.shared = shared
        self.overrides = overrides
        self.redact = redact
        self.next_edits = NextEdits(settings=lambda: self.settings.nextEdit)
        self.documents = DocumentStore(shared.languages, shared.grammars, self.next_edits)
        self.debouncer = Debouncer()
        self.roots: list[str] = []
        self.folders: list[str] = []
        self.raw_settings: object = None
        self.api_key = ""
        self.parsed = ParsedSettings(with_overrides(Settings(), **overrides), ())
        self._shown: set[str] = set()
        self._tasks = Tasks("session")
        self._reparse: dict[str, asyncio.TimerHandle] = {}
        self.indexer: WorkspaceIndexer | None = None
        self._index_runs = 0
        self._indexed_for = (False, False)  # (offline engine, symbol index) last indexed for
        self._privacy: tuple[tuple[Any, ...], PrivacyFilter] | None = None
        self.pipeline = shared.pipeline(self, self.debouncer)
        self.feedback = Feedback(shared.stats, shared.guard)

    @property
    def settings(self) -> Settings:
        return self.parsed.settings

    def privacy(self) -> PrivacyFilter:
        """The privacy filter for the current settings and folders (built once per change)."""
        s = self.settings
        key = (s.privacy.globs, tuple(self.roots), s.context.workspaceOnly)
        if self._privacy is None or self._privacy[0] != key:
            self._privacy = (key, PrivacyFilter(*key))
        return self._privacy[1]

    # -- configuration -------------------------------------------------------------------

    def configure(self, raw: object, *, api_key: str | None = None) -> None:
        """Parse and apply settings (initializationOptions or workspace/configuration)."""
        if api_key is not None:
            self.api_key = api_key
            self.redact.add(api_key)
        self.raw_settings = raw
        parsed = parse(raw)
        self.parsed = ParsedSettings(
            with_overrides(parsed.settings, **self.overrides), parsed.problems
        )
        logging.getLogger().setLevel(logs.LEVELS[self.log_level or self.settings.logLevel])
        for problem in parsed.problems:
            self.notify_once(types.MessageType.Warning, f"ghostfill: {problem}; using the default.")
        self.shared.engine.configure(self.settings.offline)
        self._configure_feedback()
        wanted = (self.settings.offline.enable, self.settings.context.symbols)
        if self.shared.use_grammars(self.settings):
            log.info("languages: %s", ", ".join(self.shared.languages.names()))
            if self.indexer is not None:  # already indexed: again, for the new languages
                self.start_indexing(self.folders)
        elif self.indexer is not None and any(
            w and not o for w, o in zip(wanted, self._indexed_for, strict=True)
        ):
            self.start_indexing(self.folders)  # a feature turned on: index for it too
        try:
            if (
                self.shared.backends.configure(self.settings, self.api_key)
                and self.shared.backends.backend
            ):
                backend = self.shared.backends.backend
                self.redact.add(backend.config.api_key)
                log.info("backend %s, model %s", backend.name, backend.config.model)
                self.spawn(backend.warm())
        except ConfigError as exc:
            self.shared.backends.backend = None
            self.problem(exc)
        self.status("idle")

    def _configure_feedback(self) -> None:
        for feedback in (self.feedback, self.shared.feedback):
            feedback.configure(self.settings, notify=self._spend_notice)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        warning = types.MessageType.Warning

        def warn(message: str) -> None:  # from the stats writer thread
            loop.call_soon_threadsafe(self.notify_once, warning, f"ghostfill: {message}")

        self.shared.warn = warn

    def _spend_notice(self, message: str) -> None:
        log.warning("%s", message)
        self.notify_once(types.MessageType.Warning, f"ghostfill: {message}")
        self.status("offline", None, message)

    # -- feedback: what happened to the suggestions ---------------------------------------

    def served(self, doc: Document, line: int, insert_text: str, completion: Completion) -> str:
        """Record an item going to the editor; returns its id (the accept command's argument)."""
        backend = self.shared.backends.backend
        model = backend.config.model if backend and completion.source != "offline" else ""
        return self.feedback.serve(doc.uri, line, insert_text, doc.language, completion, model)

    async def stats_report(self, since: str | None) -> dict[str, Any]:
        """`ghostfill/stats`: the local report (read on a thread) and the spend caps."""
        return await live_report(self.shared.stats, self.shared.guard, since, self.settings)

    # -- Events: how the pipeline talks to the client ----------------------------------

    def ready(self, uri: str, version: int, position: Position) -> None:
        self.server.protocol.notify(
            "ghostfill/completionReady",
            {
                "uri": uri,
                "version": version,
                "position": {"line": position.line, "character": position.character},
            },
        )

    def status(
        self, state: str, latency_ms: float | None = None, message: str | None = None
    ) -> None:
        backend = self.shared.backends.backend
        self.server.protocol.notify(
            "ghostfill/status",
            {
                "state": state,
                "backend": backend.name if backend else "offline",
                "model": backend.config.model if backend else "",
                "latencyMs": round(latency_ms, 1) if latency_ms is not None else None,
                "message": message,
            },
        )

    def problem(self, error: GhostfillError) -> None:
        log.warning("%s", error.user_message)
        self.notify_once(types.MessageType.Error, f"ghostfill: {error.user_message}", key=error.key)

    def notify_once(self, kind: types.MessageType, message: str, key: str | None = None) -> None:
        key = key or message
        if key in self._shown:
            return
        self._shown.add(key)
        self.server.window_show_message(
            types.ShowMessageParams(type=kind, message=self.redact.redact(message))
        )

    # -- background work ------------------------------------------------------------------

    def spawn(self, coro: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        """Run `coro` in the background, keeping a reference and logging its failure."""
        return self._tasks.spawn(coro)

    def start_indexing(self, folders: list[str]) -> None:
        self.roots = [uri_to_path(f) for f in folders]
        s = self.settings
        # Nothing is learnt for a disabled feature: the offline engine only when it is on,
        # the symbol index only when symbols are wanted (configure re-indexes if one turns on).
        self._indexed_for = (s.offline.enable, s.context.symbols)
        consumers: list[Consumer] = [self.shared.engine] if s.offline.enable else []
        if s.context.symbols:
            consumers += self.shared.context.consumers()
        self.indexer = WorkspaceIndexer(
            self.shared.languages,
            consumers,
            self.privacy(),
            s.offline.maxFiles,
            s.offline.maxFileKb * 1024,
        )
        if self.roots and consumers:
            self.spawn(self._index())

    async def _index(self) -> None:
        assert self.indexer is not None
        self._index_runs += 1  # a progress token may be used once (a second `initialized`)
        token = f"ghostfill-index-{id(self)}-{self._index_runs}"
        progress = self.server.work_done_progress
        supported = bool(
            self.server.client_capabilities.window
            and self.server.client_capabilities.window.work_done_progress
        )
        if supported:
            await progress.create_async(token)
            progress.begin(
                token, types.WorkDoneProgressBegin(title="ghostfill: indexing", percentage=0)
            )

        def report(done: int, total: int) -> None:
            if supported and total:
                progress.report(
                    token,
                    types.WorkDoneProgressReport(
                        message=f"{done}/{total} files", percentage=done * 100 // total
                    ),
                )

        count = await self.indexer.index(self.roots, report)
        if supported:
            progress.end(token, types.WorkDoneProgressEnd(message=f"{count} files"))
        log.info("indexed %d files: %s", count, self.shared.engine.stats())

    def reparse_when_idle(self, doc: Document) -> None:
        """Re-parse once typing pauses, so requests never pay for it (they use the edited tree)."""
        if (handle := self._reparse.pop(doc.uri, None)) is not None:
            handle.cancel()

        def reparse() -> None:
            self._reparse.pop(doc.uri, None)  # a fired timer must not keep the document alive
            doc.syntax()

        self._reparse[doc.uri] = asyncio.get_running_loop().call_later(REPARSE_IDLE_S, reparse)

    def open_document(self, uri: str, text: str, version: int, language_id: str) -> None:
        doc = self.documents.open(uri, text, version, language_id)
        if not self.privacy().excluded(doc.path):
            self.shared.context.opened(doc)
            self.spawn(self.shared.engine.prepare(doc.path, text, doc.language))

    def changed_document(self, doc: Document, changes: list[TextChange]) -> None:
        self.shared.context.changed(doc, changes)
        self.reparse_when_idle(doc)

    def saved_document(self, doc: Document) -> None:
        """A save: the symbol index and the offline model re-count the file's text."""
        if not self.privacy().excluded(doc.path):
            self.shared.context.saved(doc)
            self.spawn(self.learn(doc.path, doc.text))

    def close_document(self, uri: str) -> None:
        """Forget everything kept for `uri`: the text, its debounce state, its pending re-parse
        and the streams still running for it."""
        if (doc := self.documents.find(uri)) is not None:
            self.shared.context.closed(doc)
        self.documents.close(uri)
        self.debouncer.forget(uri)
        if (handle := self._reparse.pop(uri, None)) is not None:
            handle.cancel()
        self.shared.continuations.drop(uri)

    def debug_stats(self) -> dict[str, Any]:
        """`ghostfill/debugStats`: the counts a long session must keep bounded."""
        return {
            "tasks": len(asyncio.all_tasks()),
            "background": len(self._tasks),
            "continuations": len(self.shared.continuations),
            "documents": len(self.documents),
            "pendingRequests": len(self.server.protocol._request_futures),
            "reparseTimers": len(self._reparse),
            "backendCalls": self.pipeline.backend_calls,
            "prefetches": self.pipeline.prefetches,
            "contextReused": self.shared.context.reused,
            "offline": self.shared.engine.stats(),
            "pacing": self.shared.pacer.stats(),
            "nextEdit": self.next_edits.stats(),
            **self.shared.backends.pool(),
            **process_stats(),
        }

    async def learn(self, path: str, text: str) -> None:
        """A saved file: the offline model re-counts it (unless privacy excludes it)."""
        if self.indexer is not None and not self.privacy().excluded(path):
            await self.indexer.update(path, text)

    async def learn_from_disk(self, uri: str, *, deleted: bool) -> None:
        path = uri_to_path(uri)
        if self.indexer is None or self.privacy().excluded(path):
            return
        if deleted:
            await self.indexer.update(path, None)
            return
        try:
            text = await asyncio.to_thread(Path(path).read_text, encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return
        await self.indexer.update(path, text)

    async def list_models(self) -> dict[str, Any]:
        """For the editor's model picker: the backend's own list (GET /models)."""
        backend = self.shared.backends.backend
        if backend is None:
            return {"models": [], "error": "the offline engine has no models to choose from"}
        try:
            return {"models": await backend.models(), "error": None}
        except GhostfillError as exc:
            return {"models": [], "error": exc.user_message}

    async def close(self) -> None:
        self._tasks.cancel()
        self.shared.context.close()
        await self.shared.backends.close()
        await asyncio.to_thread(self.shared.stats.close, 2.0)

    def watch_parent(self, pid: int | None) -> None:
        """Exit when the editor that started us dies without saying goodbye."""
        if not pid or pid == os.getpid():
            return

        async def watch() -> None:
            while True:
                await asyncio.sleep(PARENT_POLL_S)
                if not alive(pid):
                    log.warning("parent process %d is gone; exiting", pid)
                    os._exit(0)

        self.spawn(watch())


def build(
    *,
    overrides: Mapping[str, Any] | None = None,
    log_level: str | None = None,
    redact: logs.RedactingFilter | None = None,
    grammar_paths: Sequence[str] = (),
) -> tuple[LanguageServer, Session]:
    """The object graph for one editor connection. `overrides` are backend settings given on
    the command line (None = not given); `log_level` pins the level over settings."""
    server = GhostfillServer(
        "ghostfill",
        __version__,
        text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
        protocol_cls=GhostfillProtocol,
    )
    given = dict(overrides or {})
    shared = Shared(with_overrides(Settings(), **given), grammar_paths)
    session = Session(server, shared, given, redact or logs.RedactingFilter(), log_level)
    handlers.register(server, session)
    return server, session


def serve(
    *,
    overrides: Mapping[str, Any] | None = None,
    tcp: str | None = None,
    log_level: str | None = None,
    log_file: str | None = None,
    grammar_paths: Sequence[str] = (),
) -> int:
    """`ghostfill serve`: one connection over stdio (or the first over `tcp` HOST:PORT)."""
    redact = logs.setup(log_level or "info", log_file, stderr_level=logging.ERROR)
    server, _ = build(
        overrides=overrides, log_level=log_level, redact=redact, grammar_paths=grammar_paths
    )
    lsp_handler = logs.LspLogHandler(
        lambda level, message: server.window_log_message(
            types.LogMessageParams(type=_message_type(level), message=message)
        )
    )
    lsp_handler.addFilter(redact)
    lsp_handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logging.getLogger().addHandler(lsp_handler)
    if tcp:
        host, _, port = tcp.rpartition(":")
        server.start_tcp(host or "127.0.0.1", int(port))
    else:
        server.start_io(stdin=cast(BinaryIO, ResyncingStdin(sys.stdin.buffer)))
    return cast(GhostfillProtocol, server.protocol).exit_code


def _message_type(level: int) -> types.MessageType:
    if level >= logging.ERROR:
        return types.MessageType.Error
    if level >= logging.WARNING:
        return types.MessageType.Warning
    if level >= logging.INFO:
        return types.MessageType.Info
    return types.MessageType.Log


def process_stats() -> dict[str, float | int]:
    """RSS, open file descriptors and open sockets of this process (Linux /proc; -1 elsewhere),
    and the CPU time it used so far (`cpu_ms`, every thread: benchmarks on a busy machine)."""
    rss_mb = -1.0
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                rss_mb = round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    fds = sockets = -1
    try:
        names = os.listdir("/proc/self/fd")
        fds, sockets = len(names), 0
        for name in names:
            try:
                sockets += os.readlink(f"/proc/self/fd/{name}").startswith("socket:")
            except OSError:
                continue
    except OSError:
        pass
    return {
        "rss_mb": rss_mb,
        "open_fds": fds,
        "connections": sockets,
        "cpu_ms": round(time.process_time() * 1000, 3),
    }
