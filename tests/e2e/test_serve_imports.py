"""What `ghostfill serve` loads: no benchmark, fake backend or testing module, ever, and no
HTTP or WebSocket client in a session that has no network backend (the offline engine).

The real serve path is run (initialize, a document, a completion, shutdown, exit) in a process
that writes its `sys.modules` when it exits, so modules imported lazily on the request path
count too."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.e2e.rawrpc import RawServer, items

FORBIDDEN = (
    "ghostfill.bench",
    "ghostfill.fakes",
    "tests",
    "pytest",
    "_pytest",
    "pytest_lsp",
    "pytest_asyncio",
    "hypothesis",
    "unittest",
    "pygls.lsp.client",
)
"""Module prefixes the serve path must never import."""
UNUSED_OFFLINE = (
    "websockets",
    "ghostfill.backends.websocket",
    "httpx",
    "httpcore",
    "h11",
    "h2",
    "certifi",
    "truststore",
    "ghostfill.backends.http",
    "ghostfill.backends.client",
    "ghostfill.backends.wires",
)
"""Imported only by a network backend: the WebSocket client by one that speaks the Responses
API's WebSocket mode (~20 ms a start), the HTTP stack and trust roots (~50 ms) by any."""

SERVE_AND_DUMP = """
import atexit, json, sys
out = sys.argv[1]
atexit.register(lambda: open(out, "w").write(json.dumps(sorted(sys.modules))))
from ghostfill.cli import main
raise SystemExit(main(["serve"]))
"""


def test_serve_imports_no_bench_fake_or_test_module(tmp_path: Path) -> None:
    dump = tmp_path / "modules.json"
    server = RawServer(command=[sys.executable, "-c", SERVE_AND_DUMP, str(dump)])
    try:
        (tmp_path / "ws").mkdir()
        path = tmp_path / "ws" / "shop.py"
        path.write_text("def total(items):\n    return sum(i.price for i in items)\n\n")
        server.initialize(tmp_path / "ws")
        server.open(path.as_uri(), "def total(items):\n    return sum(i.price for i in items)\n\n")
        server.open(path.as_uri() + "2", "def total(items):\n    ret")
        items(server.inline(path.as_uri() + "2", 1, 7))
        server.stats()
    finally:
        assert server.stop() == 0
    modules = json.loads(dump.read_text())
    assert "ghostfill.pipeline" in modules  # the dump is of a server that served
    bad = [m for m in modules if any(m == p or m.startswith(p + ".") for p in FORBIDDEN)]
    assert bad == []
    unused = [m for m in modules if any(m == p or m.startswith(p + ".") for p in UNUSED_OFFLINE)]
    assert unused == []
