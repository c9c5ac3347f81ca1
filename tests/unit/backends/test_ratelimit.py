"""Rate-limit reset parsing in every provider's format, and the gate that stops retry storms."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from ghostfill.backends.http import parse_reset as reexported
from ghostfill.backends.ratelimit import RateLimitGate, parse_reset, retry_after
from ghostfill.errors import RateLimited

NOW = datetime(2026, 1, 1, tzinfo=UTC).timestamp()


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("11.382867097854614", 11.382867097854614),  # Cerebras x-ratelimit-reset-tokens-minute
        ("33011.382867097855", 33011.382867097855),  # Cerebras x-ratelimit-reset-requests-day
        ("2", 2.0),  # retry-after
        ("0", 0.0),
        ("2m59.56s", 179.56),  # Groq x-ratelimit-reset-requests
        ("7.66s", 7.66),  # Groq x-ratelimit-reset-tokens
        ("12ms", 0.012),  # OpenAI x-ratelimit-reset-requests
        ("1h2m3s", 3723.0),
        ("2026-01-01T00:00:20Z", 20.0),  # Anthropic anthropic-ratelimit-*-reset (RFC 3339)
        ("2026-01-01T00:00:20.500000+00:00", 20.5),
        ("2025-12-31T23:59:00Z", 0.0),  # already past
        ("Thu, 01 Jan 2026 00:00:30 GMT", 30.0),  # retry-after as an HTTP date
        (str(int(NOW * 1000) + 4000), 4.0),  # epoch milliseconds (OpenRouter)
        (str(int(NOW) + 9), 9.0),  # epoch seconds
    ],
)
def test_parse_reset(value: str, seconds: float) -> None:
    assert parse_reset(value, now=NOW) == pytest.approx(seconds)


@pytest.mark.parametrize("value", ["", "  ", "soon", "2 minutes", "5x"])
def test_parse_reset_rejects_garbage(value: str) -> None:
    assert parse_reset(value, now=NOW) is None


def test_http_reexports_parse_reset() -> None:
    assert reexported is parse_reset


@pytest.mark.parametrize(
    ("headers", "body", "seconds"),
    [
        ({"retry-after-ms": "1500", "retry-after": "9"}, "", 1.5),
        ({"retry-after": "2", "x-ratelimit-reset-tokens": "7.66s"}, "", 2.0),
        ({"retry-after": "Thu, 01 Jan 2026 00:00:30 GMT"}, "", 30.0),
        (  # Cerebras: the empty bucket's reset, not the daily one
            {
                "x-ratelimit-remaining-requests-day": "13000",
                "x-ratelimit-reset-requests-day": "33011.38",
                "x-ratelimit-remaining-tokens-minute": "0",
                "x-ratelimit-reset-tokens-minute": "11.38",
            },
            "",
            11.38,
        ),
        (  # an empty daily bucket really means a long pause
            {"x-ratelimit-remaining-requests-day": "0", "x-ratelimit-reset-requests-day": "33011"},
            "",
            33011.0,
        ),
        (  # OpenAI: no bucket at 0, the message knows best
            {"x-ratelimit-reset-requests": "12ms", "x-ratelimit-reset-tokens": "9ms"},
            "Limit 30000, Used 28039, Requested 3906. Please try again in 3.89s.",
            3.89,
        ),
        ({"x-ratelimit-reset-requests": "12ms", "x-ratelimit-reset-tokens": "9ms"}, "", 0.012),
        (  # Anthropic: RFC 3339 resets
            {
                "anthropic-ratelimit-tokens-remaining": "0",
                "anthropic-ratelimit-tokens-reset": "2026-01-01T00:00:42Z",
            },
            "",
            42.0,
        ),
        ({}, "Rate limit reached. Please try again in 1m30s.", 90.0),
        ({}, "", 5.0),
    ],
)
def test_retry_after(headers: dict[str, str], body: str, seconds: float) -> None:
    assert retry_after(httpx.Headers(headers), body, now=NOW) == pytest.approx(seconds)


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_gate_blocks_for_the_reset_and_keeps_the_longer_pause() -> None:
    clock = Clock()
    gate = RateLimitGate("groq", clock)
    assert gate.blocked() == 0.0
    assert gate.trip(10.0) == 10.0
    clock.t += 4
    assert gate.blocked() == pytest.approx(6.0)
    assert gate.trip(3.0) == pytest.approx(6.0)  # an earlier, longer pause stands
    clock.t += 6
    assert gate.blocked() == 0.0


def test_gate_escalates_repeated_tiny_resets_until_a_success() -> None:
    clock = Clock()
    gate = RateLimitGate("openai", clock)
    pauses = []
    for _ in range(8):
        pauses.append(gate.trip(0.012))
        clock.t += pauses[-1]
    assert pauses == [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0]
    gate.clear()
    assert gate.trip(0.012) == 1.0


def test_gate_caps_a_pause_at_a_day() -> None:
    gate = RateLimitGate("x", Clock())
    assert gate.trip(1e9) == 24 * 3600


def test_gate_check_repeats_the_remembered_error() -> None:
    clock = Clock()
    gate = RateLimitGate("cerebras", clock)
    gate.check()  # open: nothing happens
    first = RateLimited(
        "cerebras rate limit reached; pausing requests for 11 s",
        retry_after_s=11,
        key="429:cerebras",
    )
    gate.trip(11)
    gate.remember(first)
    clock.t += 5
    with pytest.raises(RateLimited) as caught:
        gate.check()
    assert caught.value.key == first.key and caught.value.user_message == first.user_message
    assert caught.value.retry_after_s == pytest.approx(6.0)


def test_gate_check_without_a_remembered_error() -> None:
    gate = RateLimitGate("groq", Clock())
    gate.trip(3)
    with pytest.raises(RateLimited, match="groq rate limit reached; pausing requests for 3 s"):
        gate.check()


def test_gate_closes_ahead_of_a_429_when_a_minute_bucket_is_empty() -> None:
    clock = Clock()
    gate = RateLimitGate("cerebras", clock)
    gate.observe(
        httpx.Headers(
            {
                "x-ratelimit-remaining-tokens-minute": "0",
                "x-ratelimit-reset-tokens-minute": "11.5",
                "x-ratelimit-remaining-requests-day": "0",
                "x-ratelimit-reset-requests-day": "33011",  # too far to trust on a 200
            }
        )
    )
    assert gate.blocked() == pytest.approx(11.5)
    other = RateLimitGate("cerebras", clock)
    other.observe(
        httpx.Headers(
            {"x-ratelimit-remaining-tokens-minute": "12", "x-ratelimit-reset-tokens-minute": "11.5"}
        )
    )
    assert other.blocked() == 0.0
