"""Who may reach the daemon: only its own user, through a private directory; and the relay path
loads nothing but the standard library."""

from __future__ import annotations

import json
import os
import socket
import sys
from pathlib import Path

import pytest
from ghostfill.daemon.paths import locations

from tests.e2e.daemon_world import DaemonWorld, world
from tests.e2e.rawrpc import RawServer

__all__ = ["world"]

NOBODY = 65534
HEAVY = ("pygls", "lsprotocol", "httpx", "httpcore", "tree_sitter", "attrs", "cattrs", "anyio")
SLOW = ("typing", "pathlib", "asyncio", "subprocess")
"""Standard modules the relay does without: each adds milliseconds to every window's start
(`subprocess` only when it starts a daemon or an in-process server, not to join one)."""


@pytest.mark.parametrize("mode", [0o755, 0o711])
def test_an_open_socket_directory_is_refused_and_served_in_process(
    world: DaemonWorld, mode: int
) -> None:
    world.socket_dir.mkdir()
    world.socket_dir.chmod(mode)
    window = world.window()
    window.initialize(world.workspace)
    assert "documents" in window.stats()
    assert window.stop() == 0
    stderr = world.stderr(window)
    assert f"refusing the daemon socket directory {world.socket_dir}" in stderr
    assert f"has mode {mode:04o}, not 0700" in stderr
    assert world.pids() == [] and not any(world.socket_dir.iterdir())


@pytest.mark.skipif(os.getuid() != 0, reason="needs root to chown the directory")
def test_a_socket_directory_of_another_user_is_refused(world: DaemonWorld) -> None:
    world.socket_dir.mkdir(mode=0o700)
    os.chown(world.socket_dir, NOBODY, NOBODY)
    window = world.window()
    window.initialize(world.workspace)
    assert "documents" in window.stats()
    assert f"is owned by uid {NOBODY}" in world.stderr(window)
    assert world.pids() == []


def _connect_as(uid: int, path: str) -> tuple[str, bytes]:
    """Fork a child that becomes `uid` and connects; what happened, as the child saw it."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: no pytest machinery from here on, only os._exit
        os.close(read)
        outcome = b""
        try:
            os.setgid(uid)
            os.setuid(uid)
            sock = socket.socket(socket.AF_UNIX)
            sock.settimeout(60)
            sock.connect(path)
            try:
                sock.sendall(json.dumps({"ghostfill": "status", "build": "x"}).encode() + b"\n")
            except BrokenPipeError:
                pass  # refused before the hello was read: the answer is still there to read
            outcome = b"answered:" + sock.makefile("rb").readline()
        except PermissionError:
            outcome = b"permission:"
        except OSError as exc:
            outcome = f"oserror:{exc}".encode()
        os.write(write, outcome)
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as f:
        data = f.read()
    os.waitpid(pid, 0)
    kind, _, rest = data.partition(b":")
    return kind.decode(), rest


@pytest.mark.skipif(os.getuid() != 0, reason="needs root to become another user")
def test_another_user_cannot_reach_the_daemon(world: DaemonWorld) -> None:
    window = world.window()
    window.initialize(world.workspace)
    path = locations(world.env).socket
    # The private directory already stops them at the file system:
    assert _connect_as(NOBODY, path)[0] == "permission"
    # And with the directory and socket opened up, the daemon's own peer check refuses them.
    for directory in (world.root, world.runtime, world.socket_dir):
        directory.chmod(0o711)
    Path(path).chmod(0o666)
    kind, answer = _connect_as(NOBODY, path)
    assert kind == "answered", (kind, answer)
    refusal = json.loads(answer)
    assert refusal["ok"] is False and f"uid {NOBODY} may not use this daemon" in refusal["error"]
    assert "refused a connection from uid 65534" in world.log.read_text()
    assert "documents" in window.stats()  # the daemon carries on


def test_the_relay_imports_only_the_standard_library(world: DaemonWorld, tmp_path: Path) -> None:
    dump = tmp_path / "modules.json"
    launcher = (
        "import atexit, json, sys\n"
        f"atexit.register(lambda: open({str(dump)!r}, 'w').write(json.dumps(sorted(sys.modules))))\n"
        "from ghostfill.cli import main\n"
        "raise SystemExit(main(['serve']))\n"
    )
    world.window().initialize(world.workspace)  # the daemon runs: the relay below joins it
    relay = RawServer(env=world.env, command=[sys.executable, "-c", launcher])
    world.windows.append(relay)
    relay.initialize(world.workspace)
    assert "documents" in relay.stats()  # served, through the daemon
    assert relay.stop() == 0
    modules = json.loads(dump.read_text())
    assert "ghostfill.daemon.relay" in modules and world.pids()
    assert [m for m in modules if m.split(".")[0] in HEAVY] == []
    assert [m for m in modules if m.split(".")[0] in SLOW] == []
    ours = {m for m in modules if m.startswith("ghostfill")}
    assert {m for m in ours if not m.startswith("ghostfill.daemon")} == {
        "ghostfill",
        "ghostfill.cli",
    }
