"""A benchmark's server never writes the user's stats database or joins the user's daemon:
`ServerUnderTest` gives it private directories (and stops the daemon it started there)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest
from ghostfill.bench.driver import ServerUnderTest
from ghostfill.daemon.pids import alive
from ghostfill.fakes.openai import FakeProvider

from tests.daemons import daemon_pids

WAIT_S = 60.0
"""Longest wait for the stats file (never a pass/fail timing)."""


@pytest.mark.parametrize("flags", [["--no-daemon"], []], ids=["in-process", "relayed"])
async def test_a_bench_server_keeps_its_stats_and_daemon_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, flags: list[str]
) -> None:
    user = tmp_path / "user"
    (user / "run").mkdir(parents=True, mode=0o700)
    monkeypatch.setenv("XDG_DATA_HOME", str(user / "data"))  # the user's own directories
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(user / "run"))
    monkeypatch.setenv("XDG_STATE_HOME", str(user / "state"))
    monkeypatch.delenv("GHOSTFILL_NO_DAEMON", raising=False)
    ws = tmp_path / "ws"
    ws.mkdir()
    path = ws / "calc.py"
    text = "def add(a, b):\n    ret"
    path.write_text(text)
    with FakeProvider("return a + b") as fake:
        server = ServerUnderTest([sys.executable, "-m", "ghostfill", "serve", *flags])
        home = server.home
        pids: list[int] = []
        options = {
            "backend": {"provider": "openai-compatible", "baseUrl": fake.base_url, "model": "m"},
            "completion": {"debounceMs": 0},
        }
        await server.start(options, ws)
        try:
            server.open(path.as_uri(), text, "python")
            assert "return a + b" in await server.inline(path.as_uri(), 1, 7)
            for _ in range(int(WAIT_S / 0.05)):  # the served item lands in the stats file
                if server.stats_path.exists():
                    break
                await asyncio.sleep(0.05)
            assert server.stats_path.exists()
            assert not (user / "data").exists()  # nothing in the user's stats
            assert os.listdir(user / "run") == []  # nor the user's daemon
            pids = daemon_pids(home)
            assert len(pids) == (0 if flags else 1)  # relayed: to a daemon of its own
        finally:
            await server.stop()
    assert not home.exists()
    for _ in range(int(WAIT_S / 0.05)):  # the private daemon was told to stop
        if not any(alive(pid) for pid in pids):
            break
        await asyncio.sleep(0.05)
    still = [pid for pid in pids if alive(pid)]
    for pid in still:
        os.kill(pid, signal.SIGKILL)
    assert still == []
