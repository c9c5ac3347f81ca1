"""Ollama's native API against its fake: `suffix` FIM, raw FIM when the template lacks
`.Suffix`, chat for models that can do neither, NDJSON `done: true`, /api/tags, warm load,
keep_alive and a num_ctx that fits the prompt."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest
from ghostfill.backends.usage import Meter
from ghostfill.errors import BackendError, StreamError
from ghostfill.fakes.ollama import FakeOllama
from ghostfill.fakes.wire import Fault
from ghostfill.prompt import chat

from tests.unit.backends.conftest import CTX, backend, chat_json, complete, prepared

REPLY = "a + b"
QWEN_FIM = (
    "<|file_sep|>util.py\ndef sub(a, b):\n    return a - b\n\n<|file_sep|>calc.py\n"
    "<|fim_prefix|>import math\n\ndef add(a, b):\n    return <|fim_suffix|>\n\nprint(add(1, 2))\n"
    "<|fim_middle|>"
)


async def test_native_suffix_request(client: httpx.AsyncClient) -> None:
    with FakeOllama(REPLY) as fake:
        b = backend(client, "ollama", fake.base_url, key="")
        prompt, _ = prepared(b)
        assert prompt.fim is not None and prompt.stop == ()
        assert await complete(b) == REPLY
        request = fake.last()
    assert request.path == "/api/generate"
    assert request.body == {
        "model": "qwen2.5-coder:1.5b-base",
        "prompt": "import math\n\ndef add(a, b):\n    return ",
        "suffix": "\n\nprint(add(1, 2))\n",
        "stream": True,
        "options": {"num_predict": 64, "temperature": 0.0, "num_ctx": 8192},
        "keep_alive": "30m",
    }
    assert request.header("Authorization") is None


async def test_empty_suffix_is_sent_as_a_newline(client: httpx.AsyncClient) -> None:
    """Ollama only uses the FIM template when the suffix is non-empty."""
    from dataclasses import replace

    with FakeOllama(REPLY) as fake:
        b = backend(client, "ollama", fake.base_url, key="")
        await complete(b, replace(CTX, suffix=""))
        assert fake.last().body["suffix"] == "\n"


async def test_no_insert_with_known_family_falls_back_to_raw_fim(client: httpx.AsyncClient) -> None:
    with FakeOllama(REPLY, models=("qwen2.5-coder:7b",), no_insert=("qwen2.5-coder:7b",)) as fake:
        b = backend(client, "ollama", fake.base_url, key="", model="qwen2.5-coder:7b")
        assert await complete(b) == REPLY
        first, second = fake.completion_requests()
        # Learned: the next request goes straight to raw FIM.
        prompt, _ = prepared(b)
        assert prompt.fim == QWEN_FIM and prompt.stop[0] == "<|endoftext|>"
        await complete(b)
        third = fake.last()
    assert "suffix" in first.body
    assert (
        second.body
        == third.body
        == {
            "model": "qwen2.5-coder:7b",
            "prompt": QWEN_FIM,
            "raw": True,
            "stream": True,
            "options": {
                "num_predict": 64,
                "temperature": 0.0,
                "num_ctx": 8192,
                "stop": list(prompt.stop),
            },
            "keep_alive": "30m",
        }
    )


async def test_no_insert_without_family_says_so_then_uses_chat(client: httpx.AsyncClient) -> None:
    with FakeOllama(REPLY) as fake:
        b = backend(client, "ollama", fake.base_url, key="", model="llama3.2:latest")
        with pytest.raises(BackendError) as caught:
            await complete(b)
        assert "cannot fill in the middle" in caught.value.user_message
        prompt, _ = prepared(b)
        assert prompt.fim is None
        assert await complete(b) == REPLY
        request = fake.last()
    assert request.path == "/api/chat"
    assert request.body == {
        "model": "llama3.2:latest",
        "messages": chat_json(prompt),
        "stream": True,
        "options": {
            "num_predict": 64,
            "temperature": 0.0,
            "num_ctx": 8192,
            "stop": list(chat.STOP),
        },
        "keep_alive": "30m",
    }


async def test_template_chat_uses_api_chat(client: httpx.AsyncClient) -> None:
    with FakeOllama(REPLY) as fake:
        b = backend(client, "ollama", fake.base_url, key="", template="chat")
        assert await complete(b) == REPLY
        assert fake.last().path == "/api/chat"


async def test_base_url_with_v1_is_tolerated(client: httpx.AsyncClient) -> None:
    with FakeOllama(REPLY) as fake:
        b = backend(client, "ollama", fake.base_url + "/v1", key="")
        assert await complete(b) == REPLY


async def test_models_from_tags_and_warm_loads_the_model(client: httpx.AsyncClient) -> None:
    with FakeOllama(REPLY) as fake:
        b = backend(client, "ollama", fake.base_url, key="")
        assert await b.models() == ["llama3.2:latest", "qwen2.5-coder:1.5b-base"]
        await b.warm()
        warm = fake.requests[-1]
        assert fake.completion_requests() == []
    assert (warm.method, warm.path) == ("POST", "/api/generate")
    assert warm.body == {
        "model": "qwen2.5-coder:1.5b-base",
        "stream": False,
        "keep_alive": "30m",
        "options": {"num_ctx": 8192},
    }


async def test_context_grows_for_a_long_prompt_and_never_shrinks(
    client: httpx.AsyncClient,
) -> None:
    """Ollama's default context would drop the start of a long prompt; a different num_ctx
    reloads the model, so it only grows, in powers of two."""
    with FakeOllama(REPLY) as fake:
        b = backend(client, "ollama", fake.base_url, key="")
        long = replace(CTX, prefix="x = 1\n" * 5000)
        await complete(b, long)
        await complete(b)
        sizes = [r.body["options"]["num_ctx"] for r in fake.completion_requests()]
    assert sizes == [16384, 16384]


async def test_final_stats_reach_the_meter(client: httpx.AsyncClient) -> None:
    with FakeOllama(REPLY) as fake:
        b = backend(client, "ollama", fake.base_url, key="")
        prompt, params = prepared(b)
        meter = Meter()
        assert "".join([t async for t in b.stream(prompt, replace(params, meter=meter))]) == REPLY
    assert meter.usage is not None and meter.usage.prompt_tokens > 0
    assert meter.usage.prompt_ms is not None and meter.usage.cached_tokens is None


async def test_cloud_key_is_sent_as_bearer(client: httpx.AsyncClient) -> None:
    with FakeOllama(REPLY, require_key="ollama-cloud-key") as fake:
        b = backend(client, "ollama", fake.base_url, key="ollama-cloud-key")
        assert await complete(b) == REPLY


async def test_stream_without_done_is_truncated(client: httpx.AsyncClient) -> None:
    with FakeOllama("a + b + c", done=False) as fake:
        b = backend(client, "ollama", fake.base_url, key="")
        with pytest.raises(StreamError, match="ended the stream before"):
            await complete(b)
    _ = fake


async def test_mid_stream_error_line(client: httpx.AsyncClient) -> None:
    with FakeOllama("a + b + c") as fake:
        fake.fault = Fault(mid_stream_error=True)
        b = backend(client, "ollama", fake.base_url, key="")
        with pytest.raises(StreamError, match="error was encountered while running the model"):
            await complete(b)
