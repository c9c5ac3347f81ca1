"""What every fake backend shares: a threaded HTTP server on 127.0.0.1 that records requests,
checks keys, injects faults, and streams a reply token by token at a configurable pace.

Each wire format (`openai`, `ollama`, `llamacpp`, `anthropic`, `fim` for Codestral and DeepSeek,
`tabby`) subclasses `FakeServer` and supplies its routes, its stream framing (`StreamPlan`) and
its realistic error bodies; the bytes follow recordings of the real providers' answers.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, Self
from urllib.parse import urlsplit

Reply = Callable[[dict[str, Any]], str]
CLOSED = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError)


@dataclass
class Fault:
    """What to break: an HTTP status with body/headers, or damage inside the stream.

    A status fault uses the provider's realistic body and headers unless `body`/`headers` are
    given. Stream damage happens halfway through the tokens.
    """

    status: int = 200
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    mid_stream_error: bool = False
    malformed: bool = False
    truncate: bool = False
    """Half an event, then a clean end of the body."""
    stall_s: float = 0.0
    drop: bool = False
    """Half an event, then the connection is cut (no end of the chunked body)."""
    eof_early: bool = False
    """A clean end of the body before the finish chunk / `[DONE]` / `done` / `stop`."""
    over_long: int = 0
    """Ignore the token limit and stream this many characters."""
    on_get: bool = False
    """Apply the status fault to GET requests (model lists, warm-up) as well."""
    paths: tuple[str, ...] = ()
    """Only requests whose path contains one of these (empty = all)."""
    times: int = 0
    """Only the next `times` matching requests (0 = every one)."""


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    method: str = "POST"
    size: int = 0
    """Bytes in the request body as sent."""
    at: float = 0.0
    """time.perf_counter() when the request arrived."""

    def header(self, name: str) -> str | None:
        """Case-insensitive header lookup."""
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return None


@dataclass
class StreamPlan:
    """One streamed reply in a wire format."""

    content_type: str
    token: Callable[[str, int], bytes]
    """The event carrying token number n."""
    tail: Callable[[int], list[bytes]]
    """Events after the last of n tokens (finish chunk, usage, `[DONE]`, `stop: true`)."""
    error: bytes
    """A mid-stream error event."""
    prelude: list[bytes] = field(default_factory=list)
    """Sent at once, before the time to first token (SSE comments, keep-alives)."""
    head: list[bytes] = field(default_factory=list)
    """Sent after the time to first token, before the first token (role chunk, message_start)."""
    malformed: bytes = b"data: {not json\n\n"
    partial: bytes = b'data: {"choices":[{"delta":{"content":"x'


def sse(data: dict[str, Any], event: str = "", pad: str = "") -> bytes:
    """One SSE event, JSON as compact as providers send it (`pad` mimics Anthropic's)."""
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    if pad:
        text = text[:-1] + pad + "}"
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {text}\n\n".encode()


class FakeServer:
    """Configuration and recordings shared with the HTTP handler threads."""

    base_path: str = ""
    """Appended to http://127.0.0.1:PORT to make `base_url` (what a user would configure)."""

    def __init__(
        self,
        text: str | Reply = "pass",
        *,
        ttft_ms: float = 0.0,
        tokens_per_s: float = 0.0,
        chars_per_token: int = 4,
        models: tuple[str, ...] = ("fake-coder", "qwen-2.5-coder-fake"),
        done: bool = True,
        require_key: str | None = None,
    ) -> None:
        self.reply: Reply = text if callable(text) else _constant(text)
        self.ttft_ms = ttft_ms
        self.tokens_per_s = tokens_per_s
        self.chars_per_token = chars_per_token
        self.models = models
        self.done = done
        self.require_key = require_key
        self.fault: Fault | None = None
        self.requests: list[Recorded] = []
        self.closed_early = 0
        self.completed = 0
        self.accepted = 0
        """TCP connections accepted (a client that pools its connections opens few)."""
        self.lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------

    @property
    def port(self) -> int:
        assert self._server is not None, "start() the fake first"
        return int(self._server.server_address[1])

    @property
    def root_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        return self.root_url + self.base_path

    def start(self, port: int = 0) -> Self:
        fake: FakeServer = self

        class Handler(RequestHandler):
            server_fake = fake

        self._server = _Server(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- recordings --------------------------------------------------------------------

    def is_generation(self, path: str) -> bool:
        """Whether a POST to `path` asks for a completion (vs warm-up or other calls)."""
        return path.endswith("completions")

    def completion_requests(self) -> list[Recorded]:
        with self.lock:
            requests = list(self.requests)
        return [r for r in requests if r.method == "POST" and self.is_generation(r.path)]

    def last(self) -> Recorded:
        requests = self.completion_requests()
        assert requests, f"no completion request; got {[r.path for r in self.requests]}"
        return requests[-1]

    # -- what subclasses provide -------------------------------------------------------

    def key_ok(self, headers: dict[str, str]) -> bool:
        """Default: `Authorization: Bearer <require_key>`."""
        return _header(headers, "authorization") == f"Bearer {self.require_key}"

    def unauthorized(self) -> tuple[int, str, dict[str, str]]:
        return 401, json.dumps({"error": {"message": "Unauthorized", "code": 401}}), {}

    def error_response(self, status: int, body: dict[str, Any]) -> tuple[str, dict[str, str]]:
        """The provider's realistic body and headers for an error status."""
        return json.dumps({"error": {"message": f"fault {status}", "code": status}}), {}

    def handle(self, h: RequestHandler, method: str, path: str, body: dict[str, Any]) -> None:
        h.json(404, {"error": {"message": f"no route {path}"}})

    # -- streaming ---------------------------------------------------------------------

    def tokens(self, body: dict[str, Any], fault: Fault | None) -> list[str]:
        text = self.reply(body)
        if fault and fault.over_long:
            unit = text or "x"
            text = (unit * (fault.over_long // len(unit) + 1))[: fault.over_long]
        step = max(self.chars_per_token, 1)
        return [text[i : i + step] for i in range(0, len(text), step)]

    def fault_for(self, method: str, path: str) -> Fault | None:
        with self.lock:
            fault = self.fault
            if fault is None or (fault.paths and not any(p in path for p in fault.paths)):
                return None
            if method == "GET" and not fault.on_get:
                return None
            if fault.times:
                fault.times -= 1
                if fault.times == 0:
                    self.fault = None
            return fault


def _constant(text: str) -> Reply:
    def reply(_body: dict[str, Any]) -> str:
        return text

    return reply


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], CLOSED):
            return  # the client hung up (a cancelled completion): expected, not an error
        super().handle_error(request, client_address)


class RequestHandler(BaseHTTPRequestHandler):
    server_fake: ClassVar[FakeServer]
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # stream chunks go out as written, as real providers' do
    fault: Fault | None = None

    def log_message(self, format: str, *args: Any) -> None:
        return

    def setup(self) -> None:
        super().setup()
        with self.server_fake.lock:
            self.server_fake.accepted += 1

    def do_GET(self) -> None:
        self._serve("GET", {}, 0, time.perf_counter())

    def do_POST(self) -> None:
        at = time.perf_counter()
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            self.json(400, {"error": {"message": "bad json"}})
            return
        self._serve("POST", body if isinstance(body, dict) else {"_": body}, len(raw), at)

    def _serve(self, method: str, body: dict[str, Any], size: int, at: float) -> None:
        fake = self.server_fake
        headers = dict(self.headers.items())
        with fake.lock:
            fake.requests.append(Recorded(self.path, headers, body, method, size, at))
        path = urlsplit(self.path).path
        try:
            if fake.require_key is not None and not fake.key_ok(headers):
                status, text, extra = fake.unauthorized()
                self.raw(status, text, {"Content-Type": "application/json", **extra})
                return
            fault = fake.fault_for(method, path)
            if fault is not None and fault.status != 200:
                text, extra = fake.error_response(fault.status, body)
                self.raw(
                    fault.status,
                    fault.body or text,
                    {"Content-Type": "application/json", **extra, **fault.headers},
                )
                return
            self.fault = fault
            fake.handle(self, method, path, body)
        except CLOSED:
            self.close_connection = True

    # -- responses ---------------------------------------------------------------------

    def json(self, status: int, data: object, headers: dict[str, str] | None = None) -> None:
        self.raw(status, json.dumps(data), {"Content-Type": "application/json", **(headers or {})})

    def raw(self, status: int, text: str, headers: dict[str, str]) -> None:
        payload = text.encode()
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def stream(
        self, body: dict[str, Any], plan: StreamPlan, headers: dict[str, str] | None = None
    ) -> None:
        fake = self.server_fake
        fault = self.fault
        tokens = fake.tokens(body, fault)
        half = len(tokens) // 2
        self.send_response(200)
        self.send_header("Content-Type", plan.content_type)
        self.send_header("Transfer-Encoding", "chunked")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        try:
            for event in plan.prelude:
                self.chunk(event)
            time.sleep(fake.ttft_ms / 1000)
            for event in plan.head:
                self.chunk(event)
            started = time.perf_counter()
            for n, token in enumerate(tokens):
                pace(started, n, fake.tokens_per_s)
                if fault and n == half:
                    if fault.stall_s:
                        time.sleep(fault.stall_s)
                    if fault.mid_stream_error:
                        self.chunk(plan.error)
                        self.end()
                        return
                    if fault.malformed:
                        self.chunk(plan.malformed)
                    if fault.truncate or fault.drop:
                        self.chunk(plan.partial)
                        if fault.truncate:
                            self.end()
                        self.close_connection = True
                        return
                    if fault.eof_early:
                        self.end()
                        return
                self.chunk(plan.token(token, n))
            for event in plan.tail(len(tokens)):
                self.chunk(event)
            self.end()
            with fake.lock:
                fake.completed += 1
        except CLOSED:
            with fake.lock:
                fake.closed_early += 1
            self.close_connection = True

    def chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def end(self) -> None:
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


def _header(headers: dict[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def pace(started: float, n: int, tokens_per_s: float) -> None:
    """Sleep until token `n` is due at `tokens_per_s` from `started` (0: no pacing)."""
    if tokens_per_s:
        due = started + n / tokens_per_s
        if (wait := due - time.perf_counter()) > 0.002:
            time.sleep(wait)


def serve_forever(fake: FakeServer, port: int) -> int:
    """Standalone mode: start `fake`, print `PORT <n>` for the parent, serve until killed."""
    fake.start(port)
    print(f"PORT {fake.port}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()
    return 0
