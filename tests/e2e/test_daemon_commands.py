"""`ghostfill daemon status|stop|restart|logs` against a real daemon and its windows."""

from __future__ import annotations

import json

from tests.e2e.daemon_world import DaemonWorld, wait_for, world
from tests.e2e.rawrpc import items

__all__ = ["world"]

TYPED = "def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    ret"


def test_status_says_not_running_with_exit_3(world: DaemonWorld) -> None:
    done = world.ghostfill("daemon", "status")
    assert done.returncode == 3 and "not running" in done.stdout
    assert world.ghostfill("daemon", "status", "--json").returncode == 3


def test_status_of_a_running_daemon(world: DaemonWorld) -> None:
    window = world.window()
    window.initialize(world.workspace)
    done = world.ghostfill("daemon", "status")
    assert done.returncode == 0, done.stderr
    [pid] = world.pids()
    for field in (f"pid          {pid}", "version      ", "uptime       ", "connections  1"):
        assert field in done.stdout
    assert str(world.workspace) in done.stdout
    status = json.loads(world.ghostfill("daemon", "status", "--json").stdout)
    assert status["pid"] == pid and status["connections"] == 1 and status["uptimeS"] >= 0


def test_stop_then_the_window_starts_a_new_daemon_when_used(world: DaemonWorld) -> None:
    window = world.window()
    window.initialize(world.workspace)
    uri = (world.workspace / "calc.py").as_uri()
    window.open(uri, TYPED)
    [pid] = world.pids()
    done = world.ghostfill("daemon", "stop")
    assert done.returncode == 0 and f"stopped (pid {pid})" in done.stdout
    assert world.pids() == []
    assert items(window.inline(uri, 5, 7))  # the next request brings a daemon back
    assert len(world.pids()) == 1 and world.pids() != [pid]
    assert window.stop() == 0


def test_restart_and_logs(world: DaemonWorld) -> None:
    window = world.window()
    window.initialize(world.workspace)
    [old] = world.pids()
    done = world.ghostfill("daemon", "restart")
    assert done.returncode == 0, done.stderr
    [new] = wait_for(world.pids, "the restarted daemon")
    assert new != old and f"running (pid {new})" in done.stdout
    logs = world.ghostfill("daemon", "logs", "-n", "5")
    assert logs.returncode == 0 and len(logs.stdout.splitlines()) == 5
    assert "stop requested" in world.ghostfill("daemon", "logs", "-n", "1000").stdout
    assert "result" in window.call("ghostfill/debugStats")  # the window carries on
