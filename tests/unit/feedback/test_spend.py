"""Metering backend calls and the spend guard: caps close the gate, say so once, count
every window through the shared database."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from ghostfill.backends.base import BackendConfig
from ghostfill.backends.client import make_client
from ghostfill.backends.ratelimit import RateLimitGate
from ghostfill.backends.wires import OpenAIWires
from ghostfill.fakes.responses import FakeResponses
from ghostfill.feedback.events import Event
from ghostfill.feedback.meter import MeteredBackend, cost, prompt_chars, tokens
from ghostfill.feedback.spend import Caps, SpendGuard
from ghostfill.feedback.store import StatsStore
from ghostfill.model import ChatMessage, GenerationParams, Prompt

from tests.unit.backends.conftest import backend, prepared

SPARK = "gpt-5.3-codex-spark"


class Scripted:
    """A backend that streams fixed chunks (the meter wraps it; it is not under test)."""

    def __init__(self, chunks: list[str]) -> None:
        self.config = BackendConfig("cerebras", "https://x", "gpt-oss-120b", "")
        self.gate = RateLimitGate("cerebras")
        self.chunks = chunks

    @property
    def name(self) -> str:
        return "cerebras"

    def prepare(self, prompt: Prompt) -> Prompt:
        return prompt

    async def stream(self, prompt: Prompt, params: GenerationParams) -> AsyncIterator[str]:
        for chunk in self.chunks:
            yield chunk

    async def models(self) -> list[str]:
        return []

    async def warm(self) -> None:
        return None


PROMPT = Prompt("", "", (ChatMessage("user", "x" * 400),), language="python")


async def _drain(backend: MeteredBackend) -> str:
    return "".join([c async for c in backend.stream(PROMPT, GenerationParams())])


async def test_meter_records_tokens_cost_and_first_token() -> None:
    events: list[Event] = []
    metered = MeteredBackend(Scripted(["ab", "cd" * 10]), events.append, SpendGuard())
    assert await _drain(metered) == "ab" + "cd" * 10
    (event,) = events
    assert (event.kind, event.language, event.chars) == ("request", "python", 22)
    assert (event.prompt_tokens, event.completion_tokens) == (100, 6)
    assert event.cost == cost(metered.config, 100, 6) > 0
    assert event.latency_ms is not None and event.latency_ms >= 0


async def test_cancelled_stream_still_counts() -> None:
    events: list[Event] = []
    metered = MeteredBackend(Scripted(["a", "b", "c"]), events.append, SpendGuard())
    stream = metered.stream(PROMPT, GenerationParams())
    assert await stream.__anext__() == "a"
    await stream.aclose()
    assert events[0].chars == 1 and events[0].prompt_tokens == 100


async def test_token_cap_closes_the_gate_and_says_so_once() -> None:
    guard, notes = SpendGuard(), []
    guard.configure(Caps(tokens_per_hour=150), notes.append)
    metered = MeteredBackend(Scripted(["x" * 40]), guard.add, guard)
    await _drain(metered)
    assert not metered.gate.blocked()
    await _drain(metered)
    assert metered.gate.blocked() and metered.gate.blocked()
    assert len(notes) == 1
    assert "220 tokens in the last hour reached backend.maxTokensPerHour (150)" in notes[0]


def test_cost_cap_and_an_hour_later(tmp_path: Path) -> None:
    now = [time.time()]
    guard = SpendGuard(clock=lambda: now[0])
    guard.configure(Caps(tokens_per_hour=1000))
    guard.add(Event(at=now[0], kind="request", prompt_tokens=900, completion_tokens=200))
    assert guard.over()
    now[0] += 3601
    assert not guard.over()
    guard.configure(Caps(cost_per_day=0.5))
    guard.add(Event(at=now[0], kind="request", cost=0.6))
    assert "maxCostPerDay ($0.50)" in (guard.reason() or "")


def test_usage_from_other_windows_counts_through_the_database(tmp_path: Path) -> None:
    path = tmp_path / "stats.db"
    other = StatsStore(path)
    other.record(Event(at=time.time(), kind="request", prompt_tokens=500, completion_tokens=10))
    other.close()
    guard = SpendGuard()
    guard.configure(Caps(tokens_per_hour=400))
    mine = StatsStore(path, after_write=guard.refresh)
    mine.record(Event(at=time.time(), kind="shown", item="x"))
    mine.close()
    assert guard.usage().tokens_hour == 510
    assert guard.over()


@pytest.mark.parametrize("transport", ["http", "websocket"])
async def test_the_responses_apis_own_usage_is_what_the_stats_count(transport: str) -> None:
    """The real Responses backend against the fake's real wire: the stats event carries the
    `usage` of `response.completed`, not the estimate from characters."""
    events: list[Event] = []
    with FakeResponses("return a + b  # the sum of both") as fake:
        async with make_client() as client:
            inner = backend(
                client, "openai-compatible", fake.base_url, model=SPARK, transport=transport
            )
            assert isinstance(inner, OpenAIWires)
            metered = MeteredBackend(inner, events.append, SpendGuard())
            try:
                prompt, params = prepared(metered)
                text = "".join([t async for t in metered.stream(prompt, params)])
            finally:
                await inner.aclose()
    assert text and inner.transport == transport
    (event,) = events
    reported = inner.responses.usage  # what the backend itself parsed (its log, doctor)
    assert reported.input_tokens > 0 and reported.output_tokens > 0
    assert (event.prompt_tokens, event.completion_tokens) == (
        reported.input_tokens,
        reported.output_tokens,
    )
    estimate = (tokens(prompt_chars(prompt)), tokens(len(text)))
    assert (event.prompt_tokens, event.completion_tokens) != estimate  # not the estimate
    assert event.cost == cost(metered.config, event.prompt_tokens, event.completion_tokens)


def test_cached_prompt_tokens_are_priced_at_the_providers_cached_rate() -> None:
    """gpt-4.1-mini: $0.40 per million input tokens, $0.10 from the prompt cache, $1.60 out."""
    config = BackendConfig("openai", "https://x", "gpt-4.1-mini", "")
    assert cost(config, 1_000_000, 0) == pytest.approx(0.40)
    assert cost(config, 1_000_000, 0, cached_tokens=900_000) == pytest.approx(0.13)
    assert cost(config, 1_000_000, 1_000_000, cached_tokens=2_000_000) == pytest.approx(0.10 + 1.60)
    # a provider without a cached rate bills the cached tokens in full
    cerebras = BackendConfig("cerebras", "https://x", "gpt-oss-120b", "")
    assert cost(cerebras, 1_000, 0, cached_tokens=900) == cost(cerebras, 1_000, 0)


async def test_the_meter_prices_what_the_provider_says_it_served_from_cache() -> None:
    from ghostfill.backends.usage import Usage

    class Cached(Scripted):
        def __init__(self) -> None:
            super().__init__(["x"])
            self.config = BackendConfig("openai", "https://x", "gpt-4.1-mini", "")

        async def stream(self, prompt: Prompt, params: GenerationParams) -> AsyncIterator[str]:
            assert params.meter is not None
            params.meter.record(Usage(prompt_tokens=100, cached_tokens=900, predicted_tokens=2))
            yield "x"

    events: list[Event] = []
    metered = MeteredBackend(Cached(), events.append, SpendGuard())
    assert await _drain(metered) == "x"
    (event,) = events
    assert event.prompt_tokens == 1000
    assert event.cost == pytest.approx((100 * 0.40 + 900 * 0.10 + 2 * 1.60) / 1_000_000)
