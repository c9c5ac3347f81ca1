"""What a response says about its own cost: prompt tokens evaluated and reused, and the time
each phase took. The lifecycle sizes prompts and deadlines to these figures.

- llama.cpp puts `timings` on the last event of every stream, and on every event when the
  request asks for `timings_per_token`: `prompt_n` tokens evaluated, `cache_n` reused from the
  slot's prompt cache, `prompt_ms`, `predicted_n`, `predicted_ms`.
- OpenAI-style servers send `usage` (`prompt_tokens` including the cached ones,
  `prompt_tokens_details.cached_tokens`, `completion_tokens`) without times.
- The Responses API's `response.completed` has `usage` (`input_tokens` including the cached
  ones, `input_tokens_details.cached_tokens`, `output_tokens`), without times.
- Ollama's last object has `prompt_eval_count`/`prompt_eval_duration` and
  `eval_count`/`eval_duration` (nanoseconds); it does not say how much it reused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

NS_PER_MS = 1_000_000


@dataclass(frozen=True, slots=True)
class Usage:
    prompt_tokens: int
    """Prompt tokens the server evaluated for this request (not reused from its cache)."""
    cached_tokens: int | None = None
    """Prompt tokens reused from the server's prompt cache (None: the server does not say)."""
    prompt_ms: float | None = None
    predicted_tokens: int = 0
    predicted_ms: float | None = None

    @property
    def total_prompt(self) -> int:
        return self.prompt_tokens + (self.cached_tokens or 0)

    @property
    def reuse(self) -> float | None:
        """Share of the prompt the server's cache reused: cache_n / (cache_n + prompt_n)."""
        if self.cached_tokens is None or self.total_prompt <= 0:
            return None
        return self.cached_tokens / self.total_prompt

    @property
    def prompt_tps(self) -> float | None:
        """Prompt evaluation speed, tokens/s (only meaningful over a batch of some size)."""
        if not self.prompt_ms or self.prompt_tokens < 16:
            return None
        return self.prompt_tokens / (self.prompt_ms / 1000)

    @property
    def decode_tps(self) -> float | None:
        if not self.predicted_ms or self.predicted_tokens < 4:
            return None
        return self.predicted_tokens / (self.predicted_ms / 1000)


def _int(data: Mapping[str, Any], key: str) -> int | None:
    value = data.get(key)
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _float(data: Mapping[str, Any], key: str) -> float | None:
    value = data.get(key)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def from_llamacpp(timings: object) -> Usage | None:
    """llama.cpp's `timings` object."""
    if not isinstance(timings, Mapping):
        return None
    prompt = _int(timings, "prompt_n")
    if prompt is None:
        return None
    return Usage(
        prompt_tokens=prompt,
        cached_tokens=_int(timings, "cache_n"),
        prompt_ms=_float(timings, "prompt_ms"),
        predicted_tokens=_int(timings, "predicted_n") or 0,
        predicted_ms=_float(timings, "predicted_ms"),
    )


def from_openai(usage: object) -> Usage | None:
    """An OpenAI-style `usage` object (cached tokens are part of `prompt_tokens` there)."""
    return _with_cached(usage, "prompt_tokens", "completion_tokens")


def from_responses(usage: object) -> Usage | None:
    """The Responses API's `usage` (cached tokens are part of `input_tokens` there)."""
    return _with_cached(usage, "input_tokens", "output_tokens")


def _with_cached(usage: object, prompt: str, output: str) -> Usage | None:
    """`prompt` tokens include the cached ones, listed under `<prompt>_details`."""
    if not isinstance(usage, Mapping):
        return None
    total = _int(usage, prompt)
    if total is None:
        return None
    details = usage.get(f"{prompt}_details")
    cached = _int(details, "cached_tokens") if isinstance(details, Mapping) else None
    return Usage(
        prompt_tokens=max(total - (cached or 0), 0),
        cached_tokens=cached,
        predicted_tokens=_int(usage, output) or 0,
    )


def from_ollama(data: Mapping[str, Any]) -> Usage | None:
    """Ollama's final `done: true` object."""
    prompt = _int(data, "prompt_eval_count")
    if prompt is None:
        return None
    prompt_ns = _float(data, "prompt_eval_duration")
    eval_ns = _float(data, "eval_duration")
    return Usage(
        prompt_tokens=prompt,
        prompt_ms=prompt_ns / NS_PER_MS if prompt_ns else None,
        predicted_tokens=_int(data, "eval_count") or 0,
        predicted_ms=eval_ns / NS_PER_MS if eval_ns else None,
    )


class Meter:
    """One request's usage as its response reports it. A decoder `record`s what the stream
    says (several times when the figures grow per event); whoever paces requests reads
    `usage` once the stream is over or has been closed."""

    __slots__ = ("usage",)

    def __init__(self) -> None:
        self.usage: Usage | None = None

    def record(self, usage: Usage | None) -> None:
        if usage is not None:
            self.usage = usage
