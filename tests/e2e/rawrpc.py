"""A raw JSON-RPC client over the real server's stdio: no LSP library in between, so tests can
send bytes no well-behaved client would (broken framing, bad JSON, missing fields) and still
read every reply, notification and server-to-client request.

Synchronous (a reader thread feeds a queue) so hypothesis can drive it from plain test
functions. Timeouts here only stop a hung test; no test asserts on how long anything took.
"""

from __future__ import annotations

import json
import os
import queue
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

SERVE = [sys.executable, "-m", "ghostfill", "serve"]
WAIT_S = 60.0
"""Longest a test waits for one reply before it is declared hung (never a pass/fail timing)."""


class Hung(AssertionError):
    pass


class RawServer:
    """`ghostfill serve` as a subprocess, spoken to in bytes."""

    def __init__(
        self,
        args: list[str] | None = None,
        *,
        env: dict[str, str] | None = None,
        stderr_path: Path | None = None,
        options: dict[str, Any] | None = None,
        cwd: Path | None = None,
        command: list[str] | None = None,
    ) -> None:
        self.options = options or {}
        self.patience = WAIT_S
        self._stderr = open(stderr_path, "wb") if stderr_path else subprocess.DEVNULL
        self.proc = subprocess.Popen(
            [*(command or SERVE), *(args or [])],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env={**os.environ, **(env or {})},
            cwd=cwd,
        )
        self._next_id = 0
        self._lock = threading.Lock()
        self._replies: dict[object, dict[str, Any]] = {}
        self._arrived = threading.Condition()
        self.received: list[dict[str, Any]] = []
        """Every message the server sent, in the order it arrived."""
        self.notifications: list[dict[str, Any]] = []
        self.server_requests: list[dict[str, Any]] = []
        self.unsolicited: queue.Queue[dict[str, Any]] = queue.Queue()
        """Replies whose id is null (parse errors and the like)."""
        self._in: Any = self.proc.stdin
        self._out: Any = self.proc.stdout
        self._listen()

    def _listen(self) -> None:
        self.answer: Callable[[dict[str, Any]], Any] = self._default_answer
        self.closed = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    # -- bytes in ---------------------------------------------------------------------------

    def send_bytes(self, data: bytes) -> None:
        with self._lock:
            self._in.write(data)
            self._in.flush()

    @staticmethod
    def frame(body: bytes) -> bytes:
        return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)

    def send(self, message: dict[str, Any]) -> None:
        self.send_bytes(self.frame(json.dumps(message).encode()))

    def new_id(self) -> int:
        with self._lock:
            self._next_id += 1
            return self._next_id

    def request(self, method: str, params: Any = None) -> int:
        msg_id = self.new_id()
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": msg_id, "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)
        return msg_id

    def notify(self, method: str, params: Any = None) -> None:
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)

    def call(self, method: str, params: Any = None, wait_s: float | None = None) -> dict[str, Any]:
        """A request and its reply (`result` or `error`)."""
        return self.reply(self.request(method, params), wait_s)

    def reply(self, msg_id: object, wait_s: float | None = None) -> dict[str, Any]:
        wait_s = self.patience if wait_s is None else wait_s
        msg_id = _key(msg_id)
        with self._arrived:
            if not self._arrived.wait_for(
                lambda: msg_id in self._replies or self.closed.is_set(), wait_s
            ):
                raise Hung(f"no reply to request {msg_id!r}")
            if msg_id not in self._replies:
                raise Hung(f"the server closed its output before answering {msg_id!r}")
            return self._replies.pop(msg_id)

    # -- bytes out ---------------------------------------------------------------------------

    def _read(self) -> None:
        out = self._out
        try:
            while True:
                length = -1
                while True:
                    line = out.readline()
                    if not line:
                        return
                    if line in (b"\r\n", b"\n"):
                        break
                    name, _, value = line.decode("ascii").partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value.strip())
                body = out.read(length)
                if len(body) < length:
                    return
                self._dispatch(json.loads(body))
        finally:
            self.closed.set()
            with self._arrived:
                self._arrived.notify_all()

    def _dispatch(self, message: dict[str, Any]) -> None:
        self.received.append(message)
        if "method" in message and "id" in message:
            self.server_requests.append(message)
            try:
                result = self.answer(message)
                self.send({"jsonrpc": "2.0", "id": message["id"], "result": result})
            except (BrokenPipeError, ValueError):
                pass
        elif "method" in message:
            self.notifications.append(message)
        elif message.get("id") is None:
            self.unsolicited.put(message)
        else:
            with self._arrived:
                self._replies[_key(message["id"])] = message
                self._arrived.notify_all()

    def _default_answer(self, message: dict[str, Any]) -> Any:
        if message["method"] == "workspace/configuration":
            return [self.options for _ in message["params"]["items"]]
        return None

    def shown(self) -> list[str]:
        """Every window/showMessage text so far."""
        return [
            n["params"]["message"]
            for n in self.notifications
            if n["method"] == "window/showMessage"
        ]

    def logged(self) -> list[str]:
        return [
            n["params"]["message"] for n in self.notifications if n["method"] == "window/logMessage"
        ]

    # -- LSP conveniences ---------------------------------------------------------------------

    def initialize(
        self,
        root: Path | None = None,
        process_id: int | None = None,
        options: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        params: dict[str, Any] = {
            "processId": process_id,
            "capabilities": {
                "workspace": {"configuration": True},
                "textDocument": {"inlineCompletion": {}},
                "window": {"workDoneProgress": True},
            },
            "initializationOptions": self.options if options is None else options,
        }
        if root is not None:
            params["workspaceFolders"] = [{"uri": root.as_uri(), "name": root.name}]
            params["rootUri"] = root.as_uri()
        result = self.call("initialize", params)
        assert "result" in result, result
        self.notify("initialized", {})
        return result

    def open(self, uri: str, text: str, language: str = "python", version: int = 1) -> None:
        self.notify(
            "textDocument/didOpen",
            {
                "textDocument": {
                    "uri": uri,
                    "languageId": language,
                    "version": version,
                    "text": text,
                }
            },
        )

    def inline(self, uri: str, line: int, character: int) -> dict[str, Any]:
        return self.call(
            "textDocument/inlineCompletion",
            {
                "textDocument": {"uri": uri},
                "position": {"line": line, "character": character},
                "context": {"triggerKind": 2},
            },
        )

    def stats(self) -> dict[str, Any]:
        reply = self.call("ghostfill/debugStats")
        assert "result" in reply, reply
        result: dict[str, Any] = reply["result"]
        return result

    def stop(self) -> int:
        """shutdown + exit when still running; returns the exit code."""
        if self.proc.poll() is None:
            try:
                self.call("shutdown", wait_s=20)
                self.notify("exit")
            except (Hung, BrokenPipeError, OSError):
                pass
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.close()
        return self.proc.returncode

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.close()

    def close(self) -> None:
        # The process has ended: let the reader thread see the end of its output first, as
        # closing a pipe under a thread blocked reading it can fail that read (ValueError).
        self.closed.wait(5)
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass
        if self._stderr is not subprocess.DEVNULL:
            self._stderr.close()  # type: ignore[union-attr]


class RawConnection(RawServer):
    """One connection to a server listening on TCP (`ghostfill serve --tcp`): the same
    conveniences over a socket, so tests can open several connections to one process."""

    def __init__(self, port: int, *, options: dict[str, Any] | None = None) -> None:
        self.options = options or {}
        self.patience = WAIT_S
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=WAIT_S)
        self.sock.settimeout(None)
        self._in = self.sock.makefile("wb")
        self._out = self.sock.makefile("rb")
        self._next_id = 0
        self._lock = threading.Lock()
        self._replies = {}
        self._arrived = threading.Condition()
        self.received = []
        self.notifications = []
        self.server_requests = []
        self.unsolicited = queue.Queue()
        self._listen()

    def stop(self) -> int:
        """shutdown + exit; the process keeps serving the other connections."""
        try:
            self.call("shutdown", wait_s=20)
            self.notify("exit")
        except (Hung, OSError):
            pass
        self.closed.wait(20)
        self.close()
        return 0

    def kill(self) -> None:
        self.close()

    def close(self) -> None:
        for stream in (self._in, self._out):
            try:
                stream.close()
            except OSError:
                pass
        self.sock.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _key(msg_id: object) -> object:
    """Replies are filed by id; ids a broken client sends may not be hashable."""
    return msg_id if isinstance(msg_id, int | str) else json.dumps(msg_id, sort_keys=True)


def items(reply: dict[str, Any]) -> list[dict[str, Any]]:
    """The items of an inlineCompletion reply (asserting it is a result, not an error)."""
    assert "result" in reply, reply
    result = reply["result"]
    if result is None:
        return []
    found: list[dict[str, Any]] = result["items"] if isinstance(result, dict) else result
    return found
