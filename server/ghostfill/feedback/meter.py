"""A backend wrapper that meters every call (tokens, estimated cost, time to first token)
and closes the gate while the spend guard says a cap is reached.

Tokens are what the provider says the request used, where its response reports it (OpenAI-style
`usage`, the Responses API's `usage`, llama.cpp's `timings`, Ollama's counts: the request's
`Meter`); prompt tokens served from the provider's cache count too, at the preset's cached
price where it has one. A response that says
nothing (a stream cancelled before its end, a server without usage) is estimated from
characters (about 4 per token, as the context budget counts them): the prompt as sent, and the
text that arrived.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from typing import Any

from ghostfill.backends.base import Backend, BackendConfig
from ghostfill.backends.presets import PRESETS
from ghostfill.backends.ratelimit import RateLimitGate
from ghostfill.backends.usage import Meter, Usage
from ghostfill.context.window import CHARS_PER_TOKEN
from ghostfill.feedback.events import Event
from ghostfill.feedback.spend import SpendGuard
from ghostfill.model import GenerationParams, Prompt

Record = Callable[[Event], None]


def prompt_chars(prompt: Prompt) -> int:
    if prompt.fim is None:
        return sum(len(m.content) for m in prompt.messages)
    if prompt.fim:
        return len(prompt.fim)
    return len(prompt.prefix) + len(prompt.suffix) + sum(len(s.text) for s in prompt.extra)


def tokens(chars: int) -> int:
    return (chars + CHARS_PER_TOKEN - 1) // CHARS_PER_TOKEN


def cost(
    config: BackendConfig, prompt_tokens: int, completion_tokens: int, cached_tokens: int = 0
) -> float:
    """Estimated USD; `cached_tokens` of the `prompt_tokens` were served from the provider's
    prompt cache (billed at its cached price where the preset has one)."""
    preset = PRESETS.get(config.provider)
    price = preset.price(config.model) if preset is not None else None
    if price is None or preset is None:
        return 0.0
    cached = min(max(cached_tokens, 0), prompt_tokens)
    cached_price = preset.cached_price(config.model)
    rate = price[0] if cached_price is None else cached_price
    fresh = prompt_tokens - cached
    return (fresh * price[0] + cached * rate + completion_tokens * price[1]) / 1_000_000


class GuardedGate:
    """The backend's rate-limit gate, also closed while a spending cap is reached."""

    def __init__(self, inner: RateLimitGate, guard: SpendGuard) -> None:
        self._inner = inner
        self._guard = guard

    def blocked(self) -> float:
        """Seconds until requests may go out again, as `RateLimitGate.blocked` (a reached cap
        reports 1 s: it is asked again on the next request)."""
        left = self._inner.blocked()
        return left if left > 0 else float(self._guard.over())

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class MeteredBackend:
    """Implements `Backend` around another one; everything else is the inner backend's."""

    def __init__(self, inner: Backend, record: Record, guard: SpendGuard) -> None:
        self.inner = inner
        self.config: BackendConfig = inner.config
        self._record = record
        self.gate: Any = GuardedGate(inner.gate, guard)

    @property
    def name(self) -> str:
        return self.inner.name

    def prepare(self, prompt: Prompt) -> Prompt:
        return self.inner.prepare(prompt)

    async def stream(self, prompt: Prompt, params: GenerationParams) -> AsyncIterator[str]:
        started = time.perf_counter()
        first: float | None = None
        chars = 0
        if params.meter is None:  # the pipeline gives one; a caller without still gets usage
            params = replace(params, meter=Meter())
        meter = params.meter
        try:
            async for chunk in self.inner.stream(prompt, params):
                if first is None:
                    first = time.perf_counter()
                chars += len(chunk)
                yield chunk
        finally:
            first_ms = None if first is None else (first - started) * 1000
            self._spent(prompt, chars, first_ms, meter.usage if meter else None)

    def _spent(
        self, prompt: Prompt, chars: int, first_ms: float | None, usage: Usage | None
    ) -> None:
        cached = 0
        if usage is not None and usage.total_prompt > 0:  # what the provider counted
            sent, got = usage.total_prompt, usage.predicted_tokens
            cached = usage.cached_tokens or 0
        else:
            sent, got = tokens(prompt_chars(prompt)), tokens(chars)
        self._record(
            Event(
                at=time.time(),
                kind="request",
                backend=self.config.provider,
                model=self.config.model,
                language=prompt.language,
                latency_ms=first_ms,
                chars=chars,
                prompt_tokens=sent,
                completion_tokens=got,
                cost=cost(self.config, sent, got, cached),
            )
        )

    async def models(self) -> list[str]:
        return await self.inner.models()

    async def warm(self) -> None:
        await self.inner.warm()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)
