"""The Responses API over one persistent WebSocket, against the fake's real WebSocket mode:
the exact `response.create` message, one socket for many responses, cancellation leaving a
clean socket, a dropped socket, a refused upgrade, auth in the handshake, and no key in logs."""

from __future__ import annotations

import asyncio
import logging

import httpx
import pytest
from ghostfill.backends import websocket
from ghostfill.backends.client import make_client
from ghostfill.backends.network import resolve as resolve_network
from ghostfill.backends.responses import cache_key
from ghostfill.backends.wires import OpenAIWires
from ghostfill.doctor import doctor
from ghostfill.errors import AuthError
from ghostfill.fakes.proxy import FakeConnectProxy
from ghostfill.fakes.responses import FakeResponses
from ghostfill.fakes.tls import TlsFront
from ghostfill.fakes.wire import Fault
from ghostfill.settings import BackendSettings, NetworkSettings

from tests.unit.backends.conftest import CANARY, backend, chat_json, complete, no_canary, prepared

SPARK = "gpt-5.3-codex-spark"


def over_socket(client: httpx.AsyncClient, fake: FakeResponses, **config: str) -> OpenAIWires:
    config.setdefault("transport", "websocket")
    b = backend(client, "openai-compatible", fake.base_url, model=SPARK, **config)
    assert isinstance(b, OpenAIWires)
    return b


async def test_one_socket_carries_many_responses(client: httpx.AsyncClient) -> None:
    with FakeResponses("a + b") as fake:
        b = over_socket(client, fake)
        try:
            await b.warm()
            assert fake.sockets == 1 and fake.socket_requests() == []
            prompt, _ = prepared(b)
            for _ in range(3):
                assert await complete(b) == "a + b"
        finally:
            await b.aclose()
    assert fake.sockets == 1 and fake.accepted == 1 and fake.overlaps == 0
    sent = fake.socket_requests()
    assert len(sent) == 3
    assert sent[0].header("authorization") == f"Bearer {CANARY}"
    assert sent[0].body == {
        "type": "response.create",
        "model": SPARK,
        "instructions": prompt.messages[0].content,
        "input": chat_json(prompt)[1:],
        "store": False,
        "max_output_tokens": 64 + 256,
        "prompt_cache_key": cache_key(prompt),
        "reasoning": {"effort": "low"},
    }


async def test_transport_auto_uses_the_socket_where_the_preset_serves_it(
    client: httpx.AsyncClient,
) -> None:
    with FakeResponses("x") as fake:
        openai = backend(client, "openai", fake.base_url)
        other = backend(client, "openai-compatible", fake.base_url, model=SPARK)
        assert openai.config.model == SPARK
        assert isinstance(openai, OpenAIWires) and isinstance(other, OpenAIWires)
        assert (openai.wire, openai.transport) == ("responses", "websocket")
        assert (other.wire, other.transport) == ("responses", "http")
        await openai.aclose()


async def test_cancelled_response_never_reaches_the_next(client: httpx.AsyncClient) -> None:
    replies = iter(["first " * 40, "second"])
    with FakeResponses(lambda body: next(replies), tokens_per_s=400, chars_per_token=6) as fake:
        b = over_socket(client, fake)
        try:
            prompt, params = prepared(b)
            stream = b.stream(prompt, params)
            assert (await anext(stream)).startswith("first")
            await stream.aclose()  # the user typed on
            assert await complete(b) == "second"
        finally:
            await b.aclose()
    assert fake.overlaps == 0
    assert len(fake.socket_requests()) == 2


async def test_cancel_before_the_first_event_keeps_the_socket_clean(
    client: httpx.AsyncClient,
) -> None:
    replies = iter(["stale", "fresh"])
    with FakeResponses(lambda body: next(replies), ttft_ms=120) as fake:
        b = over_socket(client, fake)
        try:
            task = asyncio.ensure_future(complete(b))
            await asyncio.sleep(0.03)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert await complete(b) == "fresh"
        finally:
            await b.aclose()
    assert fake.overlaps == 0


async def test_a_drain_that_takes_too_long_closes_the_socket(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(websocket, "DRAIN_S", 0.05)
    replies = iter(["slow " * 200, "next"])
    with FakeResponses(lambda body: next(replies), tokens_per_s=100) as fake:
        b = over_socket(client, fake)
        try:
            prompt, params = prepared(b)
            stream = b.stream(prompt, params)
            await anext(stream)
            await stream.aclose()
            await asyncio.sleep(0.3)  # the drain gives up and the socket is replaced
            assert await complete(b) == "next"
        finally:
            await b.aclose()
    assert fake.sockets == 2 and fake.closed_early == 1 and fake.overlaps == 0


async def test_a_dropped_socket_is_reopened_and_the_request_resent(
    client: httpx.AsyncClient,
) -> None:
    with FakeResponses("ok") as fake:
        b = over_socket(client, fake)
        try:
            assert await complete(b) == "ok"
            fake.drop_next_socket = True
            assert await complete(b) == "ok"
            assert await complete(b) == "ok"
        finally:
            await b.aclose()
    assert fake.sockets == 2
    assert len(fake.socket_requests()) == 4  # the dropped one, sent again, then the next


async def test_a_drop_mid_answer_is_a_stream_error_then_a_fresh_socket(
    client: httpx.AsyncClient,
) -> None:
    with FakeResponses("one two three four five six") as fake:
        b = over_socket(client, fake)
        try:
            fake.fault = Fault(drop=True, times=1)
            with pytest.raises(Exception) as raised:
                await complete(b)
            assert "closed the WebSocket" in str(raised.value)
            assert await complete(b) == "one two three four five six"
        finally:
            await b.aclose()


async def test_refused_upgrade_falls_back_to_http(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with FakeResponses("ok", websocket=False) as fake:
        b = over_socket(client, fake)
        assert await complete(b) == "ok"
        assert b.transport == "http"
        assert await complete(b) == "ok"
    assert fake.refused == 1
    assert [r.method for r in fake.completion_requests()] == ["POST", "POST"]
    assert "using HTTP" in caplog.text


async def test_bad_key_in_the_handshake_is_an_auth_error(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with FakeResponses("ok", require_key="sk-the-right-key-0000000000") as fake:
        b = over_socket(client, fake)
        with pytest.raises(AuthError) as raised:
            await complete(b)
        assert b.transport == "websocket"  # not a refusal: the socket is tried again later
        await b.aclose()
    no_canary(raised.value.user_message, caplog.text)


async def test_error_event_on_the_socket_maps_and_the_socket_survives(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with FakeResponses("ok") as fake:
        b = over_socket(client, fake)
        try:
            fake.fault = Fault(status=429, times=1)
            with pytest.raises(Exception) as raised:
                await complete(b)
            assert "rate limit" in str(raised.value)
            b.gate.clear()
            assert await complete(b) == "ok"
        finally:
            await b.aclose()
    assert fake.sockets == 1
    no_canary(raised.value, caplog.text)


async def test_doctor_reports_wire_transport_and_ttft_of_each() -> None:
    lines: list[str] = []
    with FakeResponses("fib(n - 1)", require_key=CANARY) as fake:
        settings = BackendSettings(provider="openai", baseUrl=fake.base_url)
        code = await doctor(
            settings, requests=2, out=lines.append, environ={"OPENAI_API_KEY": CANARY}
        )
    text = "\n".join(lines)
    assert code == 0, text
    assert CANARY not in text
    assert "ok    wire       responses API over websocket" in text
    assert "ok    latency    responses/websocket: chat hole-fill, 2 requests: first token" in text
    assert "ok    latency    responses/http (for comparison): chat hole-fill, 2 requests" in text
    assert fake.sockets == 1 and len(fake.socket_requests()) == 2
    assert [r.method for r in fake.completion_requests()].count("POST") == 2


async def test_doctor_notes_a_refused_upgrade() -> None:
    lines: list[str] = []
    with FakeResponses("x", websocket=False) as fake:
        settings = BackendSettings(
            provider="openai-compatible", baseUrl=fake.base_url, model=SPARK, transport="http"
        )
        await doctor(settings, requests=1, out=lines.append, environ={})
    assert "websocket: not served here (the upgrade was refused)" in "\n".join(lines)


HOST = "backend.example.test"
"""A name only the fake proxy resolves: an answer from it proves the path went through it."""


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    trustme = pytest.importorskip("trustme")
    root = tmp_path_factory.mktemp("wss")
    authority = trustme.CA()
    chain, ca_pem = root / "server.pem", root / "ca.pem"
    issued = authority.issue_cert("127.0.0.1", HOST)
    issued.private_key_and_cert_chain_pem.write_to_path(str(chain))
    authority.cert_pem.write_to_path(str(ca_pem))
    return str(chain), str(ca_pem)


@pytest.fixture
def quiet_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No proxy or extra trust from this process's environment: only the settings count."""
    for name in ("SSL_CERT_FILE", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)


async def wss_backend(url: str, network: NetworkSettings) -> tuple[str, str]:
    """One completion over `transport: websocket` behind TLS; (text, the transport used).
    The network config is resolved as a connection does (settings over an empty environment)
    and given to the backend as `BackendSession` gives it."""
    config = resolve_network(network, environ={})
    async with make_client(config) as client:
        b = backend(
            client, "openai-compatible", url, model=SPARK, transport="websocket", network=config
        )
        assert isinstance(b, OpenAIWires)
        try:
            return await complete(b), b.transport
        finally:
            await b.aclose()


async def test_wss_trusts_the_ca_bundle_setting(
    tls_files: tuple[str, str], quiet_env: None
) -> None:
    """`network.caBundle` reaches the socket, not only the HTTP client: no fallback to HTTP."""
    chain, ca_pem = tls_files
    with FakeResponses("ok") as fake, TlsFront(("127.0.0.1", fake.port), chain, chain) as front:
        url = f"https://127.0.0.1:{front.port}/v1"
        text, transport = await wss_backend(url, NetworkSettings(caBundle=ca_pem))
    assert text == "ok" and transport == "websocket" and fake.sockets == 1
    assert front.failed_handshakes == 0


async def test_wss_goes_through_the_proxy_setting(
    tls_files: tuple[str, str], quiet_env: None
) -> None:
    """`network.proxy` carries the socket: the backend's host resolves only through the proxy,
    and the CONNECT for the socket is there."""
    chain, ca_pem = tls_files
    with FakeResponses("ok") as fake, TlsFront(("127.0.0.1", fake.port), chain, chain) as front:
        target = f"{HOST}:{front.port}"
        with FakeConnectProxy({target: ("127.0.0.1", front.port)}) as proxy:
            settings = NetworkSettings(proxy=proxy.url, caBundle=ca_pem)
            text, transport = await wss_backend(f"https://{target}/v1", settings)
    assert text == "ok" and transport == "websocket" and fake.sockets == 1
    assert target in proxy.connects and fake.completion_requests()
    assert {r.method for r in fake.completion_requests()} == {"WS"}  # no POST: no fallback


async def test_a_no_proxy_host_takes_the_socket_direct(
    tls_files: tuple[str, str], quiet_env: None
) -> None:
    chain, ca_pem = tls_files
    with FakeResponses("ok") as fake, TlsFront(("127.0.0.1", fake.port), chain, chain) as front:
        with FakeConnectProxy({}) as proxy:
            settings = NetworkSettings(proxy=proxy.url, caBundle=ca_pem, noProxy=("127.0.0.1",))
            url = f"https://127.0.0.1:{front.port}/v1"
            text, transport = await wss_backend(url, settings)
    assert text == "ok" and transport == "websocket" and fake.sockets == 1
    assert proxy.connects == []


async def test_the_connection_time_limit_opens_a_fresh_socket(client: httpx.AsyncClient) -> None:
    with FakeResponses("ok") as fake:
        b = over_socket(client, fake)
        try:
            assert await complete(b) == "ok"
            fake.limit_next_socket = True
            assert await complete(b) == "ok"
        finally:
            await b.aclose()
    assert fake.sockets == 2 and len(fake.socket_requests()) == 3
