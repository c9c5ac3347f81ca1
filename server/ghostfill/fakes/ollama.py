"""A fake Ollama on 127.0.0.1: native `/api/generate` and `/api/chat` streaming NDJSON that ends
with a `"done": true` object carrying the stats, `/api/tags`, model loading on an empty prompt,
and `400 "... does not support insert"` for models whose template has no `.Suffix`
(the recorded wire format of Ollama)."""

from __future__ import annotations

import json
from typing import Any

from ghostfill.fakes.wire import FakeServer, Reply, RequestHandler, StreamPlan

STAMP = "2025-10-26T17:15:24.097767Z"


def _line(data: dict[str, Any]) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode() + b"\n"


class FakeOllama(FakeServer):
    def __init__(
        self,
        text: str | Reply = "pass",
        *,
        models: tuple[str, ...] = ("qwen2.5-coder:1.5b-base", "llama3.2:latest"),
        no_insert: tuple[str, ...] = ("llama3.2:latest",),
        **kwargs: Any,
    ) -> None:
        super().__init__(text, models=models, **kwargs)
        self.no_insert = no_insert
        """Models whose template lacks `.Suffix`: a request with `suffix` gets a 400."""

    def is_generation(self, path: str) -> bool:
        return path in ("/api/generate", "/api/chat")

    def completion_requests(self) -> list[Any]:
        # An empty prompt only loads the model (warm-up); it is not a completion.
        return [
            r
            for r in super().completion_requests()
            if r.body.get("prompt") or r.body.get("messages")
        ]

    def handle(self, h: RequestHandler, method: str, path: str, body: dict[str, Any]) -> None:
        if method == "GET" and path == "/api/tags":
            h.json(200, {"models": [self._tag(m) for m in self.models]})
            return
        if method == "GET" and path == "/":
            h.raw(200, "Ollama is running", {"Content-Type": "text/plain; charset=utf-8"})
            return
        if method != "POST" or not self.is_generation(path):
            h.raw(404, "404 page not found", {"Content-Type": "text/plain"})
            return
        model = str(body.get("model", ""))
        if model not in self.models:
            h.json(404, {"error": f"model '{model}' not found"})
            return
        chat = path == "/api/chat"
        if not chat and body.get("raw") and (body.get("template") or body.get("system")):
            h.json(400, {"error": "raw mode does not support template, system, or context"})
            return
        if not chat and body.get("suffix") and not body.get("raw") and model in self.no_insert:
            h.json(400, {"error": f"registry.ollama.ai/library/{model} does not support insert"})
            return
        if not chat and not body.get("prompt"):
            h.json(
                200,
                {
                    "model": model,
                    "created_at": STAMP,
                    "response": "",
                    "done": True,
                    "done_reason": "load",
                },
            )
            return
        if body.get("stream", True) is False:
            h.json(
                200,
                {"model": model, "created_at": STAMP, "response": self.reply(body), "done": True},
            )
            return
        h.stream(body, self.plan(chat, model))

    def plan(self, chat: bool, model: str) -> StreamPlan:
        def piece(text: str) -> dict[str, Any]:
            if chat:
                return {"message": {"role": "assistant", "content": text}}
            return {"response": text}

        def tail(n: int) -> list[bytes]:
            final = {
                "model": model,
                "created_at": STAMP,
                **piece(""),
                "done": True,
                "done_reason": "stop",
            }
            if not chat:
                final["context"] = [1, 2, 3]
            final.update(
                total_duration=10706818083,
                load_duration=6338219291,
                prompt_eval_count=26,
                prompt_eval_duration=130079000,
                eval_count=n,
                eval_duration=4232710000,
            )
            return [_line(final)] if self.done else []

        return StreamPlan(
            content_type="application/x-ndjson",
            token=lambda t, n: _line(
                {"model": model, "created_at": STAMP, **piece(t), "done": False}
            ),
            tail=tail,
            error=_line({"error": "an error was encountered while running the model"}),
            malformed=b"{not json\n",
            partial=b'{"model":"' + model.encode() + b'","response":"ab',
        )

    def _tag(self, name: str) -> dict[str, Any]:
        return {
            "name": name,
            "model": name,
            "modified_at": "2025-10-01T12:00:00.000000+00:00",
            "size": 986061892,
            "digest": "a" * 64,
            "details": {
                "format": "gguf",
                "family": "qwen2",
                "parameter_size": "1.5B",
                "quantization_level": "Q4_K_M",
            },
        }

    def unauthorized(self) -> tuple[int, str, dict[str, str]]:
        return 401, json.dumps({"error": "unauthorized"}), {}

    def error_response(self, status: int, body: dict[str, Any]) -> tuple[str, dict[str, str]]:
        messages = {
            404: f"model '{body.get('model', '')}' not found",
            429: "too many requests",
            500: "llama runner process has terminated: exit status 2",
            502: "bad gateway",
            503: "server busy, please try again.  maximum pending requests exceeded",
        }
        return json.dumps({"error": messages.get(status, f"error {status}")}), {}
