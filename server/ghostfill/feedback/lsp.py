"""The LSP side of feedback: the accept command every item carries, the two notifications
Copilot's clients send, and the `ghostfill/stats` request (thin adapters, like handlers.py).

- `ghostfill.didAccept [itemId]` (workspace/executeCommand): the editor ran the item's command
  after inserting it;
- `textDocument/didShowCompletion {item}`: the editor displayed `item`;
- `textDocument/didPartiallyAcceptCompletion {item, acceptedLength}`: the user took part of it
  (`acceptedLength` counts insertText from its start);
- `ghostfill/stats {since?}` -> the `ghostfill stats --json` object plus the spend caps;
- next edits: `textDocument/didShowInlineEdit {item: {command}}` (copilot-lsp sends it, with
  the first edit's `ghostfill.didAcceptEdit` command) and `ghostfill/didDismissInlineEdit`
  (same params: the user turned the suggestion down); taking it runs the command itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from ghostfill.inline_edits import ACCEPT_EDIT_COMMAND

if TYPE_CHECKING:
    from ghostfill.server.connection import Connection as Session

ACCEPT_COMMAND = "ghostfill.didAccept"
DID_SHOW = "textDocument/didShowCompletion"
DID_PARTIALLY_ACCEPT = "textDocument/didPartiallyAcceptCompletion"
STATS = "ghostfill/stats"
DID_SHOW_EDIT = "textDocument/didShowInlineEdit"
DID_DISMISS_EDIT = "ghostfill/didDismissInlineEdit"


def accept_command(item: str) -> types.Command:
    return types.Command(title="ghostfill: accepted", command=ACCEPT_COMMAND, arguments=[item])


def register(server: LanguageServer, session: Session) -> None:
    @server.command(ACCEPT_COMMAND)
    def did_accept(*arguments: str) -> None:  # not `object`: pygls would pass the server first
        if arguments and isinstance(arguments[0], str):
            session.feedback.accepted(arguments[0])

    @server.feature(DID_SHOW)
    def did_show(params: Any) -> None:
        if (item := item_of(params)) is not None:
            session.feedback.shown(item)

    @server.feature(DID_PARTIALLY_ACCEPT)
    def did_partially_accept(params: Any) -> None:
        length = _get(params, "acceptedLength")
        if (item := item_of(params)) is not None and isinstance(length, int):
            session.feedback.partial(item, length)

    @server.feature(DID_SHOW_EDIT)
    def did_show_edit(params: Any) -> None:
        if (item := item_of(params, ACCEPT_EDIT_COMMAND)) is not None:
            session.feedback.edit_feedback(item, "edit-shown")

    @server.feature(DID_DISMISS_EDIT)
    def did_dismiss_edit(params: Any) -> None:
        if (item := item_of(params, ACCEPT_EDIT_COMMAND)) is not None:
            session.feedback.edit_feedback(item, "edit-dismissed")

    @server.feature(STATS)
    async def stats(params: Any) -> dict[str, Any]:
        since = _get(params, "since")
        return await session.stats_report(since if isinstance(since, str) else None)


def item_of(params: Any, accept: str = ACCEPT_COMMAND) -> str | None:
    """The item id inside `{item: {command: {arguments: [id]}}}` as the client echoes it
    (`accept`: the command an inline item, or a next edit, carries)."""
    command = _get(_get(params, "item"), "command")
    arguments = _get(command, "arguments")
    if _get(command, "command") != accept or not isinstance(arguments, list | tuple):
        return None
    first = arguments[0] if arguments else None
    return first if isinstance(first, str) else None


def _get(value: Any, key: str) -> Any:
    """A field of a JSON object as pygls hands over unknown params (attributes) or a dict."""
    if isinstance(value, dict):
        return value.get(key)
    return getattr(value, key, None)
