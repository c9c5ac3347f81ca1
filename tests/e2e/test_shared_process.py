"""Many editor connections in one real server process (`ghostfill serve --tcp`, what the
per-user daemon does over a Unix socket): index readiness and isolation.

- The indexing `$/progress` ends only when every index a request uses is complete: asked
  right after the end, the symbol index holds every indexed file, nothing pending.
- A connection joining a workspace already indexed in the process reports no indexing and
  does not walk the folder again.
- Two connections on the same root with different backends and keys: each one's requests
  reach only its own backend, with its own key."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ghostfill.fakes.openai import FakeProvider

from tests.e2e.rawrpc import WAIT_S, Hung, RawConnection, free_port, items

FILES = 150
"""Enough files that the symbol index is still extracting when the walk ends."""
KEY_A = "sk-window-a-0123456789"
KEY_B = "sk-window-b-9876543210"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "money.py").write_text(
        "def convert_currency(amount, rate):\n    return round(amount * rate, 2)\n"
    )
    for i in range(FILES):
        body = "".join(
            f"def handler_{i}_{j}(request, limit={j}):\n"
            f"    items = request.items[:limit]\n"
            f"    return [item.name for item in items]\n\n\n"
            for j in range(8)
        )
        (root / "pkg" / f"mod_{i:03d}.py").write_text(f"class Service{i}:\n    pass\n\n\n{body}")
    return root


@pytest.fixture
def port(tmp_path: Path) -> Iterator[int]:
    """A real `ghostfill serve --tcp` process; yields the port it listens on."""
    chosen = free_port()
    stderr = open(tmp_path / "server.log", "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "ghostfill", "serve", "--tcp", f"127.0.0.1:{chosen}"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
        env={**os.environ},
    )
    try:
        deadline = time.monotonic() + WAIT_S
        while True:
            try:
                socket.create_connection(("127.0.0.1", chosen), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError("the server did not start listening") from None
                time.sleep(0.05)
        yield chosen
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        stderr.close()


def progress(conn: RawConnection, kind: str) -> list[dict[str, Any]]:
    return [
        n
        for n in conn.notifications
        if n["method"] == "$/progress" and n["params"]["value"].get("kind") == kind
    ]


def wait_for(check: Any, what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not check():
        if time.monotonic() > deadline:
            raise Hung(f"waited for {what}")
        time.sleep(0.01)


def backend(fake: FakeProvider) -> dict[str, Any]:
    return {
        "backend": {"provider": "openai-compatible", "baseUrl": fake.base_url, "model": "m"},
        "completion": {"debounceMs": 0},
    }


def test_progress_ends_when_every_index_is_complete_and_a_joiner_does_not_reindex(
    port: int, workspace: Path
) -> None:
    first = RawConnection(port)
    # Ask for the stats the moment the end arrives, from the reader thread itself.
    at_end: list[int] = []
    dispatch = first._dispatch

    def on_message(message: dict[str, Any]) -> None:
        dispatch(message)
        value = message.get("params", {}).get("value", {}) if "method" in message else {}
        if message.get("method") == "$/progress" and value.get("kind") == "end":
            at_end.append(first.request("ghostfill/debugStats"))

    first._dispatch = on_message  # type: ignore[method-assign]
    try:
        first.initialize(workspace)
        wait_for(lambda: at_end, "the indexing progress to end")
        stats = first.reply(at_end[0])["result"]
        assert stats["offline"]["files"] == FILES + 2, stats
        assert stats["symbols"]["files"] == stats["offline"]["files"], stats
        assert stats["symbols"]["pending"] == 0, stats
        assert stats["indexRuns"] == 1

        second = RawConnection(port)
        try:
            second.initialize(workspace)
            joined = second.stats()  # answered after `initialized` has been handled
            assert joined["sessions"] == 2 and joined["workspaces"] == 1, joined
            assert joined["indexRuns"] == 1, joined  # the folder was not walked again
            assert joined["symbols"]["files"] == FILES + 2, joined
            time.sleep(0.3)  # anything the joiner would report has been sent by now
            assert progress(second, "begin") == [] and progress(second, "end") == []
            assert not [r for r in second.server_requests if "Progress" in r["method"]]
        finally:
            second.stop()
    finally:
        first.stop()


def test_two_connections_on_one_root_reach_only_their_own_backend_and_key(
    port: int, workspace: Path
) -> None:
    with (
        FakeProvider("return 'from A'", require_key=KEY_A) as fake_a,
        FakeProvider("return 'from B'", require_key=KEY_B) as fake_b,
    ):
        a = RawConnection(port, options=backend(fake_a))
        b = RawConnection(port, options=backend(fake_b))
        try:
            a.initialize(workspace, options={**backend(fake_a), "apiKey": KEY_A})
            wait_for(lambda: progress(a, "end"), "the first connection's index")
            b.initialize(workspace, options=backend(fake_b))
            b.notify("ghostfill/setApiKey", {"apiKey": KEY_B})  # the editor's secret storage
            text = "def handler():\n    "
            path = workspace / "pkg" / "new.py"
            for conn in (a, b, a, b):
                conn.open(path.as_uri(), text)
            found_a = [i["insertText"] for i in items(a.inline(path.as_uri(), 1, 4))]
            found_b = [i["insertText"] for i in items(b.inline(path.as_uri(), 1, 4))]
            assert found_a == ["    return 'from A'"], found_a
            assert found_b == ["    return 'from B'"], found_b
            for fake, key in ((fake_a, KEY_A), (fake_b, KEY_B)):
                sent = fake.completion_requests()
                assert sent, "no completion reached the backend"
                assert {r.header("authorization") for r in sent} == {f"Bearer {key}"}
            assert b.stats()["indexRuns"] == 1 and progress(b, "begin") == []
        finally:
            b.stop()
            a.stop()
