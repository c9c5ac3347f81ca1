"""The Responses API wire over real HTTP SSE against the fake: exact bodies, events, errors,
reasoning-effort and temperature adaptation, and the chat -> responses switch."""

from __future__ import annotations

import dataclasses
import logging

import httpx
import pytest
from ghostfill.backends.responses import Responses, cache_key
from ghostfill.backends.wires import OpenAIWires
from ghostfill.errors import AuthError, BackendError, BackendUnavailable, StreamError
from ghostfill.fakes.responses import FakeResponses
from ghostfill.fakes.wire import Fault
from ghostfill.prompt import chat

from tests.unit.backends.conftest import (
    CANARY,
    CTX,
    backend,
    chat_json,
    complete,
    no_canary,
    prepared,
)

SPARK = "gpt-5.3-codex-spark"


def wires(
    client: httpx.AsyncClient, fake: FakeResponses, model: str = SPARK, **config: str
) -> OpenAIWires:
    b = backend(client, "openai-compatible", fake.base_url, model=model, transport="http", **config)
    assert isinstance(b, OpenAIWires)
    return b


async def test_spark_request_body_is_exact(client: httpx.AsyncClient) -> None:
    with FakeResponses("a + b") as fake:
        b = wires(client, fake)
        assert b.wire == "responses" and b.transport == "http"
        prompt, _ = prepared(b)
        assert await complete(b) == "a + b"
    sent = fake.last()
    assert sent.path == "/v1/responses"
    assert sent.header("authorization") == f"Bearer {CANARY}"
    messages = chat_json(prompt)
    assert sent.body == {
        "model": SPARK,
        "instructions": chat.SYSTEM,
        "input": messages[1:],
        "store": False,
        "max_output_tokens": 64 + 256,
        "prompt_cache_key": cache_key(prompt),
        "reasoning": {"effort": "low"},
        "stream": True,
    }
    assert messages[0] == {"role": "system", "content": chat.SYSTEM}


async def test_plain_model_on_responses_sends_temperature_and_no_reasoning(
    client: httpx.AsyncClient,
) -> None:
    with FakeResponses("x") as fake:
        b = wires(client, fake, model="gpt-4.1-nano", wire="responses")
        await complete(b)
    body = fake.last().body
    assert body["temperature"] == 0.0 and "reasoning" not in body
    assert body["max_output_tokens"] == 64


def test_cache_key_is_stable_per_file_and_reveals_nothing() -> None:
    one = prepared_prompt("/home/alice/project/calc.py")
    assert cache_key(one) == cache_key(prepared_prompt("/home/alice/project/calc.py"))
    assert cache_key(one) != cache_key(prepared_prompt("/home/alice/project/other.py"))
    assert "alice" not in cache_key(one) and "calc" not in cache_key(one)
    assert len(cache_key(one)) <= 64  # OpenAI's limit on prompt_cache_key


def prepared_prompt(path: str):  # type: ignore[no-untyped-def]
    from ghostfill.prompt.render import render

    return render(dataclasses.replace(CTX, path=path), model=SPARK)


async def test_usage_and_cached_tokens_are_read(client: httpx.AsyncClient) -> None:
    big = dataclasses.replace(CTX, prefix=CTX.prefix * 400)
    with FakeResponses("z") as fake:
        b = wires(client, fake)
        await complete(b, big)
        assert b.responses.usage.cached_tokens == 0 and b.responses.usage.input_tokens > 1024
        await complete(b, big)
    assert b.responses.usage.cached_tokens >= 1024
    assert b.responses.usage.output_tokens == 1


async def test_rejected_effort_steps_down_and_is_remembered(client: httpx.AsyncClient) -> None:
    with FakeResponses("ok", reject=("reasoning.effort",)) as fake:
        b = wires(client, fake)
        assert await complete(b) == "ok"
        assert await complete(b) == "ok"
    bodies = [r.body for r in fake.completion_requests()]
    assert [("reasoning" in body) for body in bodies] == [True, False, False]


async def test_rejected_temperature_is_dropped(client: httpx.AsyncClient) -> None:
    with FakeResponses("ok", reject=("temperature",)) as fake:
        b = wires(client, fake, model="gpt-4.1-nano", wire="responses")
        assert await complete(b) == "ok"
    assert ["temperature" in r.body for r in fake.completion_requests()] == [True, False]


async def test_auto_switches_from_chat_to_responses_and_remembers(
    client: httpx.AsyncClient,
) -> None:
    with FakeResponses("a + b", responses_only=r"house-model") as fake:
        b = wires(client, fake, model="house-model-1")
        assert b.wire == "chat"
        assert await complete(b) == "a + b"
        assert b.wire == "responses"
        assert await complete(b) == "a + b"
    paths = [r.path for r in fake.completion_requests()]
    assert paths == ["/v1/chat/completions", "/v1/responses", "/v1/responses"]


async def test_wire_chat_is_not_switched(client: httpx.AsyncClient) -> None:
    with FakeResponses("x") as fake:
        b = wires(client, fake, wire="chat")
        with pytest.raises(BackendError) as err:
            await complete(b)
    assert "only supported in v1/responses" in err.value.user_message
    assert [r.path for r in fake.completion_requests()] == ["/v1/chat/completions"]


async def test_wire_completions_sends_raw_fim(client: httpx.AsyncClient) -> None:
    with FakeResponses("a + b") as fake:
        b = wires(client, fake, model="qwen2.5-coder-1.5b", wire="completions")
        await complete(b)
    sent = fake.last()
    assert sent.path == "/v1/completions" and "<|fim_prefix|>" in sent.body["prompt"]


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (Fault(mid_stream_error=True), BackendUnavailable),
        (Fault(eof_early=True), StreamError),
        (Fault(truncate=True), StreamError),
        (Fault(status=401), AuthError),
    ],
)
async def test_failures_map_into_the_error_tree(
    client: httpx.AsyncClient,
    fault: Fault,
    error: type[BackendError],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    with FakeResponses("one two three four five six") as fake:
        fake.fault = fault
        b = wires(client, fake)
        with pytest.raises(error) as raised:
            await complete(b)
    no_canary(raised.value.user_message, caplog.text)


async def test_responses_backend_is_the_http_wire_alone(client: httpx.AsyncClient) -> None:
    with FakeResponses("x") as fake:
        b = wires(client, fake)
        assert isinstance(b.responses, Responses) and b.responses.socket is None
        assert b.responses.transport == "http"
