"""Continuations: backend streams that outlive the request that started them.

A `Continuation` accumulates one suggestion as it streams. Requests read from it: the one
that started it (answered as soon as the first line is complete), and every later request
whose prefix only adds characters the suggestion already predicted (typing through), so
those cost zero backend calls. A request may attach before the text it typed has arrived;
it is released as soon as the stream goes another way (`diverged`), so it can ask anew.
Finished continuations stay in a small LRU as the cache.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from ghostfill.model import CompletionContext, Position
from ghostfill.postprocess.base import tidy

ANCHOR_CHARS = 256
"""Tail of the prefix that identifies where a continuation was asked for."""
SUFFIX_CHARS = 128


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
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    def typed_since(self, ctx: CompletionContext) -> str | None:
        """What the user typed after this continuation's anchor, if it still fits it."""
        if ctx.uri != self.uri or ctx.suffix[:SUFFIX_CHARS] != self.suffix_head:
            return None
        at = ctx.prefix.rfind(self.anchor) if self.anchor else 0
        if at == -1:
            return None
        typed = ctx.prefix[at + len(self.anchor) :]
        if self.text.startswith(typed) or (not self.done and typed.startswith(self.text)):
            return typed
        return None

    def push(self, chunk: str) -> None:
        if self.first_token_at is None:
            self.first_token_at = time.perf_counter()
        self.text += chunk
        self._changed.set()

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
        self._changed.set()

    def ready(self, typed: str) -> str | None:
        """The answer for a user who typed `typed`, once it is worth showing: the first
        complete line (the whole block once done), or None while still waiting."""
        rest = self.text[len(typed) :] if self.text.startswith(typed) else None
        if self.done:
            return tidy(rest, self.line_suffix) if rest is not None else ""
        if rest is None:
            return None
        body = rest.lstrip("\n") if self.multiline else rest
        if "\n" in body and body.split("\n", 1)[0].strip():
            return rest[: len(rest) - len(body) + body.index("\n")].rstrip()
        return None

    def diverged(self, typed: str) -> bool:
        """The stream went another way than what the user typed meanwhile."""
        return not self.text.startswith(typed) and not typed.startswith(self.text)

    async def wait(self, typed: str, within: float) -> str | None:
        """Wait (up to `within` seconds) for `ready(typed)`; None on timeout, on failure, or
        as soon as the stream diverges from what was typed."""
        deadline = time.perf_counter() + within
        while True:
            if typed and self.diverged(typed):
                return None
            answer = self.ready(typed)
            if answer is not None:
                if self.failed is not None and not answer:
                    return None
                return answer
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                return None
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), remaining)
            except TimeoutError:
                return None

    def cancel(self) -> None:
        if self.task is not None and not self.task.done() and not self.task.cancelling():
            self.task.cancel()


class Continuations:
    """Per-workspace LRU of continuations, running and finished."""

    def __init__(self, capacity: int = 64) -> None:
        self.capacity = capacity
        self._items: OrderedDict[int, Continuation] = OrderedDict()

    def find(self, ctx: CompletionContext) -> tuple[Continuation, str] | None:
        """The most recent continuation the typed text still matches, with what was typed."""
        for key in reversed(self._items):
            c = self._items[key]
            typed = c.typed_since(ctx)
            if typed is not None and (c.failed is None or c.text):
                self._items.move_to_end(key)
                return c, typed
        return None

    def add(
        self, ctx: CompletionContext, position: Position, version: int, backend: str
    ) -> Continuation:
        c = Continuation(
            uri=ctx.uri,
            anchor=ctx.prefix[-ANCHOR_CHARS:],
            suffix_head=ctx.suffix[:SUFFIX_CHARS],
            multiline=ctx.multiline,
            position=position,
            version=version,
            backend=backend,
            line_suffix=ctx.line_suffix,
        )
        self._items[id(c)] = c
        while len(self._items) > self.capacity:
            _, old = self._items.popitem(last=False)
            old.cancel()
        return c

    def supersede(self, uri: str, keep: Continuation | None = None) -> int:
        """Cancel the running continuations of `uri` other than `keep`; returns how many."""
        cancelled = 0
        for key, c in list(self._items.items()):
            if c.uri == uri and c is not keep and not c.done:
                c.cancel()
                del self._items[key]
                cancelled += 1
        return cancelled

    def discard(self, cont: Continuation) -> None:
        """Cancel one continuation and forget it."""
        cont.cancel()
        self._items.pop(id(cont), None)

    def drop(self, uri: str) -> None:
        for key, c in list(self._items.items()):
            if c.uri == uri:
                c.cancel()
                del self._items[key]

    def running(self) -> int:
        return sum(1 for c in self._items.values() if not c.done)

    def __len__(self) -> int:
        return len(self._items)
