"""`ghostfill bench startup` end to end on a small workspace: every figure it exists for is
printed (cold start both ways with the first completion, joins, memory, re-indexing, the
cached keystroke through the relay, the in-process CPU), and a joining window never indexes
the root again; with a fake backend (the default) and with none (`--offline`)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

WAIT_S = 600.0
"""Longest the whole run may take before the test is declared hung (not a timing assertion)."""


@pytest.mark.parametrize(
    ("flags", "backend"),
    [((), "fake OpenAI-style on 127.0.0.1"), (("--offline", "--again", "2"), "none")],
    ids=["backend", "offline"],
)
def test_bench_startup_prints_its_figures(flags: tuple[str, ...], backend: str) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "ghostfill",
            "bench",
            "startup",
            "--windows",
            "2",
            "--files",
            "12",
            "--keystrokes",
            "5",
            *flags,
        ],
        capture_output=True,
        text=True,
        timeout=WAIT_S,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert f"backend: {backend}" in out, out
    again = 2 if flags else 3
    starts = ", ".join([r"\d+"] * again)
    assert re.search(rf"in-process \(--no-daemon\) +median \d+ ms \(each: {starts}\)", out), out
    assert re.search(rf"up to its first completion \d+ ms median of {again}", out), out
    for pattern in (
        r"cold, first start \(starts the daemon\) +\d+ ms; first completion \d+ ms",
        r"cold, answered by the relay +\d+ ms; first completion \d+ ms",
        r"joining the daemon +median \d+ ms",
        r"relay per window \d+\.\d MB",
        r"daemon with 1 window \d+ MB, with 2 \d+ MB",
        r"cached keystroke, via relay",
    ):
        assert re.search(pattern, out), (pattern, out)
    assert "indexed the root again: 0 of 1" in out, out
