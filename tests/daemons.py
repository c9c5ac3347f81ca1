"""Finding and stopping the ghostfill daemons a test run started (by their pid files)."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path

from ghostfill.daemon.pids import alive


def daemon_pids(root: str | Path) -> list[int]:
    """Pids of live daemons whose pid file lies anywhere under `root`."""
    pids = []
    for pid_file in Path(root).rglob("daemon-*.pid"):
        with contextlib.suppress(OSError, ValueError):
            pid = int(pid_file.read_text().strip() or 0)
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            if alive(pid) and b"ghostfill.daemon" in cmdline:  # not a recycled pid
                pids.append(pid)
    return pids


def stop_daemons(root: str | Path, wait_s: float = 10.0) -> None:
    """SIGTERM, then SIGKILL, every daemon started under `root`."""
    pids = daemon_pids(root)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + wait_s
    while any(alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
