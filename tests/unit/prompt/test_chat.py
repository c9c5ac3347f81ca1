"""The hole-filling chat prompt for chat-only models contains the hole, in place."""

from __future__ import annotations

from dataclasses import replace

from ghostfill.model import CompletionContext, Snippet
from ghostfill.prompt import chat
from ghostfill.prompt.render import render

CTX = CompletionContext(
    uri="file:///ws/calc.py",
    path="calc.py",
    language="python",
    prefix="def add(a, b):\n    return ",
    suffix="\n\nprint(add(1, 2))\n",
    line_prefix="    return ",
    line_suffix="",
)


def test_the_last_message_holds_the_file_with_the_hole() -> None:
    prompt = render(CTX, model="gpt-oss-120b")
    last = prompt.messages[-1]
    assert last.role == "user"
    assert f"{CTX.prefix}{chat.HOLE}{CTX.suffix}" in last.content
    assert 'path="calc.py" language="python"' in last.content
    assert "the rest of the current line only" in last.content
    assert last.content.count(chat.HOLE) == 2  # the file, and the task line naming it


def test_system_first_then_alternating_few_shots() -> None:
    messages = render(CTX, model="claude-haiku-4-5").messages
    assert messages[0].role == "system" and chat.HOLE in messages[0].content
    roles = [m.role for m in messages[1:]]
    assert roles == ["user", "assistant"] * len(chat.EXAMPLES) + ["user"]
    for shot in messages[2:-1:2]:
        assert shot.content.startswith("<COMPLETION>") and shot.content.endswith("</COMPLETION>")
    for query in messages[1:-1:2]:
        assert query.content.count(chat.HOLE) == 1


def test_multiline_and_context() -> None:
    ctx = replace(
        CTX,
        multiline=True,
        snippets=(Snippet("util.py", "def sub(a, b):\n    return a - b", "definition"),),
        scopes=("def add(a, b):",),
    )
    last = render(ctx, model="gpt-4.1-nano").messages[-1].content
    assert "one or more lines" in last
    assert last.startswith(
        "<CONTEXT>\n--- definition in util.py\ndef sub(a, b):\n    return a - b\n"
    )
    assert "--- enclosing scopes\ndef add(a, b):" in last


def test_code_with_braces_survives() -> None:
    ctx = replace(CTX, prefix="x = {'k': {", suffix="}}\n")
    assert (
        f"x = {{'k': {{{chat.HOLE}}}}}\n" in render(ctx, model="gpt-oss-120b").messages[-1].content
    )
