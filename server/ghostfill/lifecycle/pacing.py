"""Deadlines and prompt budgets sized to the backend's measured speed.

Every stream teaches the pacer how fast its backend is: prompt evaluation and decode speed
(tokens/s) from what the response reports (llama.cpp `timings`, Ollama durations), or from the
time to the first token and the characters after it when it reports nothing. The text of the
last prompt sent to each backend tells how much of the next one its prompt cache can reuse, so
the cost of a request is predicted from the tokens that are new. With those figures:

- the prompt is sized so that a request with nothing cached (the first on a file) has its first
  line within `COLD_FACTOR` x the deadline: the context budgets are scaled by 1, 1/2 or 1/4,
  with hysteresis, so the prompt (and the server's cache of it) changes shape rarely;
- the request waits the configured deadline when the model is expected within it, longer when
  it is due just after (an answer due in a second is not thrown away), and not at all when it
  is expected much later: the offline suggestion shows at once and the model's answer replaces
  it through `ghostfill/completionReady` as soon as its first line is there (`late`);
- the HTTP request may wait for its first event as long as the model needs: a local server
  evaluating a long prompt is working, not hung. Before anything is measured a cold allowance
  at `FLOOR_TPS` applies.
"""

from __future__ import annotations

import logging
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from ghostfill.backends.base import Backend
from ghostfill.backends.presets import PRESETS
from ghostfill.backends.usage import Meter, Usage
from ghostfill.lifecycle.continuations import Continuation
from ghostfill.model import Prompt
from ghostfill.prompt.render import evaluated_text
from ghostfill.settings import Settings

SCALES = (1.0, 0.5, 0.25)
"""Context budget scales, largest first."""
COLD_FACTOR = 1.5
"""A cold prompt (nothing cached) should have its first line within this x the deadline."""
UP_MARGIN = 0.75
"""A larger scale is taken back only when it would fit with this margin (hysteresis)."""
GRACE_S = 1.0
"""An answer expected within this much after the deadline is waited for."""
FLOOR_TPS = 25.0
"""Prompt evaluation speed assumed before anything is measured (a slow local CPU model)."""
FIRST_LINE_TOKENS = 12
SMOOTHING = 0.3
"""Weight of a new measurement in the running averages."""
MIN_MEASURED_TOKENS = 48
"""Fewer new prompt tokens than this say more about overhead than about evaluation speed."""
MAX_FIRST_EVENT_S = 120.0
CHARS_PER_TOKEN = 4.0
TEMPLATE_TOKENS = 8
"""What a chat or FIM template adds around the text, per request."""

BackendKey = tuple[str, str, str]

log = logging.getLogger(__name__)


@dataclass
class Speed:
    """What is known about one backend (provider, base URL, model)."""

    prompt_tps: float | None = None
    decode_tps: float | None = None
    overhead_s: float | None = None
    """Time to the first token when there was almost nothing new to evaluate."""
    chars_per_token: float = CHARS_PER_TOKEN
    full_tokens: float | None = None
    """Prompt tokens at scale 1 (measured prompt size / the scale it was built at)."""
    scale: float = 1.0
    last_text: str = ""
    """The prompt the backend evaluated last: its cache holds it (one slot, one client)."""
    requests: int = 0
    reuse: list[float] = field(default_factory=list)
    """Server-reported cache reuse of the recent requests that came after another."""
    first_line_ms: list[float] = field(default_factory=list)
    """Recent times from request to the model's first line."""
    last_usage: Usage | None = None

    def predict(self, new_tokens: float) -> float | None:
        """Seconds from sending a request with `new_tokens` uncached prompt tokens to its first
        line, or None while the speed is unknown."""
        if self.prompt_tps is None:
            return None
        decode = FIRST_LINE_TOKENS / self.decode_tps if self.decode_tps else 0.0
        return (self.overhead_s or 0.0) + new_tokens / self.prompt_tps + decode


@dataclass(frozen=True, slots=True)
class Plan:
    """How one request is paced."""

    key: BackendKey
    text: str
    new_tokens: float
    wait_s: float
    """How long the editor's request waits for the model's first line before offline answers."""
    first_event_s: float
    expected_s: float | None
    meter: Meter
    started: float


def _mix(old: float | None, new: float) -> float:
    return new if old is None else old + SMOOTHING * (new - old)


def _keep(values: list[float], value: float, most: int = 64) -> None:
    values.append(value)
    del values[:-most]


def shared_prefix(a: str, b: str) -> int:
    """Length of the common prefix (binary search over slices: a few memcmp calls)."""
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


class Pacer:
    """Per workspace: the measured speed of each backend, and the plan of each stream."""

    def __init__(self, clock: Callable[[], float] = time.perf_counter) -> None:
        self.clock = clock
        self.speeds: dict[BackendKey, Speed] = {}
        self._plans: weakref.WeakKeyDictionary[Continuation, Plan] = weakref.WeakKeyDictionary()
        self._told: weakref.WeakSet[Continuation] = weakref.WeakSet()
        self._sized: tuple[Settings, tuple[float, float], Settings] | None = None

    @staticmethod
    def key(backend: Backend) -> BackendKey:
        c = backend.config
        return (c.provider, c.base_url, c.model)

    def speed(self, backend: Backend) -> Speed:
        return self.speeds.setdefault(self.key(backend), Speed())

    # -- before the request -----------------------------------------------------------------

    def sized(self, settings: Settings, backend: Backend | None) -> Settings:
        """`settings` with the context budgets scaled to what the backend can evaluate in time
        (and, for a slow one, less code after the cursor: it is evaluated again every keystroke)."""
        if backend is None:
            return settings
        scale = self.speed(backend).scale
        context = settings.context
        share = context.suffixShare
        if share < 0:
            preset = PRESETS.get(backend.config.provider)
            if preset is not None and preset.suffix_share is not None:
                share = preset.suffix_share
        if scale == 1.0 and share == context.suffixShare:
            return settings
        cached = self._sized
        if cached is not None and cached[0] is settings and cached[1] == (scale, share):
            return cached[2]
        sized = replace(
            settings,
            context=replace(
                context,
                windowTokens=max(int(context.windowTokens * scale), 64),
                budgetTokens=int(context.budgetTokens * scale),
                suffixShare=share * min(scale, 1.0) if share >= 0 else share,
            ),
        )
        self._sized = (settings, (scale, share), sized)
        return sized

    def plan(
        self, backend: Backend, prompt: Prompt, settings: Settings, cont: Continuation
    ) -> Plan:
        """The pacing of the stream about to start for `cont` (kept until it ends)."""
        speed = self.speed(backend)
        text = evaluated_text(prompt)
        new_chars = len(text) - shared_prefix(text, speed.last_text)
        new_tokens = new_chars / speed.chars_per_token + TEMPLATE_TOKENS
        speed.last_text = text
        deadline = max(settings.backend.timeoutMs, 1) / 1000
        expected = speed.predict(new_tokens)
        configured = backend.config.timeout_s
        if expected is None:
            wait, first_event = deadline, max(configured, new_tokens / FLOOR_TPS + deadline)
        else:
            if expected <= deadline:
                wait = deadline
            elif expected <= deadline + GRACE_S:
                wait = expected + GRACE_S / 2
            else:
                wait = 0.0
            first_event = max(configured, expected * 3 + deadline)
        plan = Plan(
            key=self.key(backend),
            text=text,
            new_tokens=new_tokens,
            wait_s=wait,
            first_event_s=min(first_event, MAX_FIRST_EVENT_S),
            expected_s=expected,
            meter=Meter(),
            started=self.clock(),
        )
        self._plans[cont] = plan
        return plan

    def wait_s(self, cont: Continuation, settings: Settings) -> float:
        """How long a request may wait on `cont` for its first line."""
        plan = self._plans.get(cont)
        if plan is None:
            return settings.backend.timeoutMs / 1000
        return max(plan.wait_s - (self.clock() - plan.started), 0.0)

    # -- while it streams --------------------------------------------------------------------

    def late(self, cont: Continuation) -> bool:
        """True once, when `cont`'s first line is there but no request waited for it: the
        editor shows an older (offline) suggestion and should ask again now."""
        if cont.claims or cont.answered or cont in self._told or cont not in self._plans:
            return False
        if cont.ready("") is None:
            return False
        self._told.add(cont)
        return True

    # -- after it -------------------------------------------------------------------------

    def observe(self, cont: Continuation, settings: Settings) -> None:
        """Learn from `cont`'s stream (finished, failed or cut short)."""
        plan = self._plans.get(cont)
        if plan is None:
            return
        speed = self.speeds.setdefault(plan.key, Speed())
        speed.requests += 1
        usage = plan.meter.usage
        first = cont.first_token_at
        ttft = first - plan.started if first is not None else None
        if ttft is not None and cont.text.strip():
            _keep(speed.first_line_ms, ttft * 1000)
        if usage is not None:
            self._learn_usage(speed, plan, usage, ttft)
        elif ttft is not None:
            self._learn_timing(speed, plan, cont, ttft)
        self._resize(speed, settings)

    def _learn_usage(self, speed: Speed, plan: Plan, usage: Usage, ttft: float | None) -> None:
        speed.last_usage = usage
        log.debug(
            "%s: prompt %d tokens, %d reused from the server's cache (%.2f), %s tokens/s",
            plan.key[0],
            usage.total_prompt,
            usage.cached_tokens or 0,
            usage.reuse or 0.0,
            f"{usage.prompt_tps:.0f}" if usage.prompt_tps else "?",
        )
        total = usage.total_prompt
        if total > 0:
            speed.chars_per_token = _mix(speed.chars_per_token, max(len(plan.text) / total, 1.0))
            speed.full_tokens = _mix(speed.full_tokens, total / speed.scale)
        if usage.reuse is not None and speed.requests > 1:
            _keep(speed.reuse, usage.reuse)
        rate = usage.prompt_tps
        if rate is not None and usage.prompt_tokens >= MIN_MEASURED_TOKENS:
            speed.prompt_tps = _mix(speed.prompt_tps, rate)
        if usage.decode_tps is not None:
            speed.decode_tps = _mix(speed.decode_tps, usage.decode_tps)
        if ttft is not None and usage.prompt_ms is not None:
            speed.overhead_s = _mix(speed.overhead_s, max(ttft - usage.prompt_ms / 1000, 0.0))

    def _learn_timing(self, speed: Speed, plan: Plan, cont: Continuation, ttft: float) -> None:
        """No usage reported: the time to the first token over the new tokens bounds the
        evaluation speed; the characters after it give the decode speed."""
        speed.full_tokens = _mix(
            speed.full_tokens, len(plan.text) / speed.chars_per_token / speed.scale
        )
        if plan.new_tokens >= MIN_MEASURED_TOKENS:
            speed.prompt_tps = _mix(speed.prompt_tps, plan.new_tokens / max(ttft, 1e-3))
        else:
            speed.overhead_s = _mix(speed.overhead_s, ttft)
        span = self.clock() - (cont.first_token_at or self.clock())
        tokens = len(cont.text) / speed.chars_per_token
        if span > 0.05 and tokens >= 4:
            speed.decode_tps = _mix(speed.decode_tps, tokens / span)

    def _resize(self, speed: Speed, settings: Settings) -> None:
        """Pick the largest context scale whose cold first line fits the target."""
        if speed.prompt_tps is None or speed.full_tokens is None:
            return
        target = max(settings.backend.timeoutMs, 1) / 1000 * COLD_FACTOR
        current = SCALES.index(speed.scale) if speed.scale in SCALES else 0
        chosen = len(SCALES) - 1
        for i, scale in enumerate(SCALES):
            cold = speed.predict(speed.full_tokens * scale)
            margin = UP_MARGIN if i < current else 1.0
            if cold is not None and cold <= target * margin:
                chosen = i
                break
        speed.scale = SCALES[chosen]

    # -- figures ------------------------------------------------------------------------------

    def stats(self) -> list[dict[str, object]]:
        """Per backend, for `ghostfill/debugStats` and the benchmarks."""
        out: list[dict[str, object]] = []
        for (provider, base_url, model), s in self.speeds.items():
            reuse = sorted(s.reuse)
            first = sorted(s.first_line_ms)
            out.append(
                {
                    "backend": provider,
                    "baseUrl": base_url,
                    "model": model,
                    "requests": s.requests,
                    "promptTokensPerS": _round(s.prompt_tps),
                    "decodeTokensPerS": _round(s.decode_tps),
                    "contextScale": s.scale,
                    "cacheReuse": reuse,
                    "cacheReuseMedian": reuse[len(reuse) // 2] if reuse else None,
                    "firstLineMsMedian": _round(first[len(first) // 2]) if first else None,
                }
            )
        return out


def _round(value: float | None) -> float | None:
    return round(value, 1) if value is not None else None
