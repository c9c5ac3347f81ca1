"""The marker parser the golden tests rest on."""

from __future__ import annotations

import pytest

from tests.golden.annotated import AnnotationError, parse

SOURCE = """\
import os  # {{IMPORT os}}
# {{TEST first}}
class A:  # {{CONTEXT}} {{DEF class A}}
    def f(self):  # {{CONTEXT}}
        return "é"{{CURSOR}}
# {{TEST}}
x = 1  # {{CURSOR}} {{REF call f}}
"""


def test_cursor_markers_are_removed_and_located() -> None:
    source = parse(SOURCE)
    assert "{{CURSOR}}" not in source.text
    first, second = source.cases
    assert first.label == "first"
    assert first.context_rows == (2, 3)
    data = source.text.encode("utf-8")
    assert data[: first.cursor].endswith('return "é"'.encode())
    assert first.cursor_row == 4
    assert second.label == "line 7"
    assert second.context_rows == ()
    assert data[: second.cursor].endswith(b"x = 1  # ")


def test_markers_by_kind() -> None:
    source = parse(SOURCE)
    assert source.expected("DEF") == {(2, ("class", "A"))}
    assert source.expected("REF") == {(6, ("call", "f"))}
    assert source.expected("IMPORT") == {(0, ("os",))}
    assert source.has("IMPORT") and not source.has("NOPE")


@pytest.mark.parametrize(
    "text",
    [
        "x  # {{DEF function}}\n",
        "x  # {{CONTEXT}}\n",
        "x  # {{CURSOR}}\ny  # {{CURSOR}}\n",
    ],
)
def test_bad_annotations_are_rejected(text: str) -> None:
    with pytest.raises(AnnotationError):
        parse(text)
