"""Continuations: backend streams that outlive the request that started them.

A `Continuation` accumulates one suggestion as it streams. Requests read from it: the one
that started it (answered as soon as the first line is complete), and every later request
whose prefix only adds characters the suggestion already predicted (typing through), so
those cost zero backend calls. A request may attach before the text it typed has arrived;
it is released as soon as the stream goes another way (`diverged`), so it can ask anew.
Finished continuations stay in a small LRU as the cache.

The cache is looked up first on every request, from a `Probe`: a few kilobytes of the
document around the cursor, sliced without any context, tree-sitter or prompt work. A hit
does nothing else. A single-line continuation may hold `lookahead` lines past the one it was
asked for (see `speculation`), so Enter and the next line are served from it too.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from ghostfill.documents.store import Document
from ghostfill.lifecycle.speculation import Followed, follow, visible
from ghostfill.model import Position

ANCHOR_CHARS = 256
"""Tail of the prefix that identifies where a continuation was asked for."""
SUFFIX_CHARS = 128
PROBE_BYTES = 4096
"""Bytes before the cursor a probe slices: the anchor plus what may have been typed since."""


class Cursor(Protocol):
    """Where a request is: a `Probe` (cache lookup) or a full `CompletionContext`."""

    @property
    def uri(self) -> str: ...
    @property
    def prefix(self) -> str: ...
    @property
    def suffix(self) -> str: ...
    @property
    def line_suffix(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Probe:
    """The cursor as the cache sees it: slices of the document, nothing computed."""

    uri: str
    prefix: str
    """Up to `PROBE_BYTES` before the cursor, from a line start."""
    suffix: str
    """`SUFFIX_CHARS` after the cursor."""
    line_prefix: str
    line_suffix: str

    @classmethod
    def at(cls, doc: Document, pos: Position) -> Probe:
        """Raises DocumentError for a position outside the document (as context gathering)."""
        cursor = doc.offset(pos)
        row, _ = doc.point(cursor)
        first = doc.point(max(cursor - PROBE_BYTES, 0))[0]
        data = doc.data
        line_start, line_end = doc.line_start(row), doc.line_end(row)
        return cls(
            uri=doc.uri,
            prefix=data[doc.line_start(first) : cursor].decode("utf-8", errors="replace"),
            suffix=data[cursor : cursor + SUFFIX_CHARS * 4].decode("utf-8", errors="replace")[
                :SUFFIX_CHARS
            ],
            line_prefix=data[line_start:cursor].decode("utf-8", errors="replace"),
            line_suffix=data[cursor:line_end].decode("utf-8", errors="replace"),
        )


@dataclass(eq=False)
class Continuation:
    uri: str
    anchor: str
    suffix_head: str
    multiline: bool
    position: Position
    version: int
    backend: str
    line_suffix: str = ""
    lookahead: int = 0
    """Lines streamed past the one asked for (single-line mode), kept for typing through."""
    tab: int = 4
    """Columns of a tab when the editor's indentation is compared with the model's."""
    text: str = ""
    done: bool = False
    failed: BaseException | None = None
    answered: int = 0
    """Length of the longest text any request has been answered with (for completionReady)."""
    started: float = field(default_factory=time.perf_counter)
    first_token_at: float | None = None
    task: asyncio.Task[None] | None = None
    claims: int = 0
    """Requests waiting on this continuation right now."""
    claimed: int = 0
    """Requests that ever waited on it (an orphaned stream is one nobody claimed again)."""
    cut: bool = False
    """The stream was stopped at the lookahead limit, not by the model or a filter."""
    prefetched: bool = False
    """The next continuation was already asked for from this one's end."""
    _waiters: list[asyncio.Future[None]] = field(default_factory=list)
    """Requests waiting for the text to change (woken by `push` and `finish`)."""

    def typed_since(self, where: Cursor) -> str | None:
        """What the user typed after this continuation's anchor, if it still fits it."""
        if where.uri != self.uri or where.suffix[:SUFFIX_CHARS] != self.suffix_head:
            return None
        at = where.prefix.rfind(self.anchor) if self.anchor else 0
        if at == -1:
            return None
        typed = where.prefix[at + len(self.anchor) :]
        found = self.follow(typed)
        if found is None or (found.waiting and self.done):
            return None
        return typed

    def follow(self, typed: str) -> Followed | None:
        return follow(self.text, typed, self.tab)

    def push(self, chunk: str) -> None:
        if self.first_token_at is None:
            self.first_token_at = time.perf_counter()
        self.text += chunk
        if self._waiters:
            self._wake()

    def finish(self, error: BaseException | None = None, text: str | None = None) -> None:
        """The stream ended (with `error`); `text` replaces the streamed text (final filters)."""
        if text is not None:
            self.text = text
        self.done = True
        if error is not None:
            # Keep the error, not the frames behind it: a traceback holds prompts and responses.
            error.__context__ = error.__cause__ = None
            error = error.with_traceback(None)
        self.failed = error
        self._wake()

    def _wake(self) -> None:
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            _release(waiter)

    def ready(
        self, typed: str, multiline: bool | None = None, line_suffix: str | None = None
    ) -> str | None:
        """The answer for a user who typed `typed`, once it is worth showing: the first
        complete line (the whole block once done), or None while still waiting.
        `multiline` and `line_suffix` describe the asking request (default: the first one)."""
        found = self.follow(typed)
        if found is None or found.waiting:
            return "" if self.done else None
        return visible(
            found.rest,
            done=self.done,
            multiline=self.multiline if multiline is None else multiline,
            line_suffix=self.line_suffix if line_suffix is None else line_suffix,
        )

    def remaining_lines(self, typed: str) -> int:
        """Cached lines after the one the cursor is on (0: the user is on the last one)."""
        found = self.follow(typed)
        return found.rest.rstrip().count("\n") if found is not None else 0

    def speculated(self) -> bool:
        """A finished stream that was stopped at its lookahead limit (the model had more to
        say) and has not been prefetched from: when the user reaches its last line, the next
        continuation is worth asking for."""
        return self.done and self.cut and not self.prefetched

    def used_up(self, typed: str) -> bool:
        """The user typed (or accepted) all of a finished continuation that the model ended
        itself: it has nothing more here. One cut at its lookahead limit is not used up."""
        if not self.done or self.failed is not None or self.cut:
            return False
        found = self.follow(typed)
        return found is not None and not found.waiting and not found.rest.strip()

    def diverged(self, typed: str) -> bool:
        """The stream went another way than what the user typed meanwhile."""
        return self.follow(typed) is None

    async def wait(
        self,
        typed: str,
        within: float,
        multiline: bool | None = None,
        line_suffix: str | None = None,
    ) -> str | None:
        """Wait (up to `within` seconds) for `ready(typed)`; None on timeout, on failure, or
        as soon as the stream diverges from what was typed."""
        deadline = time.perf_counter() + within
        while True:
            if typed and self.diverged(typed):
                return None
            answer = self.ready(typed, multiline, line_suffix)
            if answer is not None:
                if self.failed is not None and not answer:
                    return None
                return answer
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                return None
            # A future and a timer, not `asyncio.timeout` (a handler's first step runs eagerly
            # in the reading task, server/eager.py, whose cancellation would end the
            # connection) nor `wait_for` (a task of its own: two more loop turns per wake-up).
            loop = asyncio.get_running_loop()
            waiter: asyncio.Future[None] = loop.create_future()
            self._waiters.append(waiter)
            timer = loop.call_later(remaining, _release, waiter)
            try:
                await waiter
            finally:
                timer.cancel()
                if waiter in self._waiters:
                    self._waiters.remove(waiter)

    async def claim(
        self,
        typed: str,
        within: float,
        multiline: bool | None = None,
        line_suffix: str | None = None,
    ) -> str | None:
        """`wait` on behalf of one request, counted in `claims` while it waits and in
        `answered` once it has its text. A cancelled claim propagates the cancellation; see
        `unclaimed_since` for whether anyone still wants the stream."""
        self.claims += 1
        self.claimed += 1
        try:
            text = await self.wait(typed, within, multiline, line_suffix)
        finally:
            self.claims -= 1
        if text:
            self.answered = max(self.answered, len(typed) + len(text))
        return text

    def unclaimed_since(self, claimed: int) -> bool:
        """Nobody waits on this running stream, nobody was answered from it, and nobody has
        claimed it since `claimed` (a value of `claimed` read earlier): an orphan."""
        return not (self.claims or self.done or self.answered or self.claimed != claimed)

    def cancel(self) -> None:
        if self.task is not None and not self.task.done() and not self.task.cancelling():
            self.task.cancel()


def _release(waiter: asyncio.Future[None]) -> None:
    """Wake one waiter (by `_wake`, or by its timer when the wait is up)."""
    if not waiter.done():
        waiter.set_result(None)


class Continuations:
    """Per-workspace LRU of continuations, running and finished."""

    def __init__(self, capacity: int = 64) -> None:
        self.capacity = capacity
        self._items: OrderedDict[int, Continuation] = OrderedDict()

    def find(self, where: Cursor, multiline: bool | None = None) -> tuple[Continuation, str] | None:
        """The continuation the typed text still matches, with what was typed: the most
        recent one that can answer at once, else the most recent one still streaming, else
        one the user typed to its end."""
        waiting: tuple[int, Continuation, str] | None = None
        used_up: tuple[int, Continuation, str] | None = None
        for key in reversed(self._items):
            c = self._items[key]
            typed = c.typed_since(where)
            if typed is None or (c.failed is not None and not c.text):
                continue
            if c.ready(typed, multiline, where.line_suffix):
                self._items.move_to_end(key)
                return c, typed
            if waiting is None and not c.done:
                waiting = (key, c, typed)
            elif used_up is None and c.used_up(typed):
                used_up = (key, c, typed)
        found = waiting or used_up
        if found is None:
            return None
        self._items.move_to_end(found[0])
        return found[1], found[2]

    def add(
        self,
        where: Cursor,
        position: Position,
        version: int,
        backend: str,
        *,
        multiline: bool = False,
        lookahead: int = 0,
        tab: int = 4,
    ) -> Continuation:
        c = Continuation(
            uri=where.uri,
            anchor=where.prefix[-ANCHOR_CHARS:],
            suffix_head=where.suffix[:SUFFIX_CHARS],
            multiline=multiline,
            position=position,
            version=version,
            backend=backend,
            line_suffix=where.line_suffix,
            lookahead=lookahead,
            tab=tab,
        )
        self._items[id(c)] = c
        while len(self._items) > self.capacity:
            _, old = self._items.popitem(last=False)
            old.cancel()
        return c

    def supersede(self, uri: str, keep: Callable[[Continuation], bool] | None = None) -> int:
        """Cancel the running continuations of `uri` except those `keep` says still serve
        the typing; returns how many were cancelled."""
        cancelled = 0
        for key, c in list(self._items.items()):
            if c.uri == uri and not c.done and (keep is None or not keep(c)):
                c.cancel()
                del self._items[key]
                cancelled += 1
        return cancelled

    def running(self, uri: str | None = None) -> int:
        return sum(1 for c in self._items.values() if not c.done and uri in (None, c.uri))

    def discard(self, cont: Continuation) -> None:
        """Cancel one continuation and forget it."""
        cont.cancel()
        self._items.pop(id(cont), None)

    def drop(self, uri: str) -> None:
        for key, c in list(self._items.items()):
            if c.uri == uri:
                c.cancel()
                del self._items[key]

    def __len__(self) -> int:
        return len(self._items)
