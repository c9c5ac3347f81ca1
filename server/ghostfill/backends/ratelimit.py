"""A per-backend gate that turns a 429 into a pause instead of a retry storm.

Ghost text asks on every keystroke; after a 429 every one of those requests would fail again
and push the reset further out. The gate remembers until when the provider asked us to wait
(from its reset headers, parsed in `http.retry_after`), answers `blocked()` with the seconds
left, and escalates the minimum pause while 429s keep coming without a success in between.

    gate.blocked()      # seconds left, 0.0 when requests may go out
    gate.trip(12.3)     # a 429 (or an empty bucket) said: wait 12.3 s; returns the pause used
    gate.clear()        # a request succeeded: forget the escalation
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from ghostfill.errors import RateLimited

if TYPE_CHECKING:
    import httpx

MAX_PAUSE_S = 24 * 3600.0
MAX_ESCALATION_S = 60.0

_GO_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
_TRY_AGAIN = re.compile(r"try again in (\d[\dhms.]*)", re.IGNORECASE)


def parse_reset(value: str, now: float | None = None) -> float | None:
    """Seconds until a rate-limit reset, from float seconds (Cerebras `11.38`), Go durations
    (Groq, OpenAI: `2m59.56s`, `12ms`), RFC 3339 / HTTP dates (Anthropic, `retry-after`) or
    epoch timestamps in s or ms. None when the value is none of these."""
    value = value.strip()
    if not value:
        return None
    now = time.time() if now is None else now
    try:
        number = float(value)
    except ValueError:
        pass
    else:
        if number > 1e12:  # an epoch in milliseconds (OpenRouter's X-RateLimit-Reset)
            return max(number / 1000 - now, 0.0)
        if number > 1e9:  # an epoch in seconds
            return max(number - now, 0.0)
        return max(number, 0.0)
    parts = _GO_DURATION.findall(value)
    if parts and "".join(n + u for n, u in parts) == value:
        return sum(float(n) * _UNITS[u] for n, u in parts)
    try:
        return max(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() - now, 0.0)
    except ValueError:
        pass
    import email.utils  # HTTP dates are rare; its import (~4 ms) stays off the server's start

    try:
        return max(email.utils.parsedate_to_datetime(value).timestamp() - now, 0.0)
    except (TypeError, ValueError):
        return None


def retry_after(headers: httpx.Headers, body_text: str = "", now: float | None = None) -> float:
    """How long to pause after a 429.

    In order: `retry-after-ms`, `retry-after`, the reset of a bucket the headers say is empty
    (`...-remaining-X: 0` next to `...-reset-X`), a "try again in 59.977s" in the message, the
    longest announced reset under an hour (daily buckets are ignored: if one is really empty
    the next 429 says so), else 5 s. The gate escalates repeated trips on its own.
    """
    if ms := headers.get("retry-after-ms"):
        try:
            return max(float(ms) / 1000, 0.0)
        except ValueError:
            pass
    if (after := parse_reset(headers.get("retry-after", ""), now)) is not None:
        return after
    resets: dict[str, float] = {}
    for name, value in headers.items():
        low = name.lower()
        if "ratelimit" in low and "reset" in low and (delay := parse_reset(value, now)) is not None:
            resets[low] = delay
    empty = [
        delay
        for name, delay in resets.items()
        if headers.get(name.replace("reset", "remaining"), "").strip() in ("0", "0.0")
    ]
    if empty:
        return max(empty)
    if match := _TRY_AGAIN.search(body_text):
        if (delay := parse_reset(match.group(1).rstrip("."), now)) is not None:
            return delay
    short = [d for d in resets.values() if d <= 3600]
    if short:
        return max(short)
    return 5.0


class RateLimitGate:
    def __init__(self, provider: str = "", clock: Callable[[], float] = time.monotonic) -> None:
        self.provider = provider
        self._clock = clock
        self._until = 0.0
        self._streak = 0
        self._error: RateLimited | None = None

    def blocked(self) -> float:
        """Seconds until requests may go out again (0.0 = now)."""
        return max(self._until - self._clock(), 0.0)

    def trip(self, seconds: float) -> float:
        """Pause for `seconds` (at least 1, 2, 4 ... 60 s for consecutive trips, at most a
        day); an earlier, longer pause is kept. Returns the pause applied from now."""
        self._streak += 1
        floor = min(2.0 ** (self._streak - 1), MAX_ESCALATION_S)
        pause = min(max(seconds, floor), MAX_PAUSE_S)
        now = self._clock()
        if now + pause >= self._until:
            self._until = now + pause
            return pause
        return self._until - now

    def remember(self, error: RateLimited) -> None:
        """The error to repeat (same message and key, so the user hears it once) while blocked."""
        self._error = error

    def clear(self) -> None:
        """A request went through: the next 429 starts the escalation from scratch."""
        self._streak = 0

    def check(self) -> None:
        """Raise RateLimited without touching the network while the gate is closed."""
        left = self.blocked()
        if left <= 0:
            return
        error = self._error or RateLimited(
            f"{self.provider} rate limit reached; pausing requests for {max(left, 1):.0f} s "
            "(offline suggestions meanwhile).",
            retry_after_s=left,
            key=f"429:{self.provider}",
        )
        raise RateLimited(error.user_message, retry_after_s=left, key=error.key)

    def observe(self, headers: httpx.Headers) -> None:
        """Close the gate ahead of a 429 when a successful response says a per-minute bucket
        is empty (`x-ratelimit-remaining-tokens-minute: 0` with its reset)."""
        for name, value in headers.items():
            low = name.lower()
            if "ratelimit" not in low or "remaining" not in low or value.strip() not in ("0",):
                continue
            reset = parse_reset(headers.get(low.replace("remaining", "reset"), ""))
            if reset is not None and 0 < reset <= 3600:
                self._until = max(self._until, self._clock() + reset)
