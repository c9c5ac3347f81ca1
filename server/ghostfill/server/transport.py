"""Bytes to messages: LSP framing read on the event loop, for stdio and for any asyncio stream.

`read_messages(reader, protocol)` reads `Content-Length` frames from an `asyncio.StreamReader`
and hands each JSON body to the protocol, on the event loop: no thread hop per message (pygls'
own stdio reader runs every `readline` and `read` in a worker thread and back).

`stdio()` connects the process's stdin and stdout to the loop: pipes and sockets (how editors
start a server) through asyncio's pipe transports; a terminal or a regular file through a
reader thread that feeds the same `StreamReader` in large chunks, and a blocking writer.

Framing is forgiving: pygls only accepts a header line that is exactly
`Content-Length: N\\r\\n`. After a frame whose Content-Length was wrong, the next header
arrives glued to the leftover body bytes (bodies end without a newline), and every later
message would be lost. Here a header is found at the end of any line, so at most the message
after the broken one is lost; a length that is not a number or is absurdly large is ignored.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import stat
import threading
from typing import BinaryIO, Protocol

from pygls.exceptions import JsonRpcException

from ghostfill.server.protocol import GhostfillProtocol, GhostfillServer

log = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 256 * 1024 * 1024
"""A Content-Length above this is treated as garbage (a 50 MB file is ~52 MB of JSON)."""
MAX_HEADER_BYTES = 1024 * 1024
"""A longer header line (garbage with no newline) is dropped whole."""
CHUNK = 1024 * 1024

_CONTENT_LENGTH = re.compile(rb"content-length:[ \t]*(\S*)[ \t]*\r?\n?$", re.IGNORECASE)


class Writer(Protocol):
    """What the protocol writes frames to (asyncio.StreamWriter is one)."""

    def write(self, data: bytes) -> None: ...

    def close(self) -> None: ...


def content_length(line: bytes, max_body: int = MAX_MESSAGE_BYTES) -> int | None:
    """The length a header line announces; None for any other header, 0 for a bad length."""
    found = _CONTENT_LENGTH.search(line) if b":" in line else None
    if found is None:
        return None
    if found.start() > 0:
        log.warning("skipped %d bytes of garbage before a message header", found.start())
    value = found[1]
    if not value.isdigit() or len(value) > 12 or int(value) > max_body:
        log.warning("ignored a bad Content-Length header (%r)", value[:20])
        return 0
    return int(value)


async def read_messages(
    reader: asyncio.StreamReader, protocol: GhostfillProtocol, server: GhostfillServer
) -> None:
    """Feed every frame from `reader` to `protocol` until the end of input or `exit`."""
    length = 0
    while not protocol.exited:
        try:
            line = await reader.readline()
        except ValueError:  # a line longer than the reader's limit: dropped, keep reading
            log.warning("skipped a header line longer than %d bytes", MAX_HEADER_BYTES)
            continue
        if not line:
            return
        if not length:
            length = content_length(line) or 0
            continue
        if line.strip():
            continue  # another header (Content-Type)
        try:
            body = await reader.readexactly(length)
        except asyncio.IncompleteReadError:
            return
        length = 0
        try:
            protocol.handle_message(json.loads(body, object_hook=protocol.structure_message))
        except Exception as exc:  # pygls' own loop reports the same way
            server.report_server_error(exc, JsonRpcException)


class _BlockingWriter:
    """stdout when it is a terminal or a file: written (and flushed) in place."""

    def __init__(self, out: BinaryIO) -> None:
        self._out = out

    def write(self, data: bytes) -> None:
        self._out.write(data)
        self._out.flush()

    def close(self) -> None:
        self._out.flush()


def _streamable(fd: int) -> bool:
    """A pipe or a socket: asyncio can read or write it without blocking the loop. (A
    terminal could be too, but it shares its file status with stderr: O_NONBLOCK there
    would break the log.)"""
    try:
        mode = os.fstat(fd).st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


async def stdio(
    stdin: BinaryIO, stdout: BinaryIO
) -> tuple[asyncio.StreamReader, Writer, asyncio.StreamWriter | None]:
    """(reader, writer, the asyncio writer to drain at the end or None) over stdin/stdout."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=MAX_HEADER_BYTES, loop=loop)
    if _streamable(stdin.fileno()):
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), stdin)
    else:
        threading.Thread(target=_pump, args=(stdin, reader, loop), daemon=True).start()
    if not _streamable(stdout.fileno()):
        return reader, _BlockingWriter(stdout), None
    transport, flow = await loop.connect_write_pipe(asyncio.streams.FlowControlMixin, stdout)
    writer = asyncio.StreamWriter(transport, flow, None, loop)
    return reader, writer, writer


def _pump(stdin: BinaryIO, reader: asyncio.StreamReader, loop: asyncio.AbstractEventLoop) -> None:
    """Feed `reader` from a blocking stdin, a chunk at a time, from a thread of its own."""
    read = getattr(stdin, "read1", stdin.read)
    try:
        while data := read(CHUNK):
            loop.call_soon_threadsafe(reader.feed_data, data)
    except (OSError, ValueError):
        pass
    finally:
        try:
            loop.call_soon_threadsafe(reader.feed_eof)
        except RuntimeError:  # the loop is gone
            pass
