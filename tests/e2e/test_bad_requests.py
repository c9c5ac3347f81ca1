"""Fixed bad requests and volume, through the real server process: no params, wrong types,
unknown methods and URIs, positions past the end or above uinteger, a 50 MB file, 10,000 open
documents, and rapid open/change/close without waiting. Every request gets an LSP error or an
empty/valid result, no popup, and the probe document is still completed correctly.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.fuzzworld import (
    CASES,
    PATIENCE_S,
    PROBE_TEXT,
    World,
    assert_answered,
    open_world,
    report,
)
from tests.e2e.rawrpc import RawServer, items


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    yield from open_world(tmp_path_factory)


@pytest.fixture(scope="module", autouse=True)
def report_count(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    report(request)


# -- fixed cases -------------------------------------------------------------------------------------


def at(line: int, character: int, uri: str = "PROBE") -> dict[str, Any]:
    return {
        "textDocument": {"uri": uri},
        "position": {"line": line, "character": character},
        "context": {"triggerKind": 1},
    }


INLINE, COMPLETION = "textDocument/inlineCompletion", "textDocument/completion"
FIXED: list[tuple[str, str, Any, str]] = [
    # name, method, params, what must come back: error | empty | item | result | nothing
    ("no params", INLINE, None, "error"),
    ("params is a list", INLINE, [1, 2], "error"),
    ("unknown method", "ghostfill/noSuchThing", {}, "error"),
    ("unopened uri", INLINE, at(0, 0, "file:///nowhere.py"), "empty"),
    ("non-file uri", INLINE, at(0, 0, "untitled:never-opened"), "empty"),
    ("line past the end", INLINE, at(500, 0), "empty"),
    ("character past the end is clamped (LSP)", COMPLETION, at(1, 9999), "item"),
    ("negative line", COMPLETION, at(-1, 0), "error"),
    ("line above uinteger", INLINE, at(2**31, 0), "error"),
    ("string position", COMPLETION, {**at(0, 0), "position": "1:4"}, "error"),
    ("models with junk params", "ghostfill/models", {"x": [None]}, "result"),
    ("cancel of an unknown id", "$/cancelRequest", {"id": 123456}, "nothing"),
    (
        "didChange for an unopened uri",
        "textDocument/didChange",
        {
            "textDocument": {"uri": "file:///nowhere.py", "version": 3},
            "contentChanges": [{"text": "x"}],
        },
        "nothing",
    ),
    (
        "didChange with the end before the start",
        "textDocument/didChange",
        {
            "textDocument": {"uri": "PROBE", "version": 3},
            "contentChanges": [
                {
                    "range": {
                        "start": {"line": 2, "character": 0},
                        "end": {"line": 1, "character": 0},
                    },
                    "text": "lost",
                }
            ],
        },
        "nothing",
    ),
    ("didClose of an unopened uri", "textDocument/didClose", at(0, 0, "file:///x.py"), "nothing"),
    ("a second initialized", "initialized", {}, "nothing"),
    (
        "settings of the wrong shape",
        "workspace/didChangeConfiguration",
        {"settings": [1]},
        "nothing",
    ),
    (
        "didOpen of a uri urllib cannot parse",
        "textDocument/didOpen",
        {"textDocument": {"uri": "file://[", "languageId": "python", "version": 1, "text": "x"}},
        "nothing",
    ),
    ("completion in that document", INLINE, at(0, 1, "file://["), "result"),
    (
        "didOpen without text",
        "textDocument/didOpen",
        {"textDocument": {"uri": "file:///y.py"}},
        "nothing",
    ),
]


@pytest.mark.parametrize("name,method,params,expect", FIXED, ids=[case[0] for case in FIXED])
def test_fixed_bad_requests(world: World, name: str, method: str, params: Any, expect: str) -> None:
    server = world.case()
    params = json.loads(json.dumps(params).replace('"PROBE"', json.dumps(world.probe_uri)))
    if expect == "nothing":
        server.notify(method, params)
    else:
        reply = server.call(method, params, PATIENCE_S)
        assert_answered(reply)
        assert ("error" in reply) == (expect == "error"), reply
        if expect in ("empty", "item"):
            assert len(items(reply)) == (expect == "item"), reply
    world.finish(server)


def test_no_popups_from_bad_input(world: World) -> None:
    """Bad messages go to the log; the user is not shown an "Error in server" per message."""
    server = world.case()
    assert not [m for m in server.shown() if "Error in server" in m]
    stats = server.stats()
    assert stats["pendingRequests"] <= 2, stats
    world.finish(server)


# -- size and volume -------------------------------------------------------------------------------


@pytest.fixture
def fresh(world: World, tmp_path: Path) -> Iterator[RawServer]:
    server = RawServer(options=world.options(), stderr_path=tmp_path / "stderr.log")
    server.initialize(world.root)
    server.open(world.probe_uri, PROBE_TEXT)
    yield server
    assert server.stop() == 0


def test_fifty_megabyte_file(world: World, fresh: RawServer) -> None:
    CASES["n"] += 1
    line = "value = compute(alpha, beta) + offset  # a line of a very large generated file\n"
    text = line * (50 * 1024 * 1024 // len(line) + 1)
    uri = (world.root / "huge.py").as_uri()
    fresh.open(uri, text)
    rows = text.count("\n")
    for row, character in ((rows // 2, 8), (rows, 0), (rows - 1, len(line) - 1)):
        assert_answered(fresh.inline(uri, row, character))
    fresh.notify(
        "textDocument/didChange",
        {
            "textDocument": {"uri": uri, "version": 2},
            "contentChanges": [
                {
                    "range": {
                        "start": {"line": rows // 2, "character": 0},
                        "end": {"line": rows // 2 + 1, "character": 0},
                    },
                    "text": "def inserted():\n    ",
                }
            ],
        },
    )
    reply = fresh.inline(uri, rows // 2 + 1, 4)
    assert_answered(reply)
    for item in items(reply):
        assert item["range"]["start"] == {"line": rows // 2 + 1, "character": 0}
    assert fresh.stats()["documents"] == 2
    fresh.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    world.probe(fresh)


def test_ten_thousand_open_documents(world: World, fresh: RawServer) -> None:
    CASES["n"] += 1
    uris = [(world.root / f"pkg{n // 100}" / f"mod{n}.py").as_uri() for n in range(10_000)]
    for n, uri in enumerate(uris):
        fresh.open(uri, f"def f{n}(x):\n    return x + {n}\n")
    assert fresh.stats()["documents"] == 10_001
    world.probe(fresh)
    assert_answered(fresh.inline(uris[-1], 1, 4))
    for uri in uris:
        fresh.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    stats = fresh.stats()
    assert stats["documents"] == 1 and stats["reparseTimers"] <= 1, stats
    world.probe(fresh)


def test_rapid_open_change_close(world: World, fresh: RawServer) -> None:
    """Open, edit, ask and close in a burst, without waiting for the answers."""
    CASES["n"] += 1
    pending = []
    for n in range(1500):
        uri = (world.root / f"rapid{n % 7}.py").as_uri()
        fresh.open(uri, "def g(a, b):\n    ", version=n)
        fresh.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": uri, "version": n + 1},
                "contentChanges": [
                    {
                        "range": {
                            "start": {"line": 1, "character": 4},
                            "end": {"line": 1, "character": 4},
                        },
                        "text": "r",
                    }
                ],
            },
        )
        if n % 5 == 0:
            pending.append(
                fresh.request(
                    "textDocument/inlineCompletion",
                    {
                        "textDocument": {"uri": uri},
                        "position": {"line": 1, "character": 5},
                        "context": {"triggerKind": 2},
                    },
                )
            )
        fresh.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    for msg_id in pending:
        assert_answered(fresh.reply(msg_id))
    world.probe(fresh)
    stats = fresh.stats()
    assert stats["documents"] == 1, stats
    assert stats["reparseTimers"] == 0, stats
    assert stats["pendingRequests"] <= 2, stats
