"""Pipeline lifecycle with a scripted in-process backend: orphaned streams, typing through a
stream, divergence, superseding, hedging and the final filters. No timed assertions: sleeps
only order events, and waits poll for a condition."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

import pytest
from ghostfill.backends.base import BackendConfig
from ghostfill.backends.ratelimit import RateLimitGate
from ghostfill.context.gather import ContextEngine
from ghostfill.documents.languages import LanguageRegistry
from ghostfill.documents.privacy import PrivacyFilter
from ghostfill.documents.store import Document, DocumentStore, TextChange
from ghostfill.documents.syntax import Grammars
from ghostfill.errors import GhostfillError
from ghostfill.lifecycle.continuations import Continuations
from ghostfill.lifecycle.debounce import Debouncer
from ghostfill.model import Completion, CompletionContext, GenerationParams, Position, Prompt
from ghostfill.pipeline import Pipeline
from ghostfill.settings import BackendSettings, CompletionSettings, Settings

URI = "file:///ws/calc.py"
SOURCE = "def add(a, b):\n    \n\nprint(add(1, 2))\n"
GRAMMARS = Grammars(LanguageRegistry())


@dataclass
class Script:
    """One scripted stream: wait `delay_s`, then send `chunks` `gap_s` apart."""

    chunks: list[str]
    delay_s: float = 0.0
    gap_s: float = 0.0


@dataclass
class FakeBackend:
    scripts: list[Script]
    config: BackendConfig = field(
        default_factory=lambda: BackendConfig("fake", "http://fake", "fake-coder", "")
    )
    gate: RateLimitGate = field(default_factory=RateLimitGate)
    calls: int = 0
    closed_early: int = 0
    completed: int = 0

    @property
    def name(self) -> str:
        return "fake"

    def prepare(self, prompt: Prompt) -> Prompt:
        return prompt

    async def stream(self, prompt: Prompt, params: GenerationParams) -> AsyncIterator[str]:
        script = self.scripts[min(self.calls, len(self.scripts) - 1)]
        self.calls += 1
        finished = False
        try:
            await asyncio.sleep(script.delay_s)
            for chunk in script.chunks:
                yield chunk
                await asyncio.sleep(script.gap_s)
            finished = True
        finally:
            if finished:
                self.completed += 1
            else:
                self.closed_early += 1

    async def models(self) -> list[str]:
        return ["fake-coder"]

    async def warm(self) -> None:
        return None


class Holder:
    def __init__(self, backend: FakeBackend | None) -> None:
        self.backend = backend


class Recorder:
    """The pipeline's Events: what it told the client."""

    def __init__(self) -> None:
        self.readies: list[tuple[str, int, Position]] = []

    def ready(self, uri: str, version: int, position: Position) -> None:
        self.readies.append((uri, version, position))

    def status(
        self, state: str, latency_ms: float | None = None, message: str | None = None
    ) -> None:
        return None

    def problem(self, error: GhostfillError) -> None:
        return None


class StubEngine:
    def __init__(self, text: str | None) -> None:
        self.text = text
        self.asked = 0

    def suggest(
        self, ctx: CompletionContext, *, max_lines: int = 1, settings: object = None
    ) -> Completion | None:
        self.asked += 1
        return Completion(self.text, "offline", "offline") if self.text is not None else None


@dataclass
class World:
    pipeline: Pipeline
    backend: FakeBackend
    doc: Document
    store: DocumentStore
    engine: StubEngine
    tasks: list[asyncio.Task[None]]

    def type(self, line: int, character: int, text: str) -> None:
        at = Position(line, character)
        self.store.change(URI, self.doc.version + 1, [TextChange(text, at, at)])

    async def until(self, check: Callable[[], bool], within: float = 5.0) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while not check():
            assert loop.time() < deadline, "condition not reached"
            await asyncio.sleep(0.005)


def world(
    scripts: list[Script],
    *,
    hedge: str = "off",
    offline: str | None = None,
    grace_s: float = 0.05,
    timeout_ms: int = 3000,
) -> World:
    settings = Settings(
        backend=BackendSettings(hedge=hedge, timeoutMs=timeout_ms),  # type: ignore[arg-type]
        completion=CompletionSettings(debounceMs=0),
    )
    backend = FakeBackend(scripts)
    store = DocumentStore(LanguageRegistry(), GRAMMARS)
    doc = store.open(URI, SOURCE, 1, "python")
    tasks: list[asyncio.Task[None]] = []

    def spawn(coro: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(coro)
        tasks.append(task)
        return task

    engine = StubEngine(offline)
    pipeline = Pipeline(
        settings=lambda: settings,
        privacy=lambda: PrivacyFilter((), (), False),
        context=ContextEngine(),
        engine=engine,  # type: ignore[arg-type]
        backends=Holder(backend),  # type: ignore[arg-type]
        continuations=Continuations(),
        debouncer=Debouncer(),
        events=Recorder(),
        spawn=spawn,
        orphan_grace_s=grace_s,
    )
    return World(pipeline, backend, doc, store, engine, tasks)


async def _settle(w: World) -> None:
    for task in w.tasks:
        if not task.done():
            task.cancel()
    await asyncio.gather(*w.tasks, return_exceptions=True)


def complete(w: World, line: int, character: int) -> asyncio.Task[Completion | None]:
    coro: Awaitable[Completion | None] = w.pipeline.complete(w.doc, Position(line, character))
    return asyncio.ensure_future(coro)


async def test_cancelled_request_leaves_an_orphan_that_is_cancelled_after_the_grace() -> None:
    w = world([Script(["return a + b"], delay_s=10)])
    request = complete(w, 1, 4)
    await w.until(lambda: w.backend.calls == 1)
    request.cancel()
    with pytest.raises(asyncio.CancelledError):
        await request
    assert w.backend.closed_early == 0  # still inside the grace period
    await w.until(lambda: w.backend.closed_early == 1)
    assert w.pipeline.orphans_cancelled == 1
    await _settle(w)


async def test_a_request_claiming_the_orphan_within_the_grace_keeps_it() -> None:
    w = world([Script(["return a + b\n"], delay_s=0.3)], grace_s=5.0)
    first = complete(w, 1, 4)
    await w.until(lambda: w.backend.calls == 1)
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    w.type(1, 4, "re")
    second = await complete(w, 1, 6)
    assert second is not None and second.text == "turn a + b" and second.source == "cache"
    assert w.backend.calls == 1 and w.pipeline.orphans_cancelled == 0
    await _settle(w)


async def test_typing_through_an_in_flight_stream_makes_one_call() -> None:
    w = world([Script(["return ", "a + b", "\n"], delay_s=0.2, gap_s=0.05)])
    requests = [complete(w, 1, 4)]
    await w.until(lambda: w.backend.calls == 1)
    for n, ch in enumerate("retu"):
        w.type(1, 4 + n, ch)
        requests.append(complete(w, 1, 5 + n))
        await asyncio.sleep(0.01)  # the keystroke's request runs before the next keystroke
    answers = await asyncio.gather(*requests)
    assert [a.text if a else None for a in answers] == [
        "return a + b",
        "eturn a + b",
        "turn a + b",
        "urn a + b",
        "rn a + b",
    ]
    assert w.backend.calls == 1
    await _settle(w)


async def test_a_stream_that_diverges_from_the_typing_is_replaced() -> None:
    w = world([Script(["return a + b"], delay_s=0.2), Script(["x = 1"])])
    first = complete(w, 1, 4)
    await w.until(lambda: w.backend.calls == 1)
    w.type(1, 4, "z")
    second = await complete(w, 1, 5)  # attaches (nothing streamed yet), then sees "r" != "z"
    assert second is not None and second.text == "x = 1"
    assert w.backend.calls == 2
    await asyncio.gather(first, return_exceptions=True)
    await _settle(w)


async def test_a_new_request_elsewhere_cancels_the_running_stream() -> None:
    w = world([Script(["return a + b"], delay_s=10), Script(["42"])])
    first = complete(w, 1, 4)
    await w.until(lambda: w.backend.calls == 1)
    w.type(4, 0, "x = ")
    second = await complete(w, 4, 4)
    assert second is not None and second.text == "42"
    assert w.backend.closed_early == 1
    first.cancel()
    await asyncio.gather(first, return_exceptions=True)
    await _settle(w)


async def test_hedge_offline_answers_first_and_the_backend_is_not_asked() -> None:
    w = world([Script(["return a + b"])], hedge="offline", offline="return a - b")
    answer = await complete(w, 1, 4)
    assert answer is not None and answer.source == "offline" and answer.text == "return a - b"
    assert w.backend.calls == 0
    await _settle(w)


async def test_hedge_offline_with_nothing_waits_for_the_backend() -> None:
    w = world([Script(["return a + b"])], hedge="offline", offline=None)
    answer = await complete(w, 1, 4)
    assert answer is not None and answer.source == "backend" and answer.text == "return a + b"
    assert w.backend.calls == 1 and w.engine.asked == 1
    await _settle(w)


async def test_without_hedging_the_offline_engine_is_only_the_fallback() -> None:
    w = world([Script(["return a + b"])], offline="return a - b")
    answer = await complete(w, 1, 4)
    assert answer is not None and answer.source == "backend"
    assert w.engine.asked == 0
    await _settle(w)


async def test_final_filters_run_when_the_stream_ends() -> None:
    w = world([Script(["return (a +", " b"])])
    answer = await complete(w, 1, 4)  # an unclosed bracket: the syntax gate drops it
    assert answer is not None and answer.text == ""
    await _settle(w)


async def test_block_is_answered_at_its_first_line_then_ready_is_sent() -> None:
    w = world([Script(["total = a + b\n", "    return total\n"], gap_s=0.2)])
    answer = await complete(w, 1, 4)
    assert answer is not None and answer.text == "total = a + b" and not answer.complete
    events = w.pipeline.events
    assert isinstance(events, Recorder)
    await w.until(lambda: bool(events.readies))
    again = await complete(w, 1, 4)
    assert again is not None and again.text == "total = a + b\n    return total"
    assert w.backend.calls == 1
    await _settle(w)


async def test_enter_and_the_next_line_come_from_the_lookahead_then_the_next_is_prefetched() -> (
    None
):
    w = world(
        [Script(["a + b\n", "    return total\n", "    x = 1\n"]), Script(["return total\n"])]
    )
    w.type(1, 4, "total = ")
    answer = await complete(w, 1, 12)
    assert answer is not None and answer.text == "a + b"  # single line: the lookahead is kept
    await w.until(lambda: w.pipeline.continuations.running() == 0)
    w.type(1, 12, "a + b")
    at_end = await complete(w, 1, 17)
    assert at_end is not None and at_end.source == "cache"
    assert at_end.text == "\n    return total"
    w.type(1, 17, "\n    ")  # Enter, and the editor's auto-indent
    enter = await complete(w, 2, 4)
    assert enter is not None and enter.source == "cache" and enter.text == "return total"
    assert w.backend.calls == 1 and w.pipeline.prefetches == 0
    events = w.pipeline.events
    assert isinstance(events, Recorder) and not events.readies  # nothing more to show
    w.type(2, 4, "return total\n    ")
    last = await complete(w, 3, 4)
    assert last is not None and last.source == "cache" and last.text == "x = 1"
    await w.until(lambda: w.backend.calls == 2)  # on the last cached line: prefetched
    assert w.pipeline.prefetches == 1
    await _settle(w)


async def test_a_continuation_typed_to_its_end_asks_nothing_more() -> None:
    w = world([Script(["a + b\n"]), Script(["never asked"])])
    w.type(1, 4, "total = ")
    await complete(w, 1, 12)
    await w.until(lambda: w.pipeline.continuations.running() == 0)
    w.type(1, 12, "a + b")
    assert await complete(w, 1, 17) is None  # the model ended the line there
    assert w.backend.calls == 1 and w.pipeline.prefetches == 0
    await _settle(w)


async def test_typing_a_different_character_after_enter_asks_anew() -> None:
    w = world([Script(["a + b\n", "    return total\n"]), Script(["print(total)"])])
    w.type(1, 4, "total = ")
    await complete(w, 1, 12)
    await w.until(lambda: w.pipeline.continuations.running() == 0)
    w.type(1, 12, "a + b\n    p")
    other = await complete(w, 2, 5)
    assert other is not None and other.source == "backend"
    assert w.backend.calls == 2
    await _settle(w)


async def test_the_connection_is_kept_warm_while_the_user_is_active() -> None:
    w = world([Script(["a + b\n"])])
    warmed: list[int] = []

    async def warm() -> None:
        warmed.append(1)

    w.backend.warm = warm  # type: ignore[method-assign]
    w.pipeline.keep_warm.interval_s = 0.02
    w.type(1, 4, "total = ")
    await complete(w, 1, 12)
    await w.until(lambda: len(warmed) >= 2)  # no traffic since: warmed every interval
    w.pipeline.keep_warm.active_s = 0.0  # the user went away: the loop ends
    await w.until(lambda: all(t.done() for t in w.tasks))
    await _settle(w)


async def test_accepting_all_of_a_cut_continuation_asks_for_the_next_one() -> None:
    w = world(
        [Script(["a + b\n", "    return total\n", "    x = 1\n", "    y = 2\n"]), Script(["z"])]
    )
    w.type(1, 4, "total = ")
    await complete(w, 1, 12)
    await w.until(lambda: w.pipeline.continuations.running() == 0)
    w.type(1, 12, "a + b\n    return total\n    x = 1")  # the whole suggestion accepted
    after = await complete(w, 3, 9)
    assert w.backend.calls == 2  # stopped at its lookahead: the model had more, so ask
    assert after is not None and after.source == "backend"
    await _settle(w)


async def test_a_rehearsal_asks_no_one_and_leaves_nothing_to_reuse() -> None:
    w = world([Script(["return a + b\n"])])
    found = await w.pipeline.rehearse(w.doc)
    assert found is not None
    position, rehearsed = found
    assert position == Position(2, 0)  # the end of the middle line
    assert rehearsed.text == "def add(a, b):"  # a line further up stood in for an answer
    assert w.backend.calls == 0 and w.pipeline.backend_calls == 0 and w.engine.asked == 0
    assert len(w.pipeline.continuations) == 0
    answer = await complete(w, 2, 0)  # where the rehearsal gathered: nothing is reused
    assert answer is not None and answer.source == "backend"
    assert w.pipeline.context.reused == 0 and w.backend.calls == 1
    await _settle(w)


async def test_a_rehearsal_without_a_backend_walks_the_offline_engine() -> None:
    w = world([Script(["x"])], offline="total = 0")
    w.pipeline.backends.backend = None
    found = await w.pipeline.rehearse(w.doc)
    assert found is not None and found[1].text == "total = 0" and found[1].source == "offline"
    assert w.engine.asked == 1 and w.backend.calls == 0


async def test_a_secret_document_is_not_rehearsed() -> None:
    w = world([Script(["x"])], offline="total = 0")
    w.pipeline.privacy = lambda: PrivacyFilter(("calc.py",), (), False)
    assert await w.pipeline.rehearse(w.doc) is None
    assert w.engine.asked == 0 and w.backend.calls == 0


async def test_context_is_gathered_ahead_only_where_a_request_would_gather_it() -> None:
    w = world([Script(["return a + b\n"])])
    w.type(1, 4, "r")
    assert w.pipeline.ahead(w.doc, Position(1, 5))  # then the request reuses it
    answer = await complete(w, 1, 5)
    assert answer is not None and answer.text == "return a + b"
    assert w.pipeline.context.ahead_count == 1 and w.pipeline.context.reused == 1
    w.type(1, 5, "r")  # typing through the suggestion: the cache answers there
    assert not w.pipeline.ahead(w.doc, Position(1, 6))
    w.pipeline.privacy = lambda: PrivacyFilter(("calc.py",), (), False)
    w.type(2, 0, "x")
    assert not w.pipeline.ahead(w.doc, Position(2, 1))  # a secret file never reaches a prompt
    w.pipeline.privacy = lambda: PrivacyFilter((), (), False)
    w.pipeline.backends = Holder(None)  # type: ignore[assignment]
    assert not w.pipeline.ahead(w.doc, Position(2, 1))  # the offline engine reads no prompt
    assert w.pipeline.context.ahead_count == 1
    await _settle(w)
