"""The next-edit stage: the offline rules over the edit history, then a model, cached per
document version.

`predict` answers for the document as it reads now: the rules run on its latest edits (rename
propagation first, then repeated edits) and what they offer is kept only when every edit lies in
the window around the cursor. When they offer nothing and `nextEdit.useBackend` is on, `suggest`
asks the model to rewrite the region at the cursor (`rewrite.py`, in the format `formats.py`
picks) and diffs its answer into edits; the model is not asked when the latest edit is out of the
window (nothing to continue there). One answer is cached per (document, version), so asking
again costs a lookup; "no change" is cached like any other answer. A change to the document
cancels a prediction still waiting (closing the model's stream) and forgets the cached answer;
an answer that arrives for a version no longer current is dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterator
from typing import Protocol

from ghostfill.documents.store import Document
from ghostfill.errors import BackendError
from ghostfill.model import Position
from ghostfill.nextedit.formats import pick
from ghostfill.nextedit.history import EditHistory
from ghostfill.nextedit.language import NameRulesCache
from ghostfill.nextedit.model import Edit, Prediction, Replacement
from ghostfill.nextedit.rename import propagate_rename
from ghostfill.nextedit.repeat import repeat_edit
from ghostfill.nextedit.rewrite import RewritePrompt, build, edits
from ghostfill.nextedit.window import DEFAULT_LINES, rewrite_window
from ghostfill.settings import NextEditSettings

log = logging.getLogger(__name__)

MAX_SERVED = 256
YIELD_S = 1.0
"""Longest a prediction waits for inline completions in flight to be answered first."""
MODEL_RULE = "model"


class Rewriter(Protocol):
    """Sends a rewrite prompt to a model and returns its whole answer (backends/rewrite.py)."""

    model: str
    root: str

    async def rewrite(self, prompt: RewritePrompt) -> str: ...


class NextEdits:
    """Predicts the next edit of each open document of one connection; the document store's
    EditListener (every change feeds the history and makes pending predictions stale)."""

    def __init__(
        self,
        history: EditHistory | None = None,
        names: NameRulesCache | None = None,
        settings: Callable[[], NextEditSettings] = NextEditSettings,
        rewriter: Callable[[Document], Rewriter | None] | None = None,
    ) -> None:
        self.history = history or EditHistory()
        self.names = names or NameRulesCache()
        self._settings = settings
        self._rewriter = rewriter
        """The model to ask about a document when the rules have nothing (None: offline rules
        only; the callable answers None for a document that must not reach a prompt)."""
        self._cache: dict[str, Prediction] = {}
        self._modelled: dict[str, Prediction] = {}
        self._reported: set[str] = set()
        self._completing = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._pending: dict[str, asyncio.Task[Prediction]] = {}
        self._served: dict[str, str] = {}
        """id -> rule of the predictions sent (bounded), for the accept command."""
        self.counts: dict[str, int] = {
            "cancelled": 0,
            "served": 0,
            "accepted": 0,
            "model.asked": 0,
            "model.edits": 0,
        }

    def editing(self, doc: Document, start: int, end: int, new: bytes) -> None:
        self.changed(doc.uri)
        settings = self._settings()
        if not settings.enable:  # nothing kept for a feature that is off: it starts afresh
            self.history.forget(doc.uri)
            return
        if settings.history != self.history.size:
            self.history.resize(settings.history)
        self.history.editing(doc, start, end, new)

    def changed(self, uri: str) -> None:
        """The document changed: its cached answer and a pending prediction are stale."""
        self._cache.pop(uri, None)
        self._modelled.pop(uri, None)
        self._cancel_pending(uri)

    def _cancel_pending(self, uri: str) -> None:
        task = self._pending.pop(uri, None)
        if task is not None and not task.done():
            task.cancel()
            self.counts["cancelled"] += 1

    @contextlib.contextmanager
    def completing(self) -> Iterator[None]:
        """Around an inline completion: predictions wait until none is in flight (up to
        YIELD_S), so ghost text never waits behind a re-parse or a model prompt."""
        self._completing += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._completing -= 1
            if not self._completing:
                self._idle.set()

    def served(self, prediction: Prediction) -> str:
        """Record a prediction going to the editor; its id is the accept command's argument."""
        self.counts["served"] += 1
        item = f"edit-{self.counts['served']}"
        self._served[item] = prediction.rule
        while len(self._served) > MAX_SERVED:
            del self._served[next(iter(self._served))]
        return item

    def accepted(self, item: str) -> None:
        rule = self._served.pop(item, None)
        if rule is None:
            return
        self.counts["accepted"] += 1
        key = f"accepted.{rule}"
        self.counts[key] = self.counts.get(key, 0) + 1
        log.info("next edit %s accepted (%s)", item, rule)

    def stats(self) -> dict[str, int]:
        return dict(self.counts)

    def forget(self, uri: str) -> None:
        self.changed(uri)
        self.history.forget(uri)

    async def suggest(self, doc: Document, cursor: Position) -> Prediction:
        """The prediction for `doc` now; empty when the document changes while it waits."""
        version = doc.version
        self._cancel_pending(doc.uri)  # a newer request for the document supersedes it
        task = asyncio.get_running_loop().create_task(self._after_queued(doc, cursor))
        self._pending[doc.uri] = task
        try:
            return await task
        except asyncio.CancelledError:
            if task.cancelled() and not _current_cancelled():
                return Prediction(doc.uri, version)
            raise
        finally:
            if self._pending.get(doc.uri) is task:
                del self._pending[doc.uri]

    async def _after_queued(self, doc: Document, cursor: Position) -> Prediction:
        await asyncio.sleep(0)  # let didChange notifications already read run first
        if not self._idle.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._idle.wait(), YIELD_S)
        offline = self.predict(doc, cursor)
        if not offline.empty:
            return offline
        return await self.ask_model(doc, cursor)

    async def ask_model(self, doc: Document, cursor: Position) -> Prediction:
        """The model's prediction for `doc` now (cached per version); "no change" when no model
        is configured, nothing recent is near the cursor, or the model offers nothing."""
        none = Prediction(doc.uri, doc.version)
        settings = self._settings()
        rewriter = self._rewriter(doc) if self._rewriter and settings.useBackend else None
        if rewriter is None or not settings.enable:
            return none
        hit = self._modelled.get(doc.uri)
        if hit is not None and hit.version == doc.version:
            return hit
        history = self.history.edits(doc.uri)
        fmt = pick(settings.format, rewriter.model, rewriter.root)
        near = bool(history) and _near(doc, cursor, history[-1], settings.windowLines)
        request = build(fmt, doc, history, cursor) if near else None
        if request is None:
            self._modelled[doc.uri] = none
            return none
        self.counts["model.asked"] += 1
        try:
            answer = await rewriter.rewrite(request)
        except BackendError as exc:
            self._report(exc)
            answer = ""
        if doc.version != request.version:
            return Prediction(doc.uri, request.version)  # overtaken: not worth caching
        found = edits(fmt, request, answer)
        prediction = Prediction(doc.uri, doc.version, found, MODEL_RULE) if found else none
        self.counts["model.edits"] += bool(found)
        self._modelled[doc.uri] = prediction
        return prediction

    def _report(self, exc: BackendError) -> None:
        message = exc.user_message
        level = logging.INFO if message in self._reported else logging.WARNING
        self._reported.add(message)
        log.log(level, "next edits: the model failed: %s", message)

    def predict(self, doc: Document, cursor: Position) -> Prediction:
        hit = self._cache.get(doc.uri)
        if hit is not None and hit.version == doc.version:
            return hit
        settings = self._settings()
        prediction = Prediction(doc.uri, doc.version)
        if settings.enable:
            rule, edits = self._rules(doc)
            if edits and _within(doc, cursor, edits, settings.windowLines):
                prediction = Prediction(doc.uri, doc.version, edits, rule)
        self._cache[doc.uri] = prediction
        return prediction

    def _rules(self, doc: Document) -> tuple[str, tuple[Replacement, ...]]:
        edits = self.history.edits(doc.uri)
        if not edits:
            return "", ()
        tree = doc.syntax() if doc.spec is not None else None
        rules = self.names.get(doc.spec) if doc.spec is not None else None
        if tree is not None and rules is not None:
            renamed = propagate_rename(doc, tree, rules, edits[-1])
            if renamed:
                return "rename", renamed
        repeated = repeat_edit(doc, edits)
        return ("repeat", repeated) if repeated else ("", ())


def _within(
    doc: Document, cursor: Position, edits: tuple[Replacement, ...], lines: int = DEFAULT_LINES
) -> bool:
    window = rewrite_window(doc, cursor, lines)
    return all(window.start <= e.start and e.end <= window.end for e in edits)


def _near(doc: Document, cursor: Position, edit: Edit, lines: int) -> bool:
    """Whether the edit lies within `lines` lines of the cursor."""
    row = doc.point(doc.offset(cursor, strict=False))[0]
    at = doc.point(min(edit.start, len(doc.data)))[0]
    return abs(row - at) <= lines


def _current_cancelled() -> bool:
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0
