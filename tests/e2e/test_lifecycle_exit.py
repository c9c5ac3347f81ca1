"""Lifecycle per the LSP spec, on the real process: `shutdown` then `exit` ends with 0, `exit`
alone with 1; requests after `shutdown` get InvalidRequest; the server exits when the editor
process named in initialize `processId` dies (even while the stdio pipes stay open), and when
its stdin closes."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from ghostfill.fakes.openai import FakeProvider

from tests.e2e.rawrpc import RawServer

EXIT_WAIT_S = 30.0
"""How long a test waits for the process to end before calling it hung (the server checks its
parent every 2 s); a hang detector, not a timing assertion."""
INVALID_REQUEST = -32600


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RawServer]:
    raw = RawServer(stderr_path=tmp_path / "stderr.log")
    yield raw
    raw.kill()


def exit_code(server: RawServer) -> int:
    try:
        return server.proc.wait(EXIT_WAIT_S)
    except subprocess.TimeoutExpired:
        raise AssertionError("the server did not exit") from None


def test_shutdown_then_exit_is_0(server: RawServer) -> None:
    server.initialize()
    assert server.call("shutdown") == {"jsonrpc": "2.0", "id": 2, "result": None}
    server.notify("exit")
    assert exit_code(server) == 0


def test_exit_without_shutdown_is_1(server: RawServer) -> None:
    server.initialize()
    server.notify("exit")
    assert exit_code(server) == 1


def test_requests_after_shutdown_are_refused(server: RawServer, tmp_path: Path) -> None:
    server.initialize(tmp_path)
    uri = (tmp_path / "a.py").as_uri()
    server.open(uri, "def f():\n    ")
    server.call("shutdown")
    for method, params in [
        ("textDocument/inlineCompletion", None),
        ("ghostfill/debugStats", None),
        ("shutdown", None),
        (
            "textDocument/completion",
            {"textDocument": {"uri": uri}, "position": {"line": 1, "character": 4}},
        ),
    ]:
        reply = server.call(method, params)
        assert reply["error"]["code"] == INVALID_REQUEST, reply
    server.notify(
        "textDocument/didChange",
        {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": "x"}]},
    )
    server.notify("exit")
    assert exit_code(server) == 0


def test_stdin_closed_without_exit(server: RawServer) -> None:
    """The editor crashed: EOF on stdin ends the server (1: there was no shutdown)."""
    server.initialize()
    assert server.proc.stdin is not None
    server.proc.stdin.close()
    assert exit_code(server) == 1


def test_shutdown_with_a_stream_in_flight(tmp_path: Path) -> None:
    """A suggestion still streaming when the editor quits does not hold the process up."""
    with FakeProvider("return 1", ttft_ms=20_000) as fake:
        server = RawServer(
            stderr_path=tmp_path / "stderr.log",
            options={
                "backend": {
                    "provider": "openai-compatible",
                    "baseUrl": fake.base_url,
                    "model": "fake-coder",
                    "timeoutMs": 8000,
                },
                "completion": {"debounceMs": 0},
            },
        )
        try:
            server.initialize(tmp_path)
            uri = (tmp_path / "a.py").as_uri()
            server.open(uri, "def f():\n    ")
            pending = server.request(
                "textDocument/inlineCompletion",
                {
                    "textDocument": {"uri": uri},
                    "position": {"line": 1, "character": 4},
                    "context": {"triggerKind": 2},
                },
            )
            while not fake.completion_requests():
                server.call("ghostfill/debugStats")
            assert server.call("shutdown").get("result", "error") is None
            server.reply(pending)  # answered (empty) or cancelled; either way answered
            server.notify("exit")
            assert exit_code(server) == 0
        finally:
            server.kill()


@pytest.mark.parametrize("reaped", [True, False], ids=["parent reaped", "parent a zombie"])
def test_exits_when_the_parent_process_dies(server: RawServer, reaped: bool) -> None:
    """A throwaway process stands in for the editor; the test keeps the stdio pipes open, so
    only the processId watch can notice. Unreaped, the dead parent is a zombie that still
    answers kill(pid, 0): the server must not be fooled by it."""
    parent = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    try:
        server.initialize(process_id=parent.pid)
        assert "result" in server.call("ghostfill/debugStats")
        parent.kill()
        if reaped:
            parent.wait()
        assert exit_code(server) == 0
    finally:
        parent.kill()
        parent.wait()


def test_exits_when_the_parent_is_gone_at_start(server: RawServer) -> None:
    parent = subprocess.Popen([sys.executable, "-c", "pass"])
    parent.wait()
    server.initialize(process_id=parent.pid)
    assert exit_code(server) == 0
