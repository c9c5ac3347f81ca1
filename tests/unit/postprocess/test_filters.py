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
