"""Model rewrites: each format's prompt carries the edits and the region, answers become edits."""

from __future__ import annotations

import pytest
from ghostfill.model import Position
from ghostfill.nextedit.formats import FORMATS, pick
from ghostfill.nextedit.model import apply
from ghostfill.nextedit.rewrite import RewritePrompt, build, edits, parse

from tests.unit.nextedit.typing_helpers import Editor

CODE = "import os\n\n\ndef size(path):\n    total = 0\n    total += 1\n    return total\n"


def _renamed() -> tuple[Editor, Position]:
    """`total` renamed to `count` on line 4 by typing over it; the cursor after the new name."""
    ed = Editor()
    ed.open(CODE)
    ed.rename_at(4, 4, "total", "count")
    return ed, Position(4, 9)


def _prompt(name: str) -> tuple[Editor, RewritePrompt]:
    ed, cursor = _renamed()
    request = build(FORMATS[name], ed.doc, ed.history.edits(ed.doc.uri), cursor)
    assert request is not None
    return ed, request


def _region_answer(ed: Editor, request: RewritePrompt) -> str:
    return request.window.text.replace("total", "count")


def test_chat_prompt_shows_the_edit_as_a_diff_and_marks_region_and_cursor() -> None:
    _ed, request = _prompt("chat")
    assert request.wire == "chat" and "NO_CHANGE" in request.system
    assert "@@ -5,1 +5,1 @@\n-    total = 0\n+    count = 0\n" in request.prompt
    assert "<|region|>\n" in request.prompt and "    count<|cursor|> = 0" in request.prompt
    assert request.prompt.index("<|region|>") < request.prompt.index("<|/region|>")


def test_zeta_prompt_is_the_zeta_layout() -> None:
    _, request = _prompt("zeta")
    p = request.prompt
    assert request.wire == "completions" and request.stop == ("<|editable_region_end|>",)
    assert p.startswith("### Instruction:\n") and p.endswith("### Response:\n")
    assert 'User edited "w/t.py":\n```diff\n@@ -5,1 +5,1 @@' in p
    assert "```w/t.py\n<|start_of_file|>\n<|editable_region_start|>\nimport os" in p
    assert "    count<|user_cursor_is_here|> = 0" in p


def test_sweep_prompt_has_original_current_and_updated_sections() -> None:
    _, request = _prompt("sweep")
    p = request.prompt
    assert p.startswith(
        "<|file_sep|>w/t.py.diff\noriginal:\n    total = 0\nupdated:\n    count = 0\n"
    )
    original = p.split("<|file_sep|>original/w/t.py\n")[1].split("<|file_sep|>")[0]
    current = p.split("<|file_sep|>current/w/t.py\n")[1].split("<|file_sep|>")[0]
    assert "    total = 0" in original and "    count = 0" in current
    assert p.endswith("<|file_sep|>updated/w/t.py\n")


def test_mercury_content_has_its_three_sections() -> None:
    _, request = _prompt("mercury")
    p = request.prompt
    assert request.wire == "edit"
    for tag in ("recently_viewed_code_snippets", "current_file_content", "edit_diff_history"):
        assert f"<|{tag}|>" in p and f"<|/{tag}|>" in p
    assert "current_file_path: w/t.py\n" in p and "<|code_to_edit|>\n" in p
    assert "--- w/t.py\n+++ w/t.py\n@@ -5,1 +5,1 @@" in p


@pytest.mark.parametrize(
    ("name", "wrap"),
    [
        ("chat", "Here it is:\n```python\n{}\n```\n"),
        ("mercury", "```\n{}\n```"),
        ("sweep", "{}\n"),
        ("zeta", "```w/t.py\nimport os\n<|editable_region_start|>\n{}\n"),
    ],
)
def test_each_format_answer_becomes_the_rename_edits(name: str, wrap: str) -> None:
    ed, request = _prompt(name)
    answer = wrap.format(_region_answer(ed, request))
    found = edits(FORMATS[name], request, answer)
    assert [ed.doc.data[e.start : e.end] for e in found] == [b"total", b"total"]
    assert apply(ed.doc.data, found).decode() == CODE.replace("total", "count")


@pytest.mark.parametrize(
    ("name", "answer"),
    [("chat", "NO_CHANGE"), ("mercury", "None"), ("chat", ""), ("zeta", "```w/t.py\nimport")],
)
def test_no_change_answers_are_no_edits(name: str, answer: str) -> None:
    _, request = _prompt(name)
    assert edits(FORMATS[name], request, answer) == ()


def test_the_region_unchanged_is_no_edits() -> None:
    _, request = _prompt("sweep")
    assert edits(FORMATS["sweep"], request, request.window.text + "\n\n") == ()


def test_an_answer_that_changes_what_was_just_typed_is_dropped() -> None:
    _ed, request = _prompt("sweep")
    undone = request.window.text.replace("count = 0", "total = 0").replace("total", "count", 0)
    assert edits(FORMATS["sweep"], request, undone) == ()


def test_a_cut_off_answer_is_dropped() -> None:
    _ed, request = _prompt("sweep")
    assert edits(FORMATS["sweep"], request, "x" * request.max_chars) == ()


def test_code_holding_a_format_marker_is_not_sent() -> None:
    ed = Editor()
    ed.open("s = '<|file_sep|>'\nt = 1\n")
    ed.rename_at(1, 0, "t", "u")
    assert build(FORMATS["sweep"], ed.doc, ed.history.edits(ed.doc.uri), Position(1, 1)) is None
    assert build(FORMATS["chat"], ed.doc, ed.history.edits(ed.doc.uri), Position(1, 1)) is not None


def test_no_history_is_nothing_to_ask() -> None:
    ed = Editor()
    ed.open(CODE)
    assert build(FORMATS["chat"], ed.doc, [], Position(0, 0)) is None


def test_parse_strips_the_cursor_marker() -> None:
    assert (
        parse(FORMATS["zeta"], "<|editable_region_start|>\na<|user_cursor_is_here|>b\n") == "ab\n"
    )


@pytest.mark.parametrize(
    ("setting", "model", "url", "expected"),
    [
        ("auto", "mercury-edit-2", "https://api.inceptionlabs.ai/v1", "mercury"),
        ("auto", "zeta-7b", "http://127.0.0.1:8000/v1", "zeta"),
        ("auto", "sweep-next-edit-1.5b", "http://127.0.0.1:8080", "sweep"),
        ("auto", "gpt-oss-120b", "https://api.cerebras.ai/v1", "chat"),
        ("sweep", "gpt-oss-120b", "", "sweep"),
    ],
)
def test_auto_picks_the_format_from_model_and_url(
    setting: str, model: str, url: str, expected: str
) -> None:
    assert pick(setting, model, url).name == expected
