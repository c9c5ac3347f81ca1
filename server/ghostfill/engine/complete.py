"""From decoded tokens to the text inserted after the cursor: a line, or a block.

A line suggestion finishes a half-typed token first (only its missing part is inserted), then
renders the following tokens with the learned spacing, drops its leading space when the user
already typed one, and never repeats the text already after the cursor.

A block suggestion is offered on an empty line right below a block opener (`:` in Python, `{`
elsewhere): whole lines, each above the threshold, until the block would close, a line repeats
or `max_lines` is reached; indented with the file's own unit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ghostfill.engine.decoder import Decoded, Decoder
from ghostfill.engine.lexer import (
    DEDENT,
    INDENT,
    NEWLINE,
    SPECIAL,
    CursorTokens,
    Family,
    is_word,
)
from ghostfill.engine.render import Spacing, bracket_depth, render
from ghostfill.engine.vocab import DEDENT_ID, INDENT_ID, NEWLINE_ID
from ghostfill.model import CompletionContext


@dataclass(frozen=True, slots=True)
class Suggestion:
    text: str
    confidence: float
    whole: bool
    """The suggestion runs to the end of the line (or block), not just its confident start."""


def complete_line(
    decoder: Decoder,
    history: list[int],
    cursor: CursorTokens,
    ctx: CompletionContext,
    spacing: Spacing,
    text_of: Callable[[int], str | None],
    partial_ids: Sequence[int],
    stop: int | None,
) -> Suggestion | None:
    """The rest of the current line, or its confident start; None if nothing is confident."""
    start: list[tuple[float, int]] = []
    if cursor.partial:
        start = decoder.complete_partial(history, cursor.partial, partial_ids)
        if not start:
            return None
    decoded = decoder.line(history, start=start, stop=stop)
    if decoded is None or not decoded.tokens:
        return None
    texts = [text_of(t) or "" for t in decoded.tokens]
    family = spacing.family
    if not decoded.complete:
        texts = natural_stop(texts, family, keep_first=bool(cursor.partial))
        if not texts:
            return None
    before = cursor.tokens[-2:]
    if cursor.partial:
        head = texts[0][len(cursor.partial) :]
        if cursor.in_string and ctx.line_suffix.startswith(texts[0][-1]):
            # The closing quote is already there (auto-closed): stop inside the string.
            return Suggestion(head[:-1], decoded.probability, decoded.complete)
        depth = bracket_depth([*cursor.tokens, texts[0]], family)
        text = head + render(texts[1:], [*before, texts[0]], spacing, depth=depth)
    else:
        text = render(texts, before, spacing, depth=bracket_depth(cursor.tokens, family))
        if ctx.line_prefix and ctx.line_prefix[-1] in " \t":
            text = text.lstrip(" \t")
    return Suggestion(trim_suffix(text, ctx.line_suffix), decoded.probability, decoded.complete)


def natural_stop(texts: list[str], family: Family, *, keep_first: bool = False) -> list[str]:
    """The longest start of a partial line that stops naturally: its own brackets balanced,
    ending on a word, literal or closing bracket (not on an operator, comma or dot that would
    leave the line dangling). `keep_first`: the first token completes a half-typed word."""
    depth = 0
    best = 1 if keep_first else 0
    for i, tok in enumerate(texts):
        if tok in family.brackets or tok == "{":
            depth += 1
        elif tok in family.closers or tok == "}":
            depth -= 1
            if depth < 0:  # closes a bracket opened before the cursor: a natural end
                return texts[: max(best, i + 1) if depth == -1 else best]
        if depth == 0 and (is_word(tok, family) or tok[0] in family.quotes or tok in ")]}"):
            best = i + 1
    return texts[:best]


def complete_block(
    decoder: Decoder,
    history: list[int],
    ctx: CompletionContext,
    spacing: Spacing,
    text_of: Callable[[int], str | None],
    max_lines: int,
) -> Suggestion | None:
    """Up to `max_lines` whole lines for an empty block body; confidence is the weakest line's."""
    history = list(history)
    while history and history[-1] in (INDENT_ID, DEDENT_ID):
        history.pop()
    history.append(INDENT_ID)
    opener = opener_indent(ctx.prefix[: len(ctx.prefix) - len(ctx.line_prefix)])
    unit = indent_unit(ctx.line_prefix, opener, ctx.prefix[-4000:] + ctx.suffix[:2000])
    body = opener + unit
    lines: list[Decoded] = []
    depth = 0
    for _ in range(max_lines):
        decoded = decoder.line(history, allow_structure=bool(lines))
        if decoded is None or not decoded.tokens or not decoded.complete:
            break
        shift = sum(1 if t == INDENT_ID else -1 if t == DEDENT_ID else 0 for t in decoded.tokens)
        if depth + shift < 0 or (lines and decoded.tokens == lines[-1].tokens):
            break
        depth += shift
        lines.append(decoded)
        history.extend(decoded.tokens)
        history.append(NEWLINE_ID)
    if not lines:
        return None
    tokens: list[str] = []
    for i, line in enumerate(lines):
        if i:
            tokens.append(NEWLINE)
        tokens.extend(text_of(t) or "" for t in line.tokens)
    lead = body[len(ctx.line_prefix) :] if body.startswith(ctx.line_prefix) else ""
    text = lead + render(tokens, [], spacing, indent_unit=unit, indent=body)
    return Suggestion(text, min(line.probability for line in lines), True)


def in_empty_body(ctx: CompletionContext, cursor: CursorTokens, family: Family) -> bool:
    """The cursor is alone on its line, right below a line ending with a block opener."""
    if ctx.line_prefix.strip() or ctx.line_suffix.strip():
        return False
    tokens = cursor.tokens
    i = len(tokens) - 1
    while i >= 0 and tokens[i] in (NEWLINE, INDENT, DEDENT):
        i -= 1
    return i >= 0 and tokens[i] not in SPECIAL and tokens[i] in family.openers


def opener_indent(before_line: str) -> str:
    """Indentation of the last non-blank line of `before_line`."""
    for line in reversed(before_line.rstrip("\n").rsplit("\n", 8)):
        if line.strip():
            return line[: len(line) - len(line.lstrip())]
    return ""


def indent_unit(line_prefix: str, opener: str, nearby: str) -> str:
    """The body's extra indentation: what the user already typed, else the file's habit."""
    if len(line_prefix) > len(opener) and line_prefix.startswith(opener):
        return line_prefix[len(opener) :]
    widths = set()
    for line in nearby.split("\n"):
        if line.startswith("\t"):
            return "\t"
        if line.startswith(" ") and line.strip():
            widths.add(len(line) - len(line.lstrip(" ")))
    return " " * min(widths) if widths else "    "


def trim_suffix(text: str, line_suffix: str) -> str:
    """Drop the end of `text` that repeats what is already after the cursor."""
    after = line_suffix.strip()
    if after and text.rstrip().endswith(after):
        return text.rstrip()[: -len(after)].rstrip()
    return text
