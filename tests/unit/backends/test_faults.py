"""Every fault, on every wire format, ends in the right BackendError with one clear message
and never a trace of the key (checked with a canary key in messages, reprs and DEBUG logs)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from ghostfill.backends.base import Backend
from ghostfill.errors import (
    AuthError,
    BackendError,
    BackendTimeout,
    BackendUnavailable,
    ModelNotFound,
    RateLimited,
    StreamError,
)
from ghostfill.fakes.anthropic import FakeAnthropic
from ghostfill.fakes.fim import FakeCodestral, FakeDeepSeek
from ghostfill.fakes.llamacpp import FakeLlamaCpp
from ghostfill.fakes.ollama import FakeOllama
from ghostfill.fakes.openai import FakeProvider
from ghostfill.fakes.wire import FakeServer, Fault

from tests.unit.backends.conftest import CANARY, backend, complete, no_canary

TEXT = "value = compute(a, b)  # a reply long enough to be cut in half\n"


@dataclass(frozen=True)
class Wire:
    id: str
    provider: str
    make: Callable[..., FakeServer]
    model: str
    env: str
    retry_s: float
    """What the provider's realistic 429 asks for."""

    def fake(self, **kwargs: Any) -> FakeServer:
        return self.make(TEXT, **kwargs).start()


def _flavour(name: str) -> Callable[..., FakeServer]:
    return lambda text, **kw: FakeProvider(text, flavour=name, **kw)


WIRES = [
    Wire("cerebras", "cerebras", _flavour("cerebras"), "fake-coder", "CEREBRAS_API_KEY", 11.38),
    Wire("openai", "openai", _flavour("openai"), "fake-coder", "OPENAI_API_KEY", 3.89),
    Wire("groq", "groq", _flavour("groq"), "fake-coder", "GROQ_API_KEY", 2.0),
    Wire(
        "openrouter", "openrouter", _flavour("openrouter"), "fake-coder", "OPENROUTER_API_KEY", 3.89
    ),
    Wire("vllm-fim", "vllm", _flavour("vllm"), "qwen-2.5-coder-fake", "VLLM_API_KEY", 3.89),
    Wire("ollama", "ollama", FakeOllama, "qwen2.5-coder:1.5b-base", "OLLAMA_API_KEY", 5.0),
    Wire("llamacpp", "llamacpp", FakeLlamaCpp, "", "LLAMA_API_KEY", 5.0),
    Wire("codestral", "codestral", FakeCodestral, "codestral-latest", "CODESTRAL_API_KEY", 3.0),
    Wire("deepseek", "deepseek", FakeDeepSeek, "deepseek-v4-flash", "DEEPSEEK_API_KEY", 5.0),
    Wire("anthropic", "anthropic", FakeAnthropic, "claude-haiku-4-5", "ANTHROPIC_API_KEY", 20.0),
]
by_id = pytest.mark.parametrize("wire", WIRES, ids=[w.id for w in WIRES])


@pytest.fixture(autouse=True)
def _debug_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)


def checked(b: Backend, exc: BackendError, caplog: pytest.LogCaptureFixture) -> BackendError:
    """The error, after checking that the key is nowhere: message, key, repr, config, logs."""
    no_canary(exc.user_message, exc.key, repr(exc), str(exc), repr(b.config), repr(b))
    no_canary(*(r.getMessage() for r in caplog.records))
    assert exc.user_message and "\n" not in exc.user_message
    return exc


async def fails(
    b: Backend, kind: type[BackendError], caplog: pytest.LogCaptureFixture
) -> BackendError:
    with pytest.raises(kind) as caught:
        await complete(b)
    return checked(b, caught.value, caplog)


def wire_backend(client: httpx.AsyncClient, wire: Wire, fake: FakeServer, **config: Any) -> Backend:
    return backend(client, wire.provider, fake.base_url, model=wire.model, **config)


@by_id
async def test_wrong_key_names_the_variable(
    client: httpx.AsyncClient, wire: Wire, caplog: pytest.LogCaptureFixture
) -> None:
    fake = wire.fake(require_key="the-right-key")
    try:
        b = wire_backend(client, wire, fake)
        exc = await fails(b, AuthError, caplog)
    finally:
        fake.stop()
    assert wire.env in exc.user_message
    assert "rejected the API key (401)" in exc.user_message


async def test_missing_key_says_it_is_needed(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with FakeProvider(TEXT, require_key="k") as fake:
        b = backend(client, "cerebras", fake.base_url, key="", model="fake-coder")
        exc = await fails(b, AuthError, caplog)
    assert exc.user_message.startswith("cerebras needs an API key (401): set CEREBRAS_API_KEY")


@by_id
async def test_forbidden(
    client: httpx.AsyncClient, wire: Wire, caplog: pytest.LogCaptureFixture
) -> None:
    fake = wire.fake()
    fake.fault = Fault(
        status=403, body='{"error": {"message": "model access denied", "type": "permission_error"}}'
    )
    try:
        exc = await fails(wire_backend(client, wire, fake), AuthError, caplog)
    finally:
        fake.stop()
    assert "refused access (403): model access denied" in exc.user_message
    assert wire.env in exc.user_message


@by_id
async def test_unknown_model_lists_the_models(
    client: httpx.AsyncClient, wire: Wire, caplog: pytest.LogCaptureFixture
) -> None:
    fake = wire.fake()
    fake.fault = Fault(status=404)
    try:
        b = backend(client, wire.provider, fake.base_url, model="no-such-model")
        exc = await fails(b, ModelNotFound, caplog)
    finally:
        fake.stop()
    assert "no-such-model" in exc.user_message
    assert f"Available: {', '.join(sorted(fake.models))}." in exc.user_message
    assert exc.key == f"model:{wire.provider}:no-such-model"


@pytest.mark.parametrize(
    "wire",
    [w for w in WIRES if w.id in ("ollama", "anthropic", "codestral", "deepseek")],
    ids=lambda w: w.id,
)
async def test_unknown_model_as_the_real_server_reports_it(
    client: httpx.AsyncClient, wire: Wire, caplog: pytest.LogCaptureFixture
) -> None:
    """No injected fault: these fakes refuse an unknown model the way the provider does."""
    fake = wire.fake()
    try:
        b = backend(client, wire.provider, fake.base_url, model="no-such-model")
        exc = await fails(b, ModelNotFound, caplog)
    finally:
        fake.stop()
    assert "Available: " in exc.user_message


async def test_404_for_a_known_model_blames_the_url(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with FakeProvider(TEXT) as fake:
        fake.fault = Fault(status=404)
        b = backend(client, "openai-compatible", fake.base_url, model="fake-coder")
        exc = await fails(b, BackendError, caplog)
    assert not isinstance(exc, ModelNotFound)
    assert "check ghostfill.backend.baseUrl" in exc.user_message


async def test_404_without_a_model_list(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with FakeProvider(TEXT) as fake:
        fake.fault = Fault(status=404, on_get=True)
        b = backend(client, "openai", fake.base_url, model="gone")
        exc = await fails(b, ModelNotFound, caplog)
    assert "'ghostfill doctor' lists the models" in exc.user_message


@by_id
async def test_rate_limit_pauses_by_the_reset_headers_without_a_storm(
    client: httpx.AsyncClient, wire: Wire, caplog: pytest.LogCaptureFixture
) -> None:
    fake = wire.fake()
    fake.fault = Fault(status=429)
    try:
        b = wire_backend(client, wire, fake)
        exc = await fails(b, RateLimited, caplog)
        assert isinstance(exc, RateLimited)
        assert exc.retry_after_s == pytest.approx(wire.retry_s, abs=1.0)
        assert b.gate.blocked() > 0
        sent = len(fake.requests)
        for _ in range(5):
            again = await fails(b, RateLimited, caplog)
            assert again.key == exc.key
        assert len(fake.requests) == sent  # the gate answered; nothing went out
    finally:
        fake.stop()
    assert "rate limit reached; pausing requests" in exc.user_message


@pytest.mark.parametrize(
    "wire", [w for w in WIRES if w.id in ("deepseek", "openrouter", "cerebras")], ids=lambda w: w.id
)
async def test_out_of_credits_pauses_for_long(
    client: httpx.AsyncClient, wire: Wire, caplog: pytest.LogCaptureFixture
) -> None:
    fake = wire.fake()
    fake.fault = Fault(status=402)
    try:
        exc = await fails(wire_backend(client, wire, fake), RateLimited, caplog)
    finally:
        fake.stop()
    assert isinstance(exc, RateLimited) and exc.retry_after_s >= 600
    assert "out of credits" in exc.user_message


async def test_insufficient_quota_429_is_not_a_short_pause(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    body = '{"error": {"message": "You exceeded your current quota.", "type": "insufficient_quota", "param": null, "code": "insufficient_quota"}}'
    with FakeProvider(TEXT, flavour="openai") as fake:
        fake.fault = Fault(status=429, body=body)
        exc = await fails(
            backend(client, "openai", fake.base_url, model="fake-coder"), RateLimited, caplog
        )
    assert isinstance(exc, RateLimited) and exc.retry_after_s >= 600


@by_id
@pytest.mark.parametrize("status", [500, 503])
async def test_server_errors(
    client: httpx.AsyncClient, wire: Wire, status: int, caplog: pytest.LogCaptureFixture
) -> None:
    fake = wire.fake()
    fake.fault = Fault(status=status)
    try:
        exc = await fails(wire_backend(client, wire, fake), BackendUnavailable, caplog)
    finally:
        fake.stop()
    assert f"server error {status}" in exc.user_message


async def test_anthropic_overloaded_529(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with FakeAnthropic(TEXT) as fake:
        fake.fault = Fault(status=529)
        exc = await fails(backend(client, "anthropic", fake.base_url), BackendUnavailable, caplog)
    assert (
        exc.user_message == "anthropic server error 529: Overloaded; offline suggestions meanwhile."
    )


@by_id
async def test_mid_stream_error_event(
    client: httpx.AsyncClient, wire: Wire, caplog: pytest.LogCaptureFixture
) -> None:
    fake = wire.fake()
    fake.fault = Fault(mid_stream_error=True)
    try:
        b = wire_backend(client, wire, fake)
        kind = BackendUnavailable if wire.id == "anthropic" else StreamError
        exc = await fails(b, kind, caplog)
    finally:
        fake.stop()
    assert "mid-answer" in exc.user_message or "overloaded" in exc.user_message


@by_id
@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        (Fault(malformed=True), "malformed stream event"),
        (Fault(truncate=True), "ended the stream before the answer was complete"),
        (Fault(eof_early=True), "ended the stream before the answer was complete"),
        (Fault(drop=True), "closed the stream before the answer ended"),
    ],
    ids=["malformed", "truncated", "eof-early", "dropped"],
)
async def test_damaged_streams(
    client: httpx.AsyncClient,
    wire: Wire,
    fault: Fault,
    expected: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake = wire.fake(chars_per_token=2)
    fake.fault = fault
    try:
        exc = await fails(wire_backend(client, wire, fake), StreamError, caplog)
    finally:
        fake.stop()
    assert expected in exc.user_message


@by_id
async def test_stall_mid_stream(
    client: httpx.AsyncClient, wire: Wire, caplog: pytest.LogCaptureFixture
) -> None:
    fake = wire.fake()
    fake.fault = Fault(stall_s=2.0)
    try:
        b = wire_backend(client, wire, fake, stall_timeout_s=0.15)
        exc = await fails(b, BackendTimeout, caplog)
    finally:
        fake.stop()
    assert "stalled mid-answer" in exc.user_message


@by_id
async def test_slow_first_token(
    client: httpx.AsyncClient, wire: Wire, caplog: pytest.LogCaptureFixture
) -> None:
    fake = wire.fake(ttft_ms=2000)
    try:
        b = wire_backend(client, wire, fake, timeout_s=0.15, stall_timeout_s=0.15)
        exc = await fails(b, BackendTimeout, caplog)
    finally:
        fake.stop()
    assert wire.provider in exc.user_message


@by_id
async def test_over_long_reply_is_cut_quietly(client: httpx.AsyncClient, wire: Wire) -> None:
    fake = wire.fake(chars_per_token=64)
    fake.fault = Fault(over_long=200_000)
    try:
        text = await complete(wire_backend(client, wire, fake))
    finally:
        fake.stop()
    assert len(text) == 64 * 16


@by_id
async def test_nothing_listening(
    client: httpx.AsyncClient, wire: Wire, caplog: pytest.LogCaptureFixture
) -> None:
    fake = wire.fake()
    url = fake.base_url
    fake.stop()
    b = backend(client, wire.provider, url, model=wire.model)
    exc = await fails(b, BackendUnavailable, caplog)
    assert exc.user_message.startswith(f"cannot reach {wire.provider} at {url}")


async def test_provider_echoing_the_key_is_scrubbed(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    body = (
        '{"error": {"message": "key '
        + CANARY
        + ' is not valid here", "type": "invalid_request_error"}}'
    )
    with FakeProvider(TEXT) as fake:
        fake.fault = Fault(status=400, body=body)
        exc = await fails(
            backend(client, "cerebras", fake.base_url, model="fake-coder"), BackendError, caplog
        )
    assert "refused the request (400): key *** is not valid here" in exc.user_message


async def test_models_errors_are_mapped(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with FakeProvider(TEXT, require_key="right") as fake:
        b = backend(client, "groq", fake.base_url, model="fake-coder")
        with pytest.raises(AuthError) as caught:
            await b.models()
    checked(b, caught.value, caplog)
