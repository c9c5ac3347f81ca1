"""LSP base-protocol framing (`Content-Length: N\\r\\n\\r\\n` + N bytes of JSON) with the stdlib.

The relay reads whole frames so it can follow the session (initialize, open documents) and
re-frame them for whichever server it talks to. A header is recognised at the end of any line,
so a frame glued to a broken one is still found; a bad length is skipped like the in-process
server does.
"""

from __future__ import annotations

import json
import re

TYPE_CHECKING = False  # not `from typing import ...`: the relay never imports typing
if TYPE_CHECKING:
    from typing import IO, Any

MAX_BODY = 256 * 1024 * 1024
_CONTENT_LENGTH = re.compile(rb"content-length:[ \t]*(\d{1,12})[ \t]*\r?\n?$", re.IGNORECASE)


def read_frame(stream: IO[bytes]) -> bytes | None:
    """The next message body, or None at end of stream."""
    length: int | None = None
    while True:
        line = stream.readline()
        if not line:
            return None
        if line in (b"\r\n", b"\n"):
            if length is not None:
                break
            continue
        found = _CONTENT_LENGTH.search(line)
        if found is not None and int(found[1]) <= MAX_BODY:
            length = int(found[1])
    body = stream.read(length)
    if len(body) < length:
        return None
    return body


def frame(body: bytes) -> bytes:
    return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


def encode(message: dict[str, Any]) -> bytes:
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode()


def decode(body: bytes) -> dict[str, Any] | None:
    """The message as a dict, or None when it is not a JSON object (it is forwarded as is)."""
    try:
        message = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    return message if isinstance(message, dict) else None
