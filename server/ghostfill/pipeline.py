"""The recipe: document → context → continuation reuse → prompt → backend → filters → answer.

`Pipeline.complete` answers as soon as the first useful line exists and leaves the stream
running in the background; when the stream finishes with more than was shown, `events.ready`
tells the client to ask again (and the cache answers at once).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any, Protocol

from ghostfill.backends.base import Backend
from ghostfill.context.gather import ContextEngine
from ghostfill.documents.privacy import PrivacyFilter
from ghostfill.documents.store import Document
from ghostfill.engine import OfflineEngine
from ghostfill.errors import BackendError, GhostfillError
from ghostfill.lifecycle.continuations import Continuation, Continuations
from ghostfill.lifecycle.debounce import Debouncer
from ghostfill.model import Completion, CompletionContext, GenerationParams, Position
from ghostfill.postprocess.base import FilterContext, chain
from ghostfill.postprocess.chat_cleanup import strip_chat_wrapping
from ghostfill.postprocess.line_limit import limit_lines
from ghostfill.postprocess.stop_tokens import stop_at_stop_tokens
from ghostfill.postprocess.suffix_overlap import trim_suffix_overlap
from ghostfill.prompt.render import render
from ghostfill.prompt.templates import quirks
from ghostfill.settings import Settings

log = logging.getLogger(__name__)

STREAM_FILTERS = (stop_at_stop_tokens, strip_chat_wrapping, limit_lines)


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
        self.backend_calls = 0

    def wanted(self, doc: Document) -> bool:
        settings = self.settings()
        if not settings.completion.enable or self.privacy().excluded(doc.path):
            return False
        languages = settings.completion.languages
        return not languages or doc.language in languages

    async def complete(self, doc: Document, position: Position) -> Completion | None:
        started = time.perf_counter()
        if not self.wanted(doc):
            return None
        settings = self.settings()
        ctx = self.context.gather(doc, position, settings, self.workspace())
        generation, gap = self.debouncer.arrive(doc.uri)
        hit = self.continuations.find(ctx)
        if hit is not None:
            cont, typed = hit
            self.continuations.supersede(doc.uri, keep=cont)
            answer = await self._answer(cont, typed, ctx, settings)
            if answer is not None:
                return Completion(answer, "cache", cont.backend, cont.done, _ms(started))
        self.continuations.supersede(doc.uri)
        backend = self.backends.backend
        if backend is None or backend.gate.blocked():
            return self._offline(ctx, settings, started)
        if not await self.debouncer.settle(
            doc.uri, generation, gap, settings.completion.debounceMs
        ):
            return None
        cont = self._start(backend, ctx, settings, position, doc.version)
        answer = await self._answer(cont, "", ctx, settings)
        if answer is None:
            fallback = self._offline(ctx, settings, started)
            if fallback is not None:
                log.info(
                    "offline fallback served (%s)",
                    "backend failed" if cont.failed else "deadline missed",
                )
                self.events.status("offline", fallback.elapsed_ms, "offline suggestion")
            return fallback
        return Completion(answer, "backend", backend.name, cont.done, _ms(started))

    async def _answer(
        self, cont: Continuation, typed: str, ctx: CompletionContext, settings: Settings
    ) -> str | None:
        cont.claims += 1
        try:
            text = await cont.wait(typed, settings.backend.timeoutMs / 1000)
        finally:
            cont.claims -= 1
        if text is None:
            return None
        text = trim_suffix_overlap(text, ctx.line_suffix)
        cont.answered = max(cont.answered, len(typed) + len(text))
        return text

    def _offline(
        self, ctx: CompletionContext, settings: Settings, started: float
    ) -> Completion | None:
        if not settings.offline.enable:
            return None
        lines = settings.completion.maxLines if ctx.multiline else 1
        suggestion = self.engine.suggest(ctx, max_lines=lines)
        if suggestion is None or not suggestion.text.strip():
            return None
        text = trim_suffix_overlap(suggestion.text, ctx.line_suffix)
        return Completion(text, "offline", "offline", True, _ms(started))

    def _start(
        self,
        backend: Backend,
        ctx: CompletionContext,
        settings: Settings,
        position: Position,
        version: int,
    ) -> Continuation:
        config = backend.config
        prompt = backend.prepare(
            render(ctx, model=config.model, template=config.template, comment=_comment(ctx))
        )
        extra, _ = quirks(config.model)
        params = GenerationParams(
            max_tokens=settings.backend.maxTokens,
            temperature=settings.backend.temperature,
            stop=prompt.stop,
            multiline=ctx.multiline,
            extra=extra,
        )
        fctx = FilterContext(
            line_prefix=ctx.line_prefix,
            line_suffix=ctx.line_suffix,
            prefix=ctx.prefix,
            suffix=ctx.suffix,
            multiline=ctx.multiline,
            max_lines=settings.completion.maxLines,
            stop=prompt.stop,
            strip=prompt.strip,
            chat=prompt.fim is None,
            language=ctx.language,
        )
        cont = self.continuations.add(ctx, position, version, backend.name)
        self.backend_calls += 1
        cont.task = self.spawn(self._run(cont, backend, prompt, params, fctx))
        return cont

    async def _run(
        self,
        cont: Continuation,
        backend: Backend,
        prompt: Any,
        params: GenerationParams,
        fctx: FilterContext,
    ) -> None:
        self.events.status("busy")
        try:
            raw = backend.stream(prompt, params)
            out = chain(raw, STREAM_FILTERS, fctx)
            try:
                async for chunk in out:
                    cont.push(chunk)
            finally:
                # A filter that stopped early leaves the stream open: closing it closes the
                # HTTP connection, so the provider stops generating too.
                await _aclose(out)
                await _aclose(raw)
        except asyncio.CancelledError:
            cont.finish(BackendError("superseded"))
            self.events.status("idle")
            raise
        except BackendError as exc:
            cont.finish(exc)
            log.warning("%s: %s", backend.name, exc.user_message)
            self.events.problem(exc)
            self.events.status("error", None, exc.user_message)
            return
        cont.finish()
        total = (time.perf_counter() - cont.started) * 1000
        first = ((cont.first_token_at or time.perf_counter()) - cont.started) * 1000
        log.info(
            "%s: %d chars, first token %.0f ms, total %.0f ms",
            backend.name,
            len(cont.text),
            first,
            total,
        )
        self.events.status("idle", first)
        if len(cont.text.rstrip()) > cont.answered:
            self.events.ready(cont.uri, cont.version, cont.position)


async def _aclose(stream: AsyncIterator[str]) -> None:
    close = getattr(stream, "aclose", None)
    if close is not None:
        await close()


def _comment(ctx: CompletionContext) -> str:
    return "#" if ctx.language in ("python", "ruby", "bash", "text") else "//"


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000
