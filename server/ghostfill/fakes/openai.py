"""A fake OpenAI-compatible provider on 127.0.0.1, in the flavour of Cerebras (default), OpenAI,
Groq, OpenRouter or vLLM.

It speaks the real wire format of each, as recorded from the providers: SSE `data:` lines;
Cerebras' finish chunk carrying `usage` and `time_info`; OpenAI's `obfuscation` padding and
`choices: []` usage chunk; Groq's `x_groq`; OpenRouter's `: OPENROUTER PROCESSING` comments;
vLLM refusing `suffix`; then `data: [DONE]` (Cerebras may omit it: `done=False`). Time to first
token and tokens/s are configurable, and every request, header and early disconnect is recorded
so tests can assert on them. Runs in a thread inside a test, or standalone for editor tests:

    python -m ghostfill.fakes.openai --port 0 --text "print('hi')"   # prints "PORT <n>"
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ghostfill.fakes.wire import (
    FakeServer,
    Fault,
    Recorded,
    Reply,
    RequestHandler,
    StreamPlan,
    serve_forever,
    sse,
)

__all__ = ["FLAVOURS", "FakeProvider", "Fault", "Recorded", "Reply"]

FLAVOURS = {
    "cerebras": "/v1",
    "openai": "/v1",
    "groq": "/openai/v1",
    "openrouter": "/api/v1",
    "vllm": "/v1",
}
CREATED = 1761231233
DONE = b"data: [DONE]\n\n"


class FakeProvider(FakeServer):
    def __init__(self, text: str | Reply = "pass", *, flavour: str = "cerebras", **kw: Any) -> None:
        """`kw`: the `FakeServer` options (ttft_ms, tokens_per_s, models, done, require_key)."""
        super().__init__(text, **kw)
        if flavour not in FLAVOURS:
            raise ValueError(f"unknown flavour {flavour!r}; one of {sorted(FLAVOURS)}")
        self.flavour = flavour
        self.base_path = FLAVOURS[flavour]

    # -- routes --------------------------------------------------------------------------

    def handle(self, h: RequestHandler, method: str, path: str, body: dict[str, Any]) -> None:
        rel = path.removeprefix(self.base_path) if path.startswith(self.base_path) else None
        if method == "GET" and rel is not None and rel.rstrip("/") == "/models":
            data = [
                {"id": m, "object": "model", "created": CREATED, "owned_by": self.flavour}
                for m in self.models
            ]
            h.json(200, {"object": "list", "data": data})
        elif method == "GET" and rel == "/tcp_warming":
            h.json(200, {})
        elif method == "POST" and rel in ("/chat/completions", "/completions"):
            self._complete(h, rel == "/chat/completions", body)
        else:
            h.json(404, self._unknown_url(method, path))

    def _unknown_url(self, method: str, path: str) -> dict[str, Any]:
        return {
            "error": {
                "message": f"Unknown request URL: {method} {path}. Please check the URL for "
                "typos, or see the docs.",
                "type": "invalid_request_error",
                "code": "unknown_url",
            }
        }

    def _complete(self, h: RequestHandler, chat: bool, body: dict[str, Any]) -> None:
        if not chat and self.flavour == "groq":
            h.json(404, self._unknown_url("POST", self.base_path + "/completions"))
            return
        if not chat and self.flavour == "vllm" and body.get("suffix") is not None:
            error = {
                "message": "suffix is not currently supported",
                "type": "BadRequestError",
                "param": None,
                "code": 400,
            }
            h.json(400, {"error": error})
            return
        if body.get("stream"):
            h.stream(body, self.plan(chat, body))
            return
        text = self.reply(body)
        if chat:
            choice: dict[str, Any] = {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": "stop",
            }
        else:
            choice = {"index": 0, "text": text, "finish_reason": "stop"}
        kind = "chat.completion" if chat else "text_completion"
        h.json(
            200,
            {
                "id": "cmpl-fake",
                "object": kind,
                "model": body.get("model", ""),
                "choices": [choice],
            },
        )

    # -- stream formats ------------------------------------------------------------------

    def plan(self, chat: bool, body: dict[str, Any]) -> StreamPlan:
        model = str(body.get("model", "fake-coder"))
        usage_wanted = bool((body.get("stream_options") or {}).get("include_usage"))
        plans = {
            "cerebras": self._plan_cerebras,
            "openai": self._plan_openai,
            "groq": self._plan_groq,
            "openrouter": self._plan_openrouter,
            "vllm": self._plan_vllm,
        }
        return plans[self.flavour](chat, model, usage_wanted, prompt_tokens(body))

    def _done(self) -> list[bytes]:
        return [DONE] if self.done else []

    def _plan_cerebras(self, chat: bool, model: str, usage_wanted: bool, sent: int) -> StreamPlan:
        def chunk(choice: dict[str, Any], **extra: Any) -> bytes:
            return sse(
                {
                    "id": "chatcmpl-07ac2555-5f70-4250-bf47-c33cb5e4e22f",
                    "choices": [choice],
                    "created": CREATED,
                    "model": model,
                    "system_fingerprint": "fp_386b539e7b02ce3613b7",
                    "object": "chat.completion.chunk" if chat else "text_completion",
                    **extra,
                }
            )

        def tail(n: int) -> list[bytes]:
            usage = {
                "prompt_tokens": sent,
                "completion_tokens": n,
                "total_tokens": sent + n,
                "prompt_tokens_details": {"cached_tokens": 0},
            }
            time_info = {
                "queue_time": 0.000533844,
                "prompt_time": 0.00128098,
                "completion_time": 0.003694258,
                "total_time": 0.007519960403442383,
                "created": 1761231233.440385,
            }
            if chat:
                finish = {"delta": {}, "finish_reason": "stop", "index": 0}
                events = [chunk({"delta": {}, "index": 0})]
            else:
                finish = {"finish_reason": "stop", "index": 0, "text": ""}
                events = []
            events.append(chunk(finish, usage=usage, time_info=time_info))
            return events + self._done()

        error = sse(
            {
                "error": {
                    "id": "err_fake",
                    "code": "internal_error",
                    "message": "Internal server error",
                    "param": None,
                    "type": "server_error",
                },
                "status_code": 500,
            }
        )
        return StreamPlan(
            content_type="text/event-stream; charset=utf-8",
            head=[chunk({"delta": {"role": "assistant"}, "index": 0})] if chat else [],
            token=lambda t, n: chunk(
                {"delta": {"content": t}, "index": 0} if chat else {"index": 0, "text": t}
            ),
            tail=tail,
            error=error,
        )

    def _plan_openai(self, chat: bool, model: str, usage_wanted: bool, sent: int) -> StreamPlan:
        def chunk(choices: list[dict[str, Any]], **extra: Any) -> bytes:
            data: dict[str, Any] = {
                "id": "chatcmpl-DuLdCoxuLDs8HRMlOuz0Bi4wgi4XJ" if chat else "cmpl-fake",
                "object": "chat.completion.chunk" if chat else "text_completion",
                "created": 1782321890,
                "model": model,
            }
            if chat:
                data.update(service_tier="default", system_fingerprint="fp_86f87dc6f1")
            data["choices"] = choices
            if chat:
                data.update(usage=None, obfuscation="dcng047mBvo6Hy")
            data.update(extra)
            return sse(data)

        def choice(content: str | None, finish: str | None, first: bool = False) -> dict[str, Any]:
            if not chat:
                return {
                    "text": content or "",
                    "index": 0,
                    "logprobs": None,
                    "finish_reason": finish,
                }
            delta: dict[str, Any] = {}
            if first:
                delta = {"role": "assistant", "content": "", "refusal": None}
            elif content is not None:
                delta = {"content": content}
            return {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}

        def tail(n: int) -> list[bytes]:
            events = [chunk([choice(None, "stop")])]
            if usage_wanted:
                usage = {"prompt_tokens": sent, "completion_tokens": n, "total_tokens": sent + n}
                events.append(chunk([], usage=usage, obfuscation=""))
            return events + self._done()

        error = {
            "message": "The server had an error while processing your request. Sorry about that!",
            "type": "server_error",
            "param": None,
            "code": None,
        }
        return StreamPlan(
            content_type="text/event-stream; charset=utf-8",
            head=[chunk([choice(None, None, first=True)])] if chat else [],
            token=lambda t, n: chunk([choice(t, None)]),
            tail=tail,
            error=sse({"error": error}),
        )

    def _plan_groq(self, chat: bool, model: str, usage_wanted: bool, sent: int) -> StreamPlan:
        ident = "chatcmpl-f07b368c-ae72-4555-9465-ae09fe4614e6"

        def chunk(choices: list[dict[str, Any]], **extra: Any) -> bytes:
            return sse(
                {
                    "id": ident,
                    "object": "chat.completion.chunk",
                    "created": 1773345612,
                    "model": model,
                    "system_fingerprint": "fp_00c37775b7",
                    "choices": choices,
                    **extra,
                }
            )

        def choice(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
            return {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}

        def tail(n: int) -> list[bytes]:
            usage = {
                "queue_time": 0.193227832,
                "prompt_tokens": sent,
                "prompt_time": 0.010710679,
                "completion_tokens": n,
                "completion_time": 0.009030045,
                "total_tokens": sent + n,
                "total_time": 0.019740724,
            }
            events = [
                chunk(
                    [choice({}, "stop")],
                    x_groq={"id": "req_01kkht58hmfqdt7taat7yqmh20", "usage": usage},
                    usage=usage,
                )
            ]
            if usage_wanted:
                events.append(chunk([], usage=usage, service_tier="on_demand"))
            return events + self._done()

        head = chunk(
            [choice({"role": "assistant", "content": ""})],
            x_groq={"id": "req_01kkht58hmfqdt7taat7yqmh20", "seed": 2139001717},
        )
        error = chunk(
            [], x_groq={"id": "req_01kkht58hmfqdt7taat7yqmh20", "error": "internal server error"}
        )
        return StreamPlan(
            content_type="text/event-stream",
            head=[head],
            token=lambda t, n: chunk([choice({"content": t})]),
            tail=tail,
            error=error,
        )

    def _plan_openrouter(self, chat: bool, model: str, usage_wanted: bool, sent: int) -> StreamPlan:
        def chunk(choice: dict[str, Any], **extra: Any) -> bytes:
            return sse(
                {
                    "id": "gen-1777319889-qNPs6PR0SRru1d3CzVF1",
                    "object": "chat.completion.chunk" if chat else "text_completion",
                    "created": 1777319889,
                    "model": model,
                    "provider": "ModelRun",
                    "choices": [choice],
                    **extra,
                }
            )

        def choice(text: str, finish: str | None) -> dict[str, Any]:
            if chat:
                return {
                    "index": 0,
                    "delta": {"content": text, "role": "assistant"},
                    "finish_reason": finish,
                    "native_finish_reason": finish,
                }
            return {"index": 0, "text": text, "finish_reason": finish}

        def tail(n: int) -> list[bytes]:
            usage = {
                "prompt_tokens": sent,
                "completion_tokens": n,
                "total_tokens": sent + n,
                "cost": 0.0005738,
                "is_byok": False,
            }
            return [chunk(choice("", "stop"), usage=usage), *self._done()]

        error = chunk(
            {"index": 0, "delta": {"content": ""}, "finish_reason": "error"},
            error={"code": "server_error", "message": "Provider disconnected unexpectedly"},
        )
        return StreamPlan(
            content_type="text/event-stream",
            prelude=[b": OPENROUTER PROCESSING\n\n", b": OPENROUTER PROCESSING\n\n"],
            token=lambda t, n: chunk(choice(t, None)),
            tail=tail,
            error=error,
        )

    def _plan_vllm(self, chat: bool, model: str, usage_wanted: bool, sent: int) -> StreamPlan:
        def chunk(choices: list[dict[str, Any]], **extra: Any) -> bytes:
            return sse(
                {
                    "id": "chatcmpl-9f2a" if chat else "cmpl-9f2a",
                    "object": "chat.completion.chunk" if chat else "text_completion",
                    "created": CREATED,
                    "model": model,
                    "choices": choices,
                    **extra,
                }
            )

        def choice(text: str | None, finish: str | None, role: bool = False) -> dict[str, Any]:
            if chat:
                delta: dict[str, Any] = {"role": "assistant", "content": ""} if role else {}
                if text is not None:
                    delta["content"] = text
                return {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
            return {
                "index": 0,
                "text": text or "",
                "logprobs": None,
                "finish_reason": finish,
                "stop_reason": None,
            }

        def tail(n: int) -> list[bytes]:
            events = [chunk([choice(None if chat else "", "stop")])]
            if usage_wanted:
                usage = {"prompt_tokens": sent, "total_tokens": sent + n, "completion_tokens": n}
                events.append(chunk([], usage=usage))
            return events + self._done()

        error = {
            "message": "engine dead",
            "type": "InternalServerError",
            "param": None,
            "code": 500,
        }
        return StreamPlan(
            content_type="text/event-stream; charset=utf-8",
            head=[chunk([choice(None, None, role=True)])] if chat else [],
            token=lambda t, n: chunk([choice(t, None)]),
            tail=tail,
            error=sse({"error": error}),
        )

    # -- errors ----------------------------------------------------------------------------

    def unauthorized(self) -> tuple[int, str, dict[str, str]]:
        bodies: dict[str, Any] = {
            "cerebras": {
                "message": "Wrong API Key",
                "type": "invalid_request_error",
                "param": "api_key",
                "code": "wrong_api_key",
            },
            "openai": {
                "error": {
                    "message": "Incorrect API key provided: sk-proj-***...SJh4. You can find "
                    "your API key at https://platform.openai.com/account/api-keys.",
                    "type": "invalid_request_error",
                    "param": None,
                    "code": "invalid_api_key",
                }
            },
            "groq": {
                "error": {
                    "message": "Invalid API Key",
                    "type": "invalid_request_error",
                    "code": "invalid_api_key",
                }
            },
            "openrouter": {"error": {"message": "No auth credentials found", "code": 401}},
            "vllm": {"error": "Unauthorized"},
        }
        return 401, json.dumps(bodies[self.flavour]), {}

    def error_response(self, status: int, body: dict[str, Any]) -> tuple[str, dict[str, str]]:
        model = body.get("model", "")
        f = self.flavour
        if status == 404:
            message = f"The model `{model}` does not exist or you do not have access to it."
            if f == "cerebras":
                data: Any = {
                    "message": f"Model {model} does not exist or you do not have access to it.",
                    "type": "not_found_error",
                    "param": "model",
                    "code": "model_not_found",
                }
            elif f == "vllm":
                data = {
                    "error": {
                        "message": f"The model `{model}` does not exist.",
                        "type": "NotFoundError",
                        "param": None,
                        "code": 404,
                    }
                }
            elif f == "openrouter":
                data = {"error": {"message": f"{model} is not a valid model ID", "code": 404}}
            else:
                data = {
                    "error": {
                        "message": message,
                        "type": "invalid_request_error",
                        "param": None,
                        "code": "model_not_found",
                    }
                }
            return json.dumps(data), {}
        if status == 429:
            return self._rate_limited(model)
        if status == 402:
            data = {"error": {"message": "Insufficient credits", "code": 402}}
            return json.dumps(data), {}
        if status >= 500:
            data = {
                "error": {
                    "message": "The server had an error while processing your request.",
                    "type": "server_error",
                    "param": None,
                    "code": None,
                }
            }
            return json.dumps(data), {}
        data = {"error": {"message": f"bad request ({status})", "type": "invalid_request_error"}}
        return json.dumps(data), {}

    def _rate_limited(self, model: str) -> tuple[str, dict[str, str]]:
        f = self.flavour
        if f == "cerebras":
            data: Any = {
                "message": "Tokens per minute limit exceeded - too many tokens processed.",
                "type": "too_many_tokens_error",
                "param": "quota",
                "code": "token_quota_exceeded",
            }
            headers = {
                "x-ratelimit-limit-requests-day": "14400",
                "x-ratelimit-limit-tokens-minute": "60000",
                "x-ratelimit-remaining-requests-day": "13000",
                "x-ratelimit-remaining-tokens-minute": "0",
                "x-ratelimit-reset-requests-day": "33011.382867097855",
                "x-ratelimit-reset-tokens-minute": "11.382867097854614",
            }
            return json.dumps(data), headers
        if f == "groq":
            data = {
                "error": {
                    "message": f"Rate limit reached for model `{model}` in organization "
                    "`org_123` on tokens per minute (TPM): Limit 5000, Used 5747, Requested "
                    "~4251. Please try again in 59.977s. Visit "
                    "https://console.groq.com/docs/rate-limits for more information.",
                    "type": "tokens",
                    "code": "rate_limit_exceeded",
                }
            }
            headers = {
                "retry-after": "2",
                "x-ratelimit-limit-requests": "14400",
                "x-ratelimit-limit-tokens": "18000",
                "x-ratelimit-remaining-requests": "14370",
                "x-ratelimit-remaining-tokens": "0",
                "x-ratelimit-reset-requests": "2m59.56s",
                "x-ratelimit-reset-tokens": "7.66s",
            }
            return json.dumps(data), headers
        data = {
            "error": {
                "message": f"Rate limit reached for {model} in organization org-fake on tokens "
                "per min (TPM): Limit 30000, Used 28039, Requested 3906. Please try again in "
                "3.89s.",
                "type": "tokens",
                "param": None,
                "code": "rate_limit_exceeded",
            }
        }
        headers = {
            "x-ratelimit-limit-requests": "5000",
            "x-ratelimit-limit-tokens": "30000",
            "x-ratelimit-remaining-requests": "4999",
            "x-ratelimit-remaining-tokens": "1961",
            "x-ratelimit-reset-requests": "12ms",
            "x-ratelimit-reset-tokens": "3.89s",
        }
        return json.dumps(data), headers


def prompt_tokens(body: dict[str, Any]) -> int:
    """What a provider would count for the request's prompt: about 4 characters a token (the
    usage the fakes report grows with the prompt, as a real server's does)."""
    prompt = body.get("messages") if body.get("messages") is not None else body.get("prompt")
    return max(len(json.dumps(prompt or "")) // 4, 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--text", default="_from_fake_backend = 42")
    parser.add_argument("--ttft-ms", type=float, default=0.0)
    parser.add_argument("--tokens-per-s", type=float, default=0.0)
    parser.add_argument("--flavour", choices=sorted(FLAVOURS), default="cerebras")
    args = parser.parse_args(argv)
    fake = FakeProvider(
        args.text, ttft_ms=args.ttft_ms, tokens_per_s=args.tokens_per_s, flavour=args.flavour
    )
    return serve_forever(fake, args.port)


if __name__ == "__main__":
    sys.exit(main())
