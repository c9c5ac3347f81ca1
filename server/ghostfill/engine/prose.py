"""Prose: completing the line inside a comment or a docstring.

The code models never see comments and long strings (the lexer drops or abstracts them), so a
cursor inside one used to get nothing, though a quarter of the lines people write in Python
are prose: docstrings, `:param x:` lines, licence headers, comments. Prose has a model of its
own, in the same n-gram machinery: every line of every comment and long string (docstring) is
one token stream, `LINE_START` + tokens + NEWLINE, counted per language group for the
workspace and per open file (kept in step with edits like the file's code model: the lines
being typed are left out). A token is a word or a run of punctuation *with the spaces before
it* (`" the"`, `"``"`), so the suggestion is the tokens joined as they are, with the
project's own spacing. The history is the cursor's line from the comment's start (or the line's
first character inside a string); the line is completed as code lines are, and stops when
confidence drops below `offline.minConfidence`.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ghostfill.engine.complete import Suggestion
from ghostfill.engine.decoder import DecodeOptions, Decoder
from ghostfill.engine.lexer import MAX_STRING, NEWLINE, Family
from ghostfill.engine.nested import NestedModel
from ghostfill.engine.ngram import NGramModel
from ghostfill.engine.vocab import token_ids

LINE_START = "\x01p"
"""First token of every prose line (never suggested: no text is kept for it)."""
ORDER = 6
"""n-gram order of the prose models."""
_TOKEN = re.compile(r"[ \t]*(?:\w+|[^\w\s]+)")


def prose_lines(text: str, family: Family) -> tuple[list[str], list[int]]:
    """The prose tokens of `text` (comments and long strings, line by line) and the line of
    each token."""
    pattern = family.literals
    if pattern is None:
        return [], []
    tokens: list[str] = []
    lines: list[int] = []
    row = 0
    last = 0
    comments = family.comments
    quotes = family.quotes
    for match in pattern.finditer(text):
        literal = match.group()
        start = match.start()
        row += text.count("\n", last, start)
        last = start
        if not (comments and literal.startswith(comments)) and not (
            literal[-1:] in quotes and (len(literal) > MAX_STRING or "\n" in literal)
        ):
            continue
        for k, part in enumerate(literal.split("\n")):
            words = _TOKEN.findall(part.lstrip())
            if words:
                tokens += [LINE_START, *words, NEWLINE]
                lines += [row + k] * (len(words) + 2)
    return tokens, lines


def cursor_tokens(line_prefix: str, family: Family) -> tuple[list[str], str]:
    """The prose history for a cursor inside a comment or string: the line from the comment
    start (else from its first character), as tokens, and the half-typed last token ("" when
    the cursor follows a complete one; the spaces typed after a word are the next token's)."""
    start = len(line_prefix) - len(line_prefix.lstrip())
    if family.literals is not None and family.comments:
        for match in family.literals.finditer(line_prefix):
            if match.group().startswith(family.comments) and match.end() == len(line_prefix):
                start = match.start()
    text = line_prefix[start:]
    words = _TOKEN.findall(text)
    tail = text[sum(map(len, words)) :]  # spaces after the last token
    if tail:
        return [LINE_START, *words], tail
    if words and (words[-1][-1].isalnum() or words[-1][-1] == "_"):
        return [LINE_START, *words[:-1]], words[-1]
    return [LINE_START, *words], ""


def complete_prose(
    models: list[NGramModel | None],
    text_of: Callable[[int], str | None],
    words: Callable[[str], list[str]],
    line_prefix: str,
    family: Family,
    floor: float,
) -> Suggestion | None:
    """The rest of a comment or docstring line, or None when nothing is confident."""
    history_tokens, partial = cursor_tokens(line_prefix, family)
    history = token_ids(history_tokens)
    decoder = Decoder(NestedModel(models), text_of, DecodeOptions(min_confidence=floor))
    start: list[tuple[float, int]] = []
    if partial:
        start = decoder.complete_partial(history, partial, token_ids(words(partial)))
        if not start:
            return None
    decoded = decoder.line(history, start=start)
    if decoded is None or not decoded.tokens:
        return None
    texts = [text_of(t) or "" for t in decoded.tokens]
    text = "".join(texts)[len(partial) :].rstrip()
    if not text:
        return None
    return Suggestion(text, decoded.probability, decoded.complete)
