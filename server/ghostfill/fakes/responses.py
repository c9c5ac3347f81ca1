"""A fake OpenAI Responses API on 127.0.0.1: `POST /v1/responses` as SSE, and WebSocket mode.

It speaks the events OpenAI documents (`response.created`, `response.in_progress`,
`response.output_item.added`, `response.content_part.added`, `response.output_text.delta`, the
`.done` events and `response.completed` with `usage` and cached tokens), over HTTP SSE
(`event:` + `data:` lines) or as JSON text messages on a WebSocket to `/v1/responses`, where each
`{"type": "response.create", ...}` message starts one response and one socket carries many in
sequence. Like OpenAI it answers chat requests for codex models 400 "This model is only
supported in v1/responses", rejects request fields a model does not take (`reject`), reports
failures as `error` events on the socket, and closes a socket on which a second
`response.create` arrives while one is in flight (counted in `overlaps`: ghostfill must never
cause one). It also models the network: `setup_ms` delays the first answer on every new
connection (TCP + TLS set-up), `idle_close_s` closes HTTP keep-alive connections left idle that
long (`accepted` counts connections), `socket_idle_s` does the same for WebSockets, and `websocket=False` refuses the upgrade.
Everything else (models list, chat and completions, faults, key checks, pacing) is the OpenAI
flavour of `openai.FakeProvider`. Standalone for editor tests:

    python -m ghostfill.fakes.responses --port 0 --text "print('hi')"   # prints "PORT <n>"
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import select
import socket
import sys
import time
from typing import Any

from websockets.exceptions import InvalidState
from websockets.frames import Frame, Opcode
from websockets.http11 import Request
from websockets.server import ServerProtocol

from ghostfill.fakes.openai import FakeProvider
from ghostfill.fakes.wire import (
    Fault,
    Recorded,
    Reply,
    RequestHandler,
    StreamPlan,
    pace,
    serve_forever,
    sse,
)

__all__ = ["FakeResponses", "Fault", "Recorded", "Reply"]

CREATED = 1765000000
_FRAMES = logging.getLogger(__name__ + ".frames")
_FRAMES.setLevel(logging.WARNING)  # its DEBUG lines would print the handshake's Authorization
ONLY_RESPONSES = "This model is only supported in v1/responses and not in v1/chat/completions."


class FakeResponses(FakeProvider):
    def __init__(
        self,
        text: str | Reply = "pass",
        *,
        ttft_ms: float = 0.0,
        tokens_per_s: float = 0.0,
        chars_per_token: int = 4,
        models: tuple[str, ...] = ("gpt-5.3-codex-spark", "gpt-5.3-codex", "gpt-4.1-nano"),
        require_key: str | None = None,
        websocket: bool = True,
        setup_ms: float = 0.0,
        idle_close_s: float | None = None,
        socket_idle_s: float | None = None,
        responses_only: str = r"codex",
        reject: tuple[str, ...] = (),
    ) -> None:
        super().__init__(
            text,
            ttft_ms=ttft_ms,
            tokens_per_s=tokens_per_s,
            chars_per_token=chars_per_token,
            models=models,
            require_key=require_key,
            flavour="openai",
        )
        self.websocket = websocket
        self.setup_ms = setup_ms
        self.idle_close_s = idle_close_s
        self.socket_idle_s = socket_idle_s
        self.responses_only = responses_only
        self.reject = reject
        """Request fields answered 400 unsupported_parameter (`reasoning.effort`, `temperature`)."""
        self.sockets = 0
        """WebSocket upgrades accepted."""
        self.refused = 0
        self.overlaps = 0
        """`response.create` messages that arrived while a response was still streaming."""
        self.drop_next_socket = False
        """Close the next socket that gets a `response.create`, before answering it."""
        self.limit_next_socket = False
        """Answer the next `response.create` with OpenAI's 60-minute connection limit error."""
        self._open: set[socket.socket] = set()
        self._seen_keys: set[str] = set()
        self._ids = 0

    def stop(self) -> None:
        with self.lock:
            sockets, self._open = list(self._open), set()
        for s in sockets:
            _hang_up(s)
        super().stop()

    def completion_requests(self) -> list[Recorded]:
        with self.lock:
            requests = list(self.requests)
        return [
            r
            for r in requests
            if (r.method == "POST" and self.is_generation(r.path)) or r.method == "WS"
        ]

    def is_generation(self, path: str) -> bool:
        return path.endswith(("completions", "/responses"))

    def socket_requests(self) -> list[Recorded]:
        return [r for r in self.completion_requests() if r.method == "WS"]

    # -- routes --------------------------------------------------------------------------

    def handle(self, h: RequestHandler, method: str, path: str, body: dict[str, Any]) -> None:
        self._connection_setup(h)
        rel = path.removeprefix(self.base_path)
        upgrade = (h.headers.get("Upgrade") or "").lower() == "websocket"
        if method == "GET" and rel == "/responses" and upgrade:
            if self.websocket:
                self._serve_socket(h)
                return
            with self.lock:
                self.refused += 1
            h.json(404, self._unknown_url(method, path))
        elif method == "POST" and rel == "/responses":
            self._http_response(h, body)
        elif (
            method == "POST"
            and rel in ("/chat/completions", "/completions")
            and re.search(self.responses_only, str(body.get("model", "")))
        ):
            error = {"message": ONLY_RESPONSES, "type": "invalid_request_error", "param": "model"}
            h.json(400, {"error": {**error, "code": None}})
        else:
            super().handle(h, method, path, body)

    def _connection_setup(self, h: RequestHandler) -> None:
        """Once per connection: the set-up cost, and the idle timeout for what follows."""
        if getattr(h, "_ghostfill_setup", False):
            return
        h._ghostfill_setup = True  # type: ignore[attr-defined]
        time.sleep(self.setup_ms / 1000)
        if self.idle_close_s is not None:
            h.connection.settimeout(self.idle_close_s)

    # -- the events of one response ------------------------------------------------------

    def _rejected(self, body: dict[str, Any]) -> dict[str, Any] | None:
        fields = {"reasoning.effort": (body.get("reasoning") or {}).get("effort")}
        fields["temperature"] = body.get("temperature")
        for name in self.reject:
            if fields.get(name) is not None:
                model = body.get("model", "")
                message = (
                    f"Unsupported parameter: '{name}' is not supported with the '{model}' model."
                )
                return {
                    "type": "invalid_request_error",
                    "code": "unsupported_parameter",
                    "message": message,
                    "param": name,
                }
        return None

    def _response(self, body: dict[str, Any], status: str, usage: Any = None) -> dict[str, Any]:
        return {
            "id": f"resp_{self._ids:08d}",
            "object": "response",
            "created_at": CREATED,
            "status": status,
            "model": body.get("model", ""),
            "output": [],
            "usage": usage,
            "store": body.get("store", True),
        }

    def _usage(self, body: dict[str, Any], output_tokens: int) -> dict[str, Any]:
        size = len(json.dumps([body.get("instructions"), body.get("input")])) // 4
        key = str(body.get("prompt_cache_key") or "")
        with self.lock:
            warm = bool(key) and key in self._seen_keys
            self._seen_keys.add(key)
        cached = size // 128 * 128 if warm and size >= 1024 else 0
        return {
            "input_tokens": size,
            "input_tokens_details": {"cached_tokens": cached},
            "output_tokens": output_tokens,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": size + output_tokens,
        }

    def _responses_plan(self, body: dict[str, Any], frame: Any) -> StreamPlan:
        with self.lock:
            self._ids += 1
        item = {"id": f"msg_{self._ids:08d}", "type": "message", "role": "assistant"}
        where = {"item_id": item["id"], "output_index": 0, "content_index": 0}
        seq = iter(range(1_000_000))
        sent: list[str] = []

        def event(kind: str, **fields: Any) -> bytes:
            return frame({"type": kind, "sequence_number": next(seq), **fields})  # type: ignore[no-any-return]

        def token(text: str, n: int) -> bytes:
            sent.append(text)
            return event("response.output_text.delta", **where, delta=text, logprobs=[])

        def tail(n: int) -> list[bytes]:
            text = "".join(sent)
            part = {"type": "output_text", "text": text, "annotations": []}
            done = {**item, "status": "completed", "content": [part]}
            final = self._response(body, "completed", self._usage(body, n))
            final["output"] = [done]
            return [
                event("response.output_text.done", **where, text=text, logprobs=[]),
                event("response.content_part.done", **where, part=part),
                event("response.output_item.done", output_index=0, item=done),
                event("response.completed", response=final),
            ]

        failed = self._response(body, "failed")
        failed["error"] = {"code": "server_error", "message": "The model failed mid-answer."}
        empty = {"type": "output_text", "text": "", "annotations": []}
        return StreamPlan(
            content_type="text/event-stream; charset=utf-8",
            token=token,
            tail=tail,
            error=event("response.failed", response=failed),
            head=[
                event("response.created", response=self._response(body, "in_progress")),
                event("response.in_progress", response=self._response(body, "in_progress")),
                event(
                    "response.output_item.added",
                    output_index=0,
                    item={**item, "status": "in_progress", "content": []},
                ),
                event("response.content_part.added", **where, part=empty),
            ],
            partial=b'event: response.output_text.delta\ndata: {"type":"response.output_text.de',
        )

    def _http_response(self, h: RequestHandler, body: dict[str, Any]) -> None:
        rejected = self._rejected(body)
        if rejected is not None:
            h.json(400, {"error": rejected})
            return
        if not body.get("stream"):
            text = self.reply(body)
            part = {"type": "output_text", "text": text, "annotations": []}
            response = self._response(body, "completed", self._usage(body, len(text) // 4))
            response["output"] = [{"type": "message", "role": "assistant", "content": [part]}]
            h.json(200, response)
            return
        h.stream(body, self._responses_plan(body, lambda event: sse(event, event["type"])))

    # -- WebSocket mode ------------------------------------------------------------------

    def _serve_socket(self, h: RequestHandler) -> None:
        protocol = ServerProtocol(logger=_FRAMES)
        head = "".join(f"{k}: {v}\r\n" for k, v in h.headers.items())
        protocol.receive_data(f"{h.requestline}\r\n{head}\r\n".encode())
        request = next(e for e in protocol.events_received() if isinstance(e, Request))
        protocol.send_response(protocol.accept(request))
        conn = _Socket(h.connection, protocol)
        with self.lock:
            self.sockets += 1
            self._open.add(h.connection)
        conn.flush()
        h.close_connection = True
        h.connection.settimeout(self.socket_idle_s)
        try:
            while (message := conn.next_text(idle_close=True)) is not None:
                self._socket_message(h, conn, message)
        except (OSError, InvalidState):
            pass
        finally:
            with self.lock:
                self._open.discard(h.connection)

    def _socket_message(self, h: RequestHandler, conn: _Socket, message: str) -> None:
        try:
            body = json.loads(message)
        except json.JSONDecodeError:
            body = {"_": message}
        headers = dict(h.headers.items())
        with self.lock:
            self.requests.append(Recorded("/v1/responses", headers, body, "WS", len(message)))
            drop, self.drop_next_socket = self.drop_next_socket, False
            limit, self.limit_next_socket = self.limit_next_socket, False
        if drop:
            _hang_up(h.connection)
            return
        if limit:
            message = (
                "Responses websocket connection limit reached (60 minutes). Create a new "
                "websocket connection to continue."
            )
            error = {"type": "invalid_request_error", "code": "websocket_connection_limit_reached"}
            conn.send_event(
                {"type": "error", "status": 400, "error": {**error, "message": message}}
            )
            conn.protocol.send_close(1000, "connection limit")
            conn.flush()
            conn.closed = True
            return
        if body.get("type") != "response.create":
            conn.send_event(_error(400, "invalid_request_error", "unknown event type"))
            return
        fault = self.fault_for("POST", "/v1/responses")
        rejected = self._rejected(body)
        if rejected is not None:
            conn.send_event({"type": "error", "status": 400, "error": rejected})
            return
        if fault is not None and fault.status != 200:
            text, _ = self.error_response(fault.status, body)
            error = json.loads(text).get("error") or {}
            conn.send_event({"type": "error", "status": fault.status, "error": error})
            return
        self._socket_stream(h, conn, body, fault)

    def _socket_stream(
        self, h: RequestHandler, conn: _Socket, body: dict[str, Any], fault: Fault | None
    ) -> None:
        plan = self._responses_plan(body, lambda event: json.dumps(event).encode())
        tokens = self.tokens(body, fault)
        half = len(tokens) // 2
        try:
            time.sleep(self.ttft_ms / 1000)
            for frame in plan.head:
                conn.send(frame)
            started = time.perf_counter()
            for n, token in enumerate(tokens):
                pace(started, n, self.tokens_per_s)
                if not self._still_wanted(conn):
                    return
                if fault and n == half:
                    if fault.stall_s:
                        time.sleep(fault.stall_s)
                    if fault.mid_stream_error:
                        conn.send(plan.error)
                        return
                    if fault.drop or fault.truncate:
                        _hang_up(h.connection)
                        return
                conn.send(plan.token(token, n))
            for frame in plan.tail(len(tokens)):
                conn.send(frame)
            with self.lock:
                self.completed += 1
        except (OSError, InvalidState):
            with self.lock:
                self.closed_early += 1

    def _still_wanted(self, conn: _Socket) -> bool:
        """Read what the client sent meanwhile: a close ends the response (counted as closed
        early); a `response.create` before this response ended is an overlap."""
        for message in conn.poll():
            with self.lock:
                self.overlaps += 1
            conn.pending.append(message)
        if conn.closed:
            with self.lock:
                self.closed_early += 1
            return False
        return True


class _Socket:
    """Blocking WebSocket frames over the handler's socket, via the sans-I/O protocol."""

    def __init__(self, sock: socket.socket, protocol: ServerProtocol) -> None:
        self.sock = sock
        self.protocol = protocol
        self.pending: list[str] = []
        self.closed = False

    def flush(self) -> None:
        for data in self.protocol.data_to_send():
            if data:
                self.sock.sendall(data)

    def send(self, payload: bytes) -> None:
        self.protocol.send_text(payload)
        self.flush()

    def send_event(self, event: dict[str, Any]) -> None:
        self.send(json.dumps(event).encode())

    def _feed(self, data: bytes) -> list[str]:
        if not data:
            self.protocol.receive_eof()
            self.closed = True
            return []
        self.protocol.receive_data(data)
        texts: list[str] = []
        for frame in self.protocol.events_received():
            if not isinstance(frame, Frame):
                continue
            if frame.opcode is Opcode.TEXT:
                texts.append(bytes(frame.data).decode())
            elif frame.opcode is Opcode.CLOSE:
                self.closed = True
        self.flush()  # pongs, the close reply
        return texts

    def poll(self) -> list[str]:
        texts: list[str] = []
        while not self.closed and select.select([self.sock], [], [], 0)[0]:
            texts += self._feed(self.sock.recv(65536))
        return texts

    def next_text(self, *, idle_close: bool) -> str | None:
        while not self.pending:
            if self.closed:
                return None
            try:
                data = self.sock.recv(65536)
            except TimeoutError:
                if idle_close:
                    self.protocol.send_close(1000, "idle timeout")
                    self.flush()
                    self.closed = True
                return None
            self.pending += self._feed(data)
        return self.pending.pop(0)


def _error(status: int, kind: str, message: str) -> dict[str, Any]:
    return {"type": "error", "status": status, "error": {"type": kind, "message": message}}


def _hang_up(sock: socket.socket) -> None:
    """Cut the connection without a closing handshake (a network drop)."""
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--text", default="pass")
    parser.add_argument("--ttft-ms", type=float, default=0.0)
    parser.add_argument("--tokens-per-s", type=float, default=0.0)
    parser.add_argument("--setup-ms", type=float, default=0.0)
    parser.add_argument("--idle-close-s", type=float, default=None)
    parser.add_argument("--no-websocket", action="store_true")
    args = parser.parse_args(argv)
    fake = FakeResponses(
        args.text,
        ttft_ms=args.ttft_ms,
        tokens_per_s=args.tokens_per_s,
        setup_ms=args.setup_ms,
        idle_close_s=args.idle_close_s,
        websocket=not args.no_websocket,
    )
    return serve_forever(fake, args.port)


if __name__ == "__main__":
    sys.exit(main())
