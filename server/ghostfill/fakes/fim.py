"""Fake native FIM APIs on 127.0.0.1, as the providers answer:

- `FakeCodestral`: Mistral's `POST /v1/fim/completions` (`prompt` + `suffix`, `min_tokens`,
  `stop`, `random_seed`), SSE of chat-delta chunks, usage on the last one, `data: [DONE]`;
  422 `{"detail": [...]}` for a bad body; 401 `{"message": "Unauthorized", ...}`.
- `FakeDeepSeek`: `POST /beta/completions` (`prompt` + `suffix`, at most 4K tokens),
  `: keep-alive` comments while "queued", `text_completion` chunks, a usage chunk,
  `data: [DONE]`; `/models` at the host root.
Both also serve their OpenAI-style chat endpoint.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ghostfill.fakes.wire import FakeServer, Reply, RequestHandler, StreamPlan, sse

DONE = b"data: [DONE]\n\n"


def _chunk_of(chunk_id: str, model: str) -> Callable[..., bytes]:
    """One OpenAI-style stream chunk maker (`chat.completion.chunk`, as both providers send)."""

    def chunk(choice: dict[str, Any], **extra: Any) -> bytes:
        data = {
            "id": chunk_id,
            "object": "chat.completion.chunk",
            "created": 1702256327,
            "model": model,
            "choices": [choice],
            **extra,
        }
        return sse(data)

    return chunk


class _OpenAIStyle(FakeServer):
    def models_json(self) -> dict[str, Any]:
        data = [{"id": m, "object": "model", "owned_by": "fake"} for m in self.models]
        return {"object": "list", "data": data}

    def chat_plan(self, model: str) -> StreamPlan:
        chunk = _chunk_of("chat-fake", model)

        def tail(n: int) -> list[bytes]:
            usage = {"prompt_tokens": 8, "completion_tokens": n, "total_tokens": 8 + n}
            finish = {"index": 0, "delta": {"content": ""}, "finish_reason": "stop"}
            return [chunk(finish, usage=usage), DONE]

        return StreamPlan(
            content_type="text/event-stream",
            token=lambda t, n: chunk({"index": 0, "delta": {"content": t}, "finish_reason": None}),
            tail=tail,
            error=sse({"error": {"message": "internal error", "type": "server_error"}}),
        )


class FakeCodestral(_OpenAIStyle):
    def __init__(
        self,
        text: str | Reply = "pass",
        *,
        models: tuple[str, ...] = ("codestral-latest", "codestral-2508"),
        **kwargs: Any,
    ) -> None:
        super().__init__(text, models=models, **kwargs)

    def handle(self, h: RequestHandler, method: str, path: str, body: dict[str, Any]) -> None:
        if method == "GET" and path == "/v1/models":
            h.json(200, self.models_json())
        elif method == "POST" and path == "/v1/fim/completions":
            if "prompt" not in body or "model" not in body:
                missing = "prompt" if "prompt" not in body else "model"
                detail = [{"type": "missing", "loc": ["body", missing], "msg": "Field required"}]
                h.json(422, {"detail": detail})
                return
            if body["model"] not in self.models:
                h.json(
                    400,
                    {
                        "object": "error",
                        "message": f"Invalid model: {body['model']}",
                        "type": "invalid_model",
                        "param": None,
                        "code": "1500",
                    },
                )
                return
            h.stream(body, self.fim_plan(str(body["model"])))
        elif method == "POST" and path == "/v1/chat/completions":
            h.stream(body, self.chat_plan(str(body.get("model"))))
        else:
            h.json(404, {"detail": "Not Found"})

    def fim_plan(self, model: str) -> StreamPlan:
        chunk = _chunk_of("5b35cc2e69bf4ba9a11373ee1f1937f8", model)

        def tail(n: int) -> list[bytes]:
            usage = {"prompt_tokens": 8, "total_tokens": 8 + n, "completion_tokens": n}
            finish = {"index": 0, "delta": {"content": ""}, "finish_reason": "stop"}
            return [chunk(finish, usage=usage), DONE] if self.done else [chunk(finish, usage=usage)]

        return StreamPlan(
            content_type="text/event-stream; charset=utf-8",
            head=[
                chunk(
                    {
                        "index": 0,
                        "delta": {"role": "assistant", "content": ""},
                        "finish_reason": None,
                    }
                )
            ],
            token=lambda t, n: chunk({"index": 0, "delta": {"content": t}, "finish_reason": None}),
            tail=tail,
            error=sse(
                {"error": {"message": "Service unavailable", "type": "internal_server_error"}}
            ),
        )

    def unauthorized(self) -> tuple[int, str, dict[str, str]]:
        return 401, json.dumps({"message": "Unauthorized", "request_id": "933f2339c0d1"}), {}

    def error_response(self, status: int, body: dict[str, Any]) -> tuple[str, dict[str, str]]:
        if status == 429:
            return json.dumps({"message": "Requests rate limit exceeded"}), {"retry-after": "3"}
        if status == 422:
            return json.dumps(
                {
                    "detail": [
                        {"type": "missing", "loc": ["body", "prompt"], "msg": "Field required"}
                    ]
                }
            ), {}
        messages = {404: "Not Found", 500: "Internal Server Error", 503: "Service unavailable"}
        return json.dumps(
            {
                "object": "error",
                "message": messages.get(status, f"error {status}"),
                "type": "error",
                "code": str(status),
            }
        ), {}


class FakeDeepSeek(_OpenAIStyle):
    base_path = "/beta"

    def __init__(
        self,
        text: str | Reply = "pass",
        *,
        models: tuple[str, ...] = ("deepseek-v4-flash", "deepseek-v4-pro"),
        keep_alives: int = 2,
        **kwargs: Any,
    ) -> None:
        super().__init__(text, models=models, **kwargs)
        self.keep_alives = keep_alives

    def handle(self, h: RequestHandler, method: str, path: str, body: dict[str, Any]) -> None:
        if method == "GET" and path == "/models":
            h.json(200, self.models_json())
        elif method == "POST" and path == "/beta/completions":
            if body.get("max_tokens", 0) > 4096:
                h.json(
                    400,
                    {
                        "error": {
                            "message": "max_tokens must be <= 4096 for FIM",
                            "type": "invalid_request_error",
                            "param": None,
                            "code": "invalid_request_error",
                        }
                    },
                )
                return
            if body.get("model") not in self.models:
                h.json(
                    400,
                    {
                        "error": {
                            "message": "Model Not Exist",
                            "type": "invalid_request_error",
                            "param": None,
                            "code": "invalid_request_error",
                        }
                    },
                )
                return
            h.stream(body, self.fim_plan(str(body["model"])))
        elif method == "POST" and path == "/beta/chat/completions":
            h.stream(body, self.chat_plan(str(body.get("model"))))
        elif method == "POST" and path == "/completions":
            h.json(
                400,
                {
                    "error": {
                        "message": "FIM completion is only available at https://api.deepseek.com/beta",
                        "type": "invalid_request_error",
                        "param": None,
                        "code": "invalid_request_error",
                    }
                },
            )
        else:
            h.json(404, {"error": {"message": "Not Found", "type": "invalid_request_error"}})

    def fim_plan(self, model: str) -> StreamPlan:
        def chunk(choices: list[dict[str, Any]], **extra: Any) -> bytes:
            data = {
                "id": "60f16544-b4f2-4149-9326-79ccc6610d67",
                "choices": choices,
                "created": 1793084841,
                "model": model,
                "system_fingerprint": "e72d3c7f663d3e1383b00b3884cb4501",
                "object": "text_completion",
                **extra,
            }
            return sse(data)

        def tail(n: int) -> list[bytes]:
            usage = {
                "prompt_tokens": 12,
                "completion_tokens": n,
                "total_tokens": 12 + n,
                "prompt_tokens_details": {"cached_tokens": 0},
                "prompt_cache_hit_tokens": 0,
                "prompt_cache_miss_tokens": 12,
            }
            finish = {"text": "", "index": 0, "logprobs": None, "finish_reason": "stop"}
            return [chunk([finish]), chunk([], usage=usage), *([DONE] if self.done else [])]

        return StreamPlan(
            content_type="text/event-stream; charset=utf-8",
            prelude=[b": keep-alive\n\n"] * self.keep_alives,
            token=lambda t, n: chunk(
                [{"text": t, "index": 0, "logprobs": None, "finish_reason": None}]
            ),
            tail=tail,
            error=sse(
                {
                    "error": {
                        "message": "Server Error",
                        "type": "server_error",
                        "param": None,
                        "code": "server_error",
                    }
                }
            ),
        )

    def unauthorized(self) -> tuple[int, str, dict[str, str]]:
        error = {
            "message": "Authentication Fails, Your api key: ****abcd is invalid",
            "type": "authentication_error",
            "param": None,
            "code": "invalid_request_error",
        }
        return 401, json.dumps({"error": error}), {}

    def error_response(self, status: int, body: dict[str, Any]) -> tuple[str, dict[str, str]]:
        messages = {
            400: "Invalid Format",
            402: "Insufficient Balance",
            422: "Invalid Parameters",
            429: "Rate Limit Reached",
            500: "Server Error",
            503: "Server Overloaded",
        }
        error = {
            "message": messages.get(status, f"error {status}"),
            "type": "error",
            "param": None,
            "code": str(status),
        }
        return json.dumps({"error": error}), {}
