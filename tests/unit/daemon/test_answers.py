"""The book of initialize answers: keyed by build, code and client capabilities, bounded, private."""

from __future__ import annotations

import os
from pathlib import Path

from ghostfill.daemon.answers import KEPT, AnswerBook, key, stamp


def initialize(capabilities: object) -> dict[str, object]:
    return {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {"capabilities": capabilities},
    }


def test_the_key_follows_the_capabilities_not_their_order_or_the_rest() -> None:
    a = key("b", initialize({"workspace": {"configuration": True}, "window": {}}))
    b = key("b", initialize({"window": {}, "workspace": {"configuration": True}}))
    assert a == b
    assert a != key("b", initialize({"window": {}}))
    assert a != key("other build", initialize({"window": {}, "workspace": {"configuration": True}}))
    assert key("b", initialize(None)) is None
    assert key("b", None) is None


def test_the_stamp_changes_when_a_file_that_decides_capabilities_changes(tmp_path: Path) -> None:
    package = tmp_path / "ghostfill"
    (package / "server").mkdir(parents=True)
    handlers = package / "server" / "handlers.py"
    handlers.write_text("x")
    before = stamp("0.1.0-abc", str(package))
    assert stamp("0.1.0-abc", str(package)) == before
    os.utime(handlers, ns=(1, 1))
    assert stamp("0.1.0-abc", str(package)) != before


def test_put_get_bounded_and_private(tmp_path: Path) -> None:
    book = AnswerBook(str(tmp_path / "state" / "answers.json"))
    assert book.get("k") is None
    for n in range(KEPT + 3):
        book.put(f"k{n}", {"capabilities": {"n": n}})
    assert book.get("k0") is None
    assert book.get(f"k{KEPT + 2}") == {"capabilities": {"n": KEPT + 2}}
    book.put("k3", {"capabilities": {"n": 3}})  # the newest again: kept when others go
    for n in range(KEPT + 3, KEPT + 3 + KEPT - 1):
        book.put(f"k{n}", {})
    assert book.get("k3") == {"capabilities": {"n": 3}}
    assert (tmp_path / "state" / "answers.json").stat().st_mode & 0o777 == 0o600
    book.put(None, {"x": 1})
    book.put("bad", "not a result")
    assert book.get("bad") is None


def test_an_unreadable_book_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "answers.json"
    path.write_text("{not json")
    assert AnswerBook(str(path)).get("k") is None
    path.write_text("[1, 2]")
    assert AnswerBook(str(path)).get("k") is None
    AnswerBook(str(path)).put("k", {"a": 1})
    assert AnswerBook(str(path)).get("k") == {"a": 1}
