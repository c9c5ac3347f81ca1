"""The LSP edge of next edits: `textDocument/copilotInlineEdit` and its accept command.

The request is the one copilot-language-server serves (copilot-lsp and sidekick.nvim render it
in Neovim):

- params `{textDocument: {uri, version}, position}`;
- result `{edits: [{range, textDocument: {uri, version}, text, command?}]}`: ranges in the
  version asked about, in document order, never overlapping; applying them all gives the
  predicted text. A version that is not the document's current one gets `{edits: []}`;
- every edit carries `ghostfill.didAcceptEdit [id]`, which the client runs when the user takes
  the suggestion (one id per prediction, so taking all its edits counts once); the local stats
  count it (`feedback.lsp` takes the shown / dismissed notifications).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pygls.lsp.server import LanguageServer

from ghostfill.documents.store import Document
from ghostfill.model import Position
from ghostfill.nextedit.model import Prediction

if TYPE_CHECKING:
    from ghostfill.server.session import Session

log = logging.getLogger(__name__)

INLINE_EDIT = "textDocument/copilotInlineEdit"
ACCEPT_EDIT_COMMAND = "ghostfill.didAcceptEdit"


@dataclass(frozen=True, slots=True)
class InlineEditParams:
    uri: str
    version: int | None
    position: Position

    @classmethod
    def parse(cls, params: Any) -> InlineEditParams | None:
        """The params as pygls hands over an unknown method's (attributes) or as a dict."""
        doc, pos = _get(params, "textDocument"), _get(params, "position")
        uri, version = _get(doc, "uri"), _get(doc, "version")
        line, character = _get(pos, "line"), _get(pos, "character")
        if not isinstance(uri, str) or not isinstance(line, int) or not isinstance(character, int):
            return None
        version = version if isinstance(version, int) and not isinstance(version, bool) else None
        return cls(uri, version, Position(line, character))


@dataclass(frozen=True, slots=True)
class InlineEditResult:
    edits: tuple[dict[str, Any], ...] = ()

    @classmethod
    def of(cls, doc: Document, prediction: Prediction, item: str) -> InlineEditResult:
        command = {"title": "ghostfill: next edit", "command": ACCEPT_EDIT_COMMAND}
        ordered = sorted(prediction.edits, key=lambda e: e.start)
        return cls(
            tuple(
                {
                    "range": {"start": _pos(doc, e.start), "end": _pos(doc, e.end)},
                    "textDocument": {"uri": doc.uri, "version": prediction.version},
                    "text": e.text,
                    "command": {**command, "arguments": [item]},
                }
                for e in ordered
            )
        )

    def to_json(self) -> dict[str, Any]:
        return {"edits": list(self.edits)}


def register(server: LanguageServer, session: Session) -> None:
    @server.feature(INLINE_EDIT)
    async def inline_edit(params: Any) -> dict[str, Any]:
        asked = InlineEditParams.parse(params)
        doc = session.documents.find(asked.uri) if asked is not None else None
        if asked is None or doc is None or asked.version not in (None, doc.version):
            return InlineEditResult().to_json()
        prediction = await session.next_edits.suggest(doc, asked.position)
        if prediction.empty or prediction.version != doc.version:
            return InlineEditResult().to_json()
        item = session.next_edits.served(prediction)
        session.feedback.edit_served(item, doc.language, prediction.rule, len(prediction.edits))
        return InlineEditResult.of(doc, prediction, item).to_json()

    @server.command(ACCEPT_EDIT_COMMAND)
    def did_accept_edit(*arguments: str) -> None:  # not `object`: pygls passes the server first
        if arguments and isinstance(arguments[0], str):
            session.next_edits.accepted(arguments[0])
            session.feedback.edit_feedback(arguments[0], "edit-accepted")


def _pos(doc: Document, offset: int) -> dict[str, int]:
    p = doc.position(offset)
    return {"line": p.line, "character": p.character}


def _get(value: Any, key: str) -> Any:
    if isinstance(value, dict):
        return value.get(key)
    return getattr(value, key, None)
