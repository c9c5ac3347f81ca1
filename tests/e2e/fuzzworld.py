"""What the bad-input tests share: one long-lived real `ghostfill serve` per test module, a
probe document with a known completion that must be answered correctly after every case, and
the case count printed at the end of a run (`test_fuzz_lsp.py`, `test_bad_requests.py`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from ghostfill.fakes.openai import FakeProvider
from hypothesis import HealthCheck, Phase, settings

from tests.e2e.rawrpc import Hung, RawServer, items

PROBE_TEXT = "def add(a, b):\n    \n\n\nprint(add(1, 2))\n"
PROBE_ANSWER = "    return a + b"
FUZZ = settings(
    max_examples=200,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a hang would make it take hours
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
CASES = {"n": 0, "checked": 0}
PATIENCE_S = 15.0
"""How long one reply may take before the case is called hung (a hang detector, not a timing
assertion: a reply normally takes milliseconds)."""
OUR_FRAMES = re.compile(r'File "[^"]*/ghostfill/[^"]*"')


# -- one long-lived server for the property tests ------------------------------------------------


@dataclass
class World:
    root: Path
    fake: FakeProvider
    log_dir: Path
    server: RawServer | None = None
    restarts: list[str] = field(default_factory=list)
    starts: int = 0

    @property
    def probe_uri(self) -> str:
        return (self.root / "probe.py").as_uri()

    def options(self) -> dict[str, Any]:
        return {
            "backend": {
                "provider": "openai-compatible",
                "baseUrl": self.fake.base_url,
                "model": "fake-coder",
                "timeoutMs": 3000,
            },
            "completion": {"debounceMs": 0},
        }

    def live(self) -> RawServer:
        """The server, restarted if a previous case killed or hung it (that case has failed)."""
        if self.server is not None and self.server.proc.poll() is None:
            return self.server
        if self.server is not None:
            self.restarts.append(f"exit code {self.server.proc.returncode}")
            self.server.kill()
        self.starts += 1
        self.server = RawServer(
            ["--log-level", "debug"],
            options=self.options(),
            stderr_path=self.log_dir / f"stderr-{self.starts}.log",
        )
        self.server.patience = PATIENCE_S
        self.server.initialize(self.root)
        self.server.open(self.probe_uri, PROBE_TEXT)
        return self.server

    def probe(self, server: RawServer) -> None:
        """The next valid request gets the right answer."""
        found = items(server.inline(self.probe_uri, 1, 4))
        assert [i["insertText"] for i in found] == [PROBE_ANSWER]

    def case(self) -> RawServer:
        CASES["n"] += 1
        return self.live()

    def finish(self, server: RawServer) -> None:
        try:
            self.probe(server)
        except Hung:
            server.kill()  # the next case starts a fresh one; this one fails
            raise


def open_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """One long-lived server for a test module; at the end, no exception may have escaped
    ghostfill code and no case may have killed it."""
    root = tmp_path_factory.mktemp("fuzz-ws")
    (root / "probe.py").write_text(PROBE_TEXT, encoding="utf-8")
    with FakeProvider("return a + b") as fake:
        w = World(root, fake, tmp_path_factory.mktemp("fuzz-logs"))
        yield w
        if w.server is not None:
            code = w.server.stop()
            stderr = "".join(p.read_text(errors="replace") for p in w.log_dir.glob("*.log"))
            escaped = OUR_FRAMES.findall(stderr)
            assert not escaped, f"an exception escaped ghostfill code:\n{stderr[-6000:]}"
            assert w.restarts == [], w.restarts
            assert code == 0


def report(request: pytest.FixtureRequest) -> None:
    say(
        request,
        f"ghostfill fuzz: {CASES['n']} bad-input cases run against the real server; "
        f"{CASES['checked']} completion items checked against the edit model",
    )


def say(request: pytest.FixtureRequest, line: str) -> None:
    """Print past pytest's output capture (the figures are the point of the run)."""
    capture = request.config.pluginmanager.getplugin("capturemanager")
    if capture is None:
        print(line)
        return
    with capture.global_and_fixture_disabled():
        print(f"\n{line}")


def assert_answered(reply: dict[str, Any]) -> None:
    """A JSON-RPC reply: either a result or an error with a code and a message."""
    assert ("result" in reply) != ("error" in reply), reply
    if "error" in reply:
        assert isinstance(reply["error"]["code"], int)
        assert isinstance(reply["error"]["message"], str)
