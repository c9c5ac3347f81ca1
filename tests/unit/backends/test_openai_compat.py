"""OpenAI-style providers against their fakes: the exact request each expects, and the stream
quirks of each (Cerebras without [DONE], Groq x_groq, OpenRouter comments, vLLM raw FIM)."""

from __future__ import annotations

import httpx
import pytest
from ghostfill.fakes.openai import FakeProvider
from ghostfill.lifecycle import waiting
from ghostfill.prompt import chat

from tests.unit.backends.conftest import CANARY, CTX, backend, chat_json, complete, prepared

REPLY = "a + b"

QWEN_FIM = (
    "<|file_sep|>util.py\ndef sub(a, b):\n    return a - b\n\n"
    "<|file_sep|>calc.py\n"
    "<|fim_prefix|>import math\n\ndef add(a, b):\n    return <|fim_suffix|>\n\nprint(add(1, 2))\n"
    "<|fim_middle|>"
)
QWEN_STOPS = [
    "<|endoftext|>",
    "<|fim_prefix|>",
    "<|fim_suffix|>",
    "<|fim_middle|>",
    "<|fim_pad|>",
    "<|repo_name|>",
    "<|file_sep|>",
    "<|im_start|>",
    "<|im_end|>",
]


def chat_body(
    prompt_messages: list[dict[str, str]], max_field: str, **extra: object
) -> dict[str, object]:
    return {
        "model": "fake-coder",
        "messages": prompt_messages,
        "stream": True,
        "temperature": 0.0,
        max_field: 64,
        "stop": ["</COMPLETION>"],
        **extra,
    }


@pytest.mark.parametrize(
    ("flavour", "provider", "path", "max_field"),
    [
        ("cerebras", "cerebras", "/v1/chat/completions", "max_completion_tokens"),
        ("groq", "groq", "/openai/v1/chat/completions", "max_completion_tokens"),
        ("openai", "openai", "/v1/chat/completions", "max_completion_tokens"),
        ("openrouter", "openrouter", "/api/v1/chat/completions", "max_tokens"),
        ("vllm", "vllm", "/v1/chat/completions", "max_tokens"),
        ("openai", "openai-compatible", "/v1/chat/completions", "max_tokens"),
    ],
)
async def test_chat_request_is_exactly_what_the_provider_expects(
    client: httpx.AsyncClient, flavour: str, provider: str, path: str, max_field: str
) -> None:
    with FakeProvider(REPLY, flavour=flavour, require_key=CANARY) as fake:
        b = backend(client, provider, fake.base_url, model="fake-coder")
        prompt, _ = prepared(b)
        assert prompt.fim is None and prompt.stop == chat.STOP
        assert await complete(b) == REPLY
        request = fake.last()
    assert request.path == path
    assert request.body == chat_body(chat_json(prompt), max_field)
    assert request.header("Authorization") == f"Bearer {CANARY}"
    assert request.header("Content-Type") == "application/json"
    assert (
        request.header(
            "User-Agent",
        )
        == "ghostfill/0.1.0"
    )
    assert request.header("Accept-Encoding") == "identity"  # a compressor would hold text back
    assert (request.header("X-Title") == "ghostfill") is (provider == "openrouter")
    assert "{{FILL_HERE}}" in request.body["messages"][-1]["content"]  # type: ignore[index]


async def test_cerebras_gpt_oss_keeps_reasoning_short(client: httpx.AsyncClient) -> None:
    with FakeProvider(REPLY, flavour="cerebras") as fake:
        b = backend(client, "cerebras", fake.base_url)
        assert b.config.model == "gpt-oss-120b"
        prompt, _ = prepared(b)
        assert await complete(b) == REPLY
        body = fake.last().body
    assert body == {
        "model": "gpt-oss-120b",
        "messages": chat_json(prompt),
        "stream": True,
        "temperature": 0.0,
        "max_completion_tokens": 64,
        "stop": ["</COMPLETION>"],
        "reasoning_effort": "low",
    }


async def test_cerebras_stream_without_done_ends_at_the_finish_chunk(
    client: httpx.AsyncClient,
) -> None:
    with FakeProvider("return a + b\n", flavour="cerebras", done=False) as fake:
        b = backend(client, "cerebras", fake.base_url, model="fake-coder")
        assert await complete(b) == "return a + b\n"


@pytest.mark.parametrize("flavour", ["cerebras", "openai", "vllm"])
async def test_unicode_line_breaks_in_the_text_stay_inside_their_event(
    client: httpx.AsyncClient, flavour: str
) -> None:
    """Providers send the text's UTF-8 unescaped: U+2028, U+2029, U+0085, form feed and
    vertical tab end lines for `str.splitlines` but not in SSE, where only CR and LF do."""
    text = "s = 'a\u2028b\u2029c\x85d\x0ce\x0bf'\n"
    with FakeProvider(text, flavour=flavour) as fake:
        b = backend(client, "openai-compatible", fake.base_url, model="fake-coder")
        assert await complete(b) == text


async def test_cerebras_chat_only_models_even_with_a_coder_name(client: httpx.AsyncClient) -> None:
    with FakeProvider(REPLY, flavour="cerebras") as fake:
        b = backend(client, "cerebras", fake.base_url, model="qwen-3-coder-480b")
        await complete(b)
        assert fake.last().path == "/v1/chat/completions"


async def test_cerebras_raw_fim_when_the_template_is_named(client: httpx.AsyncClient) -> None:
    with FakeProvider(REPLY, flavour="cerebras", done=False) as fake:
        b = backend(client, "cerebras", fake.base_url, model="qwen-3-coder-480b", template="qwen")
        prompt, _ = prepared(b)
        assert prompt.fim == QWEN_FIM
        assert await complete(b) == REPLY
        request = fake.last()
    assert request.path == "/v1/completions"
    assert request.body == {
        "model": "qwen-3-coder-480b",
        "prompt": QWEN_FIM,
        "stream": True,
        "temperature": 0.0,
        "max_tokens": 64,
        "stop": QWEN_STOPS[:4],
    }


async def test_vllm_fim_model_gets_raw_fim_without_suffix(client: httpx.AsyncClient) -> None:
    with FakeProvider(REPLY, flavour="vllm") as fake:
        b = backend(client, "vllm", fake.base_url, key="")
        assert b.config.model == "Qwen/Qwen2.5-Coder-1.5B"
        assert await complete(b) == REPLY
        request = fake.last()
    assert request.path == "/v1/completions"
    assert request.body == {
        "model": "Qwen/Qwen2.5-Coder-1.5B",
        "prompt": QWEN_FIM,
        "stream": True,
        "temperature": 0.0,
        "max_tokens": 64,
        "stop": QWEN_STOPS,
    }
    assert request.header("Authorization") is None


async def test_groq_x_groq_and_usage_chunks_are_not_text(client: httpx.AsyncClient) -> None:
    def reply(body: dict[str, object]) -> str:
        return "x = 1"

    with FakeProvider(reply, flavour="groq", chars_per_token=1) as fake:
        b = backend(client, "groq", fake.base_url, model="fake-coder")
        prompt, params = prepared(b)
        chunks = [t async for t in b.stream(prompt, params)]
    assert chunks == list("x = 1")


async def test_openrouter_processing_comments_are_skipped(client: httpx.AsyncClient) -> None:
    with FakeProvider(REPLY, flavour="openrouter", ttft_ms=20) as fake:
        b = backend(client, "openrouter", fake.base_url, model="fake-coder")
        assert await complete(b) == REPLY


@pytest.mark.parametrize(
    ("flavour", "provider", "warm_path"),
    [
        ("cerebras", "cerebras", "/v1/tcp_warming"),
        ("groq", "groq", "/openai/v1/models"),
        ("openrouter", "openrouter", "/api/v1/models"),
        ("vllm", "vllm", "/v1/models"),
    ],
)
async def test_models_and_warm(
    client: httpx.AsyncClient, flavour: str, provider: str, warm_path: str
) -> None:
    with FakeProvider(REPLY, flavour=flavour, models=("m-b", "m-a")) as fake:
        b = backend(client, provider, fake.base_url, model="m-a")
        assert await b.models() == ["m-a", "m-b"]
        await b.warm()
        warm = fake.requests[-1]
    assert (warm.method, warm.path) == ("GET", warm_path)
    assert warm.header("Authorization") == f"Bearer {CANARY}"


async def test_warm_never_fails(client: httpx.AsyncClient) -> None:
    b = backend(client, "cerebras", "http://127.0.0.1:9/v1")
    await b.warm()


async def test_leaving_early_closes_the_stream(client: httpx.AsyncClient) -> None:
    with FakeProvider("x" * 4000, flavour="cerebras", chars_per_token=1, tokens_per_s=2000) as fake:
        b = backend(client, "cerebras", fake.base_url, model="fake-coder")
        prompt, params = prepared(b)
        stream = b.stream(prompt, params)
        assert await anext(stream) == "x"
        await stream.aclose()  # type: ignore[attr-defined]
        assert fake.completed == 0
    assert CTX.prefix  # the context is untouched


async def test_the_waiting_work_runs_once_after_the_request_is_sent_before_the_first_token(
    client: httpx.AsyncClient,
) -> None:
    """The pipeline's preparers run while the provider thinks: queued when the request's
    body is on the wire (httpx's trace hook), so they meet no token yet."""
    events: list[str] = []
    with FakeProvider(REPLY, ttft_ms=150) as fake:
        b = backend(client, "openai-compatible", fake.base_url, model="fake-coder")
        prompt, params = prepared(b)
        waiting.WHILE_WAITING.set(lambda: events.append("work"))
        try:
            async for token in b.stream(prompt, params):
                events.append(token)
        finally:
            waiting.WHILE_WAITING.set(None)
        assert len(fake.completion_requests()) == 1
    assert events[0] == "work" and events.count("work") == 1
    assert "".join(events[1:]) == REPLY
