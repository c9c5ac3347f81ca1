"""`ghostfill bench overhead --stages`: the real server over stdio breaks each request into
stages in its debug log, and the bench prints them. Asserts the breakdown, never a timing."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

pytestmark = pytest.mark.bench


def test_the_stages_of_fresh_requests_and_cache_hits_are_printed() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ghostfill", "bench", "overhead", "--requests", "12", "--stages"],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr
    fresh, _, hit = done.stdout.partition("  cache hit:")
    p50 = {
        name: float(value)
        for name, value in re.findall(r"^\s{4}(\w+)\s+p50 (\d+\.\d+)", fresh, re.MULTILINE)
    }
    assert set(p50) >= {
        "lookup",
        "context",
        "prompt",
        "connect",
        "ttft",
        "first_line",
        "prepare",  # the filters' work done while the fake thinks
        "gc",
        "own",
    }
    # own work is the total less the time blocked on the fake: part of it, never all of it
    assert 0 < p50["own"] < p50["total"]
    # the floor of the stack, a bare pygls + httpx relay, timed in the same run
    assert re.search(r"a bare pygls \+ httpx relay\s+p50 \d+\.\d\d", done.stdout), done.stdout
    assert re.search(r"^\s{4}total\s+p50", hit, re.MULTILINE)
    assert "own" not in hit and "prepare" not in hit  # a cache hit never waits on a backend
    # the first fresh request, a second after the file opened, has its own line of stages
    first = re.search(
        r"first fresh request, .*: (\d+\.\d) ms round trip\n  in the server \(ms\): (.*)",
        done.stdout,
    )
    assert first, done.stdout
    stages = dict(part.split() for part in first.group(2).split(", "))
    assert {"context", "first_line", "total"} <= set(stages)
    assert 0 < float(stages["total"]) < float(first.group(1))


def test_an_editor_wait_and_typing_at_one_place_are_reported() -> None:
    argv = ["overhead", "--requests", "6", "--editor-wait-ms", "20", "--keys-per-place", "3"]
    done = subprocess.run(
        [sys.executable, "-m", "ghostfill", "bench", *argv],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr
    assert "keystrokes per place: 3; the editor asks 20 ms after each edit" in done.stdout
    assert re.search(r"server overhead \(ms\)\s+p50 \d+\.\d\d", done.stdout), done.stdout
    echo = re.search(r"bare JSON-RPC echo.*p50 (\d+\.\d\d) ms 20 ms after", done.stdout)
    assert echo and float(echo.group(1)) > 0, done.stdout
