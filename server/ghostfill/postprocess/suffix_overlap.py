"""Drop the end of a suggestion that repeats the text already after the cursor."""

from __future__ import annotations


def trim_suffix_overlap(text: str, line_suffix: str) -> str:
    """`foo(a, b)` typed into `foo(|)` with `)` after the cursor becomes `a, b`."""
    tail = line_suffix.strip()
    if not tail or not text:
        return text
    first_line, sep, _ = text.partition("\n")
    if sep:
        return text
    stripped = first_line.rstrip()
    for k in range(min(len(tail), len(stripped)), 0, -1):
        if stripped.endswith(tail[:k]) and (k == len(tail) or not tail[k:].strip(")]}>;,'\" ")):
            return stripped[: len(stripped) - k]
    return text
