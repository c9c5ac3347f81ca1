"""Bad input over the LSP surface, through the real server process.

Hypothesis throws broken framing, bad JSON, non-JSON-RPC messages, unknown methods, wrong
param types, out-of-range and mid-surrogate positions, invalid and stale edits, requests for
unopened URIs, NUL bytes and lone surrogates at one long-lived `ghostfill serve` (fixed cases
and volume are in `test_bad_requests.py`). After every case the
server must answer a valid request correctly (a probe document with a known completion), and
every request must have had an LSP error or an empty/valid result.

Edits are also checked against a model: after any sequence of edits (in range or not), the
line prefix the server puts in a completion item must be the model's, so a clamped or rejected
edit can never leave the server's copy of a document different from the editor's.

The number of cases run is printed at the end of the module.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.e2e.fuzzworld import (
    CASES,
    FUZZ,
    PATIENCE_S,
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


# -- strategies ---------------------------------------------------------------------------------

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**40), 2**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
POSITION_INT = st.one_of(st.integers(-3, 40), st.sampled_from([2**31 - 1, 2**31, 2**53, -(2**31)]))
FORGED_HEADER = re.compile(rb"content-length", re.IGNORECASE)


def valid_message(msg_id: int) -> bytes:
    return json.dumps(
        {"jsonrpc": "2.0", "id": msg_id, "method": "ghostfill/debugStats", "params": None}
    ).encode()


@st.composite
def broken_frames(draw: st.DrawFn) -> bytes:
    """Bytes no client should send: garbage, bad JSON, wrong or missing Content-Length."""
    kind = draw(
        st.sampled_from(
            ["garbage", "bad_json", "short_length", "long_length", "no_length", "odd_headers"]
        )
    )
    body = valid_message(10**6 + draw(st.integers(0, 1000)))
    if kind == "garbage":
        junk = draw(st.binary(max_size=300).filter(lambda b: not FORGED_HEADER.search(b)))
        return junk if draw(st.booleans()) else RawServer.frame(junk)
    if kind == "bad_json":
        cut = draw(st.integers(1, len(body) - 1))
        return RawServer.frame(body[:cut] + draw(st.sampled_from([b"", b"}", b",", b"\xff\xfe"])))
    if kind == "short_length":
        return b"Content-Length: %d\r\n\r\n%s" % (draw(st.integers(1, len(body) - 1)), body)
    if kind == "long_length":
        return b"Content-Length: %d\r\n\r\n%s" % (len(body) + draw(st.integers(1, 40)), body)
    if kind == "no_length":
        return b"Content-Type: application/json\r\n\r\n" + body
    header = draw(
        st.sampled_from(
            [
                b"content-length: %d\r\n\r\n",
                b"Content-Length:%d\r\n\r\n",
                b"Content-Length: %d\n\n",
                b"X-Junk: 1\r\nContent-Length: %d\r\nContent-Type: x\r\n\r\n",
                b"Content-Length: -%d\r\n\r\n",
                b"Content-Length: %d0000000000000\r\n\r\n",
            ]
        )
    )
    return (header % len(body)) + body


METHODS = [
    "textDocument/inlineCompletion",
    "textDocument/completion",
    "textDocument/didOpen",
    "textDocument/didChange",
    "textDocument/didClose",
    "textDocument/didSave",
    "workspace/didChangeConfiguration",
    "workspace/didChangeWatchedFiles",
    "ghostfill/models",
    "ghostfill/debugStats",
    "$/cancelRequest",
    "$/setTrace",
    "textDocument/hover",
]
RESERVED = {"exit", "shutdown", "initialize", "initialized"}


@st.composite
def lsp_params(draw: st.DrawFn, uris: list[str]) -> Any:
    """Params that are valid, nearly valid (one leaf wrong or missing) or anything at all."""
    uri = draw(st.sampled_from(uris))
    pos = {"line": draw(POSITION_INT), "character": draw(POSITION_INT)}
    valid = {
        "textDocument": {
            "uri": uri,
            "version": draw(st.integers(-5, 5)),
            "languageId": "python",
            "text": draw(st.text(max_size=40)),
        },
        "position": pos,
        "context": {"triggerKind": draw(st.integers(0, 3))},
        "contentChanges": [
            {"range": {"start": pos, "end": pos}, "text": draw(st.text(max_size=5))}
        ],
        "settings": draw(JSON),
        "changes": [{"uri": uri, "type": draw(st.integers(0, 4))}],
        "id": draw(st.integers(0, 100)),
    }
    shape = draw(st.sampled_from(["valid", "mutated", "missing", "any"]))
    if shape == "any":
        return draw(JSON)
    if shape == "valid":
        return valid
    path = draw(
        st.sampled_from(
            [
                ("textDocument", "uri"),
                ("position", "line"),
                ("textDocument",),
                ("position",),
                ("context", "triggerKind"),
                ("textDocument", "text"),
            ]
        )
    )
    target: Any = valid
    for key in path[:-1]:
        target = target[key]
    if shape == "missing":
        target.pop(path[-1], None)
    else:
        target[path[-1]] = draw(JSON)
    return valid


# -- the properties --------------------------------------------------------------------------------


@FUZZ
@given(frame=broken_frames())
def test_broken_framing_and_bad_json(world: World, frame: bytes) -> None:
    """After any broken frame the stream resynchronises: of three valid requests sent right
    behind it, at most the first is lost (swallowed by a too-long body) and the rest answered."""
    server = world.case()
    server.send_bytes(frame)
    ids = [server.new_id() for _ in range(3)]
    server.send_bytes(
        b"".join(
            RawServer.frame(
                json.dumps({"jsonrpc": "2.0", "id": i, "method": "ghostfill/debugStats"}).encode()
            )
            for i in ids
        )
    )
    last = server.reply(ids[-1], PATIENCE_S)
    assert "result" in last and last["result"]["documents"] >= 1
    assert "result" in server.reply(ids[1], PATIENCE_S)
    world.finish(server)


@FUZZ
@given(
    message=st.one_of(
        JSON,
        st.fixed_dictionaries(
            {"id": st.one_of(st.integers(), st.text(max_size=5), JSON)},
            optional={
                "jsonrpc": st.sampled_from(["2.0", "1.0", "", None]) | JSON,
                "method": st.sampled_from(METHODS) | st.text(max_size=20) | JSON,
                "params": JSON,
                "result": JSON,
                "error": JSON,
            },
        ),
    )
)
def test_messages_that_are_not_valid_json_rpc(world: World, message: Any) -> None:
    """Non-objects, missing or wrong `jsonrpc`, odd ids, responses nobody asked for: requests
    among them get an error reply; nothing stops the server."""
    if isinstance(message, dict) and str(message.get("method")) in RESERVED:
        message["method"] = "reserved/" + str(message["method"])
    server = world.case()
    server.send(message)  # type: ignore[arg-type]
    msg_id = message.get("id") if isinstance(message, dict) else None
    is_request = isinstance(message, dict) and "method" in message
    if is_request and isinstance(msg_id, int | str) and not isinstance(msg_id, bool):
        assert_answered(server.reply(msg_id, PATIENCE_S))
    world.finish(server)


@FUZZ
@given(data=st.data())
def test_requests_and_notifications_with_wrong_params(world: World, data: st.DataObject) -> None:
    """Known methods with valid, nearly valid or random params, and unknown methods."""
    uris = [
        (world.root / "fuzz.py").as_uri(),
        (world.root / "never-opened.py").as_uri(),
        "untitled:Untitled-1",
        "file:///",
        "http://[::1",
        "",
        "not a uri at all \x00",
    ]
    method = data.draw(
        st.sampled_from(METHODS) | st.text(max_size=30).filter(lambda m: m not in RESERVED)
    )
    params = data.draw(lsp_params(uris))
    server = world.case()
    if data.draw(st.booleans()):
        assert_answered(server.call(method, params, PATIENCE_S))
    else:
        server.notify(method, params)
    world.finish(server)


# -- edits against a model ---------------------------------------------------------------------------

ALPHABET = st.sampled_from(
    ["a", "b", " ", "(", "é", "漢", "😀", "\n", "\r\n", "\t", "\x00", "x = 1\n"]
)
TEXT = st.lists(ALPHABET, max_size=20).map("".join)


class Model:
    """What the editor believes the document is, with the server's rules for odd positions:
    negative → 0, past the line end → the line end, past the last line → the end, inside a
    surrogate pair → before it; an edit whose end comes before its start is rejected."""

    def __init__(self, text: str) -> None:
        self.text = text

    def lines(self) -> list[str]:
        return self.text.split("\n")

    def content(self, row: int) -> str:
        return self.lines()[row].removesuffix("\r")

    def index(self, line: int, character: int) -> int:
        line, character = max(line, 0), max(character, 0)
        lines = self.lines()
        if line >= len(lines):
            return len(self.text)
        start = sum(len(ln) + 1 for ln in lines[:line])
        units = i = 0
        for ch in self.content(line):
            width = 2 if ord(ch) > 0xFFFF else 1
            if units + width > character:
                break
            units += width
            i += 1
        return start + i

    def apply(self, start: tuple[int, int], end: tuple[int, int], text: str) -> bool:
        a, b = self.index(*start), self.index(*end)
        if b < a:
            return False
        self.text = self.text[:a] + text + self.text[b:]
        return True

    def head(self, line: int, character: int) -> tuple[str, int]:
        """The line prefix the server puts before a suggestion, and its UTF-16 length."""
        index = self.index(line, character) - self.index(line, 0)
        head = self.content(line)[:index]
        return head, len(head.encode("utf-16-le")) // 2


def in_uinteger(*values: int) -> bool:
    return all(0 <= v <= 2**31 - 1 for v in values)


OP = st.one_of(
    st.tuples(st.just("edit"), POSITION_INT, POSITION_INT, POSITION_INT, POSITION_INT, TEXT),
    st.tuples(st.just("replace"), TEXT),
    st.tuples(st.just("ask"), POSITION_INT, POSITION_INT),
    st.tuples(st.just("complete"), POSITION_INT, POSITION_INT),
    st.tuples(st.just("reopen"), TEXT),
    st.tuples(st.just("stale"), POSITION_INT, POSITION_INT, TEXT),
)


@FUZZ
@given(initial=TEXT, ops=st.lists(OP, max_size=12))
def test_edit_sequences_keep_the_server_in_step_with_the_editor(
    world: World, initial: str, ops: list[tuple[Any, ...]]
) -> None:
    server = world.case()
    uri = (world.root / "model.py").as_uri()
    model = Model(initial)
    version = 1
    server.open(uri, initial, version=version)
    for op in ops:
        kind = op[0]
        version += 1
        if kind in ("edit", "stale"):
            if kind == "edit":
                _, sl, sc, el, ec, text = op
            else:
                _, sl, sc, text = op
                el, ec = sl, sc
            server.notify(
                "textDocument/didChange",
                {
                    "textDocument": {"uri": uri, "version": version if kind == "edit" else 0},
                    "contentChanges": [
                        {
                            "range": {
                                "start": {"line": sl, "character": sc},
                                "end": {"line": el, "character": ec},
                            },
                            "text": text,
                        }
                    ],
                },
            )
            if in_uinteger(sl, sc, el, ec):  # otherwise the message is rejected whole
                model.apply((sl, sc), (el, ec), text)
        elif kind == "replace":
            server.notify(
                "textDocument/didChange",
                {
                    "textDocument": {"uri": uri, "version": version},
                    "contentChanges": [{"text": op[1]}],
                },
            )
            model = Model(op[1])
        elif kind == "reopen":
            server.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
            server.open(uri, op[1], version=version)
            model = Model(op[1])
        else:
            _, line, character = op
            check_answer(server, model, uri, kind, line, character)
    # whatever happened, the end of the document is where the model says
    lines = model.lines()
    check_answer(server, model, uri, "ask", len(lines) - 1, 10**4)
    server.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    world.finish(server)


def check_answer(
    server: RawServer, model: Model, uri: str, kind: str, line: int, character: int
) -> None:
    position = {"line": line, "character": character}
    if kind == "ask":
        reply = server.inline(uri, line, character)
    else:
        reply = server.call(
            "textDocument/completion", {"textDocument": {"uri": uri}, "position": position}
        )
    assert_answered(reply)
    if not in_uinteger(line, character):
        assert "error" in reply, reply
        return
    found = items(reply)
    if line >= len(model.lines()):
        assert found == [], found
        return
    if not found:
        return
    (item,) = found
    head, width = model.head(line, character)
    start = 0
    if kind == "ask":  # inline: line start..cursor, text = line prefix + suggestion
        text, rng = item["insertText"], item["range"]
    else:  # completion: the word before the cursor..cursor, text = word + suggestion
        text, rng = item["textEdit"]["newText"], item["textEdit"]["range"]
        word = re.search(r"\w*$", head)
        head = word[0] if word else ""
        start = width - len(head.encode("utf-16-le")) // 2
    assert rng == {
        "start": {"line": line, "character": start},
        "end": {"line": line, "character": width},
    }, (rng, head, model.text)
    CASES["checked"] += 1
    assert text.startswith(head), (text, head)


@FUZZ
@given(
    text=st.text(st.characters(codec=None, min_codepoint=0, max_codepoint=0x10FFFF), max_size=60),
    line=st.integers(0, 4),
    character=st.integers(0, 70),
)
def test_binary_content_and_lone_surrogates(
    world: World, text: str, line: int, character: int
) -> None:
    """Any code point, NULs and unpaired surrogates included (JSON can carry them as escapes)."""
    server = world.case()
    uri = (world.root / "binary.py").as_uri()
    server.open(uri, text)
    server.notify(
        "textDocument/didChange",
        {
            "textDocument": {"uri": uri, "version": 2},
            "contentChanges": [
                {
                    "range": {
                        "start": {"line": line, "character": character},
                        "end": {"line": line, "character": character + 1},
                    },
                    "text": text[:3] + "\ud800",
                }
            ],
        },
    )
    assert_answered(server.inline(uri, line, character))
    assert_answered(
        server.call(
            "textDocument/completion",
            {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}},
        )
    )
    server.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    world.finish(server)
