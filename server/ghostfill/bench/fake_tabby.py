"""A fake Tabby server on 127.0.0.1, enough for tabby-agent 1.5.0 (reference/REAL_CLIENTS.md §3).

Routes, as tabby-agent's `dist/cli.js` calls them:
- `GET|POST /v1/health`: a health state with `model`, `device` and `version.git_describe`
  (>= 0.9.0, so the agent also asks for the server setting);
- `GET /v1beta/server_setting`: `{"disable_client_side_telemetry": true}`;
- `POST /v1/completions`: body `{language, segments: {prefix, suffix, ...}}`, answered after
  the time to first token plus the generation time of the whole reply (Tabby's completion
  endpoint does not stream), as `{id, choices: [{index, text}]}`;
- `POST /v1/events`: accepted and ignored.

`reply(body) -> str` makes the completion text; every completion request is recorded with its
arrival time and body size, as `bench/fake_openai.py` does for OpenAI-style providers.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

HEALTH: dict[str, Any] = {
    "model": "TabbyML/FakeCoder-1B",
    "chat_model": None,
    "device": "cpu",
    "arch": "x86_64",
    "cpu_info": "fake",
    "cpu_count": 2,
    "cuda_devices": [],
    "version": {
        "build_date": "2025-10-01",
        "build_timestamp": "2025-10-01T00:00:00Z",
        "git_sha": "0000000",
        "git_describe": "v0.30.0",
    },
}


@dataclass(frozen=True)
class TabbyRequest:
    path: str
    body: dict[str, Any]
    size: int
    at: float
    """time.perf_counter() when the request arrived."""


class FakeTabby:
    def __init__(
        self,
        reply: Callable[[dict[str, Any]], str],
        *,
        ttft_ms: float = 0.0,
        tokens_per_s: float = 0.0,
        chars_per_token: int = 4,
    ) -> None:
        self.reply = reply
        self.ttft_ms = ttft_ms
        self.tokens_per_s = tokens_per_s
        self.chars_per_token = chars_per_token
        self.requests: list[TabbyRequest] = []
        self.lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def endpoint(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def completion_requests(self) -> list[TabbyRequest]:
        with self.lock:
            return [r for r in self.requests if r.path == "/v1/completions"]

    def generation_s(self, text: str) -> float:
        """Time to first token plus the time to generate all of `text`."""
        tokens = math.ceil(len(text) / self.chars_per_token)
        per_token = 1 / self.tokens_per_s if self.tokens_per_s else 0.0
        return self.ttft_ms / 1000 + tokens * per_token

    def start(self, port: int = 0) -> FakeTabby:
        fake = self

        class Handler(_Handler):
            tabby = fake

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> FakeTabby:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _Handler(BaseHTTPRequestHandler):
    tabby: FakeTabby
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        return

    def handle(self) -> None:
        try:
            super().handle()
        except (ConnectionResetError, BrokenPipeError):
            self.close_connection = True

    def do_GET(self) -> None:
        self._route({}, 0)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            self._json(400, {"error": "bad json"})
            return
        self._route(body if isinstance(body, dict) else {}, len(raw))

    def _route(self, body: dict[str, Any], size: int) -> None:
        path = self.path.split("?", 1)[0].rstrip("/")
        if path == "/v1/health":
            self._json(200, HEALTH)
        elif path == "/v1beta/server_setting":
            self._json(200, {"disable_client_side_telemetry": True})
        elif path == "/v1/events":
            self._json(200, {})
        elif path == "/v1/completions" and self.command == "POST":
            fake = self.tabby
            started = time.perf_counter()
            with fake.lock:
                fake.requests.append(TabbyRequest(path, body, size, started))
            text = fake.reply(body)
            wait = started + fake.generation_s(text) - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            self._json(200, {"id": "cmpl-fake", "choices": [{"index": 0, "text": text}]})
        else:
            self._json(404, {"error": f"no route {self.command} {path}"})

    def _json(self, status: int, data: object) -> None:
        payload = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        try:
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
