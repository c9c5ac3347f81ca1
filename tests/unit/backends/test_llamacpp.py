"""llama.cpp against its fake: /infill exactly as llama.vim sends it, SSE without [DONE] ending
at `stop: true`, chat after a 501, /v1/models, /health."""

from __future__ import annotations

import httpx
import pytest
from ghostfill.errors import BackendError, StreamError
from ghostfill.fakes.llamacpp import MODEL, FakeLlamaCpp
from ghostfill.prompt import chat

from tests.unit.backends.conftest import backend, chat_json, complete, prepared

REPLY = "a + b\n"


async def test_infill_request(client: httpx.AsyncClient) -> None:
    with FakeLlamaCpp(REPLY, require_key="llama-key") as fake:
        b = backend(client, "llamacpp", fake.base_url, key="llama-key")
        prompt, _ = prepared(b)
        assert prompt.fim is not None and prompt.stop == ()
        assert await complete(b) == REPLY
        request = fake.last()
    assert request.path == "/infill"
    assert request.body == {
        "input_prefix": "import math\n\ndef add(a, b):\n",
        "input_suffix": "\n\nprint(add(1, 2))\n",
        "input_extra": [{"filename": "util.py", "text": "def sub(a, b):\n    return a - b\n"}],
        "prompt": "    return ",
        "n_predict": 64,
        "temperature": 0.0,
        "stream": True,
        "cache_prompt": True,
    }
    assert request.header("Authorization") == "Bearer llama-key"


async def test_model_is_sent_when_configured(client: httpx.AsyncClient) -> None:
    with FakeLlamaCpp(REPLY) as fake:
        b = backend(client, "llamacpp", fake.base_url, key="", model=MODEL)
        await complete(b)
        assert fake.last().body["model"] == MODEL


async def test_no_fim_tokens_says_so_then_uses_chat(client: httpx.AsyncClient) -> None:
    with FakeLlamaCpp(REPLY, fim=False) as fake:
        b = backend(client, "llamacpp", fake.base_url, key="")
        with pytest.raises(BackendError) as caught:
            await complete(b)
        assert "no fill-in-the-middle tokens" in caught.value.user_message
        assert "--fim-qwen" in caught.value.user_message
        prompt, _ = prepared(b)
        assert prompt.fim is None and prompt.stop == chat.STOP
        assert await complete(b) == REPLY
        request = fake.last()
    assert request.path == "/v1/chat/completions"
    assert request.body == {
        "messages": chat_json(prompt),
        "stream": True,
        "temperature": 0.0,
        "max_tokens": 64,
        "stop": ["</COMPLETION>"],
    }


async def test_stream_must_end_with_stop_true(client: httpx.AsyncClient) -> None:
    with FakeLlamaCpp(REPLY) as fake:
        from ghostfill.fakes.wire import Fault

        fake.fault = Fault(eof_early=True)
        b = backend(client, "llamacpp", fake.base_url, key="")
        with pytest.raises(StreamError, match="ended the stream before"):
            await complete(b)


async def test_models_and_warm(client: httpx.AsyncClient) -> None:
    with FakeLlamaCpp(REPLY) as fake:
        b = backend(client, "llamacpp", fake.base_url + "/v1", key="")
        assert await b.models() == [MODEL]
        await b.warm()
        assert (fake.requests[-1].method, fake.requests[-1].path) == ("GET", "/health")
