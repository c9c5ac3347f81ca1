"""Backend faults, through the fake providers over HTTP on 127.0.0.1, against the real server.

For every fault the same keystroke replay runs (six requests while typing `tax_r`), and:

- the user is told once: one `window/showMessage` for the problem, however often it recurs;
- the log has it (`window/logMessage`);
- the offline engine answers: the workspace has `shop.py`, so after `(1 + ` the offline
  suggestion `tax_rate)` must come back on every keystroke, never a half-received backend line;
- the server does not crash and answers again once the fault is gone;
- the fake counts the requests: at most one per keystroke, and after a 429 none until the
  reset the provider announced has passed.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from ghostfill.fakes.openai import FakeProvider, Fault
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.e2e.conftest import backend_options, inline, open_doc, type_text, vscode_capabilities

SHOP = """\
from dataclasses import dataclass


@dataclass
class Item:
    name: str
    price: float
    quantity: int


def subtotal(items):
    return sum(item.price * item.quantity for item in items)


def total_with_tax(items, tax_rate):
    return subtotal(items) * (1 + tax_rate)


def cheapest(items):
    return min(items, key=lambda item: item.price)
"""
LINE = "    return subtotal(items) * (1 + "
DOC = "from shop import subtotal\n\n\ndef with_tax(items, tax_rate):\n" + LINE
ROW = 4
OFFLINE = LINE + "tax_rate)"
TYPED = "tax_r"
BACKEND_TEXT = "tax_rate)  # from the backend"
WAIT_S = 30.0
"""Longest wait for an event (indexing done, a message shown); never a pass/fail timing."""


@dataclass
class Outcome:
    answers: list[str]
    shown: list[str]
    logged: list[str]
    requests: int
    after: str = ""
    stats: dict[str, Any] = field(default_factory=dict)


async def stats(client: LanguageClient) -> dict[str, Any]:
    result = await client.protocol.send_request_async("ghostfill/debugStats", {})
    return _plain(result)


def _plain(value: Any) -> Any:
    """pygls hands unknown results back as namedtuple-like objects; make them dicts."""
    if hasattr(value, "_asdict"):
        return {k: _plain(v) for k, v in value._asdict().items()}
    return value


async def until(check: Callable[[], bool], what: str) -> None:
    for _ in range(int(WAIT_S / 0.05)):
        if check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"gave up waiting for {what}")


async def indexed(client: LanguageClient) -> None:
    for _ in range(int(WAIT_S / 0.05)):
        if (await stats(client))["offline"]["files"] >= 1:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the workspace was never indexed")


def text_of(result: types.InlineCompletionList | None) -> str:
    if result is None or not result.items:
        return ""
    text = result.items[0].insert_text
    return text if isinstance(text, str) else text.value


def problems(client: LanguageClient) -> list[str]:
    return [
        m.message
        for m in client.messages
        if m.type in (types.MessageType.Error, types.MessageType.Warning)
    ]


async def begin(
    client: LanguageClient, workspace: Path, options: dict[str, Any], api_key: str | None
) -> None:
    """conftest.start, but the key goes in initializationOptions only (as the VS Code
    extension sends it from secret storage), never in the settings section."""
    for method in ("ghostfill/completionReady", "ghostfill/status"):
        client.feature(method)(lambda params: None)
    client.set_configuration(options, section="ghostfill")
    init = {**options, "apiKey": api_key} if api_key else options
    await client.initialize_session(
        types.InitializeParams(
            capabilities=vscode_capabilities(),
            initialization_options=init,
            workspace_folders=[types.WorkspaceFolder(uri=workspace.as_uri(), name="ws")],
        )
    )


async def replay(
    client: LanguageClient,
    fake: FakeProvider | None,
    workspace: Path,
    options: dict[str, Any],
    arm: Callable[[], None],
    *,
    wait_for_message: bool = True,
    disarm: Callable[[], None] | None = None,
    api_key: str | None = None,
) -> Outcome:
    (workspace / "shop.py").write_text(SHOP, encoding="utf-8")
    await begin(client, workspace, options, api_key)
    await indexed(client)
    arm()
    uri = open_doc(client, workspace / "checkout.py", DOC)
    answers = [text_of(await inline(client, uri, ROW, len(LINE)))]
    for n, ch in enumerate(TYPED):
        type_text(client, uri, n + 2, ROW, len(LINE) + n, ch)
        answers.append(text_of(await inline(client, uri, ROW, len(LINE) + n + 1)))
    if wait_for_message:
        await until(lambda: bool(problems(client)), "a message to the user")
    requests = len(fake.completion_requests()) if fake is not None else 0
    outcome = Outcome(answers, problems(client), [m.message for m in client.log_messages], requests)
    if disarm is not None:  # the fault is gone: the backend answers again
        disarm()
        column = len(LINE) + len(TYPED)
        type_text(client, uri, len(TYPED) + 2, ROW, column, "a")
        outcome.after = text_of(await inline(client, uri, ROW, column + 1))
    outcome.stats = await stats(client)
    return outcome


def fast(fake: FakeProvider | None, base_url: str = "", **backend: Any) -> dict[str, Any]:
    """Backend settings with the shortest deadline the server allows (1 s)."""
    options = backend_options(fake, backend={"timeoutMs": 1000, **backend}) if fake else {}
    if base_url:
        options["backend"]["baseUrl"] = base_url
    return options


def assert_handled(outcome: Outcome, *, words: tuple[str, ...], log_word: str) -> None:
    assert outcome.answers == [OFFLINE] * (len(TYPED) + 1), outcome.answers
    assert len(outcome.shown) == 1, outcome.shown
    message = outcome.shown[0].lower()
    assert all(w.lower() in message for w in words), outcome.shown
    assert any(log_word.lower() in m.lower() for m in outcome.logged), outcome.logged
    assert outcome.stats["documents"] == 1


@pytest.fixture
def provider() -> Any:
    with FakeProvider(BACKEND_TEXT) as fake:
        yield fake


STATUS_FAULTS = [
    # status, words the one message must contain, what the log must contain
    (403, ("403", "access"), "403"),
    (404, ("model", "fake-coder"), "404"),
    (500, ("500",), "500"),
    (503, ("503",), "503"),
]


@pytest.mark.parametrize(
    "status,words,log_word", STATUS_FAULTS, ids=[str(s[0]) for s in STATUS_FAULTS]
)
async def test_error_status(
    client: LanguageClient,
    provider: FakeProvider,
    workspace: Path,
    status: int,
    words: tuple[str, ...],
    log_word: str,
) -> None:
    def arm() -> None:
        provider.fault = Fault(status=status)

    def disarm() -> None:
        provider.fault = None

    outcome = await replay(client, provider, workspace, fast(provider), arm, disarm=disarm)
    assert_handled(outcome, words=words, log_word=log_word)
    assert 1 <= outcome.requests <= len(TYPED) + 1
    assert outcome.after == LINE + TYPED + "a" + BACKEND_TEXT


async def test_401_wrong_key(
    client: LanguageClient, provider: FakeProvider, workspace: Path
) -> None:
    def arm() -> None:
        provider.require_key = "right-key-4567"

    outcome = await replay(
        client, provider, workspace, fast(provider), arm, api_key="wrong-key-0123"
    )
    assert_handled(outcome, words=("401", "key"), log_word="401")
    assert 1 <= outcome.requests <= len(TYPED) + 1
    assert "wrong-key-0123" not in " ".join(outcome.shown + outcome.logged)


async def test_429_pauses_requests_for_the_announced_reset(
    client: LanguageClient, provider: FakeProvider, workspace: Path
) -> None:
    """Cerebras' headers say the token bucket is empty for 600 s: one request, then none."""

    def arm() -> None:
        provider.fault = Fault(
            status=429,
            headers={
                "x-ratelimit-remaining-tokens-minute": "0",
                "x-ratelimit-reset-tokens-minute": "600",
            },
        )

    def disarm() -> None:
        provider.fault = None  # the provider would answer now, but the reset has not passed

    outcome = await replay(client, provider, workspace, fast(provider), arm, disarm=disarm)
    assert_handled(outcome, words=("rate limit", "600"), log_word="rate limit")
    assert outcome.requests == 1
    assert outcome.after == LINE + TYPED + "a" + "te)"  # still offline
    assert len(provider.completion_requests()) == 1


async def test_429_resumes_after_a_short_reset(
    client: LanguageClient, provider: FakeProvider, workspace: Path
) -> None:
    """A 1 s `retry-after`: once it has passed (we wait longer), the backend is asked again."""

    def arm() -> None:
        provider.fault = Fault(status=429, headers={"retry-after": "1"}, times=1)

    outcome = await replay(client, provider, workspace, fast(provider), arm)
    assert outcome.answers[0] == OFFLINE
    assert len(outcome.shown) == 1
    await asyncio.sleep(2.5)
    uri = (workspace / "checkout.py").as_uri()
    column = len(LINE) + len(TYPED)
    type_text(client, uri, len(TYPED) + 2, ROW, column, "a")
    assert text_of(await inline(client, uri, ROW, column + 1)) == LINE + TYPED + "a" + BACKEND_TEXT


async def test_connection_refused(client: LanguageClient, workspace: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    options = {
        "backend": {
            "provider": "openai-compatible",
            "baseUrl": f"http://127.0.0.1:{port}/v1",
            "model": "fake-coder",
            "timeoutMs": 1000,
        },
        "completion": {"debounceMs": 0},
    }
    outcome = await replay(client, None, workspace, options, lambda: None)
    assert_handled(outcome, words=("cannot reach", f"127.0.0.1:{port}"), log_word="cannot reach")


async def test_slow_first_token_past_the_deadline(
    client: LanguageClient, provider: FakeProvider, workspace: Path
) -> None:
    """timeoutMs 1000: the offline answer is served at the deadline; the backend's own
    timeout (2.5 x the deadline) then ends the request and the user hears about it once."""
    provider.ttft_ms = 6000

    outcome = await replay(client, provider, workspace, fast(provider), lambda: None)
    assert_handled(outcome, words=("did not answer",), log_word="did not answer")
    assert 1 <= outcome.requests <= len(TYPED) + 1


STREAM_FAULTS = [
    # name, fault, words the one message must contain
    ("stall mid-stream", Fault(stall_s=8.0), ("stalled",)),
    ("mid-stream error event", Fault(mid_stream_error=True), ("mid-answer",)),
    ("truncated stream", Fault(truncate=True), ("stream", "complete")),
    ("dropped connection", Fault(drop=True), ("closed the stream",)),
]


@pytest.mark.parametrize("name,fault,words", STREAM_FAULTS, ids=[f[0] for f in STREAM_FAULTS])
async def test_damaged_stream(
    client: LanguageClient,
    provider: FakeProvider,
    workspace: Path,
    name: str,
    fault: Fault,
    words: tuple[str, ...],
) -> None:
    """Half of the answer arrives, then the stream breaks: the half line is never shown."""
    provider.chars_per_token = 2

    def arm() -> None:
        provider.fault = fault

    def disarm() -> None:
        provider.fault = None

    outcome = await replay(client, provider, workspace, fast(provider), arm, disarm=disarm)
    assert_handled(outcome, words=words, log_word=words[0])
    assert 1 <= outcome.requests <= len(TYPED) + 1
    assert outcome.after == LINE + TYPED + "a" + BACKEND_TEXT


async def test_malformed_chunk(
    client: LanguageClient, provider: FakeProvider, workspace: Path
) -> None:
    """A `data:` line that is not JSON fails the request like any damaged stream."""

    def arm() -> None:
        provider.fault = Fault(malformed=True)

    def disarm() -> None:
        provider.fault = None

    outcome = await replay(client, provider, workspace, fast(provider), arm, disarm=disarm)
    assert_handled(outcome, words=("malformed",), log_word="malformed")
    assert 1 <= outcome.requests <= len(TYPED) + 1
    assert outcome.after == LINE + TYPED + "a" + BACKEND_TEXT


async def test_answer_far_longer_than_max_tokens(
    client: LanguageClient, provider: FakeProvider, workspace: Path
) -> None:
    """A provider that ignores max_tokens and streams 200,000 characters on one line: the
    suggestion stays bounded and the server stops reading (closes the stream)."""

    def arm() -> None:
        provider.fault = Fault(over_long=200_000)

    outcome = await replay(
        client, provider, workspace, fast(provider, maxTokens=64), arm, wait_for_message=False
    )
    for answer in outcome.answers:
        assert len(answer) <= len(LINE) + len(TYPED) + 64 * 16, len(answer)
    assert outcome.shown == []
    assert outcome.requests == 1  # the rest is typed through
    await until(lambda: provider.closed_early >= 1, "the server to close the stream")
    assert provider.completed == 0
