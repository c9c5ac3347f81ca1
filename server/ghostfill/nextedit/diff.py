"""Diff a rewrite of the window into the fewest, smallest non-overlapping edits.

difflib matches tokens (identifiers, runs of spaces, single other characters), so renaming a
name is one edit of that name, not of its line. Equal texts give no edits: "no change" costs one
comparison.
"""

from __future__ import annotations

import difflib
import re

from ghostfill.nextedit.model import Replacement
from ghostfill.nextedit.window import RewriteWindow

_TOKEN = re.compile(r"\w+|[ \t]+|\r?\n|.", re.DOTALL)


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def diff_edits(window: RewriteWindow, rewrite: str) -> tuple[Replacement, ...]:
    """The edits that turn the window's text into `rewrite`, in document byte offsets."""
    if rewrite == window.text:
        return ()
    old, new = tokens(window.text), tokens(rewrite)
    # byte offset of each old token's start (and the end)
    starts = [window.start]
    for tok in old:
        starts.append(starts[-1] + len(tok.encode("utf-8", errors="surrogatepass")))
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    out: list[Replacement] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        text = "".join(new[j1:j2])
        if out and out[-1].end == starts[i1]:  # touching edits become one
            prev = out.pop()
            out.append(Replacement(prev.start, starts[i2], prev.text + text))
        else:
            out.append(Replacement(starts[i1], starts[i2], text))
    return tuple(out)
