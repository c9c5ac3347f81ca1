"""Anthropic Messages against its fake: x-api-key + anthropic-version, system split out,
assistant prefill of the cursor line (whitespace rules), named events, /v1/models."""

from __future__ import annotations

from dataclasses import replace

import httpx
from ghostfill.fakes.anthropic import FakeAnthropic

from tests.unit.backends.conftest import CANARY, CTX, backend, complete, prepared


async def test_messages_request(client: httpx.AsyncClient) -> None:
    with FakeAnthropic(" a + b", require_key=CANARY) as fake:
        b = backend(client, "anthropic", fake.base_url)
        prompt, _ = prepared(b)
        # The prefill ends in "return" (no trailing space); the reply's leading space is cut.
        assert await complete(b) == "a + b"
        request = fake.last()
    assert request.path == "/v1/messages"
    system = [m.content for m in prompt.messages if m.role == "system"]
    turns = [{"role": m.role, "content": m.content} for m in prompt.messages if m.role != "system"]
    assert request.body == {
        "model": "claude-haiku-4-5",
        "max_tokens": 64,
        "messages": [*turns, {"role": "assistant", "content": "<COMPLETION>    return"}],
        "temperature": 0.0,
        "stream": True,
        "system": system[0],
        "stop_sequences": ["</COMPLETION>"],
    }
    assert request.header("x-api-key") == CANARY
    assert request.header("anthropic-version") == "2023-06-01"
    assert request.header("Authorization") is None


async def test_prefill_on_an_indent_only_line(client: httpx.AsyncClient) -> None:
    ctx = replace(CTX, prefix="def add(a, b):\n    ", line_prefix="    ")
    with FakeAnthropic("    return a + b") as fake:
        b = backend(client, "anthropic", fake.base_url)
        assert await complete(b, ctx) == "return a + b"
        assert fake.last().body["messages"][-1] == {"role": "assistant", "content": "<COMPLETION>"}


async def test_refused_prefill_is_retried_without_and_remembered(client: httpx.AsyncClient) -> None:
    with FakeAnthropic("a + b", prefill=False) as fake:
        b = backend(client, "anthropic", fake.base_url)
        assert await complete(b) == "a + b"
        assert await complete(b) == "a + b"
        roles = [r.body["messages"][-1]["role"] for r in fake.completion_requests()]
    assert roles == ["assistant", "user", "user"]


async def test_models_and_warm(client: httpx.AsyncClient) -> None:
    with FakeAnthropic("x") as fake:
        b = backend(client, "anthropic", fake.base_url)
        assert await b.models() == ["claude-haiku-4-5", "claude-sonnet-4-5"]
        await b.warm()
        warm = fake.requests[-1]
    assert warm.path == "/v1/models?limit=1"
    assert warm.header("x-api-key") == CANARY


async def test_prompt_is_chat(client: httpx.AsyncClient) -> None:
    with FakeAnthropic("x") as fake:
        b = backend(client, "anthropic", fake.base_url, model="claude-haiku-4-5")
        prompt, params = prepared(b)
        assert prompt.fim is None and params.stop == ("</COMPLETION>",)
