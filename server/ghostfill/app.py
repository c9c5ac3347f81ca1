"""Composition root: builds every object once and wires them together. No module globals.

Two kinds of state are kept apart (package `ghostfill.server`). Process-wide, `Shared`: the
grammars, the HTTP connection pools, and the registry of per-workspace state (offline model,
symbol index) keyed by folders and indexing settings. Per connection: a `Session` (documents,
client capabilities, settings, the backend and its key, the continuation cache) and a `Client`
(notifications, progress, messages, logs), joined by a `Connection` with its own `Pipeline`.

The API a process serving editors uses (`ghostfill serve` for one editor over stdio or many
over `--tcp`; the per-user daemon for every window of a user over a Unix socket):

    shared = build_shared(log_level=None, linger_s=0.0)      # once per process
    code = await serve_connection(shared, reader, writer, ConnectionOptions(...))
    ...                                                      # as many at once as needed
    await shared.close()

`serve_connection` runs one LSP connection over an asyncio `(StreamReader, writer)` pair
(anything with `write(bytes)` and `close()`; an `asyncio.StreamWriter` is drained at the end)
until the client's `exit` or the end of its input, then releases what the connection held
and returns its LSP exit code (0 after `shutdown`, 1 without). The caller closes the stream.
`ConnectionOptions` carries what belongs to one editor window: backend flags (`overrides`),
the environment its API keys and proxy variables are read from (`environ`: a relay's, not
the daemon's), and what to do when the editor process named in initialize dies
(`parent_gone`; default: end this connection). Connections on the same folders with the same
indexing settings share one index; `linger_s` keeps an unused workspace that long, so a
window that comes back finds it indexed. Log records go to the client of the connection
whose work emitted them.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import logging
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lsprotocol import types

from ghostfill import __version__, logs
from ghostfill.documents.languages import LanguageRegistry
from ghostfill.documents.syntax import Grammars
from ghostfill.feedback.spend import SpendGuard
from ghostfill.feedback.store import StatsStore
from ghostfill.feedback.store import default_path as default_stats_path
from ghostfill.lifecycle.collector import Collector
from ghostfill.server import handlers
from ghostfill.server.client import CURRENT, Client, ClientLogs
from ghostfill.server.connection import Connection
from ghostfill.server.generated_code import GeneratedCode
from ghostfill.server.protocol import GhostfillProtocol, GhostfillServer, converter
from ghostfill.server.session import Session
from ghostfill.server.shared import HttpClients, Shared
from ghostfill.server.transport import Writer, read_messages, stdio
from ghostfill.server.workspaces import Workspaces

log = logging.getLogger(__name__)

__all__ = ["ConnectionOptions", "Shared", "build_shared", "connect", "serve", "serve_connection"]


@dataclass(frozen=True)
class ConnectionOptions:
    """What belongs to one editor connection beyond what it says over LSP."""

    overrides: Mapping[str, Any] = field(default_factory=dict)
    """Backend settings from the command line (`--backend`, `--model`...); None = not given."""
    environ: Mapping[str, str] | None = None
    """Where API keys and proxy variables are read (None: this process's environment)."""
    parent_gone: Callable[[], None] | None = None
    """Called when the editor named in initialize `processId` dies (None: end the connection)."""
    log_level: str | None = None
    """Pins this connection's log level over its `logLevel` setting (`--log-level`)."""
    grammar_paths: Sequence[str] = ()
    """`--grammar-path` folders of this window (after `context.grammarPaths`, so they win)."""


def build_shared(
    *,
    log_level: str | None = None,
    redact: logs.RedactingFilter | None = None,
    linger_s: float = 0.0,
    stats: bool = True,
    generated: GeneratedCode | None = None,
    collector: Collector | None = None,
) -> Shared:
    """The process-wide objects; also routes log records to the connections' clients.
    `log_level` pins the level over every connection's `logLevel` setting; `stats` False
    records no local stats (`ghostfill complete`)."""
    languages = LanguageRegistry()
    grammars = Grammars(languages)
    redact = redact or logs.RedactingFilter()
    root = logging.getLogger()
    if not any(isinstance(h, ClientLogs) for h in root.handlers):
        handler = ClientLogs()
        handler.addFilter(redact)
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    guard = SpendGuard()
    shared = Shared(
        languages=languages,
        grammars=grammars,
        workspaces=Workspaces(languages, grammars, linger_s),
        clients=HttpClients(),
        redact=redact,
        guard=guard,
        converter=converter(),
        log_level=log_level,
        generated=generated,
        collector=collector,
    )
    if stats:
        shared.stats = StatsStore(
            default_stats_path(), warn=shared.stats_warning, after_write=guard.refresh
        )
    return shared


def connect(
    shared: Shared, writer: Writer, options: ConnectionOptions | None = None
) -> tuple[GhostfillServer, Connection]:
    """The object graph of one connection, writing to `writer`."""
    options = options or ConnectionOptions()
    server = GhostfillServer(
        "ghostfill",
        __version__,
        text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
        protocol_cls=GhostfillProtocol,
        converter_factory=lambda: shared.converter,
    )
    protocol = server.protocol
    assert isinstance(protocol, GhostfillProtocol)
    protocol.set_writer(writer)
    session = Session(
        shared,
        shared.connection_id(),
        options.overrides,
        options.environ,
        options.log_level,
        options.grammar_paths,
    )
    connection = Connection(
        shared,
        session,
        Client(server, shared.redact),
        pending_requests=lambda: protocol.pending_requests,
        parent_gone=options.parent_gone or functools.partial(_hang_up, protocol, writer),
    )
    handlers.register(server, connection)
    return server, connection


async def serve_connection(
    shared: Shared,
    reader: asyncio.StreamReader,
    writer: Writer,
    options: ConnectionOptions | None = None,
) -> int:
    """Run one LSP connection to its end (see the module docstring); its exit code."""
    server, connection = connect(shared, writer, options)
    protocol = server.protocol
    assert isinstance(protocol, GhostfillProtocol)
    CURRENT.set(connection.client)  # this task's context, copied into everything it starts
    try:
        await read_messages(reader, protocol, server)
    except (ConnectionError, OSError) as exc:
        log.info("connection lost: %s", exc)
    finally:
        await connection.close()
        if isinstance(writer, asyncio.StreamWriter):
            try:
                await writer.drain()
            except (ConnectionError, RuntimeError):
                pass
    return protocol.exit_code


def _hang_up(protocol: GhostfillProtocol, writer: Writer) -> None:
    """End a connection whose editor died: closing the stream ends its reading too."""
    protocol.exited = True
    writer.close()


def serve(
    *,
    overrides: Mapping[str, Any] | None = None,
    tcp: str | None = None,
    log_level: str | None = None,
    log_file: str | None = None,
    grammar_paths: Sequence[str] = (),
    generated: GeneratedCode | None = None,
    collector: Collector | None = None,
) -> int:
    """`ghostfill serve`: one editor over stdio, or every editor that connects to `tcp`."""
    redact = logs.setup(log_level or "info", log_file, stderr_level=logging.ERROR)
    base = ConnectionOptions(
        overrides=dict(overrides or {}), log_level=log_level, grammar_paths=tuple(grammar_paths)
    )
    try:
        return asyncio.run(_serve(base, tcp, log_level, redact, generated, collector))
    except KeyboardInterrupt:
        return 0


async def _serve(
    base: ConnectionOptions,
    tcp: str | None,
    log_level: str | None,
    redact: logs.RedactingFilter,
    generated: GeneratedCode | None,
    collector: Collector | None,
) -> int:
    shared = build_shared(
        log_level=log_level, redact=redact, generated=generated, collector=collector
    )
    try:
        if tcp:
            await _serve_tcp(shared, tcp, base)
            return 0
        reader, writer, _ = await stdio(sys.stdin.buffer, sys.stdout.buffer)
        # The editor that started this process is gone: nothing is left to serve.
        options = dataclasses.replace(base, parent_gone=lambda: os._exit(0))
        return await serve_connection(shared, reader, writer, options)
    finally:
        await shared.close()


async def _serve_tcp(shared: Shared, address: str, options: ConnectionOptions) -> None:
    """Serve every connection to HOST:PORT, each with its own session, until interrupted."""
    host, _, port = address.rpartition(":")

    async def one(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await serve_connection(shared, reader, writer, options)
        finally:
            writer.close()

    server = await asyncio.start_server(one, host or "127.0.0.1", int(port))
    log.info("listening on %s", ", ".join(str(s.getsockname()) for s in server.sockets))
    async with server:
        await server.serve_forever()
