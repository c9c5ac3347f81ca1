"""The feedback facade the LSP edge calls: item served / shown / accepted / partly accepted,
and the same for next edits (a prediction served / shown / accepted / dismissed).

Every call builds one `Event` and hands it to the store's queue (and the spend guard); no
call does I/O. With `stats.enable = false` nothing is recorded (the spend guard still counts
this process's backend usage in memory).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable

from ghostfill.feedback.events import EditKind, Event, ItemInfo, Items, Kind, item_id
from ghostfill.feedback.spend import Caps, Notify, SpendGuard
from ghostfill.feedback.store import StatsStore
from ghostfill.model import Completion
from ghostfill.settings import Settings


class Feedback:
    """One per editor connection (its own item ids and session id); store and guard shared."""

    def __init__(
        self,
        store: StatsStore | None,
        guard: SpendGuard,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.guard = guard
        self.session = secrets.token_hex(6)
        self.items = Items()
        self.enabled = True
        self._clock = clock

    def configure(self, settings: Settings, notify: Notify | None = None) -> None:
        self.enabled = settings.stats.enable
        backend = settings.backend
        self.guard.configure(Caps(backend.maxTokensPerHour, backend.maxCostPerDay), notify)

    def record(self, event: Event) -> None:
        """Any event (backend requests come here from `meter.MeteredBackend`)."""
        self.guard.add(event)
        if self.enabled and self.store is not None:
            self.store.record(event)

    def item(self, uri: str, line: int, insert_text: str) -> str:
        return item_id(self.session, uri, line, insert_text)

    def serve(
        self,
        uri: str,
        line: int,
        insert_text: str,
        language: str,
        completion: Completion,
        model: str = "",
    ) -> str:
        """An item built from `completion` goes to the editor: record it, return its id."""
        item = self.item(uri, line, insert_text)
        info = ItemInfo(
            backend=completion.backend or completion.source,
            model=model,
            language=language,
            source=completion.source,
            chars=len(completion.text),
            head=max(len(insert_text) - len(completion.text), 0),
        )
        self.served(item, info, completion.elapsed_ms)
        return item

    def served(self, item: str, info: ItemInfo, latency_ms: float) -> None:
        """An item went to the editor; typed-through repeats of it are not counted again."""
        if self.items.add(item, info):
            self._event("served", item, info, chars=info.chars, latency_ms=latency_ms)

    def shown(self, item: str) -> None:
        if self.items.first(item, "shown"):
            self._event("shown", item, self.items.get(item))

    def accepted(self, item: str) -> None:
        info = self.items.get(item)
        if self.items.first(item, "accepted"):
            self._event("accepted", item, info, chars=info.chars if info else 0)

    def partial(self, item: str, accepted_length: int) -> None:
        """`accepted_length` counts insertText from its start (the line prefix included)."""
        info = self.items.get(item)
        chars = max(accepted_length - (info.head if info else 0), 0)
        self._event("partial", item, info, chars=chars)

    def edit_served(self, item: str, language: str, rule: str, edits: int) -> None:
        """A next-edit prediction (`edits` edits found by `rule`) went to the editor."""
        info = ItemInfo(
            backend="nextedit", model="", language=language, source=rule, chars=edits, head=0
        )
        if self.items.add(item, info):
            self._event("edit-served", item, info, chars=edits)

    def edit_feedback(self, item: str, kind: EditKind) -> None:
        """The editor displayed, took or dismissed the next edit `item` (once each)."""
        info = self.items.get(item)
        if info is not None and self.items.first(item, kind):
            self._event(kind, item, info, chars=info.chars)

    def _event(
        self,
        kind: Kind,
        item: str,
        info: ItemInfo | None,
        *,
        chars: int = 0,
        latency_ms: float | None = None,
    ) -> None:
        self.record(
            Event(
                at=self._clock(),
                kind=kind,
                session=self.session,
                item=item,
                backend=info.backend if info else "",
                model=info.model if info else "",
                language=info.language if info else "",
                source=info.source if info else "",
                latency_ms=latency_ms,
                chars=chars,
            )
        )

    def close(self) -> None:
        if self.store is not None:
            self.store.flush(2.0)
