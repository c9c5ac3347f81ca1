"""Pacing: deadlines and prompt budgets sized to a backend's measured speed, and the model's
late answer replacing the offline one through completionReady. A fake clock drives the pacer;
the pipeline test only orders events (no timed assertions)."""

from __future__ import annotations

from dataclasses import dataclass

from ghostfill.backends.base import BackendConfig
from ghostfill.backends.usage import Usage
from ghostfill.lifecycle.continuations import Continuation
from ghostfill.lifecycle.pacing import FLOOR_TPS, GRACE_S, Pacer, shared_prefix
from ghostfill.model import ChatMessage, Position, Prompt
from ghostfill.settings import BackendSettings, Settings

from tests.unit.lifecycle.test_pipeline import Script, _settle, complete, world

SETTINGS = Settings(backend=BackendSettings(timeoutMs=4000))


@dataclass
class Clock:
    now: float = 100.0

    def __call__(self) -> float:
        return self.now


CONFIG = BackendConfig("llamacpp", "http://127.0.0.1:8080", "", "", timeout_s=10)


@dataclass
class Backend:
    config: BackendConfig = CONFIG


def prompt(text: str) -> Prompt:
    return Prompt(prefix="", suffix="", messages=(ChatMessage("user", text),))


def cont() -> Continuation:
    return Continuation("file:///a.py", "", "", False, Position(0, 0), 1, "llamacpp")


def measured(pacer: Pacer, clock: Clock, text: str, usage: Usage, ttft_s: float) -> None:
    """One stream of `text` whose response reported `usage`, first token after `ttft_s`."""
    c = cont()
    plan = pacer.plan(Backend(), prompt(text), SETTINGS, c)  # type: ignore[arg-type]
    plan.meter.record(usage)
    clock.now += ttft_s
    c.push("x = 1\n")
    c.first_token_at = clock.now  # the continuation stamps perf_counter; the test's clock
    pacer.observe(c, SETTINGS)


def test_shared_prefix() -> None:
    assert shared_prefix("abcdef", "abcxyz") == 3
    assert shared_prefix("", "abc") == 0 and shared_prefix("abc", "abc") == 3


def test_unmeasured_backend_gets_the_deadline_and_a_cold_allowance() -> None:
    pacer = Pacer(Clock())
    plan = pacer.plan(Backend(), prompt("x" * 8_000), SETTINGS, cont())  # type: ignore[arg-type]
    assert plan.wait_s == 4.0 and plan.expected_s is None
    assert plan.first_event_s >= 2_000 / FLOOR_TPS  # ~2,000 tokens at the floor speed


def test_a_slow_model_answers_offline_at_once_but_is_not_hung_up_on() -> None:
    clock = Clock()
    pacer = Pacer(clock)
    # 2,000 tokens evaluated in 5 s: 400 tokens/s.
    usage = Usage(prompt_tokens=2000, cached_tokens=0, prompt_ms=5000, predicted_tokens=1)
    measured(pacer, clock, "a" * 8000, usage, ttft_s=5.05)
    speed = pacer.speed(Backend())  # type: ignore[arg-type]
    assert speed.prompt_tps == 400 and speed.chars_per_token == 4
    cold = pacer.plan(Backend(), prompt("b" * 12_000), SETTINGS, cont())  # type: ignore[arg-type]
    assert cold.expected_s is not None and cold.expected_s > 4 + GRACE_S
    assert cold.wait_s == 0.0  # offline now; the model's answer follows by completionReady
    assert cold.first_event_s >= 3 * cold.expected_s
    # The next keystroke adds one character: nearly everything is cached, it is fast.
    warm = pacer.plan(Backend(), prompt("b" * 12_001), SETTINGS, cont())  # type: ignore[arg-type]
    assert warm.expected_s is not None and warm.expected_s < 0.5 and warm.wait_s == 4.0


def test_an_answer_due_just_after_the_deadline_is_waited_for() -> None:
    clock = Clock()
    pacer = Pacer(clock)
    usage = Usage(prompt_tokens=1000, cached_tokens=0, prompt_ms=2500, predicted_tokens=1)
    measured(pacer, clock, "a" * 4000, usage, ttft_s=2.5)
    # ~1,800 new tokens at 400 tokens/s: 4.5 s, half a second past the 4 s deadline.
    plan = pacer.plan(Backend(), prompt("c" * 7200), SETTINGS, cont())  # type: ignore[arg-type]
    assert plan.expected_s is not None and 4 < plan.expected_s < 4 + GRACE_S
    assert plan.wait_s > plan.expected_s


def test_the_context_shrinks_for_a_slow_backend_and_grows_back_with_hysteresis() -> None:
    clock = Clock()
    pacer = Pacer(clock)
    slow = Usage(prompt_tokens=4000, cached_tokens=0, prompt_ms=20_000, predicted_tokens=1)
    measured(pacer, clock, "a" * 16_000, slow, ttft_s=20)
    speed = pacer.speed(Backend())  # type: ignore[arg-type]
    # 4,000 tokens at 200 tokens/s: 20 s cold; 1/4 of it is 5 s, within 1.5 x 4 s.
    assert speed.scale == 0.25
    sized = pacer.sized(SETTINGS, Backend())  # type: ignore[arg-type]
    assert sized.context.windowTokens == SETTINGS.context.windowTokens // 4
    assert sized.context.budgetTokens == SETTINGS.context.budgetTokens // 4
    assert pacer.sized(SETTINGS, Backend()) is sized  # type: ignore[arg-type]
    # Faster now (the machine got quieter): the full prompt would take 5.5 s, within the
    # target but not with the margin, so the scale stays; at 2 s it grows back.
    for tps in (730.0, 2000.0):
        speed.prompt_tps = tps
        fast = Usage(prompt_tokens=1000, cached_tokens=0, prompt_ms=1000 * 1000 / tps)
        measured(pacer, clock, "a" * 4000, fast, ttft_s=1000 / tps)
    assert speed.scale == 1.0
    full = pacer.sized(SETTINGS, Backend())  # type: ignore[arg-type]
    assert full.context.windowTokens == SETTINGS.context.windowTokens
    assert full.context.budgetTokens == SETTINGS.context.budgetTokens


def test_reuse_and_speed_are_reported() -> None:
    clock = Clock()
    pacer = Pacer(clock)
    measured(pacer, clock, "a" * 4000, Usage(1000, 0, 2500, 1), ttft_s=2.5)
    measured(pacer, clock, "a" * 4004, Usage(10, 990, 30, 1), ttft_s=0.05)
    (stats,) = pacer.stats()
    assert stats["requests"] == 2 and stats["cacheReuse"] == [0.99]
    assert stats["promptTokensPerS"] == 400.0 and stats["firstLineMsMedian"] is not None


def test_without_usage_the_first_token_time_is_the_measure() -> None:
    clock = Clock()
    pacer = Pacer(clock)
    c = cont()
    pacer.plan(Backend(), prompt("a" * 4000), SETTINGS, c)  # type: ignore[arg-type]
    clock.now += 2.0
    c.push("return a + b  # the sum of both\n")
    c.first_token_at = clock.now
    clock.now += 0.5
    pacer.observe(c, SETTINGS)
    speed = pacer.speed(Backend())  # type: ignore[arg-type]
    assert speed.prompt_tps is not None and 450 < speed.prompt_tps < 550  # ~1,000 tokens / 2 s
    assert speed.decode_tps is not None and speed.decode_tps > 0


def test_late_is_said_once_when_nobody_waited_for_the_first_line() -> None:
    pacer = Pacer(Clock())
    c = cont()
    pacer.plan(Backend(), prompt("a"), SETTINGS, c)  # type: ignore[arg-type]
    c.push("return a")
    assert not pacer.late(c)  # no complete line yet
    c.claims = 1
    c.push(" + b\n")
    assert not pacer.late(c)  # a request is waiting: it gets the answer itself
    c.claims = 0
    assert pacer.late(c) and not pacer.late(c)


async def test_offline_first_then_the_model_through_completion_ready() -> None:
    """A backend known to be slow: the request is answered offline at once, and when the
    model's first line arrives the client is told to ask again, which the cache answers."""
    w = world([Script(["return a + b\n"], delay_s=0.2)], offline="pass")
    speed = w.pipeline.pacer.speed(w.backend)  # type: ignore[arg-type]
    speed.prompt_tps, speed.decode_tps = 1.0, 1.0  # far slower than the deadline allows
    first = await complete(w, 1, 4)
    assert first is not None and first.source == "offline" and first.text == "pass"
    events = w.pipeline.events
    await w.until(lambda: bool(events.readies))  # type: ignore[attr-defined]
    uri, _version, position = events.readies[0]  # type: ignore[attr-defined]
    assert (uri, position) == (w.doc.uri, Position(1, 4))
    again = await complete(w, 1, 4)
    assert again is not None and again.source == "cache" and again.text == "return a + b"
    await _settle(w)


async def test_a_fast_backend_is_waited_for_as_before() -> None:
    w = world([Script(["return a + b\n"], delay_s=0.05)], offline="pass")
    speed = w.pipeline.pacer.speed(w.backend)  # type: ignore[arg-type]
    speed.prompt_tps, speed.decode_tps = 5000.0, 500.0
    first = await complete(w, 1, 4)
    assert first is not None and first.source == "backend" and first.text == "return a + b"
    await _settle(w)


def test_the_suffix_share_left_to_the_backend_is_the_presets_and_a_set_one_is_kept() -> None:
    from dataclasses import replace

    from ghostfill.settings import ContextSettings

    pacer = Pacer(Clock())
    llamacpp = pacer.sized(SETTINGS, Backend())  # type: ignore[arg-type]
    assert llamacpp.context.suffixShare == 0.05  # /infill re-evaluates the suffix
    assert llamacpp.context.windowTokens == SETTINGS.context.windowTokens
    openai = Backend(replace(CONFIG, provider="openai"))
    assert pacer.sized(SETTINGS, openai) is SETTINGS  # type: ignore[arg-type]
    chosen = replace(SETTINGS, context=ContextSettings(suffixShare=0.3))
    assert pacer.sized(chosen, Backend()) is chosen  # type: ignore[arg-type]
    slow = Usage(prompt_tokens=4000, cached_tokens=0, prompt_ms=20_000, predicted_tokens=1)
    measured(pacer, pacer.clock, "a" * 16_000, slow, ttft_s=20)  # type: ignore[arg-type]
    assert pacer.sized(SETTINGS, Backend()).context.suffixShare == 0.05 * 0.25  # type: ignore[arg-type]
