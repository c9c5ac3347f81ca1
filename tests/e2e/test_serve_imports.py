"""What `ghostfill serve` loads: no benchmark, fake backend or testing module, ever, and no
HTTP or WebSocket client in a session that has no network backend (the offline engine).

The real serve path is run (initialize, a document, a completion, shutdown, exit) in a process
that writes its `sys.modules` when it exits, so modules imported lazily on the request path
count too."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ghostfill.fakes.openai import FakeProvider

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


SERVE_AND_ORDER = """
import json, os, sys
out, seen = sys.argv[1], []
write = os.write

def recording_write(fd, data):
    if b'"capabilities"' in bytes(data) and "answered" not in seen:  # (stdout may be dup'ed)
        seen.append("answered")
    return write(fd, data)

def hook(event, args):
    if event == "import" and args[0] == "httpx" and "httpx" not in seen:
        seen.append("httpx")
        open(out, "w").write(json.dumps(seen))  # the server may be killed before atexit

os.write = recording_write
sys.addaudithook(hook)
from ghostfill.cli import main
raise SystemExit(main(["serve", "--no-daemon"]))
"""


def _backend(fake: FakeProvider) -> dict[str, object]:
    return {
        "backend": {"provider": "openai-compatible", "baseUrl": fake.base_url, "model": "m"},
        "completion": {"debounceMs": 0},
        "offline": {"enable": False},
    }


def test_initialize_is_answered_before_the_http_stack_is_loaded(tmp_path: Path) -> None:
    """With a network backend configured, initialize's result goes out first and the backend
    (httpx and its wire module, ~30 ms) is built right after: the editor's handshake does not
    wait for it, and the first completion still reaches the backend."""
    order = tmp_path / "order.json"
    with FakeProvider("return sum(i.price for i in items)") as fake:
        options = _backend(fake)
        server = RawServer(
            command=[sys.executable, "-c", SERVE_AND_ORDER, str(order)], options=options
        )
        try:
            (tmp_path / "ws").mkdir()
            uri = (tmp_path / "ws" / "shop.py").as_uri()
            server.initialize(tmp_path / "ws")
            server.open(uri, "def total(items):\n    ")
            found = items(server.inline(uri, 1, 4))
        finally:
            assert server.stop() == 0
        assert json.loads(order.read_text()) == ["answered", "httpx"]
        assert [i["insertText"].strip() for i in found] == ["return sum(i.price for i in items)"]
        assert len(fake.completion_requests()) == 1


def test_a_request_before_the_deferred_build_builds_the_backend(tmp_path: Path) -> None:
    """Messages that arrive together may all be read before the build scheduled after
    initialize's answer runs: whichever comes first (the scheduled build or the completion
    asking for the backend) builds it, and the completion reaches the backend."""
    with FakeProvider("return sum(i.price for i in items)") as fake:
        server = RawServer(["--no-daemon"], options=_backend(fake))
        try:
            (tmp_path / "ws").mkdir()
            uri = (tmp_path / "ws" / "shop.py").as_uri()
            root = (tmp_path / "ws").as_uri()
            init_id, ask_id = server.new_id(), server.new_id()
            batch = [
                {
                    "id": init_id,
                    "method": "initialize",
                    "params": {
                        "processId": None,
                        "capabilities": {"textDocument": {"inlineCompletion": {}}},
                        "initializationOptions": _backend(fake),
                        "workspaceFolders": [{"uri": root, "name": "ws"}],
                    },
                },
                {"method": "initialized", "params": {}},
                {
                    "method": "textDocument/didOpen",
                    "params": {
                        "textDocument": {
                            "uri": uri,
                            "languageId": "python",
                            "version": 1,
                            "text": "def total(items):\n    ",
                        }
                    },
                },
                {
                    "id": ask_id,
                    "method": "textDocument/inlineCompletion",
                    "params": {
                        "textDocument": {"uri": uri},
                        "position": {"line": 1, "character": 4},
                        "context": {"triggerKind": 2},
                    },
                },
            ]
            server.send_bytes(
                b"".join(server.frame(json.dumps({"jsonrpc": "2.0", **m}).encode()) for m in batch)
            )
            assert "result" in server.reply(init_id)
            found = items(server.reply(ask_id))
        finally:
            assert server.stop() == 0
        assert [i["insertText"].strip() for i in found] == ["return sum(i.price for i in items)"]
        assert len(fake.completion_requests()) == 1
