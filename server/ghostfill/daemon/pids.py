"""Whether a process still runs, the way the daemon's tools need to know (stdlib only)."""

from __future__ import annotations

import os


def alive(pid: int) -> bool:
    """Whether `pid` runs; a zombie (dead, not yet reaped by its parent) counts as gone."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            stat = f.read()
    except OSError:
        return True
    return stat.rpartition(")")[2].split()[:1] != ["Z"]
