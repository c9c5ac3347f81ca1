"""The filter shapes: stream filters (async generators from chunks to chunks) and final
filters (whole text to text, once the stream has ended).

A stream filter that decides the suggestion is finished simply returns; the consumer then
stops iterating the backend stream, which closes the HTTP connection so the provider stops too.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ghostfill.documents.languages import LanguageSpec
    from ghostfill.documents.syntax import Grammar


@dataclass(frozen=True, slots=True)
class FilterContext:
    line_prefix: str
    line_suffix: str
    prefix: str
    suffix: str
    multiline: bool
    max_lines: int
    stop: tuple[str, ...] = ()
    strip: tuple[str, ...] = ()
    chat: bool = False
    language: str = ""
    spec: LanguageSpec | None = None
    """The document's language data (None: a file type with no grammar folder)."""
    indent_unit: str = "    "
    lookahead: int = 0
    """Single-line mode: lines kept past the first for typing through (never shown with it)."""
    grammar: Grammar | None = None
    """The document's tree-sitter grammar, for the syntax gate (None: the gate lets all pass)."""
    memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """Per-request scratch space for filters (work done early, while waiting for tokens)."""

    @property
    def above(self) -> str:
        """The prefix before the cursor's line."""
        return self.prefix[: len(self.prefix) - len(self.line_prefix)]

    @property
    def below(self) -> str:
        """The suffix after the cursor's line (without its line break)."""
        rest = self.suffix[len(self.line_suffix) :]
        for eol in ("\r\n", "\n"):
            if rest.startswith(eol):
                return rest[len(eol) :]
        return rest


StreamFilter = Callable[[AsyncIterator[str], FilterContext], AsyncIterator[str]]
FinalFilter = Callable[[str, FilterContext], str]
"""A filter over the whole suggestion once the stream has ended."""
Preparer = Callable[[FilterContext], None]
"""Work a filter wants done before the answer comes, kept in `FilterContext.memo`."""


def chain(
    chunks: AsyncIterator[str], filters: Sequence[StreamFilter], ctx: FilterContext
) -> AsyncIterator[str]:
    for f in filters:
        chunks = f(chunks, ctx)
    return chunks


def finish(text: str, filters: Sequence[FinalFilter], ctx: FilterContext) -> str:
    for f in filters:
        if not text:
            break
        text = f(text, ctx)
    return text


async def lines_of(chunks: AsyncIterator[str]) -> AsyncIterator[tuple[str, bool]]:
    """Re-chunk into (text, complete_line) pieces: whole lines as they finish, then the rest."""
    pending = ""
    async for chunk in chunks:
        pending += chunk
        while (i := pending.find("\n")) != -1:
            yield pending[: i + 1], True
            pending = pending[i + 1 :]
    if pending:
        yield pending, False


def tidy(text: str, line_suffix: str) -> str:
    """A finished suggestion as shown: no trailing blanks, except the line break that puts
    the text after the cursor back on its own line when the suggestion ends with one."""
    if line_suffix.strip() and text.rstrip(" \t").endswith("\n") and text.strip():
        return text.rstrip() + "\n"
    return text.rstrip()
