"""The hole-filling chat prompt for chat-only models: the hole in place, the code after it
first and the code before it last, so only the prompt's tail changes while the user types."""

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
    after = f"<AFTER_HOLE>\n{CTX.suffix}\n</AFTER_HOLE>\n"
    query = f'<QUERY path="calc.py" language="python">\n{CTX.prefix}{chat.HOLE}\n</QUERY>\n'
    assert after + query in last.content
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
    last = render(ctx, model="gpt-oss-120b").messages[-1].content
    assert f"x = {{'k': {{{chat.HOLE}\n" in last and "<AFTER_HOLE>\n}}\n\n</AFTER_HOLE>" in last


def test_typing_changes_only_the_tail() -> None:
    """What a keystroke changes comes after everything else: the prompt before the typed
    text is the same, so a server's prompt cache reuses it."""
    ctx = replace(
        CTX, snippets=(Snippet("util.py", "def sub(a, b):\n    return a - b", "definition"),)
    )
    before = render(ctx, model="gpt-oss-120b").messages
    typed = replace(ctx, prefix=ctx.prefix + "a", line_prefix=ctx.line_prefix + "a")
    after = render(typed, model="gpt-oss-120b").messages
    assert before[:-1] == after[:-1]
    old, new = before[-1].content, after[-1].content
    cut = old.index(chat.HOLE)
    assert new[:cut] == old[:cut] and new[cut] == "a"
    assert len(old) - cut < 160  # only the hole, the closing tag and the task line follow


def test_snippets_keep_their_order_whatever_their_scores() -> None:
    a = Snippet("a.py", "def a(): pass", "definition", score=0.9)
    b = Snippet("b.py", "def b(): pass", "definition", score=0.2)
    edit = Snippet("c.py", "c = 1", "edit", score=1.0)
    one = render(replace(CTX, snippets=(a, b, edit)), model="gpt-oss-120b")
    two = render(replace(CTX, snippets=(edit, b, a)), model="gpt-oss-120b")
    assert one.messages == two.messages and one.continuation == two.continuation
    text = one.messages[-1].content
    assert text.index("a.py") < text.index("b.py") < text.index("c.py")
