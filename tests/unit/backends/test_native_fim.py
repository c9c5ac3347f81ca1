"""Codestral's /v1/fim/completions and DeepSeek's beta /completions against their fakes."""

from __future__ import annotations

import httpx
from ghostfill.fakes.fim import FakeCodestral, FakeDeepSeek

from tests.unit.backends.conftest import CANARY, backend, chat_json, complete, prepared

REPLY = "a + b"
PREFIX = "import math\n\ndef add(a, b):\n    return "
SUFFIX = "\n\nprint(add(1, 2))\n"


async def test_codestral_fim_request(client: httpx.AsyncClient) -> None:
    with FakeCodestral(REPLY, require_key=CANARY) as fake:
        b = backend(client, "codestral", fake.base_url)
        prompt, _ = prepared(b)
        assert prompt.fim is not None and prompt.stop == ()
        assert await complete(b) == REPLY
        request = fake.last()
    assert request.path == "/v1/fim/completions"
    assert request.body == {
        "model": "codestral-latest",
        "prompt": PREFIX,
        "suffix": SUFFIX,
        "stream": True,
        "temperature": 0.0,
        "max_tokens": 64,
    }
    assert request.header("Authorization") == f"Bearer {CANARY}"
    assert request.header("Accept") == "text/event-stream"


async def test_codestral_chat_template(client: httpx.AsyncClient) -> None:
    with FakeCodestral(REPLY) as fake:
        b = backend(client, "codestral", fake.base_url, template="chat")
        prompt, _ = prepared(b)
        assert await complete(b) == REPLY
        request = fake.last()
    assert request.path == "/v1/chat/completions"
    assert request.body == {
        "model": "codestral-latest",
        "messages": chat_json(prompt),
        "stream": True,
        "temperature": 0.0,
        "max_tokens": 64,
        "stop": ["</COMPLETION>"],
    }


async def test_codestral_models_and_warm(client: httpx.AsyncClient) -> None:
    with FakeCodestral(REPLY) as fake:
        b = backend(client, "codestral", fake.base_url)
        assert await b.models() == ["codestral-2508", "codestral-latest"]
        await b.warm()
        assert fake.requests[-1].path == "/v1/models"


async def test_deepseek_fim_request_with_keep_alives(client: httpx.AsyncClient) -> None:
    with FakeDeepSeek(REPLY, require_key=CANARY, ttft_ms=20) as fake:
        b = backend(client, "deepseek", fake.base_url)
        assert b.config.base_url.endswith("/beta")
        assert await complete(b) == REPLY
        request = fake.last()
    assert request.path == "/beta/completions"
    assert request.body == {
        "model": "deepseek-v4-flash",
        "prompt": PREFIX,
        "suffix": SUFFIX,
        "stream": True,
        "temperature": 0.0,
        "max_tokens": 64,
    }
    assert request.header("Authorization") == f"Bearer {CANARY}"


async def test_deepseek_caps_max_tokens_at_4k(client: httpx.AsyncClient) -> None:
    from ghostfill.model import GenerationParams

    with FakeDeepSeek(REPLY) as fake:
        b = backend(client, "deepseek", fake.base_url)
        prompt, _ = prepared(b)
        text = "".join([t async for t in b.stream(prompt, GenerationParams(max_tokens=9000))])
        assert text == REPLY
        assert fake.last().body["max_tokens"] == 4096


async def test_deepseek_models_live_at_the_root(client: httpx.AsyncClient) -> None:
    with FakeDeepSeek(REPLY) as fake:
        b = backend(client, "deepseek", fake.base_url)
        assert await b.models() == ["deepseek-v4-flash", "deepseek-v4-pro"]
        await b.warm()
        assert fake.requests[-1].path == "/models"
