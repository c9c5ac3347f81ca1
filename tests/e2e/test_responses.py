"""The Responses API end to end: the real `ghostfill serve` against the fake Responses server,
over HTTP SSE and over the persistent WebSocket. Covers the wire, the chat -> responses switch
(remembered), a cancelled response on the socket (the next one clean), a dropped socket, a
refused upgrade, and the key never reaching the client. Assertions are on what the fake saw."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ghostfill.fakes.responses import FakeResponses
from pytest_lsp import LanguageClient

from tests.e2e.conftest import inline, open_doc, start, type_text
from tests.e2e.test_lifecycle import until

CANARY = "sk-CANARY-resp-0123456789abcdefghijklmn"
SOURCE = "def add(a, b):\n    \n\nprint(add(1, 2))\n"
SLOW = "return " + "a + " * 60 + "b\n"


@pytest.fixture
def fake() -> Iterator[FakeResponses]:
    with FakeResponses("return a + b", require_key=CANARY) as provider:
        yield provider


def options(fake: FakeResponses, **backend: Any) -> dict[str, Any]:
    settings = {
        "provider": "openai",
        "baseUrl": fake.base_url,
        "timeoutMs": 3000,
        **backend,
    }
    return {"backend": settings, "completion": {"debounceMs": 0}, "apiKey": CANARY}


def no_key(client: LanguageClient) -> None:
    shown = [m.message for m in client.messages] + [m.message for m in client.log_messages]
    assert shown, "the server logged nothing at debug level"
    assert not any(CANARY in m or CANARY[10:30] in m for m in shown)


async def test_codex_spark_over_one_socket_opened_at_initialize(
    client: LanguageClient, fake: FakeResponses, workspace: Path
) -> None:
    await start(client, workspace, options(fake))
    await until(lambda: fake.sockets == 1)  # opened at initialize, before any completion
    uri = open_doc(client, workspace / "calc.py", SOURCE)
    result = await inline(client, uri, 1, 4)
    assert result is not None and result.items[0].insert_text == "    return a + b"
    assert await inline(client, uri, 2, 0) is not None
    sent = fake.socket_requests()
    assert sent and all(r.body["type"] == "response.create" for r in sent)
    assert sent[0].header("authorization") == f"Bearer {CANARY}"
    assert fake.sockets == 1 and fake.overlaps == 0
    assert not [r for r in fake.requests if r.path.endswith("/responses") and r.method == "POST"]
    no_key(client)


async def test_http_transport_streams_sse(
    client: LanguageClient, fake: FakeResponses, workspace: Path
) -> None:
    await start(client, workspace, options(fake, transport="http"))
    uri = open_doc(client, workspace / "calc.py", SOURCE)
    result = await inline(client, uri, 1, 4)
    assert result is not None and result.items[0].insert_text == "    return a + b"
    request = fake.last()
    assert (request.method, request.path) == ("POST", "/v1/responses")
    assert request.body["stream"] is True and request.body["store"] is False
    assert fake.sockets == 0


async def test_chat_400_switches_to_responses_and_is_remembered(
    client: LanguageClient, fake: FakeResponses, workspace: Path
) -> None:
    fake.responses_only = r"in-house"
    await start(
        client, workspace, options(fake, provider="openai-compatible", model="in-house-coder")
    )
    uri = open_doc(client, workspace / "calc.py", SOURCE)
    first = await inline(client, uri, 1, 4)
    assert first is not None and first.items[0].insert_text == "    return a + b"
    type_text(client, uri, 2, 2, 0, "x = ")
    await inline(client, uri, 2, 4)
    paths = [r.path for r in fake.completion_requests()]
    assert paths[0] == "/v1/chat/completions"
    assert paths[1:] and set(paths[1:]) == {"/v1/responses"}
    assert paths.count("/v1/chat/completions") == 1
    no_key(client)


async def test_cancelled_response_leaves_the_socket_clean(
    client: LanguageClient, fake: FakeResponses, workspace: Path
) -> None:
    fake.reply = lambda body: SLOW if len(fake.socket_requests()) <= 1 else "42"
    fake.tokens_per_s = 40
    await start(client, workspace, options(fake))
    uri = open_doc(client, workspace / "calc.py", SOURCE)
    first = asyncio.ensure_future(inline(client, uri, 1, 4))
    await until(lambda: len(fake.socket_requests()) == 1)
    type_text(client, uri, 2, 2, 0, "x = ")  # typed on: the slow response is superseded
    second = await inline(client, uri, 2, 4)
    assert second is not None and second.items[0].insert_text == "x = 42"
    await first
    await until(lambda: fake.closed_early == 1)
    assert fake.overlaps == 0 and len(fake.socket_requests()) == 2


async def test_dropped_socket_reconnects(
    client: LanguageClient, fake: FakeResponses, workspace: Path
) -> None:
    await start(client, workspace, options(fake))
    await until(lambda: fake.sockets == 1)
    fake.drop_next_socket = True
    uri = open_doc(client, workspace / "calc.py", SOURCE)
    result = await inline(client, uri, 1, 4)
    assert result is not None and result.items[0].insert_text == "    return a + b"
    assert fake.sockets == 2


async def test_refused_upgrade_falls_back_to_http(
    client: LanguageClient, fake: FakeResponses, workspace: Path
) -> None:
    fake.websocket = False
    await start(client, workspace, options(fake))
    uri = open_doc(client, workspace / "calc.py", SOURCE)
    result = await inline(client, uri, 1, 4)
    assert result is not None and result.items[0].insert_text == "    return a + b"
    assert fake.refused >= 1 and fake.sockets == 0
    assert fake.last().method == "POST"
    no_key(client)
