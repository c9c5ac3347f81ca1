"""`ghostfill complete FILE:LINE:COL` against a fake backend: the real CLI process, as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from ghostfill.fakes.llamacpp import FakeLlamaCpp
from ghostfill.fakes.openai import FakeProvider
from ghostfill.fakes.wire import Fault

SOURCE = "def add(a, b):\n    \n"


def run_complete(
    fake: FakeProvider, workspace: Path, *extra: str
) -> subprocess.CompletedProcess[str]:
    path = workspace / "calc.py"
    path.write_text(SOURCE)
    argv = [
        sys.executable,
        "-m",
        "ghostfill",
        "complete",
        f"{path}:2:5",
        "--workspace",
        str(workspace),
    ]
    argv += ["--backend", "openai-compatible", "--base-url", fake.base_url, "--model", "fake-coder"]
    # A hang here (waiting for a task that never ends, such as keeping the connection warm) is
    # the failure this guards against: the timeout turns it into an error.
    return subprocess.run([*argv, *extra], capture_output=True, text=True, timeout=60)


def test_one_shot_prints_the_backends_text_and_exits(workspace: Path) -> None:
    with FakeProvider("return a + b") as fake:
        done = run_complete(fake, workspace, "--json")
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert answer["text"] == "return a + b"
    assert answer["backend"] != "offline"


def test_one_shot_plain_output_is_the_suggestion(workspace: Path) -> None:
    with FakeProvider("return a + b") as fake:
        done = run_complete(fake, workspace)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "return a + b\n"


def test_a_backend_error_is_said_once(workspace: Path) -> None:
    with FakeProvider("return a + b") as fake:
        fake.fault = Fault(status=500)
        done = run_complete(fake, workspace)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "server error 500" in lines[0], done.stderr
    assert lines[0].startswith("ghostfill: ")


def test_the_backends_own_notice_is_said_once(workspace: Path) -> None:
    """A model without fill-in-the-middle tokens: the backend's notice (an editor's log has it)
    reaches the terminal once, though every request learns it."""
    path = workspace / "calc.py"
    path.write_text(SOURCE)
    with FakeLlamaCpp("return a + b", fim=False) as fake:
        argv = [sys.executable, "-m", "ghostfill", "complete", f"{path}:2:5"]
        argv += ["--workspace", str(workspace), "--backend", "llamacpp", "--base-url"]
        done = subprocess.run(
            [*argv, fake.base_url], capture_output=True, text=True, timeout=60, check=False
        )
        assert [r for r in fake.requests if r.path == "/infill"]  # it was asked, and said 501
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "no fill-in-the-middle tokens" in lines[0], done.stderr
