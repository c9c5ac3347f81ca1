"""A fast regex tokenizer per language, for the offline engine's n-gram models.

One master regex per language does the work in C (`re.findall`); a single Python loop then
drops comments, turns line breaks into NEWLINE / INDENT / DEDENT tokens and abstracts long
strings. What a language's regex pieces, operators and keywords are is data: the `[lexer]` table
of its `grammars/<lang>/language.toml`, compiled by `engine.lexers`. A language without one gets
`GENERIC`, which assumes no comment syntax, keywords or block openers.

Token stream conventions, shared by the models, the decoder and the renderer:
- NEWLINE ends a line at bracket depth 0; NL ends a line inside ( or [ (a continuation), where
  indentation is not tracked. Blank and comment-only lines produce nothing.
- INDENT / DEDENT follow NEWLINE when the next line's indentation grows or shrinks. The stack
  is bottomless, so lexing can start mid-file (the decoder lexes only the prefix's tail).
- Comments are dropped; strings longer than `MAX_STRING` or spanning lines become STRING,
  which the decoder never emits.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

NEWLINE = "\n"
NL = "\x01n"
INDENT = "\x01>"
DEDENT = "\x01<"
BOS = "\x01^"
STRING = "\x01s"
SPECIAL: frozenset[str] = frozenset({NEWLINE, NL, INDENT, DEDENT, BOS, STRING})
LINE_ENDS: frozenset[str] = frozenset({NEWLINE, NL})

_HEADER = re.compile(r"<[\w./+-]*[A-Za-z][\w./+-]*>")
"""`#include <stdio.h>`: the header name is one string-like token."""
MAX_STRING = 40
"""String literals longer than this (quotes included) are abstracted to STRING."""

NUMBER = (
    r"0[xXbBoO][0-9a-fA-F_]+[a-zA-Z]*"
    r"|(?:\d[\d_]*(?:\.(?=\d)[\d_]+)?|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*)?[a-zA-Z]*"
)
"""Numbers, the same in every language."""
IDENTIFIER = r"[^\W\d]\w*"
"""Identifiers unless a language says otherwise."""


@dataclass(frozen=True, slots=True)
class Family:
    """How one language is tokenized and laid out (compiled from its `[lexer]` table)."""

    name: str
    pattern: re.Pattern[str]
    comments: tuple[str, ...]
    """Prefixes of the raw tokens that are comments (dropped)."""
    quotes: str
    """Characters a string literal ends with."""
    brackets: str
    """Openers inside which a line break is a continuation (NL), not a statement end."""
    closers: str
    keywords: frozenset[str]
    openers: frozenset[str]
    """A line ending with one of these tokens opens an indented block."""
    word_chars: str = "_"
    """Characters besides letters and digits that belong to identifiers."""
    blocks: tuple[tuple[str, str], ...] = (("/*", "*/"),)
    """Delimiters of multi-line strings and comments, to resume lexing mid-file safely."""
    member: frozenset[str] = frozenset({".", "->", "::", "?."})
    """Operators written without spaces around them (member access)."""
    triple_quoted: bool = False
    """`\"\"\"` and `'''` open strings that may span lines (Python)."""
    bracket_strings: bool = False
    """`[[ ... ]]` is a string that may span lines (Lua)."""
    literals: re.Pattern[str] | None = None
    """Comments and strings alone (the prose the engine completes in comments and docstrings);
    None: the language has neither."""

    def findall(self, text: str) -> list[str]:
        return self.pattern.findall(text)


def build_family(
    name: str,
    *,
    comments: Sequence[str] = (),
    comment_prefixes: Sequence[str] = (),
    strings: Sequence[str] = (),
    ops: Sequence[str] = (),
    keywords: Iterable[str] = (),
    quotes: str = "",
    brackets: str = "([",
    openers: Iterable[str] = (),
    ident: str = IDENTIFIER,
    extra: Sequence[str] = (),
    word_chars: str = "_",
    blocks: Sequence[tuple[str, str]] = (),
    member: Iterable[str] = (),
    triple_quoted: bool = False,
    bracket_strings: bool = False,
) -> Family:
    """Compile a language's regex pieces into one master pattern (longest operators first)."""
    ordered_ops = sorted(ops, key=len, reverse=True)
    parts = [
        r"\n[ \t]*",
        *comments,
        *strings,
        *extra,
        NUMBER,
        ident,
        *(re.escape(op) for op in ordered_ops),
        r"\S",
    ]
    closers = "".join({"(": ")", "[": "]", "{": "}"}[b] for b in brackets)
    literal_parts = [*comments, *strings]
    return Family(
        name=name,
        pattern=re.compile("|".join(parts)),
        comments=tuple(comment_prefixes),
        quotes=quotes,
        brackets=brackets,
        closers=closers,
        keywords=frozenset(keywords),
        openers=frozenset(openers),
        word_chars=word_chars,
        blocks=tuple(blocks),
        member=frozenset(member),
        triple_quoted=triple_quoted,
        bracket_strings=bracket_strings,
        literals=re.compile("|".join(literal_parts)) if literal_parts else None,
    )


GENERIC = build_family(
    "generic",
    strings=(r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"?', r"'[^'\\\n]*(?:\\.[^'\\\n]*)*'?"),
    quotes="\"'",
    brackets="([{",
    member=(".",),
)
"""For a language without a `[lexer]` table: words, numbers, one-line strings, brackets and
single punctuation characters. No comment syntax, keywords or block openers are assumed."""


def resume_point(text: str, start: int, family: Family) -> int:
    """A line break at or after `start` that is outside multi-line strings and comments.

    Lexing from there gives the same tokens as lexing the whole text would (bar rare quirks
    such as a delimiter inside a line comment). `len(text)` if there is none.
    """
    while True:
        for opening, closing in family.blocks:
            if opening == closing:
                inside = text.count(opening, 0, start) % 2 == 1
            else:
                inside = text.rfind(opening, 0, start) > text.rfind(closing, 0, start)
            if inside:
                end = text.find(closing, start)
                start = len(text) if end < 0 else end + len(closing)
        found = text.find("\n", start)
        if found < 0:
            return len(text)
        if not any(opening in text[start:found] for opening, _ in family.blocks):
            return found
        start = found  # a delimiter before the line break: is the break inside a block?


def lex(
    text: str, family: Family, *, bos: bool = True, pause: Callable[[], None] | None = None
) -> list[str]:
    """The token stream of a whole file (or any text starting at a line start).

    With `pause`, the regex runs over pieces of about `PIECE_CHARS` cut at line breaks outside
    multi-line strings, calling `pause` between them: one `findall` over a large file holds
    the GIL for tens of milliseconds, which another thread (the event loop) would wait out.
    """
    raws = family.findall(text) if pause is None else _findall_in_pieces(text, family, pause)
    tokens = _assemble(raws, family, bos=bos)
    if tokens and tokens[-1] not in LINE_ENDS:
        tokens.append(NEWLINE)
    return tokens


PIECE_CHARS = 16_000
"""Characters lexed between two pauses when lexing in pieces."""


def _findall_in_pieces(text: str, family: Family, pause: Callable[[], None]) -> list[str]:
    raws: list[str] = []
    start = 0
    while start < len(text):
        end = len(text)
        if start + PIECE_CHARS < len(text):
            end = resume_point(text, start + PIECE_CHARS, family)
        raws += family.findall(text[start:end])
        start = end
        if start < len(text):
            pause()
    return raws


def lex_lines(text: str, family: Family, *, bos: bool = True) -> tuple[list[str], list[int]]:
    """`lex(text)`, and the line (0-based) each token belongs to: a token's own line; a
    NEWLINE or NL the line it ends; INDENT and DEDENT the line whose indentation they tell."""
    lines: list[int] = []
    tokens = _assemble(family.findall(text), family, bos=bos, lines=lines)
    if tokens and tokens[-1] not in LINE_ENDS:
        tokens.append(NEWLINE)
        lines.append(lines[-1] if lines else 0)
    return tokens, lines


def _assemble(
    raws: Iterable[str], family: Family, *, bos: bool, lines: list[int] | None = None
) -> list[str]:
    """Raw tokens → the token stream; with `lines`, the line of each token is appended there."""
    out: list[str] = [BOS] if bos else []
    append = out.append
    comments = family.comments
    comment_starts = {c[0] for c in comments}
    quotes = family.quotes
    openers = family.brackets
    closers = family.closers
    stack: list[int] = []
    depth = 0
    pending = -1
    started = False
    line = previous = 0
    if lines is not None:
        lines.extend([0] * len(out))
    for tok in raws:
        c = tok[0]
        if c == "\n":
            pending = len(tok) - 1 + 3 * tok.count("\t")
            line += 1
            continue
        if c in comment_starts and tok.startswith(comments):
            if lines is not None:
                line += tok.count("\n")
            continue
        if pending >= 0:
            if not started:
                stack.append(pending)
            elif depth:
                append(NL)
            else:
                append(NEWLINE)
                top = stack[-1]
                if pending > top:
                    stack.append(pending)
                    append(INDENT)
                elif pending < top:
                    while pending < stack[-1]:
                        stack.pop()
                        append(DEDENT)
                        if not stack:
                            break
                    if not stack or pending > stack[-1]:
                        stack.append(pending)
            pending = -1
        elif not started:
            stack.append(0)
        started = True
        raw = tok
        if c in openers:
            depth += 1
        elif c in closers:
            if depth:
                depth -= 1
        elif (
            tok[-1] in quotes
            and len(tok) > 1
            and (len(tok) > MAX_STRING or "\n" in tok)
            and not c.isdigit()
        ):
            tok = STRING
        append(tok)
        if lines is not None:
            while len(lines) < len(out):
                lines.append(previous if out[len(lines)] in LINE_ENDS else line)
            line += raw.count("\n")
            previous = line
    if pending >= 0 and started and not depth:
        # The text ends in a line break plus indentation: the cursor sits at the start of a
        # line, so its indentation already tells INDENT/DEDENT.
        append(NEWLINE)
        top = stack[-1]
        if pending > top:
            append(INDENT)
        elif pending < top:
            while stack and pending < stack[-1]:
                stack.pop()
                append(DEDENT)
    elif pending >= 0 and started:
        append(NL)
    if lines is not None:
        while len(lines) < len(out):
            lines.append(previous if out[len(lines)] in LINE_ENDS else line)
    return out


@dataclass(frozen=True, slots=True)
class CursorTokens:
    """The tokens before the cursor, and the token the cursor is in the middle of (if any)."""

    tokens: list[str]
    partial: str
    """Text of the last token when the cursor touches it (it may still grow); else ""."""
    in_string: bool = False
    """The partial token is an unterminated one-line string literal."""


def lex_cursor(text: str, family: Family, *, at_file_start: bool) -> CursorTokens | None:
    """Lex the text before the cursor; None when the cursor is inside a comment or long string.

    `text` should start at a line start (the decoder passes the prefix's tail).
    """
    raws = family.findall(text)
    partial = ""
    in_string = False
    if raws:
        last = raws[-1]
        touching = last[0] != "\n" and text.endswith(last)
        if touching:
            if last.startswith(family.comments):
                if not (last.startswith("/*") and last.endswith("*/") and len(last) >= 4):
                    return None
                touching = False
            else:
                state = _string_state(last, family)
                if state == "open-long":
                    return None
                in_string = state == "open"
        if touching:
            partial = last
            raws.pop()
    tokens = _assemble(raws, family, bos=at_file_start)
    if partial and not in_string and (len(partial) > MAX_STRING and partial[-1] in family.quotes):
        return None
    return CursorTokens(tokens, partial, in_string)


def _string_state(tok: str, family: Family) -> str:
    """ "" for non-strings; "closed", "open" (one line) or "open-long" for string literals."""
    quote_at = _quote_index(tok, family)
    if quote_at < 0:
        return ""
    body = tok[quote_at:]
    q = body[0]
    if family.triple_quoted and q in "\"'" and body.startswith(q * 3):
        return "closed" if len(body) >= 6 and body.endswith(q * 3) else "open-long"
    if q in "`[":
        closing = "`" if q == "`" else "]]"
        return "closed" if len(body) >= 2 and body.endswith(closing) else "open-long"
    if len(body) >= 2 and body.endswith(q) and not body.endswith("\\" + q):
        return "closed"
    if len(body) >= 3 and body.endswith(q) and body.endswith("\\\\" + q):
        return "closed"
    return "open"


def _quote_index(tok: str, family: Family) -> int:
    """Index of the opening quote if `tok` is a string literal (after any prefix), else -1."""
    for i, ch in enumerate(tok[:4]):
        if ch in "\"'`":
            return i
        if not (ch.isalpha() or ch in "@$#"):
            return -1
    if family.bracket_strings and tok.startswith("[["):
        return 0
    return -1


def is_word(tok: str, family: Family) -> bool:
    """Identifiers, keywords and numbers: tokens that need a space between them."""
    c = tok[0]
    return (
        c.isalnum() or c in family.word_chars or (c == "-" and len(tok) > 1 and tok[-1].isalnum())
    )


def kind_of(tok: str, family: Family) -> str:
    """A spacing class: the token itself for keywords/operators/punctuation, else ID/NUM/STR."""
    if tok in family.keywords or tok in SPECIAL:
        return tok
    c = tok[0]
    if _quote_index(tok, family) >= 0 or (c == "<" and _HEADER.fullmatch(tok)):
        return "STR"
    if c.isdigit():
        return "NUM"
    if c.isalpha() or c in family.word_chars:
        return "ID"
    if c == "-" and len(tok) > 2 and tok[-1].isalnum():
        return "ID"
    return tok
