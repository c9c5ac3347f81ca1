"""Golden cases for the postprocess filters: tests/golden/postprocess/<filter>/*.toml.

Each case runs the whole chain the pipeline runs (stream filters, then final filters, then
the tidy-up of a finished suggestion), three times: the model's text in one chunk, one
character per chunk (filters are also tested on text split anywhere), and in one chunk
after the preparers ran (as the server runs them while the provider thinks: the syntax
gate then parses each candidate incrementally from the code's own tree). The format is in
tests/golden/postprocess/README.md.
"""

from __future__ import annotations

import asyncio
import tomllib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from ghostfill.context.multiline import wants_block
from ghostfill.documents.languages import LanguageRegistry
from ghostfill.documents.syntax import Grammars
from ghostfill.postprocess import FINAL_FILTERS, PREPARERS, STREAM_FILTERS
from ghostfill.postprocess.base import FilterContext, chain, finish, tidy

ROOT = Path(__file__).parent / "postprocess"
CURSOR, END = "├", "┤"
GRAMMARS = Grammars(LanguageRegistry())
FILTERS = sorted(p.name for p in ROOT.iterdir() if p.is_dir())


@dataclass(frozen=True)
class Marked:
    prefix: str
    middle: str
    suffix: str


def split(text: str, where: Path) -> Marked:
    if text.count(CURSOR) != 1 or text.count(END) != 1 or text.index(CURSOR) > text.index(END):
        raise ValueError(f"{where}: mark the completion once as {CURSOR}…{END}")
    prefix, rest = text.split(CURSOR)
    middle, suffix = rest.split(END)
    return Marked(prefix, middle, suffix)


def cases() -> list[Any]:
    params = []
    for path in sorted(ROOT.glob("*/*.toml")):
        params.append(pytest.param(path, id=f"{path.parent.name}/{path.stem}"))
    return params


def context_for(case: dict[str, Any], marked: Marked) -> FilterContext:
    ctx = case["context"]
    language = ctx.get("language", "python")
    line_prefix = marked.prefix.rsplit("\n", 1)[-1]
    line_suffix = marked.suffix.split("\n", 1)[0].rstrip("\r")
    multiline = ctx.get("multiline")
    if multiline is None:
        multiline = wants_block("auto", marked.prefix, line_prefix, line_suffix)
    return FilterContext(
        line_prefix=line_prefix,
        line_suffix=line_suffix,
        prefix=marked.prefix,
        suffix=marked.suffix,
        multiline=multiline,
        max_lines=ctx.get("max_lines", 8),
        stop=tuple(ctx.get("stop", ())),
        strip=tuple(ctx.get("strip", ())),
        chat=ctx.get("chat", False),
        language=language,
        spec=GRAMMARS.registry.get(language),
        grammar=GRAMMARS.by_name(language),
    )


async def _chunks(parts: list[str]) -> AsyncIterator[str]:
    for part in parts:
        yield part


def suggest(parts: list[str], fctx: FilterContext) -> str:
    async def collect() -> str:
        return "".join([c async for c in chain(_chunks(parts), STREAM_FILTERS, fctx)])

    text = finish(asyncio.run(collect()), FINAL_FILTERS, fctx)
    return tidy(text, fctx.line_suffix)


def test_every_filter_has_cases() -> None:
    assert set(FILTERS) >= {
        "stop_tokens",
        "chat_cleanup",
        "line_limit",
        "repetition",
        "brackets",
        "suffix_overlap",
        "syntax_gate",
    }
    for name in FILTERS:
        assert len(list((ROOT / name).glob("*.toml"))) >= 3, name


@pytest.mark.parametrize("path", cases())
@pytest.mark.parametrize("chunking", ["whole", "chars", "prepared"])
def test_golden(path: Path, chunking: str) -> None:
    case = tomllib.loads(path.read_text(encoding="utf-8"))
    assert case.get("description"), f"{path}: add a description"
    marked = split(case["context"]["text"], path)
    fctx = context_for(case, marked)
    parts = list(marked.middle) if chunking == "chars" else [marked.middle]
    if chunking == "prepared":
        for prepare in PREPARERS:
            prepare(fctx)
        assert fctx.memo, "the preparers leave their work in the memo"
    got = suggest(parts, fctx)
    expected = case["expected"]
    if expected.get("discard"):
        assert got == "", f"{case['description']}: expected nothing, got {got!r}"
        return
    want = split(expected["text"], path)
    assert (want.prefix, want.suffix) == (marked.prefix, marked.suffix), (
        f"{path}: [expected] text must keep the prefix and suffix of [context] text"
    )
    assert got == want.middle, case["description"]
