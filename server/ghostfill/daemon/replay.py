"""What the relay remembers of an editor session, so a new daemon can be brought up to date.

The relay keeps the editor's `initialize` request, whether `initialized` was sent, the last
configuration change and the current text of every open document (didChange edits applied
the way the server's document store applies them: lines end at `\\n`, a `\\r` before it is not
part of the line, UTF-16 columns clamp to the line). After the daemon dies, `replay()` is
everything a new daemon needs to answer the editor's next request as the old one would have.
"""

from __future__ import annotations

import bisect

TYPE_CHECKING = False  # not `from typing import ...`: the relay never imports typing
if TYPE_CHECKING:
    from typing import Any

REPLAY_ID = "ghostfill-relay-initialize"
"""Id of the replayed initialize request; its response is the relay's, not the editor's."""


class Text:
    """A document's text with its line starts, edited with LSP ranges (UTF-16 columns)."""

    def __init__(self, text: str) -> None:
        self.reset(text)

    def reset(self, text: str) -> None:
        self.value = text
        self._starts = _line_starts(text, 0, 0)

    def offset(self, position: object) -> int:
        line, character = _position(position)
        if line >= len(self._starts):
            return len(self.value)
        start = self._starts[line]
        end = self._starts[line + 1] - 1 if line + 1 < len(self._starts) else len(self.value)
        if end > start and self.value[end - 1] == "\r":
            end -= 1
        return start + _utf16_to_index(self.value[start:end], character)

    def apply(self, change: dict[str, Any]) -> None:
        text = change.get("text")
        if not isinstance(text, str):
            raise ValueError("a content change without text")
        span = change.get("range")
        if not isinstance(span, dict):
            self.reset(text)
            return
        start, end = self.offset(span.get("start")), self.offset(span.get("end"))
        if end < start:
            raise ValueError("an edit range that ends before it starts")
        first = bisect.bisect_right(self._starts, start) - 1
        last = bisect.bisect_right(self._starts, end) - 1
        delta = len(text) - (end - start)
        self.value = self.value[:start] + text + self.value[end:]
        self._starts = (
            self._starts[: first + 1]
            + _line_starts(text, start, 1)
            + [s + delta for s in self._starts[last + 1 :]]
        )


def _line_starts(text: str, base: int, skip_first: int) -> list[int]:
    starts = [] if skip_first else [base]
    i = text.find("\n")
    while i != -1:
        starts.append(base + i + 1)
        i = text.find("\n", i + 1)
    return starts


def _position(position: object) -> tuple[int, int]:
    if not isinstance(position, dict):
        raise ValueError("a position must be an object")
    line, character = position.get("line"), position.get("character")
    if not isinstance(line, int) or not isinstance(character, int):
        raise ValueError("a position needs integer line and character")
    return max(line, 0), max(character, 0)


def _utf16_to_index(line: str, character: int) -> int:
    """Index in `line` of UTF-16 column `character`, clamped; inside a pair snaps back."""
    if line.isascii():
        return min(character, len(line))
    units = 0
    for index, char in enumerate(line):
        width = 2 if ord(char) > 0xFFFF else 1
        if units + width > character:
            return index
        units += width
    return len(line)


class Document:
    __slots__ = ("language_id", "text", "uri", "version")

    def __init__(self, uri: str, language_id: str, version: int, text: Text) -> None:
        self.uri = uri
        self.language_id = language_id
        self.version = version
        self.text = text


class SessionLog:
    """The editor's side of the session as far as a restarted daemon needs it."""

    def __init__(self) -> None:
        self.initialize: dict[str, Any] | None = None
        self.initialized = False
        self.configuration: dict[str, Any] | None = None
        self.documents: dict[str, Document] = {}
        self.shutdown = False

    def observe(self, message: dict[str, Any]) -> None:
        """Follow one message from the editor (requests and notifications alike)."""
        method = message.get("method")
        params = message.get("params")
        if method == "initialize" and "id" in message:
            self.initialize = message
        elif method == "initialized":
            self.initialized = True
        elif method == "shutdown":
            self.shutdown = True
        elif method == "workspace/didChangeConfiguration":
            self.configuration = message
        elif isinstance(params, dict):
            self._document(method, params)

    def _document(self, method: object, params: dict[str, Any]) -> None:
        item = params.get("textDocument")
        if not isinstance(item, dict) or not isinstance(item.get("uri"), str):
            return
        uri = item["uri"]
        if method == "textDocument/didOpen" and isinstance(item.get("text"), str):
            version = item.get("version")
            self.documents[uri] = Document(
                uri,
                str(item.get("languageId", "")),
                version if isinstance(version, int) else 0,
                Text(item["text"]),
            )
        elif method == "textDocument/didChange" and (doc := self.documents.get(uri)):
            changes = params.get("contentChanges")
            try:
                for change in changes if isinstance(changes, list) else []:
                    doc.text.apply(change if isinstance(change, dict) else {})
            except ValueError:
                return  # the server rejects the same edit; its copy stays as ours
            if isinstance(item.get("version"), int):
                doc.version = item["version"]
        elif method == "textDocument/didClose":
            self.documents.pop(uri, None)

    def replay(self) -> list[dict[str, Any]]:
        """The messages that bring a new daemon to where the old one was."""
        if self.initialize is None:
            return []
        messages: list[dict[str, Any]] = [{**self.initialize, "id": REPLAY_ID}]
        if self.initialized:
            messages.append({"jsonrpc": "2.0", "method": "initialized", "params": {}})
        if self.configuration is not None:
            messages.append(self.configuration)
        for doc in self.documents.values():
            item = {
                "uri": doc.uri,
                "languageId": doc.language_id,
                "version": doc.version,
                "text": doc.text.value,
            }
            messages.append(
                {
                    "jsonrpc": "2.0",
                    "method": "textDocument/didOpen",
                    "params": {"textDocument": item},
                }
            )
        return messages
