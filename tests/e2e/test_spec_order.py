"""Spec order on the real process: before the initialize result the server sends nothing but
window/logMessage, window/showMessage, window/showMessageRequest, telemetry/event and
`$/progress` for the client's own token (LSP 3.17 "initialize"); what it held back (its
status, its own progress) arrives after the result. Strict clients (Emacs eglot) refuse to
connect otherwise.

Every mode that talks during initialize is tried: the offline default, a backend configured in
initializationOptions (its connection is warmed at once), a backend from command-line flags,
settings with problems (a warning popup), a backend that cannot be configured (an error popup),
and an API key passed at initialize."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ghostfill.fakes.openai import FakeProvider

from tests.e2e.rawrpc import RawServer

ALLOWED = {
    "window/logMessage",
    "window/showMessage",
    "window/showMessageRequest",
    "telemetry/event",
}
WAIT_S = 30.0
"""Longest wait for the held messages to arrive after the result (a hang detector only)."""
CLIENT_TOKEN = "client-init-token"


@pytest.fixture
def fake() -> Iterator[FakeProvider]:
    with FakeProvider("return a + b") as provider:
        yield provider


def backend(fake: FakeProvider) -> dict[str, Any]:
    return {"provider": "openai-compatible", "baseUrl": fake.base_url, "model": "fake-coder"}


MODES: dict[str, Any] = {
    "offline default": lambda fake: ({}, []),
    "backend in initializationOptions": lambda fake: ({"backend": backend(fake)}, []),
    "backend from flags": lambda fake: (
        {},
        ["--backend", "openai-compatible", "--base-url", fake.base_url, "--model", "m"],
    ),
    "settings with problems": lambda fake: (
        {"completion": {"debounceMs": "soon", "multiline": 3}, "nope": 1},
        [],
    ),
    "backend that cannot start": lambda fake: (
        {"backend": {"provider": "cerebras", "apiKeyEnv": "GHOSTFILL_NO_SUCH_KEY_VAR"}},
        [],
    ),
    "api key at initialize": lambda fake: ({"backend": backend(fake), "apiKey": "sk-test1234"}, []),
}


def before_result(server: RawServer, msg_id: int) -> list[dict[str, Any]]:
    """Everything the server sent before the reply to request `msg_id`."""
    for i, message in enumerate(server.received):
        if "method" not in message and message.get("id") == msg_id:
            return server.received[:i]
    raise AssertionError(f"no reply to initialize among {server.received!r}")


@pytest.mark.parametrize("mode", list(MODES))
def test_only_allowed_messages_before_the_initialize_result(
    mode: str, fake: FakeProvider, tmp_path: Path
) -> None:
    options, flags = MODES[mode](fake)
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "a.py").write_text("def add(a, b):\n    return a + b\n")
    server = RawServer([*flags, "--log-level", "debug"], options=options)
    try:
        root = (tmp_path / "ws").as_uri()
        msg_id = server.request(
            "initialize",
            {
                "processId": None,
                "rootUri": root,
                "workspaceFolders": [{"uri": root, "name": "ws"}],
                "capabilities": {
                    "workspace": {"configuration": True},
                    "textDocument": {"inlineCompletion": {}},
                    "window": {"workDoneProgress": True},
                },
                "initializationOptions": options,
                "workDoneToken": CLIENT_TOKEN,
            },
        )
        reply = server.reply(msg_id)
        assert "result" in reply, reply
        early = before_result(server, msg_id)
        for message in early:
            method = message.get("method")
            own_progress = method == "$/progress" and message["params"].get("token") == CLIENT_TOKEN
            assert method in ALLOWED or own_progress, f"{mode}: {message!r} before the result"
        server.notify("initialized", {})
        # What was held back (the status notification, then the indexing progress) still comes.
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline and not any(
            m.get("method") == "ghostfill/status" for m in server.received
        ):
            time.sleep(0.02)
        after = server.received[len(early) + 1 :]
        assert any(m.get("method") == "ghostfill/status" for m in after), server.received
    finally:
        assert server.stop() == 0
