"""How one connection talks back to its editor: notifications, messages, logs and progress,
and the requests the server sends (`workspace/configuration`). The state of the connection
is in `Session`; this is only the voice.

Logs: one handler on the root logger (`ClientLogs`) forwards each record to the client of
the connection whose work emitted it: `CURRENT` is set when a connection starts, and asyncio
copies it into every task and handler that connection runs. Records from no connection (the
process starting, a daemon's housekeeping) stay in stderr and the log file.
"""

from __future__ import annotations

import itertools
import logging
from contextvars import ContextVar

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from ghostfill import logs
from ghostfill.server import messages
from ghostfill.server.status_line import StatusLine

log = logging.getLogger(__name__)

CURRENT: ContextVar[Client | None] = ContextVar("ghostfill_client", default=None)
"""The client of the connection running the current task."""

_tokens = itertools.count(1)


class Client:
    def __init__(self, server: LanguageServer, redact: logs.RedactingFilter) -> None:
        self._server = server
        self._redact = redact
        self._shown: set[str] = set()
        self.level = logging.INFO
        """Records below this level are not sent to this client's log."""
        self.closed = False
        self._status = StatusLine(lambda params: self._notify(messages.STATUS, params))

    # -- what the client can do ------------------------------------------------------------

    @property
    def capabilities(self) -> types.ClientCapabilities:
        """What the client said it can do in initialize (nothing before it)."""
        caps = getattr(self._server.protocol, "client_capabilities", None)
        return caps if isinstance(caps, types.ClientCapabilities) else types.ClientCapabilities()

    @property
    def supports_progress(self) -> bool:
        window = self.capabilities.window
        return bool(window and window.work_done_progress)

    @property
    def supports_configuration(self) -> bool:
        workspace = self.capabilities.workspace
        return bool(workspace and workspace.configuration)

    @property
    def snippet_support(self) -> bool:
        td = self.capabilities.text_document
        item = td.completion.completion_item if td and td.completion else None
        return bool(item and item.snippet_support)

    # -- notifications ---------------------------------------------------------------------

    def completion_ready(self, params: messages.CompletionReadyParams) -> None:
        self._notify(messages.COMPLETION_READY, params)

    def status(self, params: messages.StatusParams) -> None:
        """Repeats of one state are coalesced (status_line.py)."""
        self._status.update(params)

    def show_once(self, kind: types.MessageType, message: str, key: str | None = None) -> None:
        """A popup, once per distinct `key` (default: the message) per connection."""
        key = key or message
        if key in self._shown or self.closed:
            return
        self._shown.add(key)
        self._server.window_show_message(
            types.ShowMessageParams(type=kind, message=self._redact.redact(message))
        )

    def log(self, level: int, message: str) -> None:
        if self.closed or level < self.level:
            return
        self._server.window_log_message(
            types.LogMessageParams(type=_message_type(level), message=message)
        )

    def _notify(self, method: str, params: object) -> None:
        if not self.closed:
            self._server.protocol.notify(method, params)

    # -- progress --------------------------------------------------------------------------

    async def begin(self, title: str) -> str | None:
        """Start a work-done progress; None when the client has no progress UI."""
        if not self.supports_progress or self.closed:
            return None
        token = f"ghostfill-{next(_tokens)}"
        progress = self._server.work_done_progress
        await progress.create_async(token)
        progress.begin(token, types.WorkDoneProgressBegin(title=title, percentage=0))
        return token

    def report(self, token: str | None, done: int, total: int) -> None:
        if token is None or not total or self.closed:
            return
        self._server.work_done_progress.report(
            token,
            types.WorkDoneProgressReport(
                message=f"{done}/{total} files", percentage=done * 100 // total
            ),
        )

    def end(self, token: str | None, message: str) -> None:
        if token is not None and not self.closed:
            self._server.work_done_progress.end(token, types.WorkDoneProgressEnd(message=message))

    # -- requests to the client --------------------------------------------------------------

    async def configuration(self, section: str) -> object | None:
        """The client's settings section, or None (no workspace/configuration, or it failed)."""
        if not self.supports_configuration or self.closed:
            return None
        try:
            result = await self._server.workspace_configuration_async(
                types.ConfigurationParams(items=[types.ConfigurationItem(section=section)])
            )
        except Exception as exc:  # a client that fails the request keeps its pushed settings
            log.warning("workspace/configuration failed: %s", exc)
            return None
        return result[0] if result else None


class ClientLogs(logs.LspLogHandler):
    """The root handler sending records to the current connection's client."""

    def __init__(self) -> None:
        super().__init__(_to_current)


def _to_current(level: int, message: str) -> None:
    client = CURRENT.get()
    if client is not None:
        client.log(level, message)


def _message_type(level: int) -> types.MessageType:
    if level >= logging.ERROR:
        return types.MessageType.Error
    if level >= logging.WARNING:
        return types.MessageType.Warning
    if level >= logging.INFO:
        return types.MessageType.Info
    return types.MessageType.Log
