"""Balance brackets against the suffix: never emit a closer the code after the cursor already has.

A closer in the suggestion that matches no opener of the suggestion itself closes a bracket
opened before the cursor. It is kept only while the prefix has more such openers than the
suffix closes: `foo(|)` plus `a, b)` stops before `)`, while `foo(|` plus `a, b)` keeps it.
Counting is per bracket type and skips strings and comments (a small lexer built from the
language's `[brackets]` table, not a parser: the syntax gate checks the final result).
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import AsyncIterator, Iterator

from ghostfill.documents.languages import LanguageSpec
from ghostfill.postprocess.base import FilterContext, lines_of

PAIRS = {")": "(", "]": "[", "}": "{"}
OPENERS = "([{"
BRACKETS = frozenset("()[]{}")
_BRACKET = r"\(|\)|\[|\]|\{|\}"
"""One branch per bracket, not a class: when every branch of the lexer starts with a literal
(as the skip patterns do), `re` scans for those first characters instead of trying each
branch at every position (~30% of a lex)."""
_NOT_BRACKET = re.compile(r"[^()\[\]{}]+")
GENERIC: tuple[str, ...] = (r'"(?:\\.|[^"\\\n])*"?',)
"""What is skipped in a file of a type with no grammar folder: double-quoted strings only
(no comment syntax is assumed)."""


def skip_of(spec: LanguageSpec | None) -> tuple[str, ...]:
    """The comments and strings to skip in `spec`'s files (its `[brackets]` table)."""
    return spec.brackets.skip if spec is not None and spec.brackets.skip else GENERIC


@functools.lru_cache(maxsize=64)
def _lexer(skip: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join((*skip, _BRACKET)))


@functools.lru_cache(maxsize=64)
def _skipper(skip: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(skip))


def brackets(text: str, skip: tuple[str, ...]) -> list[tuple[int, str]]:
    """(index, bracket) for every bracket of `text` outside the comments and strings `skip`
    matches."""
    return [(m.start(), m.group()) for m in _lexer(skip).finditer(text) if m.group() in BRACKETS]


def open_in(prefix: str, skip: tuple[str, ...]) -> Counter[str]:
    """Openers left unclosed at the end of `prefix`, counted by their closer.

    `prefix` is the prompt's whole prefix, lexed on every answer with a closer: the comments
    and strings are cut out, then everything but brackets, both inside `re`, leaving one
    short string to walk. That finds the brackets `brackets` finds: where a skip pattern
    matches the lexer takes it too (skips come first), and elsewhere both move on by one
    character (a bracket is one)."""
    stack: list[str] = []
    for b in _NOT_BRACKET.sub("", _skipper(skip).sub("", prefix)):
        if b in OPENERS:
            stack.append(b)
        elif stack and stack[-1] == PAIRS[b]:
            stack.pop()
    return Counter({")": stack.count("("), "]": stack.count("["), "}": stack.count("{")})


def _outer_closers(line_prefix: str, text: str, skip: tuple[str, ...]) -> Iterator[tuple[int, str]]:
    """(index in `text`, bracket) of each closer in `text` that closes a bracket opened before
    `text` starts. `text` is lexed together with `line_prefix`, so a cursor inside a string
    literal (`print("hel|")`) does not turn the rest into a string."""
    start = len(line_prefix)
    stack: list[tuple[str, bool]] = []
    for i, b in brackets(line_prefix + text, skip):
        if b in OPENERS:
            stack.append((b, i >= start))
        elif i < start:
            if stack:
                stack.pop()
        elif stack and stack[-1][1]:
            stack.pop()
        else:
            yield i - start, b
            if stack:
                stack.pop()


def closed_by(line_prefix: str, suffix: str, skip: tuple[str, ...]) -> Counter[str]:
    """Closers in `suffix` that close brackets opened before the cursor."""
    return Counter(b for _, b in _outer_closers(line_prefix, suffix, skip))


def excess_closer(line_prefix: str, text: str, allowed: Counter[str], skip: tuple[str, ...]) -> int:
    """Index in `text` of the first closer that closes more than `allowed` lets it, or -1."""
    used: Counter[str] = Counter()
    for i, b in _outer_closers(line_prefix, text, skip):
        used[b] += 1
        if used[b] > allowed[b]:
            return i
    return -1


ALLOWED = "brackets.allowed"
"""The memo key of `allowed_closers` (prepared while the provider thinks)."""


def allowed_closers(ctx: FilterContext) -> Counter[str]:
    """How many closers of each kind the suggestion may have: the openers the prefix leaves
    unclosed, less those the suffix closes (lexed once per request, kept in the memo)."""
    allowed: Counter[str] | None = ctx.memo.get(ALLOWED)
    if allowed is None:
        skip = skip_of(ctx.spec)
        allowed = ctx.memo[ALLOWED] = open_in(ctx.prefix, skip)
        allowed.subtract(closed_by(ctx.line_prefix, ctx.suffix, skip))
    return allowed


def prepare_brackets(ctx: FilterContext) -> None:
    """While the provider thinks: lex the prefix and suffix once, for any closer to come."""
    allowed_closers(ctx)


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
            allowed = allowed_closers(ctx)
        cut = excess_closer(ctx.line_prefix, text + piece, allowed, skip_of(ctx.spec))
        if cut != -1:
            head = (text + piece)[len(text) : cut] if cut >= len(text) else ""
            if head:
                yield head.rstrip(" \t") if "\n" not in head else head
            return
        text += piece
        yield piece
