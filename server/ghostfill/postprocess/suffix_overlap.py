"""Drop the end of a suggestion that repeats the text already after the cursor on its line.

`name"` typed into `"|"` becomes `name`. Closing brackets are trimmed only when the
suggestion closes more than the prefix opened and the suffix has not closed (`brackets`):
`a, b)` stays `a, b)` in `print(foo(|)`, where both are needed. In a block the last
line is the one that ends up before that text, so it is the one trimmed (and dropped when
nothing else is left on it). Whole lines repeating the code below the cursor are stopped while
streaming, by `repetition`.
"""

from __future__ import annotations

from ghostfill.postprocess.base import FilterContext
from ghostfill.postprocess.brackets import PAIRS, closed_by, excess_closer, open_in, skip_of

CLOSING = ")]}>;,'\"` "
"""What may remain of the line suffix after the overlapping part: closers and punctuation."""


def trim_suffix_overlap(text: str, line_suffix: str) -> str:
    """The single-line rule; a multi-line `text` is returned unchanged."""
    tail = line_suffix.strip()
    if not tail or not text:
        return text
    first_line, sep, _ = text.partition("\n")
    if sep:
        return text
    stripped = first_line.rstrip()
    for k in range(min(len(tail), len(stripped)), 0, -1):
        if stripped.endswith(tail[:k]) and (k == len(tail) or not tail[k:].strip(CLOSING)):
            return stripped[: len(stripped) - k]
    return text


def drop_suffix_overlap(text: str, ctx: FilterContext) -> str:
    """The final filter: trim the suggestion's last line against the line suffix."""
    if not ctx.line_suffix.strip():
        return text
    head, sep, last = text.rpartition("\n")
    trimmed = trim_suffix_overlap(last, ctx.line_suffix)
    removed = last.rstrip()[len(trimmed) :]
    if any(c in PAIRS for c in removed) and not _closes_too_much(text, ctx):
        return text  # the suggestion's closers are all needed: the suffix's close the rest
    if not sep or trimmed.strip():
        return head + sep + trimmed
    return head.rstrip(" \t") + "\n"  # the suffix's closer starts the next line


def _closes_too_much(text: str, ctx: FilterContext) -> bool:
    skip = skip_of(ctx.spec)
    allowed = open_in(ctx.prefix, skip)
    allowed.subtract(closed_by(ctx.line_prefix, ctx.suffix, skip))
    return excess_closer(ctx.line_prefix, text, allowed, skip) != -1
