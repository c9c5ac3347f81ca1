"""Every preset end to end: the real `ghostfill serve`, configured with the preset and its fake's
URL, answers an inline completion from that fake, and the fake saw exactly the request the
provider expects. The editor passes the key at initialize; it must never reach the client."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from ghostfill.fakes.anthropic import FakeAnthropic
from ghostfill.fakes.fim import FakeCodestral, FakeDeepSeek
from ghostfill.fakes.llamacpp import FakeLlamaCpp
from ghostfill.fakes.ollama import FakeOllama
from ghostfill.fakes.openai import FakeProvider
from ghostfill.fakes.responses import FakeResponses
from ghostfill.fakes.wire import FakeServer, Recorded
from pytest_lsp import LanguageClient

from tests.e2e.conftest import inline, open_doc, start

CANARY = "sk-CANARY-e2e-0123456789abcdefghijklmnop"
SOURCE = "def add(a, b):\n    \n\n\nprint(add(1, 2))\n"
REPLY = "return a + b"
MAX_TOKENS = 128  # backend.maxTokens default


def chat_body(max_field: str, **extra: Any) -> Callable[[Recorded], None]:
    def check(request: Recorded) -> None:
        body = dict(request.body)
        messages = body.pop("messages")
        assert body == {
            "model": body["model"],
            "stream": True,
            "temperature": 0.0,
            max_field: MAX_TOKENS,
            "stop": ["</COMPLETION>"],
            **extra,
        }
        assert messages[0]["role"] == "system"
        assert "def add(a, b):\n    {{FILL_HERE}}" in messages[-1]["content"]
        assert request.header("Authorization") == f"Bearer {CANARY}"

    return check


def raw_fim(request: Recorded) -> None:
    body = dict(request.body)
    prompt = body.pop("prompt")
    assert prompt.startswith("<|") and prompt.endswith(
        "def add(a, b):\n    <|fim_suffix|>\n\n\nprint(add(1, 2))\n<|fim_middle|>"
    )
    assert body["stop"][0] == "<|endoftext|>"
    del body["stop"]
    assert body == {
        "model": body["model"],
        "stream": True,
        "temperature": 0.0,
        "max_tokens": MAX_TOKENS,
    }


def prefix_suffix(request: Recorded) -> None:
    body = dict(request.body)
    assert body.pop("prompt").endswith("def add(a, b):\n    ")
    assert body.pop("suffix").startswith("\n\n\nprint(add(1, 2))")
    assert body == {
        "model": body["model"],
        "stream": True,
        "temperature": 0.0,
        "max_tokens": MAX_TOKENS,
    }
    assert request.header("Authorization") == f"Bearer {CANARY}"


def ollama(request: Recorded) -> None:
    body = dict(request.body)
    assert body.pop("prompt").endswith("def add(a, b):\n    ")
    assert body.pop("suffix").startswith("\n\n\nprint(add(1, 2))")
    assert body == {
        "model": "qwen2.5-coder:1.5b-base",
        "stream": True,
        "keep_alive": "30m",
        "options": {"num_predict": MAX_TOKENS, "temperature": 0.0, "num_ctx": 8192},
    }


def llamacpp(request: Recorded) -> None:
    body = dict(request.body)
    assert body.pop("input_prefix").endswith("def add(a, b):\n")
    assert body.pop("input_suffix").startswith("\n\n\nprint(add(1, 2))")
    assert isinstance(body.pop("input_extra"), list)
    assert body == {
        "prompt": "    ",
        "n_predict": MAX_TOKENS,
        "temperature": 0.0,
        "stream": True,
        "cache_prompt": True,
        "timings_per_token": True,
    }


def anthropic(request: Recorded) -> None:
    body = dict(request.body)
    messages = body.pop("messages")
    assert isinstance(body.pop("system"), str)
    assert body == {
        "model": "claude-haiku-4-5",
        "max_tokens": MAX_TOKENS,
        "temperature": 0.0,
        "stream": True,
        "stop_sequences": ["</COMPLETION>"],
    }
    assert messages[-1] == {"role": "assistant", "content": "<COMPLETION>"}
    assert "def add(a, b):\n    {{FILL_HERE}}" in messages[-2]["content"]
    assert request.header("x-api-key") == CANARY
    assert request.header("anthropic-version") == "2023-06-01"


@dataclass(frozen=True)
class Case:
    preset: str
    fake: Callable[[], FakeServer]
    path: str
    check: Callable[[Recorded], None]
    model: str = ""


def _openai(flavour: str, models: tuple[str, ...] = ("fake-coder",)) -> Callable[[], FakeServer]:
    return lambda: FakeProvider(REPLY, flavour=flavour, require_key=CANARY, models=models)


def _responses() -> FakeServer:
    return FakeResponses(REPLY, require_key=CANARY)


def responses_body(request: Recorded) -> None:
    """Codex-Spark over the Responses API's WebSocket mode: one `response.create` message."""
    body = dict(request.body)
    messages = body.pop("input")
    assert request.method == "WS"
    assert body == {
        "type": "response.create",
        "model": "gpt-5.3-codex-spark",
        "instructions": body["instructions"],
        "store": False,
        "max_output_tokens": MAX_TOKENS + 256,
        "prompt_cache_key": body["prompt_cache_key"],
        "reasoning": {"effort": "low"},
    }
    assert body["prompt_cache_key"].startswith("ghostfill-")
    assert "HOLE FILLER" in body["instructions"]
    assert "def add(a, b):\n    {{FILL_HERE}}" in messages[-1]["content"]
    assert request.header("Authorization") == f"Bearer {CANARY}"


CASES = [
    Case(
        "cerebras",
        _openai("cerebras", ("gpt-oss-120b", "llama3.1-8b")),
        "/v1/chat/completions",
        chat_body("max_completion_tokens", reasoning_effort="low"),
    ),
    Case(
        "groq", _openai("groq"), "/openai/v1/chat/completions", chat_body("max_completion_tokens")
    ),
    Case("openai", _responses, "/v1/responses", responses_body),
    Case(
        "openai",
        _openai("openai"),
        "/v1/chat/completions",
        chat_body("max_completion_tokens"),
        model="gpt-4.1-nano",
    ),
    Case(
        "openrouter",
        _openai("openrouter"),
        "/api/v1/chat/completions",
        chat_body("max_tokens"),
        model="meta-llama/llama-3.1-8b-instruct",
    ),
    Case("vllm", _openai("vllm", ("Qwen/Qwen2.5-Coder-1.5B",)), "/v1/completions", raw_fim),
    Case(
        "openai-compatible",
        _openai("openai"),
        "/v1/chat/completions",
        chat_body("max_tokens"),
        "fake-coder",
    ),
    Case("ollama", lambda: FakeOllama(REPLY), "/api/generate", ollama),
    Case("llamacpp", lambda: FakeLlamaCpp(REPLY, require_key=CANARY), "/infill", llamacpp),
    Case(
        "codestral",
        lambda: FakeCodestral(REPLY, require_key=CANARY),
        "/v1/fim/completions",
        prefix_suffix,
    ),
    Case(
        "deepseek",
        lambda: FakeDeepSeek(REPLY, require_key=CANARY),
        "/beta/completions",
        prefix_suffix,
    ),
    Case("anthropic", lambda: FakeAnthropic(REPLY, require_key=CANARY), "/v1/messages", anthropic),
]


@pytest.mark.parametrize(
    "case", CASES, ids=[c.preset + (f"-{c.model}" if c.model else "") for c in CASES]
)
async def test_preset_completes_through_the_real_server(
    client: LanguageClient, workspace: Path, case: Case
) -> None:
    with case.fake() as fake:
        backend: dict[str, Any] = {
            "provider": case.preset,
            "baseUrl": fake.base_url,
            "timeoutMs": 3000,
        }
        if case.model:
            backend["model"] = case.model
        options = {"backend": backend, "completion": {"debounceMs": 0}, "apiKey": CANARY}
        await start(client, workspace, options)
        uri = open_doc(client, workspace / "calc.py", SOURCE)
        result = await inline(client, uri, 1, 4)
        assert result is not None and len(result.items) == 1, fake.requests
        assert result.items[0].insert_text == "    return a + b"
        request = fake.last()
        assert request.path == case.path
        case.check(request)
        models = await client.protocol.send_request_async("ghostfill/models", {})
        assert list(models.models) == sorted(fake.models)
        assert models.error is None
    shown = [m.message for m in client.messages] + [m.message for m in client.log_messages]
    assert not any(CANARY in m or CANARY[10:30] in m for m in shown)
