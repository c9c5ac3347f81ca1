"""The relay's copy of each open document stays identical to the server's document store."""

from __future__ import annotations

from typing import Any

import pytest
from ghostfill.daemon.replay import REPLAY_ID, SessionLog, Text
from ghostfill.documents.languages import LanguageRegistry
from ghostfill.documents.store import DocumentStore, TextChange
from ghostfill.documents.syntax import Grammars
from ghostfill.model import Position
from hypothesis import given, settings
from hypothesis import strategies as st

SOURCE = "class Shop:\r\n    def total(self):\n        return 1  # 😀 漢字\n"
URI = "file:///w/shop.py"


@pytest.fixture(scope="module")
def store() -> DocumentStore:
    registry = LanguageRegistry()
    return DocumentStore(registry, Grammars(registry))


def change(line: int, char: int, end_line: int, end_char: int, text: str) -> dict[str, Any]:
    return {
        "range": {
            "start": {"line": line, "character": char},
            "end": {"line": end_line, "character": end_char},
        },
        "text": text,
    }


positions = st.tuples(st.integers(0, 5), st.integers(0, 45))
edits = st.lists(
    st.tuples(positions, positions, st.text(alphabet="ab \n\r😀漢(", max_size=6)), max_size=12
)


@settings(max_examples=200, deadline=None)
@given(edits)
def test_edits_give_the_same_text_as_the_server_store(
    store: DocumentStore, steps: list[Any]
) -> None:
    doc = store.open(URI, SOURCE, 1, "python")
    copy = Text(SOURCE)
    for (a, b), (c, d), text in steps:
        start, end = sorted([(a, b), (c, d)])
        try:
            doc.apply(TextChange(text, Position(*start), Position(*end)))
            server_ok = True
        except Exception:
            server_ok = False
        try:
            copy.apply(change(*start, *end, text))
            relay_ok = True
        except ValueError:
            relay_ok = False
        assert relay_ok == server_ok
        assert copy.value == doc.text


def test_the_log_keeps_current_text_and_forgets_closed_documents() -> None:
    log = SessionLog()
    log.observe({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"x": 1}})
    log.observe({"jsonrpc": "2.0", "method": "initialized", "params": {}})
    item = {"uri": URI, "languageId": "python", "version": 1, "text": "ab\n"}
    log.observe({"method": "textDocument/didOpen", "params": {"textDocument": item}})
    log.observe(
        {"method": "textDocument/didOpen", "params": {"textDocument": {**item, "uri": "b"}}}
    )
    log.observe(
        {
            "method": "textDocument/didChange",
            "params": {
                "textDocument": {"uri": URI, "version": 2},
                "contentChanges": [change(0, 1, 0, 1, "X")],
            },
        }
    )
    log.observe(
        {
            "method": "textDocument/didChange",
            "params": {
                "textDocument": {"uri": URI, "version": 3},
                "contentChanges": [{"text": "whole\n"}, change(0, 5, 0, 5, "!")],
            },
        }
    )
    log.observe({"method": "textDocument/didClose", "params": {"textDocument": {"uri": "b"}}})
    replay = log.replay()
    assert [m.get("method") for m in replay] == [
        "initialize",
        "initialized",
        "textDocument/didOpen",
    ]
    assert replay[0]["id"] == REPLAY_ID and replay[0]["params"] == {"x": 1}
    assert replay[2]["params"]["textDocument"] == {
        "uri": URI,
        "languageId": "python",
        "version": 3,
        "text": "whole!\n",
    }


def test_nothing_to_replay_before_initialize() -> None:
    assert SessionLog().replay() == []
