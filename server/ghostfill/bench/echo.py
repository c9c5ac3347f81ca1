"""A bare JSON-RPC echo server on stdio, standard library only: the floor a cached keystroke is
compared with. It answers `initialize` with inline completion capability, every other request
with an empty inline completion list, and ignores notifications.

    python -m ghostfill.bench.echo
"""

from __future__ import annotations

import json
import sys
from typing import Any, BinaryIO


def read(stream: BinaryIO) -> dict[str, Any] | None:
    length = 0
    while True:
        line = stream.readline()
        if not line:
            return None
        if line in (b"\r\n", b"\n"):
            break
        name, _, value = line.decode("ascii").partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    data: dict[str, Any] = json.loads(stream.read(length))
    return data


def write(stream: BinaryIO, message: dict[str, Any]) -> None:
    body = json.dumps(message).encode()
    stream.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    stream.flush()


def main() -> int:
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while (message := read(stdin)) is not None:
        if "id" not in message or "method" not in message:
            if message.get("method") == "exit":
                return 0
            continue
        result: Any = {"items": []}
        if message["method"] == "initialize":
            result = {"capabilities": {"inlineCompletionProvider": True, "textDocumentSync": 2}}
        elif message["method"] == "shutdown":
            result = None
        write(stdout, {"jsonrpc": "2.0", "id": message["id"], "result": result})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
