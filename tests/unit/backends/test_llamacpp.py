"""llama.cpp against its fake: /infill exactly as llama.vim sends it, SSE without [DONE] ending
at `stop: true`, the capability probe (/props and an /infill that costs no evaluation), prefix
continuation on /completion for a model without FIM tokens (from the probe, or within the
request that got the 501), said once; timings to the meter; chat by template; /v1/models,
/health."""

from __future__ import annotations

import logging
from dataclasses import replace

import httpx
import pytest
from ghostfill.backends.base import Capabilities
from ghostfill.backends.usage import Meter
from ghostfill.errors import StreamError
from ghostfill.fakes.llamacpp import MODEL, FakeLlamaCpp
from ghostfill.prompt import chat

from tests.unit.backends.conftest import CTX, backend, chat_json, complete, prepared

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
        "timings_per_token": True,
    }
    assert request.header("Authorization") == "Bearer llama-key"
    assert len(fake.probes()) == 1


async def test_model_is_sent_when_configured(client: httpx.AsyncClient) -> None:
    with FakeLlamaCpp(REPLY) as fake:
        b = backend(client, "llamacpp", fake.base_url, key="", model=MODEL)
        await complete(b)
        assert fake.last().body["model"] == MODEL


async def test_probe_reports_fim_context_and_model(client: httpx.AsyncClient) -> None:
    with FakeLlamaCpp(REPLY) as fake:
        b = backend(client, "llamacpp", fake.base_url, key="")
        found = await b.probe()
        assert found == Capabilities(
            fim=True, context_tokens=4096, model=MODEL, prompt_kind="native FIM via /infill"
        )
        assert await b.probe() is found  # asked once
        assert [r.path for r in fake.requests] == ["/props", "/infill"]
        assert fake.completion_requests() == []  # the probe is no completion


async def test_no_fim_tokens_continues_the_prefix_and_says_so_once(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    with FakeLlamaCpp(REPLY, fim=False) as fake:
        b = backend(client, "llamacpp", fake.base_url, key="")
        await b.warm()  # initialize: the probe learns it before any completion
        found = await b.probe()
        assert found.fim is False and "prefix continuation via /completion" in found.prompt_kind
        prompt, _ = prepared(b)
        assert prompt.fim == prompt.continuation and prompt.stop == ()
        assert prompt.continuation.endswith("# calc.py\n" + CTX.prefix)
        assert "# similar code in util.py\ndef sub(a, b):" in prompt.continuation
        assert await complete(b) == REPLY
        assert await complete(b) == REPLY
        requests = fake.completion_requests()
    assert [r.path for r in requests] == ["/completion", "/completion"]
    assert requests[0].body == {
        "prompt": prompt.continuation,
        "n_predict": 64,
        "temperature": 0.0,
        "stream": True,
        "cache_prompt": True,
        "timings_per_token": True,
    }
    said = [r for r in caplog.records if "no fill-in-the-middle tokens" in r.getMessage()]
    assert len(said) == 1 and said[0].levelno == logging.WARNING
    assert MODEL in said[0].getMessage() and "--fim-qwen" in said[0].getMessage()


async def test_a_501_is_answered_within_the_same_request(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    """The probe could not tell (server busy): the first /infill gets 501, and the same request
    streams the continuation; the next goes straight to /completion."""
    with FakeLlamaCpp(REPLY, fim=False, probes_fail=True) as fake:
        b = backend(client, "llamacpp", fake.base_url, key="")
        prompt, _ = prepared(b)
        assert prompt.fim == ""  # prepared for /infill: nothing is known yet
        assert await complete(b) == REPLY
        assert await complete(b) == REPLY
        paths = [r.path for r in fake.completion_requests()]
    assert paths == ["/infill", "/completion", "/completion"]
    said = [r for r in caplog.records if "no fill-in-the-middle tokens" in r.getMessage()]
    assert len(said) == 1


async def test_timings_reach_the_meter(client: httpx.AsyncClient) -> None:
    with FakeLlamaCpp(REPLY) as fake:
        b = backend(client, "llamacpp", fake.base_url, key="")
        prompt, params = prepared(b)
        meter = Meter()
        text = "".join([t async for t in b.stream(prompt, replace(params, meter=meter))])
    assert text == REPLY
    assert meter.usage is not None
    assert (meter.usage.prompt_tokens, meter.usage.cached_tokens) == (7, 50)
    assert meter.usage.reuse == pytest.approx(50 / 57)


async def test_chat_template_uses_the_chat_endpoint(client: httpx.AsyncClient) -> None:
    with FakeLlamaCpp(REPLY) as fake:
        b = backend(client, "llamacpp", fake.base_url, key="", template="chat")
        prompt, params = prepared(b)
        assert prompt.fim is None and prompt.stop == chat.STOP
        meter = Meter()
        text = "".join([t async for t in b.stream(prompt, replace(params, meter=meter))])
        request = fake.last()
    assert text == REPLY
    assert request.path == "/v1/chat/completions"
    assert request.body == {
        "messages": chat_json(prompt),
        "stream": True,
        "temperature": 0.0,
        "max_tokens": 64,
        "stop": ["</COMPLETION>"],
    }
    assert meter.usage is not None and meter.usage.cached_tokens == 83
    assert fake.probes() == []


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
        warm = [(r.method, r.path) for r in fake.requests[1:]]
        assert warm == [("GET", "/health"), ("GET", "/props"), ("POST", "/infill")]
