"""The recipe: document → cache lookup → context → prompt → backend → filters → answer.

`Pipeline.complete` answers as soon as the first useful line exists and leaves the stream
running in the background; when the stream finishes with more than was shown, `events.ready`
tells the client to ask again (and the cache answers at once).

Lifecycle rules, in the order `complete` applies them:
1. the cache comes first: a continuation (finished or still streaming) that the typed text
   still matches answers, looked up from a probe of the document before any context,
   tree-sitter or prompt work, with no debounce and no backend call; every other stream of
   the document is cancelled. When the user reaches the last cached line, the next
   continuation is asked for in the background (prefetch);
2. with `backend.hedge = "offline"` the offline engine answers first when it has something
   (it runs in a few milliseconds, before any HTTP request would be sent), else the backend;
3. the debounce waits only while requests come faster than `completion.debounceMs`;
4. a new stream starts; the request is answered at its first complete line. A single-line
   stream goes on for `completion.lookaheadLines` more lines into the cache (speculation).
A stream whose only waiting request was cancelled (`$/cancelRequest`) and that answered
nobody is cancelled after `orphan_grace_s` unless a new request claims it meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Protocol

from ghostfill.backends.base import Backend
from ghostfill.context.gather import ContextEngine
from ghostfill.context.multiline import openers_of, wants_block
from ghostfill.documents.privacy import PrivacyFilter
from ghostfill.documents.store import Document
from ghostfill.engine import OfflineEngine
from ghostfill.errors import BackendError, GhostfillError
from ghostfill.lifecycle import timings as stage
from ghostfill.lifecycle import waiting
from ghostfill.lifecycle.collector import Collector
from ghostfill.lifecycle.continuations import Continuation, Continuations, Probe
from ghostfill.lifecycle.debounce import Debouncer
from ghostfill.lifecycle.keepwarm import KeepWarm
from ghostfill.lifecycle.pacing import Pacer
from ghostfill.lifecycle.speculation import Lookahead
from ghostfill.model import Completion, CompletionContext, GenerationParams, Position, Prompt
from ghostfill.postprocess import FINAL_FILTERS, PREPARERS, STREAM_FILTERS
from ghostfill.postprocess.base import FilterContext, chain, finish
from ghostfill.postprocess.line_limit import cut_at_lookahead
from ghostfill.prompt.render import render
from ghostfill.prompt.templates import quirks
from ghostfill.settings import Settings
from ghostfill.tasks import Tasks

if TYPE_CHECKING:
    from ghostfill.documents.syntax import Grammar

log = logging.getLogger(__name__)

__all__ = ["FINAL_FILTERS", "STREAM_FILTERS", "BackendSlot", "Events", "Pipeline"]

BUSY_AFTER_S = 0.25
"""A stream still running this long after it started shows the client "busy"; a fast answer
sends one status notification (idle, with its latency), not two."""
ORPHAN_GRACE_S = 0.15
"""How long a stream whose waiting request was cancelled stays alive for the next keystroke."""


class Events(Protocol):
    """How the pipeline tells the client things (implemented over LSP in app.py)."""

    def ready(self, uri: str, version: int, position: Position) -> None: ...

    def status(
        self, state: str, latency_ms: float | None = None, message: str | None = None
    ) -> None: ...

    def problem(self, error: GhostfillError) -> None: ...


class BackendSlot(Protocol):
    """The current backend (None = offline only); replaced when settings change."""

    @property
    def backend(self) -> Backend | None: ...


Spawn = Callable[[Coroutine[Any, Any, None]], "asyncio.Task[None]"]


class Pipeline:
    def __init__(
        self,
        *,
        settings: Callable[[], Settings],
        privacy: Callable[[], PrivacyFilter],
        context: ContextEngine,
        engine: OfflineEngine,
        backends: BackendSlot,
        continuations: Continuations,
        debouncer: Debouncer,
        events: Events,
        spawn: Spawn,
        workspace: Callable[[], str] = lambda: "",
        orphan_grace_s: float = ORPHAN_GRACE_S,
        pacer: Pacer | None = None,
        collector: Collector | None = None,
    ) -> None:
        self.settings = settings
        self.privacy = privacy
        self.context = context
        self.engine = engine
        self.backends = backends
        self.continuations = continuations
        self.debouncer = debouncer
        self.events = events
        self.spawn = spawn
        self.workspace = workspace
        self.orphan_grace_s = orphan_grace_s
        self.lookahead = Lookahead()
        self._warming = Tasks("keep warm")
        self.keep_warm = KeepWarm(self._warming.spawn)
        """Its loop is the pipeline's own task, not the caller's: a one-shot that waits for its
        request's streams must not wait for the connection to be kept warm."""
        self.pacer = pacer or Pacer()
        """Deadlines and prompt budgets sized to each backend's measured speed."""
        self.collector = collector or Collector()
        """The process's cycle collector, told of each request (it collects in pauses)."""
        self.backend_calls = 0
        self.prefetches = 0
        self.orphans_cancelled = 0
        self._streaming = 0
        self._busy: asyncio.TimerHandle | None = None
        self._closing = Tasks("stream close")

    def wanted(self, doc: Document) -> bool:
        settings = self.settings()
        if not settings.completion.enable or self.privacy().secret(doc.path):
            return False
        languages = settings.completion.languages
        return not languages or doc.language in languages

    async def complete(self, doc: Document, position: Position) -> Completion | None:
        timings = stage.Timings(gc_clock=self.collector.paused)
        self.collector.request()
        if not self.wanted(doc):
            return None
        settings = self.settings()
        probe = Probe.at(doc, position)
        multiline = wants_block(
            settings.completion.multiline,
            probe.prefix,
            probe.line_prefix,
            probe.line_suffix,
            openers_of(doc.spec),
        )
        generation, gap = self.debouncer.arrive(doc.uri)
        self.keep_warm.asked(self.backends.backend)
        hit = self.continuations.find(probe, multiline)
        timings.lap("lookup")
        if hit is not None:
            cont, typed = hit
            self.continuations.supersede(doc.uri, keep=lambda c: c.typed_since(probe) is not None)
            answer = await self._answer(cont, typed, settings, multiline, probe.line_suffix)
            if answer:
                timings.answered()
                log.debug("%s", timings.line("cache"))
                if cont.speculated() and cont.remaining_lines(typed) == 0:
                    self._prefetch(cont, doc, position, settings)
                return Completion(answer, "cache", cont.backend, cont.done, timings.ms["total"])
            if cont.used_up(typed):
                return None  # the model said all it had to say here: asking again would too
        self.continuations.supersede(doc.uri)
        sized = self.pacer.sized(settings, self.backends.backend)
        ctx = self.context.gather(
            doc,
            position,
            sized,
            self.workspace(),
            self.privacy().excluded,
            snippets=self.backends.backend is not None,  # the offline engine reads no prompt
        )
        timings.lap("context")
        grammar = doc.tree.grammar if doc.tree is not None else None
        backend = self.backends.backend
        if backend is None or backend.gate.blocked():
            return self._offline(ctx, settings, timings.started, grammar, (doc, position))
        if settings.backend.hedge == "offline":
            early = self._offline(ctx, settings, timings.started, grammar, (doc, position))
            if early is not None:
                return early
        if not await self.debouncer.settle(
            doc.uri, generation, gap, settings.completion.debounceMs
        ):
            return None
        cont = self._start(backend, ctx, probe, settings, position, doc.version, grammar, timings)
        answer = await self._answer(cont, "", settings)
        if answer is None:
            fallback = self._offline(ctx, settings, timings.started, grammar, (doc, position))
            if fallback is not None:
                log.info(
                    "offline fallback served (%s)",
                    "backend failed" if cont.failed else "deadline missed",
                )
                self.events.status("offline", fallback.elapsed_ms, "offline suggestion")
            return fallback
        timings.answered()
        if timings.settle("answer"):
            log.debug("%s", timings.line("backend"))
        return Completion(answer, "backend", backend.name, cont.done, timings.ms["total"])

    def ahead(self, doc: Document, position: Position) -> bool:
        """Right after an edit, before the editor asks (it waits its debounce first): gather
        the context a request at `position` would need, so the request reuses it. Nothing is
        done where no prompt would be rendered (no completions for this document, the offline
        engine) or where the cache would answer. True when it gathered."""
        backend = self.backends.backend
        if backend is None or not self.wanted(doc):
            return False
        if self.continuations.find(Probe.at(doc, position)) is not None:
            return False
        sized = self.pacer.sized(self.settings(), backend)
        return self.context.ahead(doc, position, sized, self.workspace(), self.privacy().excluded)

    async def rehearse(self, doc: Document) -> tuple[Position, Completion] | None:
        """Walk a request's path once, at the end of `doc`'s middle line, asking no one: the
        context, the prompt, the stream and final filters over a line of the file as a
        stand-in answer (the offline engine instead, without a backend). Nothing is cached, counted or
        sent. What a process pays only the first time (compiled queries and expressions,
        lazily built indexes and hooks: ~15 ms) is then paid while the user reads the file
        they opened, not by their first keystroke. None when `doc` gets no completions."""
        if not self.wanted(doc) or doc.line_count < 2:
            return None
        settings = self.settings()
        backend = self.backends.backend
        row = doc.line_count // 2
        position = doc.position(doc.line_end(row))
        sized = self.pacer.sized(settings, backend)
        ctx = self.context.rehearse(
            doc,
            position,
            sized,
            self.workspace(),
            self.privacy().excluded,
            snippets=backend is not None,
        )
        grammar = doc.tree.grammar if doc.tree is not None else None
        if backend is None:
            offline = self._offline(ctx, settings, time.perf_counter(), grammar, (doc, position))
            return _placed(position, offline)
        config = backend.config
        prompt = backend.prepare(
            render(ctx, model=config.model, template=config.template, comment=ctx.comment)
        )
        fctx = _filter_context(ctx, settings, grammar, prompt)
        # A line from further up stands in for an answer (the lines next to the cursor would
        # be cut as a repetition, leaving the final filters unwalked).
        lines = (doc.line(r).decode("utf-8", errors="replace") for r in range(row // 2, -1, -1))
        sample = next((line.strip() + "\n" for line in lines if line.strip()), "pass\n")
        streamed = "".join([c async for c in chain(_one(sample), STREAM_FILTERS, fctx)])
        text = (finish(streamed, FINAL_FILTERS, fctx) or sample).rstrip()
        return position, Completion(text, "backend", backend.name, True, 0.0)

    def _prefetch(
        self, cont: Continuation, doc: Document, position: Position, settings: Settings
    ) -> None:
        """The user is on the last cached line: ask for the next continuation now, in the
        background, so it is cached before the user gets there."""
        cont.prefetched = True
        backend = self.backends.backend
        if (
            backend is None
            or backend.gate.blocked()
            or settings.completion.lookaheadLines == 0
            or self.continuations.running(doc.uri)
        ):
            return
        version = doc.version

        async def prefetch() -> None:
            await asyncio.sleep(0)  # after the answer that triggered it is on its way
            if doc.version != version or self.continuations.running(doc.uri):
                return
            timings = stage.Timings()
            timings.settle("answer")  # nobody waits for a prefetch: logged when it ends
            probe = Probe.at(doc, position)
            sized = self.pacer.sized(settings, backend)
            ctx = self.context.gather(
                doc, position, sized, self.workspace(), self.privacy().excluded
            )
            timings.lap("context")
            grammar = doc.tree.grammar if doc.tree is not None else None
            self.prefetches += 1
            self._start(backend, ctx, probe, settings, position, version, grammar, timings)

        self.spawn(prefetch())

    async def _answer(
        self,
        cont: Continuation,
        typed: str,
        settings: Settings,
        multiline: bool | None = None,
        line_suffix: str | None = None,
    ) -> str | None:
        try:
            return await cont.claim(
                typed, self.pacer.wait_s(cont, settings), multiline, line_suffix
            )
        except asyncio.CancelledError:
            self._watch_orphan(cont)
            raise

    def _watch_orphan(self, cont: Continuation) -> None:
        """The request waiting on `cont` was cancelled: unless another request claims it
        within the grace period, stop the stream (closing its HTTP connection)."""
        claimed = cont.claimed
        if not cont.unclaimed_since(claimed):
            return

        def check() -> None:
            if not cont.unclaimed_since(claimed):
                return
            log.debug("stream orphaned by cancelled requests: cancelled")
            self.orphans_cancelled += 1
            self.continuations.discard(cont)

        asyncio.get_running_loop().call_later(self.orphan_grace_s, check)

    def _offline(
        self,
        ctx: CompletionContext,
        settings: Settings,
        started: float,
        grammar: Grammar | None = None,
        cursor: tuple[Document, Position] | None = None,
    ) -> Completion | None:
        if not settings.offline.enable:
            return None
        lines = settings.completion.maxLines if ctx.multiline else 1
        # The engine reads the whole document around the cursor, not the prompt's window.
        whole = ctx
        if cursor is not None:
            hints = self.context.hints(*cursor, ctx.line_prefix)
            whole = _whole_document(ctx, *cursor, hints.names, hints.members)
        suggestion = self.engine.suggest(whole, max_lines=lines, settings=settings.offline)
        if suggestion is None or not suggestion.text.strip():
            return None
        fctx = _filter_context(ctx, settings, grammar)
        text = finish(suggestion.text, FINAL_FILTERS, fctx).rstrip()
        if not text.strip():
            return None
        return Completion(text, "offline", "offline", True, _ms(started))

    def _start(
        self,
        backend: Backend,
        ctx: CompletionContext,
        probe: Probe,
        settings: Settings,
        position: Position,
        version: int,
        grammar: Grammar | None,
        timings: stage.Timings,
    ) -> Continuation:
        config = backend.config
        prompt = backend.prepare(
            render(ctx, model=config.model, template=config.template, comment=ctx.comment)
        )
        extra, _ = quirks(config.model)
        lookahead = 0
        if not ctx.multiline:
            lookahead = self.lookahead.lines(backend.name, settings.completion.lookaheadLines)
        fctx = _filter_context(ctx, settings, grammar, prompt, lookahead)
        cont = self.continuations.add(
            probe,
            position,
            version,
            backend.name,
            multiline=ctx.multiline,
            lookahead=lookahead,
            tab=len(fctx.indent_unit) if fctx.indent_unit.startswith(" ") else 4,
        )
        plan = self.pacer.plan(backend, prompt, settings, cont)
        params = GenerationParams(
            max_tokens=settings.backend.maxTokens,
            temperature=settings.backend.temperature,
            stop=prompt.stop,
            multiline=ctx.multiline,
            extra=extra,
            first_event_s=plan.first_event_s,
            meter=plan.meter,
        )
        timings.lap("prompt")
        self.backend_calls += 1
        self.keep_warm.traffic()
        cont.task = self.spawn(self._run(cont, backend, prompt, params, fctx, timings, settings))
        return cont

    async def _run(
        self,
        cont: Continuation,
        backend: Backend,
        prompt: Prompt,
        params: GenerationParams,
        fctx: FilterContext,
        timings: stage.Timings,
        settings: Settings,
    ) -> None:
        stage.CURRENT.set(timings)
        waiting.WHILE_WAITING.set(lambda: self._prepare(fctx, timings))
        self._streaming += 1
        if self._streaming == 1:
            self._busy = asyncio.get_running_loop().call_later(
                BUSY_AFTER_S, self.events.status, "busy"
            )
        concluded = observed = False
        try:
            raw = backend.stream(prompt, params)
            measured = stage.measured(raw, timings, "backend")
            filtered = chain(measured, STREAM_FILTERS, fctx)
            out = stage.measured(filtered, timings, "filtered")
            try:
                async for chunk in out:
                    cont.push(chunk)
                    if self.pacer.late(cont):
                        # The request was answered offline meanwhile: ask for this one now.
                        self.events.ready(cont.uri, cont.version, cont.position)
                self.pacer.observe(cont, settings)
                observed = True
                self._conclude(cont, backend, fctx, timings)  # before the close: no loop turn
                concluded = True
            finally:
                if not observed:
                    self.pacer.observe(cont, settings)
                # A filter that stopped early leaves the stream open: closing it closes the
                # HTTP connection, so the provider stops generating too. The close runs in a
                # task of its own: a cancel arriving meanwhile (the next keystroke) must not
                # interrupt it, or the connection stays checked out of the pool.
                await self._closing.finish(_close(out, filtered, measured, raw))
        except asyncio.CancelledError:
            if not concluded:
                cont.finish(BackendError("superseded"))
                self._stream_ended()
            raise
        except BackendError as exc:
            if concluded:  # closing a stream that had ended: the answer stands
                log.debug("%s: closing the ended stream: %s", backend.name, exc.user_message)
                return
            cont.finish(exc)
            self._streaming -= 1
            if self._streaming == 0 and self._busy is not None:
                self._busy.cancel()
            log.warning("%s: %s", backend.name, exc.user_message)
            self.events.problem(exc)
            self.events.status("error", None, exc.user_message)

    def _prepare(self, fctx: FilterContext, timings: stage.Timings) -> None:
        """The filters' work that needs no answer, done while the provider thinks."""
        began = time.perf_counter()
        try:
            for prepare in PREPARERS:
                prepare(fctx)
        except Exception:  # an extra: the filters do the work themselves when it is missing
            log.exception("preparing the filters failed")
        timings.add("prepare", (time.perf_counter() - began) * 1000)

    def _conclude(
        self, cont: Continuation, backend: Backend, fctx: FilterContext, timings: stage.Timings
    ) -> None:
        """The stream ended by itself: the final filters, and the waiting requests woken."""
        shown = cont.ready("")
        streamed = cont.text
        cont.finish(text=finish(cont.text, FINAL_FILTERS, fctx))
        cont.cut = cut_at_lookahead(fctx) and cont.text.rstrip() == streamed.rstrip()
        # A request woken by `finish` is already queued: its answer goes out first, then the
        # bookkeeping, the status and completionReady (which then knows what it was given).
        asyncio.get_running_loop().call_soon(self._ended, cont, backend, timings, shown)

    def _ended(
        self, cont: Continuation, backend: Backend, timings: stage.Timings, shown: str | None
    ) -> None:
        """After a stream's end has been handed to whoever waited for it."""
        timings.streamed()
        first = ((cont.first_token_at or time.perf_counter()) - cont.started) * 1000
        if cont.first_token_at is not None:
            self.lookahead.measured(
                backend.name, len(cont.text), time.perf_counter() - cont.first_token_at
            )
        log.debug(  # per stream: debug (at info each costs ~0.2 ms of LSP traffic to the editor)
            "%s: %d chars, first token %.0f ms, total %.0f ms",
            backend.name,
            len(cont.text),
            first,
            (time.perf_counter() - cont.started) * 1000,
        )
        if timings.settle("stream"):
            log.debug("%s", timings.line("backend"))
        self._stream_ended(first)
        final = cont.ready("")
        if final and len(final) > max(cont.answered, len(shown or "")):
            self.events.ready(cont.uri, cont.version, cont.position)

    def _stream_ended(self, first_ms: float | None = None) -> None:
        """One notification when the last running stream ends, not one per stream."""
        self._streaming -= 1
        if self._streaming == 0:
            if self._busy is not None:
                self._busy.cancel()
            self.events.status("idle", first_ms)


def _whole_document(
    ctx: CompletionContext,
    doc: Document,
    position: Position,
    names: frozenset[str],
    members: frozenset[str],
) -> CompletionContext:
    """`ctx` with the whole document before and after the cursor as prefix and suffix, and
    the names and members the code there can use."""
    cursor = doc.offset(position, strict=False)
    data = doc.data
    return replace(
        ctx,
        prefix=data[:cursor].decode("utf-8", errors="replace"),
        suffix=data[cursor:].decode("utf-8", errors="replace"),
        names=names,
        members=members,
    )


def _filter_context(
    ctx: CompletionContext,
    settings: Settings,
    grammar: Grammar | None,
    prompt: Prompt | None = None,
    lookahead: int = 0,
) -> FilterContext:
    return FilterContext(
        line_prefix=ctx.line_prefix,
        line_suffix=ctx.line_suffix,
        prefix=ctx.prefix,
        suffix=ctx.suffix,
        multiline=ctx.multiline,
        max_lines=settings.completion.maxLines,
        stop=prompt.stop if prompt else (),
        strip=prompt.strip if prompt else (),
        chat=prompt is not None and prompt.fim is None,
        language=ctx.language,
        spec=ctx.spec,
        grammar=grammar,
        lookahead=lookahead,
    )


async def _one(text: str) -> AsyncIterator[str]:
    yield text


def _placed(
    position: Position, completion: Completion | None
) -> tuple[Position, Completion] | None:
    return None if completion is None else (position, completion)


async def _close(*streams: AsyncIterator[str]) -> None:
    for stream in streams:
        close = getattr(stream, "aclose", None)
        if close is not None:
            await close()


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000
