"""pygls' protocol with ghostfill's own document store, hardened against bad input.

pygls keeps a Workspace of documents and applies every didChange to it by splitting lines;
ghostfill keeps its own store (bytes + tree-sitter tree), so the built-in copy is skipped and
the notifications go straight to our handlers. Positions are always UTF-16, the LSP default,
which `documents/syntax.py` converts.

What pygls 2.1 leaves to the server, and this module does:

- a request whose params do not fit its method, or that is not JSON-RPC 2.0 at all, gets an
  error reply (pygls drops it, and the client waits for ever);
- unparseable JSON gets a ParseError reply with a null id, as JSON-RPC 2.0 asks;
- requests after `shutdown` get InvalidRequest (LSP 3.17), not silence;
- a wrong Content-Length no longer desynchronises the stream for good (`transport` finds
  the next header even when it is glued to the rest of a broken message);
- out-of-band errors go to the log, never to a popup per bad message;
- notification futures are not kept for ever (pygls leaks one per didChange);
- `exit` ends this connection, not the process (one process may serve many): `exited` is
  set and `exit_code` is 0 after `shutdown`, 1 without (pygls calls `sys.exit`);
- ghostfill's own messages (`ghostfill/*`) are structured into their typed params
  (`messages`), through the same lsprotocol converter as every LSP message;
- the per-keystroke path is short: a coroutine handler starts at once (`eager`: a cache hit
  is answered before the next message is read, with no task and no loop turn), messages are
  told apart by their fields (pygls checks `runtime_checkable` Protocols, ~20 us each), and
  didOpen/didChange/didClose go straight to their handler (pygls runs a generator per
  notification, with a fresh uuid and future for each);
- spec order: until the initialize result is written, the server sends nothing but
  `window/logMessage`, `window/showMessage`, `window/showMessageRequest`, `telemetry/event`
  and `$/progress` for the client's own `workDoneToken` (LSP 3.17, "initialize"). Anything
  else (`ghostfill/status`, progress of our own, server-to-client requests) is held and sent,
  in order, right after the result. Strict clients (Emacs eglot) fail to connect otherwise.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

import cattrs
from lsprotocol import types
from pygls.exceptions import (
    FeatureNotificationError,
    JsonRpcException,
    JsonRpcInvalidParams,
    JsonRpcInvalidRequest,
    JsonRpcParseError,
)
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol, default_converter
from pygls.protocol.language_server import lsp_method

from ghostfill.server import eager, messages

log = logging.getLogger(__name__)

BEFORE_INITIALIZE_RESULT = frozenset(
    {
        types.WINDOW_LOG_MESSAGE,
        types.WINDOW_SHOW_MESSAGE,
        types.WINDOW_SHOW_MESSAGE_REQUEST,
        types.TELEMETRY_EVENT,
    }
)
"""What LSP allows a server to send before its initialize result (plus `$/progress` for the
client's own token)."""
DIRECT_NOTIFICATIONS = frozenset(
    {types.TEXT_DOCUMENT_DID_OPEN, types.TEXT_DOCUMENT_DID_CHANGE, types.TEXT_DOCUMENT_DID_CLOSE}
)
"""Notifications whose built-in handling here only passes them on: the handler is called
directly."""


@dataclass(frozen=True, slots=True)
class Malformed:
    """A message pygls could not structure, kept so the sender can be told."""

    data: object
    error: JsonRpcException

    @property
    def msg_id(self) -> int | str | None:
        return _msg_id(self.data)

    @property
    def method(self) -> object:
        return self.data.get("method") if isinstance(self.data, dict) else None


def _msg_id(data: object) -> int | str | None:
    """A message's id if it is one JSON-RPC allows (a string or an integer), else None."""
    msg_id = data.get("id") if isinstance(data, dict) else None
    return msg_id if isinstance(msg_id, int | str) and not isinstance(msg_id, bool) else None


def _is_request(message: object) -> bool:
    return hasattr(message, "id") and hasattr(message, "method")


class GhostfillServer(LanguageServer):
    def report_server_error(self, error: Exception, source: Any) -> None:
        """Out-of-band errors (a message that is not JSON, a notification handler that
        failed) are logged; pygls would pop up "Error in server" for each one."""
        if source is JsonRpcException and isinstance(error, ValueError):  # not JSON / UTF-8
            log.warning("unparseable message: %s", error)
            if isinstance(self.protocol, GhostfillProtocol):
                self.protocol.reply_error(None, JsonRpcParseError())
            return
        log.error("%s: %s", getattr(source, "__name__", source), error)


def converter() -> cattrs.Converter:
    """lsprotocol's converter (with pygls' hooks) that also knows ghostfill's messages."""
    make: Callable[[], cattrs.Converter] = default_converter  # untyped in pygls
    return messages.register(make())


class GhostfillProtocol(LanguageServerProtocol):
    def __init__(self, server: LanguageServer, converter: Any) -> None:
        super().__init__(server, converter)
        self.exited = False
        """Set by `exit`: the connection's reading stops (the process may serve others)."""
        self._initialize_id: int | str | None = None
        self._client_token: int | str | None = None
        self._held: list[Any] | None = []
        """Messages waiting for the initialize result (None once it is sent)."""

    @property
    def exit_code(self) -> int:
        """What the process should exit with: 0 after `shutdown`, 1 without (LSP `exit`)."""
        return 0 if self._shutdown else 1

    @property
    def pending_requests(self) -> int:
        """Requests in both directions still waiting for their answer."""
        return len(self._request_futures)

    def reply_error(self, msg_id: int | str | None, error: JsonRpcException) -> None:
        """An error response; `msg_id` None is sent as `"id": null` (pygls would drop it)."""
        reply = {"code": error.code, "message": error.message}
        self._send_data({"jsonrpc": self.VERSION, "id": msg_id, "error": reply})

    def _send_data(self, data: Any) -> None:
        """Write `data`, unless the initialize result is not out yet and LSP forbids it."""
        if self._held is None:
            super()._send_data(data)
            return
        method = getattr(data, "method", None)
        if method is None and self._initialize_id is not None:
            if getattr(data, "id", None) == self._initialize_id:  # the result (or its error)
                held, self._held = self._held, None
                super()._send_data(data)
                for message in held:
                    super()._send_data(message)
                return
        if method in BEFORE_INITIALIZE_RESULT or self._own_progress(data) or method is None:
            super()._send_data(data)
            return
        self._held.append(data)

    def _own_progress(self, data: Any) -> bool:
        """`$/progress` for the token the client gave in initialize."""
        if getattr(data, "method", None) != types.PROGRESS or self._client_token is None:
            return False
        return getattr(getattr(data, "params", None), "token", None) == self._client_token

    def _execute_handler(
        self,
        msg_id: Any,
        handler: Any,
        callback: Any,
        args: tuple[Any, ...] | None = None,
        kwargs: dict[str, Any] | None = None,
    ) -> None:
        """pygls files the future of every notification and every step of its generator
        handlers under a fresh uuid and never removes it: one leaked future per keystroke.
        Only a client request's future is worth keeping (for `$/cancelRequest`); the others
        are dropped once done. A coroutine handler is started eagerly: its callback (the
        response) runs in the step that finishes it, at once when it needs no waiting."""
        if asyncio.iscoroutinefunction(handler):
            started = eager.start(handler(*(args or ()), **(kwargs or {})), callback)
            if started.done():
                return
            self._request_futures[msg_id] = started  # type: ignore[assignment]  # (pygls' typing)
        else:
            super()._execute_handler(msg_id, handler, callback, args, kwargs)
        if getattr(callback, "func", None) == self._send_handler_result:
            return
        future = self._request_futures.get(msg_id)
        if future is None:
            return
        if future.done():
            self._request_futures.pop(msg_id, None)
        else:
            future.add_done_callback(lambda _: self._request_futures.pop(msg_id, None))

    def structure_message(self, data: dict[str, Any]) -> Any:
        if "jsonrpc" in data and data["jsonrpc"] != self.VERSION:
            return Malformed(data, JsonRpcInvalidRequest("not a JSON-RPC 2.0 message"))
        if "jsonrpc" in data and "method" in data and not isinstance(data["method"], str):
            return Malformed(data, JsonRpcInvalidRequest("the method must be a string"))
        if "jsonrpc" in data and "id" in data and _msg_id(data) is None:
            return Malformed(data, JsonRpcInvalidRequest("the id must be a string or an integer"))
        if "jsonrpc" in data and "method" in data and "params" not in data:
            data = {**data, "params": None}  # params are optional in JSON-RPC
        try:
            message = self._structure(data)
        except JsonRpcException as exc:
            return Malformed(data, exc)
        if "jsonrpc" in data and "id" in data and "method" in data and not _is_request(message):
            return Malformed(data, JsonRpcInvalidRequest("not a valid request"))
        return message

    def _structure(self, data: dict[str, Any]) -> Any:
        """ghostfill's own messages into their types; the rest as pygls does."""
        own = messages.INCOMING.get(data.get("method", "")) if "jsonrpc" in data else None
        if own is None:
            return super().structure_message(data)
        try:
            return self._converter.structure(data, own)
        except Exception as exc:
            raise JsonRpcInvalidParams(f"{data['method']}: {exc}") from exc

    def handle_message(self, message: Any) -> None:
        if isinstance(message, Malformed) or getattr(message, "jsonrpc", None) != self.VERSION:
            self._reject(message)
            return
        method = getattr(message, "method", None)
        is_request = method is not None and getattr(message, "id", None) is not None
        if self._shutdown and is_request and method != types.EXIT:
            self.reply_error(message.id, JsonRpcInvalidRequest("the server is shutting down"))
            return
        if method == types.INITIALIZE and is_request and self._initialize_id is None:
            self._initialize_id = message.id
            self._client_token = getattr(message.params, "work_done_token", None)
        if self._shutdown and method != types.EXIT:
            log.warning("server shutting down: %s ignored", method or "a response")
            return
        ctx = contextvars.copy_context()  # each handler in its own context, as pygls does
        if is_request:
            ctx.run(self._handle_request, message.id, message.method, message.params)
        elif method is not None:
            ctx.run(self._handle_notification, method, message.params)
        elif hasattr(message, "result"):
            ctx.run(self._handle_response, message.id, message.result)
        else:
            ctx.run(self._handle_response, message.id, None, getattr(message, "error", None))

    def _handle_notification(self, method_name: str, params: Any) -> None:
        """didOpen/didChange/didClose straight to the handler (no generator, uuid, future);
        the rest as pygls does."""
        handler = self.fm.features.get(method_name) if method_name in DIRECT_NOTIFICATIONS else None
        if handler is None:
            super()._handle_notification(method_name, params)
            return
        try:
            handler(params)
        except Exception as exc:
            log.exception("failed to handle %s", method_name)
            self._server._report_server_error(exc, FeatureNotificationError)

    def _reject(self, message: Any) -> None:
        bad = (
            message
            if isinstance(message, Malformed)
            else Malformed(message, JsonRpcInvalidRequest())
        )
        if not isinstance(bad.data, dict):
            log.warning("rejected a message that is not a JSON object")
            self.reply_error(None, JsonRpcInvalidRequest("a message must be a JSON object"))
            return
        if "method" not in bad.data:  # a response we could not read: fail whoever waits for it
            if bad.msg_id is not None and bad.msg_id in self._request_futures:
                self._handle_response(bad.msg_id, None, bad.error.to_response_error())
            log.warning("ignored a malformed response")
            return
        error = bad.error
        if bad.data.get("jsonrpc") != self.VERSION:
            error = JsonRpcInvalidRequest("not a JSON-RPC 2.0 message")
        if self._shutdown:
            error = JsonRpcInvalidRequest("the server is shutting down")
        method = bad.method if isinstance(bad.method, str) else type(bad.method).__name__
        log.warning("rejected %s: %s", method[:100], error.message or type(error).__name__)
        if "id" in bad.data:
            self.reply_error(bad.msg_id, error)

    @lsp_method(types.EXIT)
    def lsp_exit(self, *args: Any) -> Generator[Any, Any, None]:
        if (handler := self.fm.features.get(types.EXIT)) is not None:
            yield handler, args, None
        self.exited = True

    @lsp_method(types.INITIALIZE)
    def lsp_initialize(
        self, params: types.InitializeParams
    ) -> Generator[Any, Any, types.InitializeResult]:
        if params.capabilities.general is not None:
            params.capabilities.general.position_encodings = None
        result: types.InitializeResult = yield from super().lsp_initialize(params)
        return result

    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(
        self, params: types.DidOpenTextDocumentParams
    ) -> Generator[Any, Any, None]:
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_OPEN)) is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(
        self, params: types.DidChangeTextDocumentParams
    ) -> Generator[Any, Any, None]:
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_CHANGE)) is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(
        self, params: types.DidCloseTextDocumentParams
    ) -> Generator[Any, Any, None]:
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_CLOSE)) is not None:
            yield handler, (params,), None
