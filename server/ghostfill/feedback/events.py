"""The event rows and the items they refer to."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from typing import Literal, get_args

Kind = Literal[
    "served",
    "shown",
    "partial",
    "accepted",
    "request",
    "edit-served",
    "edit-shown",
    "edit-accepted",
    "edit-dismissed",
]
KINDS: tuple[Kind, ...] = get_args(Kind)
"""Inline suggestions (served ... accepted), backend requests, and next edits (`edit-*`: a
prediction sent for `textDocument/copilotInlineEdit`, displayed, taken, dismissed)."""
EditKind = Literal["edit-shown", "edit-accepted", "edit-dismissed"]
MAX_ITEMS = 2048
"""Items remembered for feedback; an older item's feedback is still counted, without details."""


@dataclass(frozen=True, slots=True)
class Event:
    """One row of the `events` table (every field but `at`/`kind` optional)."""

    at: float
    kind: Kind
    session: str = ""
    item: str = ""
    backend: str = ""
    model: str = ""
    language: str = ""
    source: str = ""
    """backend | offline | cache, for served items; the rule (rename, repeat...) of next edits."""
    latency_ms: float | None = None
    """served: time to ghost text; request: time to the first token."""
    chars: int = 0
    """served: suggestion length; accepted/partial: characters accepted; edit-*: the edits."""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float = 0.0
    """Estimated USD, from the preset's prices."""

    def row(self) -> tuple[object, ...]:
        return (
            self.at,
            self.kind,
            self.session,
            self.item,
            self.backend,
            self.model,
            self.language,
            self.source,
            self.latency_ms,
            self.chars,
            self.prompt_tokens,
            self.completion_tokens,
            self.cost,
        )


COLUMNS = (
    "at",
    "kind",
    "session",
    "item",
    "backend",
    "model",
    "language",
    "source",
    "latency_ms",
    "chars",
    "prompt_tokens",
    "completion_tokens",
    "cost",
)


def item_id(session: str, uri: str, line: int, insert_text: str) -> str:
    """The same suggestion keeps its id while the user types through it: the item's
    insertText (line prefix + suggestion) stays the same text as long as the typing matches."""
    digest = hashlib.blake2b(f"{session}\0{uri}\0{line}\0{insert_text}".encode(), digest_size=8)
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class ItemInfo:
    backend: str
    model: str
    language: str
    source: str
    chars: int
    """Length of the suggestion (what accepting inserts)."""
    head: int
    """Length of the line prefix in insertText (acceptedLength counts it)."""


class Items:
    """Recently served items by id, with what has been reported about each; bounded."""

    def __init__(self, limit: int = MAX_ITEMS) -> None:
        self._items: OrderedDict[str, tuple[ItemInfo, set[str]]] = OrderedDict()
        self._limit = limit

    def add(self, item: str, info: ItemInfo) -> bool:
        """Remember `item`; False when it was already known (typed-through: same suggestion)."""
        known = self._items.get(item)
        self._items[item] = (info, known[1] if known else set())
        self._items.move_to_end(item)
        while len(self._items) > self._limit:
            self._items.popitem(last=False)
        return known is None

    def get(self, item: str) -> ItemInfo | None:
        found = self._items.get(item)
        return found[0] if found else None

    def first(self, item: str, kind: str) -> bool:
        """True the first time `kind` is reported for `item` (unknown items: always)."""
        found = self._items.get(item)
        if found is None:
            return True
        if kind in found[1]:
            return False
        found[1].add(kind)
        return True

    def __len__(self) -> int:
        return len(self._items)
