"""Score, deduplicate and trim snippets to the token budget, deterministically.

Sources score their snippets in [0, 1] on one scale (an import-resolved definition next to
the cursor near 1, an ambiguous one or a similar window of another file lower). Here they are
taken best first; a snippet is dropped when its text was already taken, when it is verbatim
text (a neighbour window, an edit) overlapping lines already taken from the same file, when
every line of it was already shown (a member inside its class's skeleton), or when the cursor
window shows it; each kind has a share of the
budget it may not exceed, so similar-looking windows cannot crowd out definitions. A snippet
that does not fit is cut to the whole lines that do, when enough remain to be useful. Ties are
broken by kind, path, line and text, so the same input always gives the same prompt.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from types import MappingProxyType

from ghostfill.context.window import CHARS_PER_TOKEN
from ghostfill.model import Snippet

SHARES: Mapping[str, float] = MappingProxyType(
    {"definition": 1.0, "neighbour": 0.4, "edit": 0.3, "import": 0.5}
)
"""The most of the budget each kind may use."""
HEADER_CHARS = 8
"""Per snippet: what the prompt adds around its text besides the path (separators, kind)."""
MIN_TRIMMED_LINES = 3
MIN_TOKENS = 12
"""Less room than this holds no useful snippet: stop looking."""


def cost(s: Snippet) -> int:
    """Tokens a snippet takes in the prompt (four characters a token, path included)."""
    return (len(s.text) + len(s.path) + HEADER_CHARS + CHARS_PER_TOKEN - 1) // CHARS_PER_TOKEN


def within_budget(
    snippets: Iterable[Snippet],
    budget_tokens: int,
    *,
    current_path: str = "",
    window_rows: tuple[int, int] | None = None,
    shares: Mapping[str, float] = SHARES,
) -> tuple[Snippet, ...]:
    """The best snippets that fit in `budget_tokens`, best first."""
    left = max(budget_tokens, 0)
    spent: dict[str, int] = {}
    seen: set[str] = set()
    covered: dict[str, list[tuple[int, int, bool]]] = {}
    shown: dict[str, set[str]] = {}
    chosen: list[Snippet] = []
    ordered = sorted(snippets, key=lambda s: (-s.score, s.kind, s.path, s.start_line, s.text))
    for s in ordered:
        if left < MIN_TOKENS:
            break
        allowed = min(left, int(budget_tokens * shares.get(s.kind, 1.0)) - spent.get(s.kind, 0))
        size = cost(s)
        if size > allowed and allowed < MIN_TOKENS:
            continue  # this kind's share is used up: cheap to tell before anything else
        key = " ".join(s.text.split())
        if not key or key in seen:
            continue
        span = (s.start_line, s.start_line + s.text.count("\n"))
        if s.path == current_path and window_rows is not None and s.kind != "definition":
            if span[0] <= window_rows[1] and span[1] >= window_rows[0]:
                continue
        verbatim = s.kind != "definition"
        if any(
            a <= span[1] and span[0] <= b and (verbatim or other)
            for a, b, other in covered.get(s.path, ())
        ):
            continue  # two definitions may overlap: a skeleton and one member's full text
        lines = {line.strip() for line in s.text.split("\n")} - {""}
        if lines <= shown.get(s.path, set()):
            continue  # a member already shown in its class's skeleton
        fitted = s if size <= allowed else _trim(s, allowed)
        if fitted is None:
            continue
        seen.add(key)
        if fitted is not s:
            size = cost(fitted)
            lines = {line.strip() for line in fitted.text.split("\n")}
        shown.setdefault(s.path, set()).update(lines)
        covered.setdefault(s.path, []).append(
            (fitted.start_line, fitted.start_line + fitted.text.count("\n"), verbatim)
        )
        chosen.append(fitted)
        left -= size
        spent[s.kind] = spent.get(s.kind, 0) + size
    return tuple(chosen)


def used(snippets: Iterable[Snippet]) -> int:
    """Tokens the snippets take (what `within_budget` counted)."""
    return sum(cost(s) for s in snippets)


def _trim(s: Snippet, allowed: int) -> Snippet | None:
    """`s` cut to the whole leading lines that fit in `allowed` tokens, or None."""
    room = allowed * CHARS_PER_TOKEN - len(s.path) - HEADER_CHARS
    lines = s.text.split("\n")
    kept: list[str] = []
    size = 0
    for line in lines:
        if size + len(line) + 1 > room:
            break
        kept.append(line)
        size += len(line) + 1
    if len(kept) < MIN_TRIMMED_LINES or len(kept) == len(lines):
        return None
    return replace(s, text="\n".join(kept))
