"""Balance brackets against the suffix: never emit a closer the code after the cursor already has.

A closer in the suggestion that matches no opener of the suggestion itself closes a bracket
opened before the cursor. It is kept only while the prefix has more such openers than the
suffix closes: `foo(|)` plus `a, b)` stops before `)`, while `foo(|` plus `a, b)` keeps it.
Counting is per bracket type and skips strings and comments (a small lexer per language
family, not a parser: the syntax gate checks the final result).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import AsyncIterator

from ghostfill.postprocess.base import FilterContext, lines_of

PAIRS = {")": "(", "]": "[", "}": "{"}
OPENERS = "([{"

_STRINGS = r'"(?:\\.|[^"\\\n])*"?'
_QUOTED = r"'(?:\\.|[^'\\\n])*'?"
_CHAR = r"'(?:\\.[^'\n]{0,8}|[^'\\\n])'"
"""A char literal (`'x'`, `'\\n'`, `'\\u{1F600}'`); a lone `'` (a Rust lifetime) is skipped."""
_BRACKET = r"[()\[\]{}]"

_HASH = re.compile(
    "|".join(
        (
            r"#[^\n]*",
            r'"""[\s\S]*?(?:"""|$)',
            r"'''[\s\S]*?(?:'''|$)",
            _STRINGS,
            _QUOTED,
            _BRACKET,
        )
    )
)
_SLASH_CHARS = re.compile(
    "|".join((r"//[^\n]*", r"/\*[\s\S]*?(?:\*/|$)", _STRINGS, _CHAR, _BRACKET))
)
_SLASH_QUOTES = re.compile(
    "|".join(
        (r"//[^\n]*", r"/\*[\s\S]*?(?:\*/|$)", _STRINGS, _QUOTED, r"`(?:\\.|[^`\\])*`?", _BRACKET)
    )
)
_DASH = re.compile(
    "|".join((r"--\[\[[\s\S]*?(?:\]\]|$)", r"--[^\n]*", _STRINGS, _QUOTED, _BRACKET))
)

_LEXERS = {
    "python": _HASH,
    "ruby": _HASH,
    "bash": _HASH,
    "lua": _DASH,
    "javascript": _SLASH_QUOTES,
    "typescript": _SLASH_QUOTES,
    "tsx": _SLASH_QUOTES,
    "php": _SLASH_QUOTES,
}


def brackets(text: str, language: str) -> list[tuple[int, str]]:
    """(index, bracket) for every bracket of `text` outside strings and comments."""
    lexer = _LEXERS.get(language, _SLASH_CHARS)
    return [(m.start(), m.group()) for m in lexer.finditer(text) if len(m.group()) == 1]


def open_in(prefix: str, language: str) -> Counter[str]:
    """Openers left unclosed at the end of `prefix`, counted by their closer."""
    stack: list[str] = []
    for _, b in brackets(prefix, language):
        if b in OPENERS:
            stack.append(b)
        elif stack and stack[-1] == PAIRS[b]:
            stack.pop()
    return Counter({")": stack.count("("), "]": stack.count("["), "}": stack.count("{")})


def closed_by(line_prefix: str, suffix: str, language: str) -> Counter[str]:
    """Closers in `suffix` that close brackets opened before the cursor.

    The suffix is lexed together with the text before the cursor on its line, so a cursor
    inside a string literal (`print("hel|")`) does not turn the rest into a string.
    """
    start = len(line_prefix)
    stack: list[tuple[str, bool]] = []
    closed: Counter[str] = Counter()
    for i, b in brackets(line_prefix + suffix, language):
        if b in OPENERS:
            stack.append((b, i >= start))
        elif i < start:
            if stack:
                stack.pop()
        elif stack and stack[-1][1]:
            stack.pop()
        else:
            closed[b] += 1
            if stack:
                stack.pop()
    return closed


def excess_closer(line_prefix: str, text: str, allowed: Counter[str], language: str) -> int:
    """Index in `text` of the first closer that closes more than `allowed` lets it, or -1."""
    start = len(line_prefix)
    stack: list[tuple[str, bool]] = []
    used: Counter[str] = Counter()
    for i, b in brackets(line_prefix + text, language):
        if b in OPENERS:
            stack.append((b, i >= start))
        elif i < start:
            if stack:
                stack.pop()
        elif stack and stack[-1][1]:
            stack.pop()
        else:
            used[b] += 1
            if used[b] > allowed[b]:
                return i - start
            if stack:
                stack.pop()
    return -1


async def balance_brackets(chunks: AsyncIterator[str], ctx: FilterContext) -> AsyncIterator[str]:
    """Stop right before a closer the suffix already provides."""
    allowed: Counter[str] | None = None
    text = ""
    async for piece, _ in lines_of(chunks):
        if not any(c in piece for c in PAIRS):
            text += piece
            yield piece
            continue
        if allowed is None:
            allowed = open_in(ctx.prefix, ctx.language)
            allowed.subtract(closed_by(ctx.line_prefix, ctx.suffix, ctx.language))
        cut = excess_closer(ctx.line_prefix, text + piece, allowed, ctx.language)
        if cut != -1:
            head = (text + piece)[len(text) : cut] if cut >= len(text) else ""
            if head:
                yield head.rstrip(" \t") if "\n" not in head else head
            return
        text += piece
        yield piece
