"""A fake OpenAI-compatible provider on 127.0.0.1 that streams like Cerebras does.

It speaks the real wire format (SSE `data:` lines, a finish chunk carrying `usage` and
`time_info`, then `data: [DONE]`) with a configurable time to first token and tokens/s, and
records every request, header and early disconnect so tests can assert on them. Runs in a
thread inside a test, or standalone for editor tests:

    python -m ghostfill.bench.fake_openai --port 0 --text "print('hi')"   # prints "PORT <n>"
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Reply = Callable[[dict[str, Any]], str]


@dataclass
class Fault:
    """What to break: an HTTP status with body/headers, or damage inside the stream."""

    status: int = 200
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    mid_stream_error: bool = False
    malformed: bool = False
    truncate: bool = False
    stall_s: float = 0.0


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


class FakeProvider:
    """Configuration and recordings shared with the HTTP handler threads."""

    def __init__(
        self,
        text: str | Reply = "pass",
        *,
        ttft_ms: float = 0.0,
        tokens_per_s: float = 0.0,
        chars_per_token: int = 4,
        models: tuple[str, ...] = ("fake-coder", "qwen-2.5-coder-fake"),
        done: bool = True,
    ) -> None:
        self.reply: Reply = text if callable(text) else _constant(text)
        self.ttft_ms = ttft_ms
        self.tokens_per_s = tokens_per_s
        self.chars_per_token = chars_per_token
        self.models = models
        self.done = done
        self.fault: Fault | None = None
        self.requests: list[Recorded] = []
        self.closed_early = 0
        self.completed = 0
        self.durations_ms: list[float] = []
        """Time each completed stream took inside the fake (its share of a request's latency)."""
        self.lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def completion_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.path.endswith("completions")]

    def start(self, port: int = 0) -> FakeProvider:
        provider = self

        class Handler(_Handler):
            fake = provider

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> FakeProvider:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _constant(text: str) -> Reply:
    def reply(_body: dict[str, Any]) -> str:
        return text

    return reply


class _Handler(BaseHTTPRequestHandler):
    fake: FakeProvider
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # stream chunks go out as written, as real providers' do
    _began = 0.0

    def log_message(self, format: str, *args: Any) -> None:
        return

    def handle(self) -> None:
        try:
            super().handle()
        except (ConnectionResetError, BrokenPipeError):
            self.close_connection = True

    def do_GET(self) -> None:
        self._record({})
        if self.path.rstrip("/").endswith("/models"):
            data = {
                "object": "list",
                "data": [{"id": m, "object": "model"} for m in self.fake.models],
            }
            self._json(200, data)
        else:
            self._json(404, {"error": {"message": "not found", "type": "not_found_error"}})

    def do_POST(self) -> None:
        self._began = time.perf_counter()
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except json.JSONDecodeError:
            self._json(400, {"error": {"message": "bad json"}})
            return
        self._record(body)
        fault = self.fake.fault
        if fault and fault.status != 200:
            self._raw(
                fault.status,
                fault.body or json.dumps({"error": {"message": "fault"}}),
                fault.headers,
            )
            return
        if not self.path.endswith("completions"):
            self._json(404, {"error": {"message": f"no route {self.path}"}})
            return
        text = self.fake.reply(body)
        if body.get("stream"):
            self._stream(body, text, fault)
        else:
            self._json(200, _whole(body, text, self.path))

    def _record(self, body: dict[str, Any]) -> None:
        with self.fake.lock:
            self.fake.requests.append(Recorded(self.path, dict(self.headers.items()), body))

    def _json(self, status: int, data: object) -> None:
        self._raw(status, json.dumps(data), {"Content-Type": "application/json"})

    def _raw(self, status: int, text: str, headers: dict[str, str]) -> None:
        payload = text.encode()
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _stream(self, body: dict[str, Any], text: str, fault: Fault | None) -> None:
        chat = self.path.endswith("chat/completions")
        fake = self.fake
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        step = fake.chars_per_token
        tokens = [text[i : i + step] for i in range(0, len(text), step)]
        try:
            time.sleep(fake.ttft_ms / 1000)
            self._chunk(_event(_delta(chat, None, role=True)))
            started = time.perf_counter()
            for n, token in enumerate(tokens):
                if fake.tokens_per_s:
                    due = started + n / fake.tokens_per_s
                    if (wait := due - time.perf_counter()) > 0.002:
                        time.sleep(wait)
                if fault and fault.stall_s and n == len(tokens) // 2:
                    time.sleep(fault.stall_s)
                if fault and fault.mid_stream_error and n == len(tokens) // 2:
                    self._chunk(
                        _event({"error": {"message": "internal error", "type": "server_error"}})
                    )
                    self._end()
                    return
                if fault and fault.malformed and n == len(tokens) // 2:
                    self._chunk(b"data: {not json\n\n")
                if fault and fault.truncate and n == len(tokens) // 2:
                    self._chunk(b'data: {"choices":[{"delta":{"content":"x')
                    self._end()
                    return
                self._chunk(_event(_delta(chat, token)))
            finish = _delta(chat, None, finish=True)
            finish["usage"] = {
                "prompt_tokens": 10,
                "completion_tokens": len(tokens),
                "total_tokens": 10 + len(tokens),
            }
            finish["time_info"] = {
                "queue_time": 0.0001,
                "prompt_time": 0.001,
                "completion_time": 0.002,
                "total_time": 0.003,
            }
            self._chunk(_event(finish))
            if fake.done:
                self._chunk(b"data: [DONE]\n\n")
            self._end()
            with fake.lock:
                fake.completed += 1
                fake.durations_ms.append((time.perf_counter() - self._began) * 1000)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            with fake.lock:
                fake.closed_early += 1
            self.close_connection = True

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def _end(self) -> None:
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


def _event(data: dict[str, Any]) -> bytes:
    return b"data: " + json.dumps(data).encode() + b"\n\n"


def _delta(
    chat: bool, content: str | None, *, role: bool = False, finish: bool = False
) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "chatcmpl-fake",
        "created": 1761231233,
        "model": "fake-coder",
        "system_fingerprint": "fp_fake",
        "object": "chat.completion.chunk" if chat else "text_completion",
    }
    if chat:
        delta: dict[str, Any] = {}
        if role:
            delta["role"] = "assistant"
        if content is not None:
            delta["content"] = content
        choice: dict[str, Any] = {"delta": delta, "index": 0}
    else:
        choice = {"text": content or "", "index": 0}
    if finish:
        choice["finish_reason"] = "stop"
    base["choices"] = [choice]
    return base


def _whole(body: dict[str, Any], text: str, path: str) -> dict[str, Any]:
    if path.endswith("chat/completions"):
        choice: dict[str, Any] = {
            "index": 0,
            "message": {"role": "assistant", "content": text},
            "finish_reason": "stop",
        }
    else:
        choice = {"index": 0, "text": text, "finish_reason": "stop"}
    return {
        "id": "cmpl-fake",
        "object": "chat.completion",
        "model": body.get("model", ""),
        "choices": [choice],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--text", default="_from_fake_backend = 42")
    parser.add_argument("--ttft-ms", type=float, default=0.0)
    parser.add_argument("--tokens-per-s", type=float, default=0.0)
    args = parser.parse_args(argv)
    fake = FakeProvider(args.text, ttft_ms=args.ttft_ms, tokens_per_s=args.tokens_per_s).start(
        args.port
    )
    print(f"PORT {fake.base_url.split(':')[2].split('/')[0]}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
