"""What this process holds (for `ghostfill/debugStats`)."""

from __future__ import annotations

import os
import time
from pathlib import Path


def process_stats() -> tuple[float, int, int, float]:
    """(RSS in MB, open file descriptors, open sockets, CPU ms) of this process (Linux /proc;
    -1 elsewhere)."""
    rss_mb = -1.0
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                rss_mb = round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    fds = sockets = -1
    try:
        names = os.listdir("/proc/self/fd")
        fds, sockets = len(names), 0
        for name in names:
            try:
                sockets += os.readlink(f"/proc/self/fd/{name}").startswith("socket:")
            except OSError:
                continue
    except OSError:
        pass
    return rss_mb, fds, sockets, round(time.process_time() * 1000, 3)
