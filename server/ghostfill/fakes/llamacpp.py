"""A fake llama.cpp `llama-server` on 127.0.0.1: native `/infill` and `/completion` streaming SSE
with no `[DONE]` (the last event has `"stop": true` and the timings; every event has them when
the request asks for `timings_per_token`), OpenAI-compatible `/v1/chat/completions` ending in
`[DONE]`, `/v1/models`, `/health`, `/props`, `--api-key` checks, `501 not_supported_error` from
`/infill` for a model without FIM tokens, and the input validation that follows the FIM-token
check (`input_extra` must be a list: 400), as llama-server answers them."""

from __future__ import annotations

import json
from typing import Any

from ghostfill.fakes.wire import FakeServer, Recorded, Reply, RequestHandler, StreamPlan, sse

MODEL = "qwen2.5-coder-1.5b-q8_0.gguf"


def probe(body: dict[str, Any]) -> bool:
    """A capability probe: an `/infill` body the server refuses right after its FIM check."""
    return "input_extra" in body and not isinstance(body["input_extra"], list)


class FakeLlamaCpp(FakeServer):
    def __init__(
        self,
        text: str | Reply = "pass",
        *,
        fim: bool = True,
        models: tuple[str, ...] = (MODEL,),
        probes_fail: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(text, models=models, **kwargs)
        self.fim = fim
        """False: the GGUF has no FIM tokens, so /infill answers 501."""
        self.probes_fail = probes_fail
        """True: `/props` and the `/infill` probe answer 500 (a server that cannot say)."""

    def is_generation(self, path: str) -> bool:
        return path in ("/infill", "/completion", "/v1/chat/completions", "/v1/completions")

    def completion_requests(self) -> list[Recorded]:
        """Completions, not capability probes (an `/infill` whose `input_extra` is no list)."""
        return [r for r in super().completion_requests() if not probe(r.body)]

    def probes(self) -> list[Recorded]:
        return [r for r in self.requests if r.path == "/infill" and probe(r.body)]

    def props(self) -> dict[str, Any]:
        return {
            "default_generation_settings": {"n_ctx": 4096, "params": {"n_predict": -1}},
            "total_slots": 1,
            "model_alias": self.models[0],
            "model_path": f"/models/{self.models[0]}",
            "chat_template": "{% for message in messages %}...{% endfor %}",
            "build_info": "b7010-c27efd2bd",
        }

    def handle(self, h: RequestHandler, method: str, path: str, body: dict[str, Any]) -> None:
        if method == "GET" and path in ("/health", "/v1/health"):
            h.json(200, {"status": "ok"})
        elif method == "GET" and path in ("/v1/models", "/models"):
            data = [
                {"id": m, "object": "model", "created": 1762855699, "owned_by": "llamacpp"}
                for m in self.models
            ]
            h.json(200, {"object": "list", "data": data})
        elif self.probes_fail and (path == "/props" or (path == "/infill" and probe(body))):
            h.json(500, {"error": {"code": 500, "message": "busy", "type": "server_error"}})
        elif method == "POST" and path == "/infill" and not self.fim:
            error = {
                "code": 501,
                "message": "Infill is not supported by this model: prefix token is missing. ",
                "type": "not_supported_error",
            }
            h.json(501, {"error": error})
        elif method == "GET" and path == "/props":
            h.json(200, self.props())
        elif method == "POST" and path == "/infill" and probe(body):
            error = {
                "code": 400,
                "message": '"input_extra" must be an array of {"filename": string, "text": string}',
                "type": "invalid_request_error",
            }
            h.json(400, {"error": error})
        elif method == "POST" and path in ("/infill", "/completion"):
            h.stream(body, self.native_plan(body))
        elif method == "POST" and path == "/v1/chat/completions":
            h.stream(body, self.chat_plan())
        else:
            error = {"code": 404, "message": "File Not Found", "type": "not_found_error"}
            h.json(404, {"error": error})

    def native_plan(self, body: dict[str, Any]) -> StreamPlan:
        def tail(n: int) -> list[bytes]:
            final = {
                "index": 0,
                "content": "",
                "tokens": [],
                "id_slot": 0,
                "stop": True,
                "model": self.models[0],
                "tokens_predicted": n,
                "tokens_evaluated": 57,
                "generation_settings": {"n_predict": body.get("n_predict", -1), "seed": -1},
                "prompt": "",
                "has_new_line": True,
                "truncated": False,
                "stop_type": "eos",
                "stopping_word": "",
                "tokens_cached": 56,
                "timings": {
                    "cache_n": 50,
                    "prompt_n": 7,
                    "prompt_ms": 12.5,
                    "prompt_per_token_ms": 1.78,
                    "prompt_per_second": 560.0,
                    "predicted_n": n,
                    "predicted_ms": 40.0,
                    "predicted_per_token_ms": 4.4,
                    "predicted_per_second": 225.0,
                },
            }
            return [sse(final)]

        def token(text: str, n: int) -> bytes:
            event: dict[str, Any] = {
                "index": 0,
                "content": text,
                "tokens": [1102 + n],
                "stop": False,
                "id_slot": 0,
                "tokens_predicted": n + 1,
                "tokens_evaluated": 57,
            }
            if body.get("timings_per_token"):
                event["timings"] = {
                    "cache_n": 50,
                    "prompt_n": 7,
                    "prompt_ms": 12.5,
                    "predicted_n": n + 1,
                    "predicted_ms": 4.4 * (n + 1),
                }
            return sse(event)

        error = {"code": 500, "message": "slot unavailable", "type": "server_error"}
        return StreamPlan(
            content_type="text/event-stream",
            token=token,
            tail=tail,
            error=sse({"error": error}),
            partial=b'data: {"index":0,"content":"ab',
        )

    def chat_plan(self) -> StreamPlan:
        ident = "chatcmpl-rd0JN5fzYlCrafuJEy6psZhukXbBVmTK"

        def chunk(choices: list[dict[str, Any]], **extra: Any) -> bytes:
            return sse(
                {
                    "choices": choices,
                    "created": 1762855699,
                    "id": ident,
                    "model": self.models[0],
                    "system_fingerprint": "b7010-c27efd2bd",
                    "object": "chat.completion.chunk",
                    **extra,
                }
            )

        def tail(n: int) -> list[bytes]:
            usage = {"completion_tokens": n, "prompt_tokens": 84, "total_tokens": 84 + n}
            timings = {"cache_n": 83, "prompt_n": 1, "predicted_n": n}
            return [
                chunk([{"finish_reason": "stop", "index": 0, "delta": {}}]),
                chunk([], usage=usage, timings=timings),
                b"data: [DONE]\n\n",
            ]

        error = {"code": 500, "message": "slot unavailable", "type": "server_error"}
        return StreamPlan(
            content_type="text/event-stream",
            head=[
                chunk(
                    [
                        {
                            "finish_reason": None,
                            "index": 0,
                            "delta": {"role": "assistant", "content": None},
                        }
                    ]
                )
            ],
            token=lambda t, n: chunk(
                [{"finish_reason": None, "index": 0, "delta": {"content": t}}]
            ),
            tail=tail,
            error=sse({"error": error}),
        )

    def unauthorized(self) -> tuple[int, str, dict[str, str]]:
        error = {"code": 401, "message": "Invalid API Key", "type": "authentication_error"}
        return 401, json.dumps({"error": error}), {}

    def error_response(self, status: int, body: dict[str, Any]) -> tuple[str, dict[str, str]]:
        kinds = {
            400: ("invalid_request_error", "the request exceeds the available context size"),
            404: ("not_found_error", "File Not Found"),
            500: ("server_error", "Internal Server Error"),
            503: ("unavailable_error", "Loading model"),
        }
        kind, message = kinds.get(status, ("server_error", f"error {status}"))
        return json.dumps({"error": {"code": status, "message": message, "type": kind}}), {}
