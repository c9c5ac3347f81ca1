"""Stream filters on chunked input: split stop tokens, chat wrapping, block ends."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from ghostfill.pipeline import STREAM_FILTERS
from ghostfill.postprocess.base import FilterContext, chain
from ghostfill.postprocess.suffix_overlap import trim_suffix_overlap


async def _gen(parts: list[str]) -> AsyncIterator[str]:
    for p in parts:
        yield p


def run(parts: list[str], **kw: object) -> str:
    base: dict[str, object] = dict(
        line_prefix="    ",
        line_suffix="",
        prefix="",
        suffix="",
        multiline=True,
        max_lines=8,
        stop=("</COMPLETION>",),
        chat=True,
    )
    fctx = FilterContext(**{**base, **kw})  # type: ignore[arg-type]

    async def collect() -> str:
        return "".join([c async for c in chain(_gen(parts), STREAM_FILTERS, fctx)])

    return asyncio.run(collect())


def test_fenced_tagged_block_is_unwrapped_and_ends_with_the_block() -> None:
    out = run(["<COMP", "LETION>```python\nreturn x\n", "    y = 2\nz = 3\n```</COMPL", "ETION>"])
    assert out == "return x\n    y = 2\n"


def test_stop_token_split_across_chunks() -> None:
    assert run(["a + b</COMP", "LETION> junk"], multiline=False) == "a + b"


def test_echoed_line_prefix_is_removed() -> None:
    assert run(["x = foo(a)\nmore"], multiline=False, line_prefix="x = ") == "foo(a)"


def test_single_line_mode_stops_at_line_break() -> None:
    assert run(["foo()\nbar()"], multiline=False, chat=False, stop=()) == "foo()"


def test_fim_stop_tokens() -> None:
    assert run(["return 1<|endoftext|>garbage"], chat=False, stop=("<|endoftext|>",)) == "return 1"


def test_max_lines() -> None:
    assert run(["a\n" * 20], chat=False, stop=(), max_lines=3, line_prefix="") == "a\na\na"


def test_block_in_an_empty_body_ends_at_a_shallower_line() -> None:
    assert run(["a\n" * 20], chat=False, stop=(), max_lines=3) == "a\n"


@pytest.mark.parametrize(
    ("text", "suffix", "expected"),
    [
        ("a, b)", ")", "a, b"),
        ('name")', '")', "name"),
        ("x + 1", "", "x + 1"),
        ("a, b", ")", "a, b"),
        ("1\n2", ")", "1\n2"),
    ],
)
def test_suffix_overlap(text: str, suffix: str, expected: str) -> None:
    assert trim_suffix_overlap(text, suffix) == expected


def test_stop_filter_holds_back_only_a_possible_stop_start() -> None:
    from ghostfill.postprocess.stop_tokens import held, stop_at_stop_tokens

    stops = ("<|endoftext|>", "</COMPLETION>")
    assert held("x = 1\n", stops) == 0
    assert held("x = 1<|endo", stops) == len("<|endo")
    assert held("a </COMP", stops) == len("</COMP")

    async def first_chunk() -> str:
        fctx = FilterContext("", "", "", "", False, 1, stop=stops)
        out = stop_at_stop_tokens(_gen(["return a + b\n", "more"]), fctx)
        return await out.__anext__()

    assert asyncio.run(first_chunk()) == "return a + b\n"  # not held for the next tokens


def test_bracket_counting_skips_strings_and_comments() -> None:
    from ghostfill.documents.languages import LanguageRegistry
    from ghostfill.postprocess.brackets import closed_by, excess_closer, open_in, skip_of

    registry = LanguageRegistry()
    python, javascript = skip_of(registry.get("python")), skip_of(registry.get("javascript"))
    assert open_in('f(a, "(", [1', python) == {")": 1, "]": 1, "}": 0}
    assert open_in("f(a  # (\n", python) == {")": 1, "]": 0, "}": 0}
    assert open_in("f(a  // (\n", javascript) == {")": 1, "]": 0, "}": 0}
    assert closed_by('print("', '")\n', python) == {")": 1}
    allowed = open_in("foo(", python)
    allowed.subtract(closed_by("foo(", ")", python))
    assert excess_closer("foo(", "a, (b))", allowed, python) == 6


def test_bracket_counting_survives_an_open_quote_at_the_end() -> None:
    """A prefix ending in an unclosed quote (`print("` at the cursor) used to make the
    balancer see the quote as a bracket and fail."""
    from ghostfill.documents.languages import LanguageRegistry
    from ghostfill.postprocess.brackets import GENERIC, open_in, skip_of

    python = skip_of(LanguageRegistry().get("python"))
    assert open_in('print("', python) == {")": 1, "]": 0, "}": 0}
    assert open_in("f(['", GENERIC) == {")": 1, "]": 1, "}": 0}


def test_unknown_file_types_skip_only_double_quoted_strings() -> None:
    from ghostfill.postprocess.brackets import GENERIC, open_in, skip_of

    assert skip_of(None) == GENERIC
    assert open_in('f(a, "(", # (', GENERIC) == {")": 2, "]": 0, "}": 0}


LEXED = [
    'f(a, "(" [x] # (\n',
    "g({'k': [1, 2]}, /* ( */ h(",
    "s = `(${a[0]}` + [[ ( ]] -- (\n(",
    'x = """ ( [ """ + r\'(\' + (',
    "a(b[c{d}]e)f) ] (",
]


@pytest.mark.parametrize("seed", range(20))
def test_open_brackets_are_those_the_lexer_finds_in_every_language(seed: int) -> None:
    """`open_in` cuts strings and comments out rather than lexing token by token; on random
    cuts of code with every language's comment and string forms, both count the same."""
    import random

    from ghostfill.documents.languages import LanguageRegistry
    from ghostfill.postprocess.brackets import GENERIC, PAIRS, brackets, open_in, skip_of

    registry = LanguageRegistry()
    rng = random.Random(seed)
    code = "".join(rng.choice(LEXED) for _ in range(40))
    for skip in {skip_of(registry.get(name)) for name in registry.names()} | {GENERIC}:
        for _ in range(20):
            start = rng.randrange(len(code))
            text = code[start : start + rng.randrange(1, 400)]
            stack: list[str] = []
            for _, b in brackets(text, skip):
                if b in "([{":
                    stack.append(b)
                elif stack and stack[-1] == PAIRS[b]:
                    stack.pop()
            expected = {")": stack.count("("), "]": stack.count("["), "}": stack.count("{")}
            assert open_in(text, skip) == expected, (skip, text)


def test_syntax_gate_region_is_local() -> None:
    from ghostfill.postprocess.syntax_gate import region, starts_top_level

    prefix = "import os\n\ndef f():\n    x = 1\n    if x:\n        "
    suffix = "\n    return x\n\ndef g():\n    pass\n"
    found = region(prefix, suffix)
    assert found.before.startswith("def f():") and found.after == "\n    return x\n"
    assert found.indent == 0
    assert not starts_top_level("else:") and not starts_top_level("}")
    assert starts_top_level("class A:") and starts_top_level("@decorator")
