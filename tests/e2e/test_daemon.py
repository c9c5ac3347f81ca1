"""The per-user daemon against real processes: relays share it, survive its death, and it
survives theirs."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

from ghostfill.daemon.relay import RESEND_S
from ghostfill.fakes.openai import FakeProvider

from tests.e2e.daemon_world import GHOSTFILL, DaemonWorld, wait_for, world
from tests.e2e.rawrpc import RawServer, items

__all__ = ["world"]

SOURCE = "def add(a, b):\n    return a + b\n\n\ndef total(items):\n    return sum(items)\n"
TYPED = "def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    ret"


def started(world: DaemonWorld, server: RawServer) -> RawServer:
    server.initialize(world.workspace)
    return server


def progress_begins(server: RawServer) -> list[dict[str, Any]]:
    return [
        n
        for n in server.notifications
        if n["method"] == "$/progress" and n["params"]["value"].get("kind") == "begin"
    ]


def test_two_windows_share_one_daemon_and_the_second_does_not_reindex(world: DaemonWorld) -> None:
    (world.workspace / "shop.py").write_text(SOURCE)
    first = started(world, world.window())
    wait_for(
        lambda: any(
            n["params"]["value"].get("kind") == "end"
            for n in first.notifications
            if n["method"] == "$/progress"
        ),
        "the first window's index",
    )
    second = started(world, world.window())
    wait_for(
        lambda: any(r["method"] == "workspace/configuration" for r in second.server_requests),
        "the second window's settings to be asked for",
    )
    joined = second.stats()  # answered after the settings pulled at `initialized`
    assert joined["indexRuns"] == 1 and joined["sessions"] == 2, joined
    uri = (world.workspace / "new.py").as_uri()
    second.open(uri, TYPED)
    assert items(second.inline(uri, 5, 7))  # the second window is served
    status = world.status()
    assert status is not None and status["connections"] == 2
    assert len(world.pids()) == 1
    assert status["workspaces"] == [str(world.workspace)]
    assert second.stats()["indexRuns"] == 1
    assert progress_begins(first) and not progress_begins(second)
    assert not [r for r in second.server_requests if "Progress" in r["method"]]


def test_after_sigkill_of_the_daemon_the_next_request_is_answered(world: DaemonWorld) -> None:
    window = started(world, world.window())
    uri = (world.workspace / "calc.py").as_uri()
    window.open(uri, "def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    re")
    window.notify(
        "textDocument/didChange",
        {
            "textDocument": {"uri": uri, "version": 2},
            "contentChanges": [
                {
                    "range": {
                        "start": {"line": 5, "character": 6},
                        "end": {"line": 5, "character": 6},
                    },
                    "text": "t",
                }
            ],
        },
    )
    before = items(window.inline(uri, 5, 7))
    [pid] = world.pids()
    os.kill(pid, signal.SIGKILL)
    after = items(window.inline(uri, 5, 7))  # the replayed document has the typed "t"
    assert [(i["insertText"], i["range"]) for i in after] == [
        (i["insertText"], i["range"]) for i in before
    ]
    [new_pid] = wait_for(world.pids, "a new daemon")
    assert new_pid != pid
    assert window.stats()["documents"] == 1
    assert "starting a new one" in world.stderr(window)
    assert window.stop() == 0


def test_a_request_in_flight_when_the_daemon_dies_gets_an_error(world: DaemonWorld) -> None:
    with FakeProvider("return a - b", ttft_ms=30_000) as slow:
        options = {
            "backend": {
                "provider": "openai-compatible",
                "baseUrl": slow.base_url,
                "model": "m",
                "timeoutMs": 60_000,
            },
            "offline": {"enable": False},
            "completion": {"debounceMs": 0},
        }
        window = world.window(options=options)
        started(world, window)
        uri = (world.workspace / "calc.py").as_uri()
        window.open(uri, TYPED)
        request = window.request(
            "textDocument/inlineCompletion",
            {
                "textDocument": {"uri": uri},
                "position": {"line": 5, "character": 7},
                "context": {"triggerKind": 2},
            },
        )
        wait_for(lambda: slow.requests, "the backend request")
        time.sleep(RESEND_S + 0.2)  # a request younger than this would be sent again instead
        [pid] = world.pids()
        os.kill(pid, signal.SIGKILL)
        reply = window.reply(request)
        assert reply["error"]["code"] == -32801  # ContentModified: editors drop it and ask again
        assert "result" in window.call("ghostfill/debugStats")


def test_a_relay_killed_releases_its_state_in_the_daemon(world: DaemonWorld) -> None:
    keeper = started(world, world.window())
    baseline = keeper.stats()
    doomed = started(world, world.window())
    for n in range(5):
        uri = (world.workspace / f"f{n}.py").as_uri()
        doomed.open(uri, TYPED)
        items(doomed.inline(uri, 5, 7))
    assert wait_for(lambda: (world.status() or {}).get("connections") == 2, "two windows")
    doomed.kill()
    wait_for(lambda: (world.status() or {}).get("connections") == 1, "the dead window to go")
    after = wait_for(
        lambda: (s := keeper.stats())["tasks"] <= baseline["tasks"] and s,
        "the tasks to be released",
    )
    assert after["documents"] == baseline["documents"]
    assert after["pendingRequests"] == 0


def test_a_stale_socket_file_is_cleaned_up(world: DaemonWorld) -> None:
    world.socket_dir.mkdir(mode=0o700)
    from ghostfill.daemon.paths import locations

    path = locations(world.env).socket
    stale = socket.socket(socket.AF_UNIX)
    stale.bind(path)
    stale.close()  # the file stays, nobody listens: what a crashed daemon leaves
    assert Path(path).is_socket()
    window = started(world, world.window())
    assert window.stats()["documents"] == 0
    assert world.status() is not None and len(world.pids()) == 1


def test_windows_started_at_once_end_with_one_daemon(world: DaemonWorld) -> None:
    windows = [world.window() for _ in range(4)]
    threads = [threading.Thread(target=started, args=(world, w)) for w in windows]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for window in windows:
        assert "documents" in window.stats()
    assert len(world.pids()) == 1
    assert (world.status() or {}).get("connections") == 4


def test_a_daemon_of_another_version_is_never_talked_to(world: DaemonWorld) -> None:
    world.socket_dir.mkdir(mode=0o700)
    from ghostfill.daemon.paths import locations

    impostor = socket.socket(socket.AF_UNIX)
    impostor.bind(locations(world.env).socket)
    impostor.listen()
    heard: list[bytes] = []

    def answer() -> None:
        conn, _ = impostor.accept()
        heard.append(conn.recv(65536))
        conn.sendall(b'{"ok": true, "build": "0.0.1-00000000", "version": "0.0.1", "pid": 1}\n')
        heard.append(conn.recv(65536))  # the relay must hang up, sending no LSP bytes
        conn.close()

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    window = started(world, world.window())
    assert window.stats()["documents"] == 0  # served in-process instead
    thread.join(10)
    impostor.close()
    assert heard[1] == b""
    assert "version 0.0.1" in world.stderr(window) and "serving in-process" in world.stderr(window)
    assert world.pids() == []


def test_the_daemon_refuses_a_hello_from_another_build(world: DaemonWorld) -> None:
    started(world, world.window())
    from ghostfill.daemon.paths import locations

    client = socket.socket(socket.AF_UNIX)
    client.connect(locations(world.env).socket)
    client.sendall(b'{"ghostfill": "lsp", "build": "9.9.9-ffffffff", "version": "9.9.9"}\n')
    reply = client.makefile("rb").readline()
    client.close()
    assert b'"ok": false' in reply and b"this daemon is build" in reply


def test_no_daemon_flag_and_variable_serve_in_process(world: DaemonWorld) -> None:
    for window in (world.window(["--no-daemon"]), world.window(GHOSTFILL_NO_DAEMON="1")):
        started(world, window)
        assert "documents" in window.stats()
        assert window.stop() == 0
    assert world.pids() == [] and world.status() is None


def test_the_daemon_setting_off_serves_in_process(world: DaemonWorld) -> None:
    window = started(world, world.window(options={"daemon": {"enable": False}}))
    assert "documents" in window.stats()
    assert world.pids() == []
    assert window.stop() == 0


def test_the_daemon_exits_when_idle_and_removes_its_socket(world: DaemonWorld) -> None:
    window = started(world, world.window(options={"daemon": {"idleTimeoutMinutes": 0.02}}))
    [pid] = world.pids()
    assert window.stop() == 0
    wait_for(lambda: not world.pids(), "the idle daemon to exit")
    assert not any(world.socket_dir.glob("*.sock"))
    assert "no window for" in world.log.read_text()
    del pid


def test_the_relay_exits_when_its_editor_dies(world: DaemonWorld) -> None:
    editor = subprocess.Popen(["sleep", "60"])
    window = world.window()
    window.initialize(world.workspace, process_id=editor.pid)
    editor.kill()
    editor.wait()
    window.proc.wait(30)
    wait_for(lambda: (world.status() or {}).get("connections") == 0, "the window to go")


def test_tcp_still_serves_in_process(world: DaemonWorld) -> None:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    env = {**os.environ, **world.env}
    proc = subprocess.Popen(
        [*GHOSTFILL, "serve", "--tcp", f"127.0.0.1:{port}"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        conn = wait_for(lambda: _connect_tcp(port), "the TCP listener")
        body = json.dumps(
            {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}
        ).encode()
        conn.sendall(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        reader = conn.makefile("rb")
        while True:  # skip whatever may precede the result (log messages)
            length = 0
            while (line := reader.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            message = json.loads(reader.read(length))
            if message.get("id") == 1:
                break
        assert "capabilities" in message["result"]
        conn.close()
        assert world.pids() == []
    finally:
        proc.kill()
        proc.wait()


def _connect_tcp(port: int) -> socket.socket | None:
    try:
        return socket.create_connection(("127.0.0.1", port), timeout=30)
    except OSError:
        return None


def test_two_windows_on_one_root_reach_only_their_own_backend_and_key(
    world: DaemonWorld,
) -> None:
    """Through the daemon, each window's key comes from its own relay's environment (the
    shells the editors were started from), and its requests reach only its own backend."""
    keys = ("sk-window-one-0123456789", "sk-window-two-9876543210")
    with (
        FakeProvider("return 'one'", require_key=keys[0]) as one,
        FakeProvider("return 'two'", require_key=keys[1]) as two,
    ):
        windows = []
        for fake, key in ((one, keys[0]), (two, keys[1])):
            options = {
                "backend": {
                    "provider": "openai-compatible",
                    "baseUrl": fake.base_url,
                    "model": "m",
                    "apiKeyEnv": "GHOSTFILL_TEST_API_KEY",
                },
                "completion": {"debounceMs": 0},
                "offline": {"enable": False},
            }
            windows.append(
                started(world, world.window(options=options, GHOSTFILL_TEST_API_KEY=key))
            )
        uri = (world.workspace / "calc.py").as_uri()
        for window in windows:
            window.open(uri, "def f():\n    ")
        answers = [[i["insertText"] for i in items(w.inline(uri, 1, 4))] for w in windows]
        assert answers == [["    return 'one'"], ["    return 'two'"]], answers
        for fake, key in ((one, keys[0]), (two, keys[1])):
            sent = fake.completion_requests()
            assert sent and {r.header("authorization") for r in sent} == {f"Bearer {key}"}
        assert len(world.pids()) == 1 and (world.status() or {}).get("connections") == 2
        assert (world.status() or {}).get("workspaces") == [str(world.workspace)]
    log = world.log.read_text()
    assert not any(key in log for key in keys)


def test_a_window_seen_before_is_answered_by_the_relay_and_the_book_follows_the_server(
    world: DaemonWorld,
) -> None:
    first = started(world, world.window())
    book_path = world.state / "ghostfill" / "initialize-answers.json"
    book = wait_for(lambda: book_path.exists() and json.loads(book_path.read_text()), "a book")
    [(answer_key, real)] = book.items()
    assert real["capabilities"]["inlineCompletionProvider"] is not None
    assert oct(book_path.stat().st_mode & 0o777) == "0o600"
    first.stop()
    world.ghostfill("daemon", "stop")
    wait_for(lambda: not world.pids(), "the daemon to stop")
    marked = {**real, "serverInfo": {"name": "from the book", "version": "0"}}
    book_path.write_text(json.dumps({answer_key: marked}))

    second = world.window()
    reply = second.initialize(world.workspace)  # the daemon is not running: the relay answers
    assert reply["result"] == marked
    uri = (world.workspace / "calc.py").as_uri()
    second.open(uri, TYPED)
    assert items(second.inline(uri, 5, 7))  # then served by the daemon it started meanwhile
    assert len(world.pids()) == 1
    wait_for(lambda: json.loads(book_path.read_text()) == {answer_key: real}, "the real answer")
    assert "capabilities changed" in world.stderr(second)
    assert second.stop() == 0

    third = world.window()  # the same capabilities again: the book's answer is the server's
    assert third.initialize(world.workspace)["result"] == real
    assert "capabilities changed" not in world.stderr(third)
    assert third.stop() == 0


def test_other_capabilities_are_answered_by_the_server(world: DaemonWorld) -> None:
    first = started(world, world.window())
    first.stop()
    book_path = world.state / "ghostfill" / "initialize-answers.json"
    [answer_key] = json.loads(book_path.read_text())
    fake = {"capabilities": {}, "serverInfo": {"name": "never shown", "version": "0"}}
    book_path.write_text(json.dumps({answer_key: fake}))
    other = world.window()
    reply = other.call(
        "initialize",
        {"processId": None, "capabilities": {"textDocument": {"completion": {}}}},
    )
    assert reply["result"]["serverInfo"]["name"] == "ghostfill"
    assert len(json.loads(book_path.read_text())) == 2
