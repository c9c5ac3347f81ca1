"""A private world for daemon tests: its own socket and state directories, relays started in it,
the daemon's status read with `ghostfill daemon status --json`, and every daemon stopped after.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.daemons import daemon_pids, stop_daemons
from tests.e2e.rawrpc import RawServer

GHOSTFILL = [sys.executable, "-m", "ghostfill"]
SERVE = [*GHOSTFILL, "serve"]
WAIT_S = 60.0
"""Longest a test waits for a condition before it fails (never a pass/fail timing)."""


class DaemonWorld:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.runtime = root / "run"
        self.state = root / "state"
        self.runtime.mkdir(mode=0o700)
        self.workspace = root / "ws"
        self.workspace.mkdir()
        self.env = {
            "XDG_RUNTIME_DIR": str(self.runtime),
            "XDG_STATE_HOME": str(self.state),
            "GHOSTFILL_NO_DAEMON": "",
        }
        self.windows: list[RawServer] = []
        self._count = 0

    @property
    def socket_dir(self) -> Path:
        return self.runtime / "ghostfill"

    @property
    def log(self) -> Path:
        return self.state / "ghostfill" / "daemon.log"

    def window(
        self, args: list[str] | None = None, options: dict[str, Any] | None = None, **env: str
    ) -> RawServer:
        """A `ghostfill serve` process, as an editor window spawns it (not yet initialized)."""
        self._count += 1
        server = RawServer(
            args,
            env={**self.env, **env},
            options=options,
            stderr_path=self.root / f"window{self._count}.err",
            cwd=self.workspace,
            command=SERVE,
        )
        self.windows.append(server)
        return server

    def stderr(self, server: RawServer) -> str:
        index = self.windows.index(server) + 1
        return (self.root / f"window{index}.err").read_text(errors="replace")

    def ghostfill(self, *args: str, timeout: float = WAIT_S) -> subprocess.CompletedProcess[str]:
        argv = [*GHOSTFILL, *args]
        return subprocess.run(
            argv,
            env={**os.environ, **self.env},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def status(self) -> dict[str, Any] | None:
        done = self.ghostfill("daemon", "status", "--json")
        answer: dict[str, Any] = json.loads(done.stdout)
        return answer if done.returncode == 0 else None

    def pids(self) -> list[int]:
        return daemon_pids(self.root)

    def close(self) -> None:
        for server in self.windows:
            server.kill()
        stop_daemons(self.root)


def wait_for(condition: Callable[[], Any], what: str, wait_s: float = WAIT_S) -> Any:
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def world() -> Iterator[DaemonWorld]:
    root = Path(tempfile.mkdtemp(prefix="gfd-"))  # short: a socket path holds 107 bytes
    world = DaemonWorld(root)
    try:
        yield world
    finally:
        world.close()
        shutil.rmtree(root, ignore_errors=True)
