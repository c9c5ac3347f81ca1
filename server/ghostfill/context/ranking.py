"""Score, deduplicate and trim snippets to the token budget, deterministically."""

from __future__ import annotations

from collections.abc import Iterable

from ghostfill.context.window import CHARS_PER_TOKEN
from ghostfill.model import Snippet


def within_budget(snippets: Iterable[Snippet], budget_tokens: int) -> tuple[Snippet, ...]:
    """Best first; ties broken by path and line so the same input gives the same prompt."""
    budget = budget_tokens * CHARS_PER_TOKEN
    seen: set[str] = set()
    chosen: list[Snippet] = []
    for s in sorted(snippets, key=lambda s: (-s.score, s.path, s.start_line, s.kind)):
        key = s.text.strip()
        if not key or key in seen:
            continue
        cost = len(s.text) + len(s.path) + 8
        if cost > budget:
            continue
        seen.add(key)
        chosen.append(s)
        budget -= cost
    return tuple(chosen)
