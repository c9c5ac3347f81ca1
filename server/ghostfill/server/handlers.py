"""Thin LSP adapters: params in, one call into the connection, LSP result out.

Notifications that need to await are spawned from a plain handler: pygls keeps the future of
every coroutine notification handler for ever (a leak in long sessions).
"""

from __future__ import annotations

import logging
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from ghostfill import inline_edits
from ghostfill.documents.store import TextChange
from ghostfill.errors import DocumentError
from ghostfill.feedback import lsp as feedback
from ghostfill.feedback.lsp import accept_command
from ghostfill.model import Position
from ghostfill.server import messages
from ghostfill.server.connection import Connection
from ghostfill.server.items import completion_item, inline_item

log = logging.getLogger(__name__)

TRIGGER_CHARACTERS = [".", "(", " "]


def register(server: LanguageServer, connection: Connection) -> None:
    @server.feature(types.INITIALIZE)
    def initialize(params: types.InitializeParams) -> None:
        options = params.initialization_options
        options = options if isinstance(options, dict) else {}
        key = options.get("apiKey")
        folders = [f.uri for f in params.workspace_folders or []] or (
            [params.root_uri] if params.root_uri else []
        )
        connection.initialize(_section(options), key if isinstance(key, str) else None, folders)
        connection.watch_parent(params.process_id)

    @server.feature(types.INITIALIZED)
    def initialized(params: types.InitializedParams) -> None:
        connection.spawn(connection.initialized())

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    def did_change_configuration(params: types.DidChangeConfigurationParams) -> None:
        pushed = _section(params.settings) if params.settings else None
        connection.spawn(connection.pull_configuration(fallback=pushed))

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(params: types.DidOpenTextDocumentParams) -> None:
        d = params.text_document
        connection.open_document(d.uri, d.text, d.version, d.language_id)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(params: types.DidChangeTextDocumentParams) -> None:
        d, changes = params.text_document, [_change(c) for c in params.content_changes]
        try:
            connection.change_document(d.uri, d.version, changes)
        except DocumentError as exc:
            log.warning("didChange ignored: %s", exc.user_message)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(params: types.DidCloseTextDocumentParams) -> None:
        connection.close_document(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(params: types.DidSaveTextDocumentParams) -> None:
        connection.save_document(params.text_document.uri)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(params: types.DidChangeWatchedFilesParams) -> None:
        for event in params.changes:
            connection.file_changed(event.uri, deleted=event.type == types.FileChangeType.Deleted)

    @server.feature(types.TEXT_DOCUMENT_INLINE_COMPLETION, types.InlineCompletionOptions())
    async def inline_completion(params: types.InlineCompletionParams) -> types.InlineCompletionList:
        found = await connection.complete(params.text_document.uri, params.position)
        if found is None:
            return types.InlineCompletionList(items=[])
        doc, suggestion = found
        item = inline_item(doc, params.position, suggestion)
        text = item.insert_text if isinstance(item.insert_text, str) else item.insert_text.value
        item.command = accept_command(
            connection.served(doc, params.position.line, text, suggestion)
        )
        return types.InlineCompletionList(items=[item])

    @server.feature(
        types.TEXT_DOCUMENT_COMPLETION,
        types.CompletionOptions(trigger_characters=TRIGGER_CHARACTERS),
    )
    async def completion(params: types.CompletionParams) -> types.CompletionList:
        found = await connection.complete(params.text_document.uri, params.position)
        if found is None:
            return types.CompletionList(is_incomplete=True, items=[])
        doc, suggestion = found
        item = completion_item(doc, params.position, suggestion, connection.client.snippet_support)
        if isinstance(item.text_edit, types.TextEdit):  # eglot and VS Code run it on accept
            line, text = params.position.line, item.text_edit.new_text
            item.command = accept_command(connection.served(doc, line, text, suggestion))
        return types.CompletionList(is_incomplete=True, items=[item])

    @server.feature(messages.SET_API_KEY)
    def set_api_key(params: messages.SetApiKeyParams | None) -> None:
        key = params.api_key if params is not None else None
        connection.configure(connection.session.raw_settings, api_key=key or "")

    @server.feature(messages.MODELS)
    async def models(params: None) -> messages.ModelsResult:
        return await connection.models()

    @server.feature(messages.DEBUG_STATS)
    def debug_stats(params: None) -> messages.DebugStats:
        return connection.debug_stats()

    feedback.register(server, connection)
    inline_edits.register(server, connection.session)

    @server.feature(types.SHUTDOWN)
    async def shutdown(params: None) -> None:
        await connection.close()


def _section(options: Any) -> Any:
    """Accept both `{...settings}` and `{"ghostfill": {...settings}}` shapes."""
    if isinstance(options, dict) and isinstance(options.get("ghostfill"), dict):
        return options["ghostfill"]
    if isinstance(options, dict):
        return {k: v for k, v in options.items() if k != "apiKey"}
    return options


def _change(c: types.TextDocumentContentChangeEvent) -> TextChange:
    if isinstance(c, types.TextDocumentContentChangePartial):
        r = c.range
        return TextChange(
            c.text, Position(r.start.line, r.start.character), Position(r.end.line, r.end.character)
        )
    return TextChange(c.text)
