"""A fake Anthropic Messages API on 127.0.0.1: `POST /v1/messages` streaming named SSE events
(`message_start`, `content_block_start`, `ping`, `content_block_delta`, `content_block_stop`,
`message_delta`, `message_stop`, with the padding whitespace inside the JSON that the real API
sends), `event: error` mid-stream, `x-api-key` and `anthropic-version` checks, assistant-prefill
rules, `GET /v1/models`."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from ghostfill.fakes.wire import FakeServer, Reply, RequestHandler, StreamPlan, sse

VERSION = "2023-06-01"


def _error(kind: str, message: str) -> str:
    return json.dumps(
        {"type": "error", "error": {"type": kind, "message": message}, "request_id": "req_fake"}
    )


class FakeAnthropic(FakeServer):
    def __init__(
        self,
        text: str | Reply = "pass",
        *,
        models: tuple[str, ...] = ("claude-haiku-4-5", "claude-sonnet-4-5"),
        prefill: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(text, models=models, **kwargs)
        self.prefill = prefill
        """False: the model refuses a conversation that ends with an assistant turn."""

    def is_generation(self, path: str) -> bool:
        return path == "/v1/messages"

    def key_ok(self, headers: dict[str, str]) -> bool:
        return any(k.lower() == "x-api-key" and v == self.require_key for k, v in headers.items())

    def handle(self, h: RequestHandler, method: str, path: str, body: dict[str, Any]) -> None:
        headers = {k.lower(): v for k, v in h.headers.items()}
        if headers.get("anthropic-version") != VERSION:
            message = "anthropic-version: header is required"
            h.raw(
                400, _error("invalid_request_error", message), {"Content-Type": "application/json"}
            )
            return
        if method == "GET" and path == "/v1/models":
            data = [
                {
                    "type": "model",
                    "id": m,
                    "display_name": m.replace("-", " ").title(),
                    "created_at": "2025-10-01T00:00:00Z",
                }
                for m in self.models
            ]
            first, last = (self.models[0], self.models[-1]) if self.models else (None, None)
            h.json(200, {"data": data, "has_more": False, "first_id": first, "last_id": last})
            return
        if method != "POST" or path != "/v1/messages":
            h.raw(404, _error("not_found_error", "Not found"), {"Content-Type": "application/json"})
            return
        problem = self._invalid(body)
        if problem:
            status, kind, message = problem
            h.raw(status, _error(kind, message), {"Content-Type": "application/json"})
            return
        h.stream(body, self.plan(str(body["model"])))

    def _invalid(self, body: dict[str, Any]) -> tuple[int, str, str] | None:
        if "max_tokens" not in body:
            return 400, "invalid_request_error", "max_tokens: Field required"
        if body.get("model") not in self.models:
            return 404, "not_found_error", f"model: {body.get('model')}"
        messages = body.get("messages") or []
        if not messages or messages[0].get("role") != "user":
            return 400, "invalid_request_error", "messages: first message must use the user role"
        last = messages[-1]
        if last.get("role") == "assistant":
            if not self.prefill:
                return (
                    400,
                    "invalid_request_error",
                    "This model does not support assistant message prefill. The conversation "
                    "must end with a user message.",
                )
            if str(last.get("content", "")) != str(last.get("content", "")).rstrip():
                return (
                    400,
                    "invalid_request_error",
                    "messages: final assistant content cannot end with trailing whitespace",
                )
        return None

    def plan(self, model: str) -> StreamPlan:
        start = {
            "type": "message_start",
            "message": {
                "model": model,
                "id": "msg_01R8GdyyLQUhUfyjqSCMbnWg",
                "type": "message",
                "role": "assistant",
                "content": [],
                "stop_reason": None,
                "stop_sequence": None,
                "usage": {"input_tokens": 16, "output_tokens": 5, "service_tier": "standard"},
            },
        }

        def tail(n: int) -> list[bytes]:
            delta = {
                "type": "message_delta",
                "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                "usage": {"input_tokens": 16, "output_tokens": n},
            }
            events = [
                sse({"type": "content_block_stop", "index": 0}, "content_block_stop", " " * 12),
                sse(delta, "message_delta", " " * 12),
            ]
            if self.done:
                events.append(sse({"type": "message_stop"}, "message_stop", " " * 7))
            return events

        return StreamPlan(
            content_type="text/event-stream; charset=utf-8",
            head=[
                sse(start, "message_start", "   "),
                sse(
                    {
                        "type": "content_block_start",
                        "index": 0,
                        "content_block": {"type": "text", "text": ""},
                    },
                    "content_block_start",
                    " " * 12,
                ),
                b'event: ping\ndata: {"type": "ping"}\n\n',
            ],
            token=lambda t, n: sse(
                {
                    "type": "content_block_delta",
                    "index": 0,
                    "delta": {"type": "text_delta", "text": t},
                },
                "content_block_delta",
                " " * 9,
            ),
            tail=tail,
            error=sse(
                {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}},
                "error",
            ),
            partial=b'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"ab',
        )

    def unauthorized(self) -> tuple[int, str, dict[str, str]]:
        return 401, _error("authentication_error", "invalid x-api-key"), {}

    def error_response(self, status: int, body: dict[str, Any]) -> tuple[str, dict[str, str]]:
        if status == 429:
            reset = (datetime.now(UTC) + timedelta(seconds=20)).strftime("%Y-%m-%dT%H:%M:%SZ")
            headers = {
                "retry-after": "20",
                "anthropic-ratelimit-requests-limit": "50",
                "anthropic-ratelimit-requests-remaining": "49",
                "anthropic-ratelimit-requests-reset": reset,
                "anthropic-ratelimit-tokens-limit": "40000",
                "anthropic-ratelimit-tokens-remaining": "0",
                "anthropic-ratelimit-tokens-reset": reset,
            }
            message = "Number of request tokens has exceeded your per-minute rate limit"
            return _error("rate_limit_error", message), headers
        kinds = {
            400: ("invalid_request_error", "bad request"),
            403: ("permission_error", "Your API key does not have permission to use this model"),
            404: ("not_found_error", f"model: {body.get('model')}"),
            413: ("request_too_large", "Request exceeds the maximum allowed number of bytes."),
            500: ("api_error", "Internal server error"),
            529: ("overloaded_error", "Overloaded"),
        }
        kind, message = kinds.get(status, ("api_error", f"error {status}"))
        return _error(kind, message), {}
