"""Thin LSP adapters: params in, one call into the session or pipeline, LSP result out."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from ghostfill import inline_edits
from ghostfill.documents.store import Document, TextChange
from ghostfill.errors import DocumentError, GhostfillError
from ghostfill.feedback import lsp as feedback
from ghostfill.feedback.lsp import accept_command
from ghostfill.model import Completion, Position

if TYPE_CHECKING:
    from ghostfill.app import Session

log = logging.getLogger(__name__)

COMPLETION_LABEL = "ghostfill"


def register(server: LanguageServer, session: Session) -> None:
    @server.feature(types.INITIALIZE)
    def initialize(params: types.InitializeParams) -> None:
        options = (
            params.initialization_options if isinstance(params.initialization_options, dict) else {}
        )
        key = options.get("apiKey")
        session.configure(_section(options), api_key=key if isinstance(key, str) else None)
        folders = [f.uri for f in params.workspace_folders or []] or (
            [params.root_uri] if params.root_uri else []
        )
        session.folders = folders
        session.watch_parent(params.process_id)

    @server.feature(types.INITIALIZED)
    def initialized(params: types.InitializedParams) -> None:
        session.spawn(_start(server, session))

    # Notifications that need to await are spawned from a plain handler: pygls keeps the
    # future of every coroutine notification handler for ever (a leak in long sessions).
    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    def did_change_configuration(params: types.DidChangeConfigurationParams) -> None:
        session.spawn(_pull_configuration(server, session, fallback=params.settings))

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(params: types.DidOpenTextDocumentParams) -> None:
        d = params.text_document
        session.open_document(d.uri, d.text, d.version, d.language_id)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(params: types.DidChangeTextDocumentParams) -> None:
        changes = [_change(c) for c in params.content_changes]
        try:
            doc = session.documents.change(
                params.text_document.uri, params.text_document.version, changes
            )
        except DocumentError as exc:
            log.warning("didChange ignored: %s", exc.user_message)
            return
        session.changed_document(doc, changes)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(params: types.DidCloseTextDocumentParams) -> None:
        session.close_document(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(params: types.DidSaveTextDocumentParams) -> None:
        doc = session.documents.find(params.text_document.uri)
        if doc is not None:
            session.saved_document(doc)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(params: types.DidChangeWatchedFilesParams) -> None:
        for event in params.changes:
            deleted = event.type == types.FileChangeType.Deleted
            session.spawn(session.learn_from_disk(event.uri, deleted=deleted))

    @server.feature(types.TEXT_DOCUMENT_INLINE_COMPLETION, types.InlineCompletionOptions())
    async def inline_completion(params: types.InlineCompletionParams) -> types.InlineCompletionList:
        found = await _complete(session, params.text_document.uri, params.position)
        if found is None:
            return types.InlineCompletionList(items=[])
        doc, completion = found
        item = inline_item(doc, params.position, completion)
        text = item.insert_text if isinstance(item.insert_text, str) else item.insert_text.value
        item.command = accept_command(session.served(doc, params.position.line, text, completion))
        return types.InlineCompletionList(items=[item])

    @server.feature(
        types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=[".", "(", " "])
    )
    async def completion(params: types.CompletionParams) -> types.CompletionList:
        found = await _complete(session, params.text_document.uri, params.position)
        if found is None:
            return types.CompletionList(is_incomplete=True, items=[])
        doc, completion = found
        item = completion_item(doc, params.position, completion, _snippet_support(server))
        if isinstance(item.text_edit, types.TextEdit):  # eglot and VS Code run it on accept
            text = item.text_edit.new_text
            item.command = accept_command(
                session.served(doc, params.position.line, text, completion)
            )
        return types.CompletionList(is_incomplete=True, items=[item])

    @server.feature("ghostfill/setApiKey")
    def set_api_key(params: Any) -> None:
        key = getattr(params, "apiKey", None)
        session.configure(session.raw_settings, api_key=key if isinstance(key, str) else "")

    @server.feature("ghostfill/models")
    async def models(params: Any) -> dict[str, Any]:
        return await session.list_models()

    @server.feature("ghostfill/debugStats")
    def debug_stats(params: Any) -> dict[str, Any]:
        return session.debug_stats()

    feedback.register(server, session)
    inline_edits.register(server, session)

    @server.feature(types.SHUTDOWN)
    async def shutdown(params: None) -> None:
        await session.close()


async def _start(server: LanguageServer, session: Session) -> None:
    await _pull_configuration(server, session)
    session.start_indexing(session.folders)


async def _pull_configuration(
    server: LanguageServer, session: Session, fallback: Any = None
) -> None:
    """Ask the client for the `ghostfill` section; editors without workspace/configuration
    (or that send settings with the notification) use what they pushed."""
    caps = server.client_capabilities.workspace
    raw = _section(fallback) if fallback else None
    if caps is not None and caps.configuration:
        try:
            result = await server.workspace_configuration_async(
                types.ConfigurationParams(items=[types.ConfigurationItem(section="ghostfill")])
            )
            raw = result[0] if result and result[0] is not None else raw
        except Exception as exc:  # a client that fails the request keeps its pushed settings
            log.warning("workspace/configuration failed: %s", exc)
    if raw is not None:
        session.configure(raw)


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


async def _complete(
    session: Session, uri: str, pos: types.Position
) -> tuple[Document, Completion] | None:
    try:
        doc = session.documents.get(uri)
        completion = await session.pipeline.complete(doc, Position(pos.line, pos.character))
        if completion is None or not completion.text:
            return None
        doc.offset(Position(pos.line, pos.character))  # still valid after edits while waiting?
    except GhostfillError as exc:
        log.info("no completion: %s", exc.user_message)
        return None
    return doc, completion


def _line_start_range(doc: Document, pos: types.Position) -> tuple[types.Range, str]:
    """The range from the start of the cursor's line to the cursor, and the text in it."""
    row, col = doc.point(doc.offset(Position(pos.line, pos.character)))
    end = doc.position(doc.offset_of(row, col))
    rng = types.Range(
        start=types.Position(line=row, character=0),
        end=types.Position(line=end.line, character=end.character),
    )
    return rng, doc.line(row)[:col].decode("utf-8", errors="replace")


def inline_item(
    doc: Document, pos: types.Position, completion: Completion
) -> types.InlineCompletionItem:
    """range = line start..cursor and insertText = line prefix + suggestion: VS Code drops
    items whose text does not extend the text in their range; Neovim 0.12 renders this shape too."""
    rng, head = _line_start_range(doc, pos)
    return types.InlineCompletionItem(insert_text=head + completion.text, range=rng)


def _word_range(doc: Document, pos: types.Position) -> tuple[types.Range, str]:
    """The identifier before the cursor, and its range."""
    rng, head = _line_start_range(doc, pos)
    i = len(head)
    while i > 0 and (head[i - 1].isalnum() or head[i - 1] == "_"):
        i -= 1
    word = head[i:]
    units = len(word.encode("utf-16-le")) // 2
    start = types.Position(line=rng.end.line, character=rng.end.character - units)
    return types.Range(start=start, end=rng.end), word


def _snippet_support(server: LanguageServer) -> bool:
    td = server.client_capabilities.text_document
    item = td.completion.completion_item if td and td.completion else None
    return bool(item and item.snippet_support)


def _escape_snippet(text: str) -> str:
    return text.replace("\\", "\\\\").replace("$", "\\$").replace("}", "\\}")


def completion_item(
    doc: Document, pos: types.Position, completion: Completion, snippets: bool = False
) -> types.CompletionItem:
    """One item that replaces the word before the cursor (not the line: Neovim 0.7's omnifunc
    and Emacs filter and replace from the word start whatever the range says). Clients with
    snippet support get an escaped snippet: Neovim 0.11+'s vim.lsp.completion inserts a
    plain-text item only up to its first space."""
    rng, head = _word_range(doc, pos)
    text = head + completion.text
    fmt = types.InsertTextFormat
    first = completion.text.split("\n", 1)[0]
    source = "offline" if completion.source == "offline" else completion.backend
    return types.CompletionItem(
        label=(head + first).strip()[:80] or first,
        kind=types.CompletionItemKind.Text,
        detail=f"{COMPLETION_LABEL} ({source})",
        label_details=types.CompletionItemLabelDetails(description=COMPLETION_LABEL),
        filter_text=text,
        sort_text="0",
        text_edit=types.TextEdit(range=rng, new_text=_escape_snippet(text) if snippets else text),
        insert_text_format=fmt.Snippet if snippets else fmt.PlainText,
    )
