"""One replay run: a client that types the plan into a server like VS Code does.

Each keystroke sends `didChange` and a completion request (`textDocument/inlineCompletion`,
or `textDocument/completion` for servers without inline completion), and `$/cancelRequest`
for the previous request when it is still pending. What came back, and when, is recorded.
"""

from __future__ import annotations

import asyncio
import math
import shutil
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lsprotocol import types

from ghostfill.bench.driver import ServerUnderTest
from ghostfill.bench.oracle import ORACLE_MAX_CHARS, Oracle
from ghostfill.bench.typing_plan import Keystroke, Region, u16


@dataclass
class Sent:
    key: Keystroke
    at: float
    next_at: float = math.inf
    answered_at: float | None = None
    text: str = ""
    cancelled: bool = False
    idle: bool = False
    """The first keystroke after a region's quiet time (`--idle-s`)."""


@dataclass
class BackendCall:
    at: float
    reply: str
    size: int


@dataclass
class Run:
    label: str
    sent: list[Sent] = field(default_factory=list)
    calls: list[BackendCall] = field(default_factory=list)
    truth: dict[int, str] = field(default_factory=dict)
    startup_ms: float = math.nan
    """Spawn to the initialize result."""
    rss_mb: float = math.nan
    """Resident memory of the server (and its child processes) at the end of the replay."""
    connections: int = -1
    """TCP connections the fake backend accepted (-1: not counted)."""
    notifications: int = 0
    """ghostfill/status and ghostfill/completionReady notifications the server sent."""
    transport: str = ""
    """How the Responses API fake was reached (connections, sockets), for `--transport` runs."""


class Client:
    """Sends keystrokes and requests to one server, VS Code style."""

    def __init__(self, server: ServerUnderTest, method: str) -> None:
        self.server = server
        self.method = method
        self.version = 1

    def replace(self, uri: str, text: str) -> None:
        self.version += 1
        self.server.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=self.version),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )

    def type(self, uri: str, key: Keystroke) -> None:
        self.version += 1
        self.server.insert(uri, self.version, key.line, key.character, key.text)

    def request(self, uri: str, line: int, character: int) -> tuple[str, asyncio.Future[Any]]:
        msg_id = str(uuid.uuid4())
        doc = types.TextDocumentIdentifier(uri=uri)
        pos = types.Position(line=line, character=character)
        params: Any
        if self.method == types.TEXT_DOCUMENT_INLINE_COMPLETION:
            params = types.InlineCompletionParams(
                text_document=doc,
                position=pos,
                context=types.InlineCompletionContext(
                    trigger_kind=types.InlineCompletionTriggerKind.Automatic
                ),
            )
        else:
            params = types.CompletionParams(
                text_document=doc,
                position=pos,
                context=types.CompletionContext(trigger_kind=types.CompletionTriggerKind.Invoked),
            )
        future = asyncio.ensure_future(
            self.server.client.protocol.send_request_async(self.method, params, msg_id=msg_id)
        )
        return msg_id, future

    def cancel(self, msg_id: str) -> None:
        self.server.client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id=msg_id))


def suggestion(result: Any, line_prefix: str) -> str:
    """The ghost text of an inline or completion result (without the line's own text)."""
    items: Sequence[Any] = []
    if isinstance(result, types.InlineCompletionList | types.CompletionList):
        items = result.items
    elif isinstance(result, list):
        items = result
    if not items:
        return ""
    item = items[0]
    if isinstance(item, types.InlineCompletionItem):
        text = item.insert_text if isinstance(item.insert_text, str) else item.insert_text.value
        return text[len(line_prefix) :] if text.startswith(line_prefix) else text
    edit = getattr(item, "text_edit", None)
    if isinstance(edit, types.TextEdit):
        start = edit.range.start.character
        head = line_prefix[start:] if start < len(line_prefix) else ""
        new = edit.new_text
        return new[len(head) :] if head and new.startswith(head) else new
    return str(getattr(item, "insert_text", None) or item.label)


async def warm_up(client: Client, regions: Sequence[Region], oracle: Oracle) -> None:
    """Open each file and ask once at its first line, as an editor does when a file is shown,
    so one-time costs (connections, caches, parsers) are not charged to the first keystroke.
    Nothing from here is counted."""
    for region in {r.path: r for r in regions}.values():
        oracle.text, oracle.cursor = region.original, 0
        client.server.open(region.path.as_uri(), region.start_text, region.language)
        _, future = client.request(region.path.as_uri(), 0, 0)
        try:
            await asyncio.wait_for(future, 5.0)
        except Exception:
            pass
    await asyncio.sleep(0.5)


async def replay(
    client: Client, regions: Sequence[Region], oracle: Oracle, run: Run, idle_s: float = 1.0
) -> None:
    loop = asyncio.get_running_loop()
    await warm_up(client, regions, oracle)
    tmp_uris: dict[Path, str] = {}
    for region in regions:
        uri = tmp_uris.setdefault(region.path, region.path.as_uri())
        oracle.text = region.original
        client.replace(uri, region.start_text)
        await asyncio.sleep(idle_s)
        lines = region.start_text.split("\n")
        pending: tuple[str, Sent, asyncio.Future[Any]] | None = None
        due = loop.time()
        for key in region.keys:
            due += key.wait_s
            await asyncio.sleep(max(due - loop.time(), 0))
            now = time.perf_counter()
            if pending is not None:
                msg_id, sent, future = pending
                sent.next_at = now
                if not future.done():
                    sent.cancelled = True
                    client.cancel(msg_id)
            client.type(uri, key)
            oracle.cursor = key.offset
            row, line_prefix = _apply(lines, key)
            character = u16(line_prefix)
            sent = Sent(key, time.perf_counter(), idle=key is region.keys[0])
            run.sent.append(sent)
            run.truth[id(sent)] = region.original[key.offset : key.offset + ORACLE_MAX_CHARS]
            msg_id, future = client.request(uri, row, character)
            future.add_done_callback(_recorder(sent, line_prefix))
            pending = (msg_id, sent, future)
        if pending is not None:
            try:
                await asyncio.wait_for(asyncio.shield(pending[2]), 5.0)
            except Exception:
                pass
        await asyncio.sleep(0.3)


def _apply(lines: list[str], key: Keystroke) -> tuple[int, str]:
    """Apply a keystroke to the replay's copy of the document; (cursor row, line prefix)."""
    line = lines[key.line]
    cut = _index(line, key.character)
    head, nl, rest = key.text.partition("\n")
    if not nl:
        lines[key.line] = line[:cut] + key.text + line[cut:]
        return key.line, lines[key.line][: cut + len(key.text)]
    lines[key.line : key.line + 1] = [line[:cut] + head, rest + line[cut:]]
    return key.line + 1, rest


def _index(line: str, character: int) -> int:
    """Index in `line` of UTF-16 column `character`."""
    count = 0
    for i, ch in enumerate(line):
        if count >= character:
            return i
        count += 2 if ord(ch) > 0xFFFF else 1
    return len(line)


def _recorder(sent: Sent, line_prefix: str) -> Callable[[asyncio.Future[Any]], None]:
    def done(future: asyncio.Future[Any]) -> None:
        if future.cancelled() or future.exception() is not None:
            return
        sent.answered_at = time.perf_counter()
        sent.text = suggestion(future.result(), line_prefix)

    return done


class Recording:
    """Wraps a fake's reply function, remembering each reply and when it was asked for."""

    def __init__(self, make: Callable[[dict[str, Any]], str]) -> None:
        self.make = make
        self.replies: dict[int, tuple[float, str]] = {}

    def __call__(self, body: dict[str, Any]) -> str:
        at = time.perf_counter()
        text = self.make(body)
        self.replies[id(body)] = (at, text)
        return text

    def call(self, body: dict[str, Any], size: int) -> BackendCall:
        at, text = self.replies.get(id(body), (math.inf, ""))
        return BackendCall(at, text, size)


def workspace_copy(regions: Sequence[Region], root: Path) -> list[Region]:
    """Copies of the files in a temporary workspace (ghostfill reads only workspace files)."""
    copies: dict[Path, Path] = {}
    out: list[Region] = []
    for region in regions:
        if region.path not in copies:
            target = root / f"{len(copies)}_{region.path.name}"
            shutil.copyfile(region.path, target)
            copies[region.path] = target
        out.append(
            Region(
                copies[region.path],
                region.language,
                region.original,
                region.start_text,
                region.keys,
            )
        )
    return out
