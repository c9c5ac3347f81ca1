"""Whether to suggest a block or only the rest of the line.

`auto`: a block when the cursor sits on an empty line right after an opener (`:`, `{`, `(`,
`[`, `=>`, `do`, `then`) or in an empty body; otherwise the rest of the current line.
"""

from __future__ import annotations

OPENERS = (":", "{", "(", "[", "=>", " do", " then", "->")


def wants_block(mode: str, prefix: str, line_prefix: str, line_suffix: str) -> bool:
    if mode == "always":
        return True
    if mode == "never":
        return False
    if line_suffix.strip() not in ("", ")", "}", "]", "});", "})", ");"):
        return False
    if line_prefix.strip():
        return line_prefix.rstrip().endswith(OPENERS) and not line_suffix.strip()
    above = prefix[: len(prefix) - len(line_prefix)].rstrip("\n").rstrip()
    return above.endswith(OPENERS)
