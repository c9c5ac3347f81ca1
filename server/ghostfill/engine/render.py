"""Turn tokens back into text with the language's (and the project's) spacing.

Whether a space goes between two tokens is learned: `Spacing` counts, per pair and per triple
of token classes (keywords, operators and punctuation stand for themselves, everything else is
ID, NUM or STR), how often the source had a space there. Unseen pairs fall back to rules that
suit most C-like and Python code: spaces around binary operators and after commas, none inside
brackets or around dots.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

from ghostfill.engine.lexer import (
    BOS,
    DEDENT,
    INDENT,
    LINE_ENDS,
    NEWLINE,
    SPECIAL,
    Family,
    is_word,
    kind_of,
)

STATEMENT_ENDS = frozenset({NEWLINE, INDENT, DEDENT, BOS})
_NO_SPACE_AFTER = frozenset({"(", "[", "{", "@", "~", "!", "$", "\\"})
_NO_SPACE_BEFORE = frozenset({")", "]", "}", ",", ";", ":"})
_OPENERS = frozenset({"(", "["})
_CLOSERS = frozenset({")", "]", "}"})
_K = TypeVar("_K", bound=Hashable)
_MAX_CLASSES = 4096
"""Guard for the learned tables: pairs/triples beyond this many distinct keys are not added."""


class Spacing:
    """Learned spacing between token classes for one language group.

    Operators and punctuation inside brackets get their own classes (`=@`), so keyword
    arguments (`f(a=b)`) and assignments (`a = b`) are learned apart.
    """

    __slots__ = ("family", "pairs", "triples")

    def __init__(self, family: Family) -> None:
        self.family = family
        self.pairs: dict[tuple[str, str], list[int]] = {}
        self.triples: dict[tuple[str, str, str], list[int]] = {}

    def klass(self, tok: str, depth: int) -> str:
        kind = kind_of(tok, self.family)
        if depth > 0 and kind == tok and not tok[0].isalnum():
            return kind + "@"
        return kind

    def observe(self, text: str, limit: int = 20000) -> None:
        """Learn from up to `limit` raw tokens of `text` (a sample is plenty)."""
        family = self.family
        comments = family.comments
        openers = family.brackets
        closers = family.closers
        pairs = self.pairs
        triples = self.triples
        prev2 = prev = ""
        depth = 0
        for n, match in enumerate(family.pattern.finditer(text)):
            if n >= limit:
                break
            tok = match.group()
            if tok[0] == "\n":
                prev2 = prev = ""
                continue
            if tok.startswith(comments):
                continue
            cur = self.klass(tok, depth)
            if tok in openers:
                depth += 1
            elif tok in closers and depth:
                depth -= 1
            if prev:
                start = match.start()
                spaced = start > 0 and text[start - 1] in " \t"
                _bump(pairs, (prev, cur), spaced)
                if prev2:
                    _bump(triples, (prev2, prev, cur), spaced)
            prev2, prev = prev, cur

    def space(self, before2: str, before: str, cur: str, a2: str, a: str, b: str) -> bool:
        """Should a space separate token `before` and `cur` (classes `a` and `b`)?"""
        if a2:
            seen = self.triples.get((a2, a, b))
            if seen is not None and seen[1] >= 3:
                return seen[0] * 2 > seen[1]
        seen = self.pairs.get((a, b))
        if seen is not None and seen[1] >= 2:
            return seen[0] * 2 > seen[1]
        return default_space(before, cur, self.family)


def _bump(table: dict[_K, list[int]], key: _K, spaced: bool) -> None:
    entry = table.get(key)
    if entry is None:
        if len(table) >= _MAX_CLASSES:
            return
        entry = table[key] = [0, 0]
    entry[1] += 1
    if spaced:
        entry[0] += 1


def default_space(prev: str, cur: str, family: Family) -> bool:
    """Spacing rules for pairs the project has not shown us."""
    if prev in _NO_SPACE_AFTER or cur in _NO_SPACE_BEFORE:
        return False
    if prev in family.member or cur in family.member:
        return False
    prev_word = is_word(prev, family) or prev[0] in family.quotes
    cur_word = is_word(cur, family) or cur[0] in family.quotes
    closed = prev_word or prev in _CLOSERS
    if cur in _OPENERS:
        return not closed or prev in family.keywords  # f(x), a[i]; but = [1], if (x)
    if prev in (",", ";"):
        return True
    if closed and cur_word:
        return True
    if not closed:
        return True  # after an operator
    return not cur_word  # before an operator


def render(
    tokens: Sequence[str],
    before: Sequence[str],
    spacing: Spacing,
    *,
    indent_unit: str = "    ",
    indent: str = "",
    depth: int = 0,
) -> str:
    """Text for `tokens`, which follow the tokens `before` (used only for spacing).

    Line breaks become "\\n" plus `indent` adjusted by INDENT/DEDENT tokens; the first token
    gets a leading space if the spacing rules want one after `before[-1]`. `depth` is the
    bracket depth at the first token.
    """
    family = spacing.family
    openers = family.brackets
    closers = family.closers
    out: list[str] = []
    prev2 = before[-2] if len(before) >= 2 and before[-2] not in SPECIAL else ""
    prev = before[-1] if before and before[-1] not in SPECIAL else ""
    back = depth + (1 if prev in closers else -1 if prev in openers else 0)
    c2 = spacing.klass(prev2, back) if prev2 else ""
    c1 = spacing.klass(prev, back) if prev else ""
    level = 0
    at_line_start = False
    spaced: bool | None = None
    """Whether a space went before `prev` (an assignment-like operator mirrors it after)."""
    for tok in tokens:
        if tok in LINE_ENDS:
            out.append("\n")
            at_line_start = True
            prev2 = prev = c2 = c1 = ""
            continue
        if tok == INDENT:
            level += 1
            continue
        if tok == DEDENT:
            level -= 1
            continue
        if tok in SPECIAL:
            continue
        cls = spacing.klass(tok, depth)
        if at_line_start:
            out.append(_indented(indent, indent_unit, level))
            at_line_start = False
            spaced = False
        elif prev and _spaced(spacing, prev2, prev, tok, c2, c1, cls, spaced):
            out.append(" ")
            spaced = True
        else:
            spaced = False
        out.append(tok)
        if tok in openers:
            depth += 1
        elif tok in closers and depth:
            depth -= 1
        prev2, prev, c2, c1 = prev, tok, c1, cls
    return "".join(out)


def _spaced(
    spacing: Spacing,
    prev2: str,
    prev: str,
    tok: str,
    c2: str,
    c1: str,
    cls: str,
    before: bool | None,
) -> bool:
    """`spacing.space`, except that after an operator with `=` in it (`=`, `==`, `+=`, `=>`)
    the space mirrors the one before it: `f(x=1)` but `def f(x: int = 1)`, never `x: int =1`."""
    if before is not None and "=" in prev and not is_word(prev, spacing.family):
        return before
    return spacing.space(prev2, prev, tok, c2, c1, cls)


def bracket_depth(tokens: Sequence[str], family: Family) -> int:
    """Bracket depth after `tokens`, counted from the start of their last statement."""
    depth = 0
    for tok in reversed(tokens):
        if tok in STATEMENT_ENDS:
            break
        if tok in family.brackets:
            depth += 1
        elif tok in family.closers:
            depth -= 1
    return max(depth, 0)


def _indented(indent: str, unit: str, level: int) -> str:
    if level >= 0:
        return indent + unit * level
    return indent[: max(0, len(indent) - len(unit) * -level)]
