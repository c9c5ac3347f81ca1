"""HTTP plumbing shared by every provider: auth headers, status mapping, rate-limit parsing.

Every httpx exception and non-2xx status becomes one `errors.BackendError` here, with a user
message that says how to fix it. API keys never enter a message.
"""

from __future__ import annotations

import email.utils
import json
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from ghostfill.backends.base import BackendConfig
from ghostfill.errors import (
    AuthError,
    BackendError,
    BackendTimeout,
    BackendUnavailable,
    ModelNotFound,
    RateLimited,
    StreamError,
)

_GO_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_reset(value: str, now: float | None = None) -> float | None:
    """Seconds until reset from float seconds (Cerebras), Go durations (Groq, OpenAI: `2m59.56s`,
    `12ms`) or RFC 3339 / HTTP dates (Anthropic, `retry-after`)."""
    value = value.strip()
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    parts = _GO_DURATION.findall(value)
    if parts and "".join(n + u for n, u in parts) == value:
        return sum(float(n) * _UNITS[u] for n, u in parts)
    now = time.time() if now is None else now
    try:
        from datetime import datetime

        return max(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() - now, 0.0)
    except ValueError:
        pass
    try:
        return max(email.utils.parsedate_to_datetime(value).timestamp() - now, 0.0)
    except (TypeError, ValueError):
        return None


def retry_after(headers: httpx.Headers) -> float:
    """How long to pause after a 429: `retry-after(-ms)` if sent, else the longest announced
    reset under an hour (daily buckets are ignored: a later 429 backs off again)."""
    if ms := headers.get("retry-after-ms"):
        try:
            return float(ms) / 1000
        except ValueError:
            pass
    if (after := parse_reset(headers.get("retry-after", ""))) is not None:
        return after
    delays = [
        delay
        for name, value in headers.items()
        if "ratelimit" in name.lower() and "reset" in name.lower()
        if (delay := parse_reset(value)) is not None and delay <= 3600
    ]
    return max(delays) if delays else 5.0


def error_message(body: bytes) -> str:
    """The provider's own error text, if the body has one (OpenAI, Anthropic, Ollama shapes)."""
    try:
        data: Any = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return body.decode("utf-8", errors="replace")[:200].strip()
    if isinstance(data, dict):
        err = data.get("error", data)
        if isinstance(err, dict):
            return str(err.get("message") or err.get("type") or "")[:200]
        if isinstance(err, str):
            return err[:200]
        if "message" in data:
            return str(data["message"])[:200]
    return ""


def status_error(
    status: int, body: bytes, headers: httpx.Headers, config: BackendConfig
) -> BackendError:
    """Map an HTTP error status to the error tree, with the fix in the message."""
    detail = error_message(body)
    who = config.provider
    if status in (401, 403):
        env = config.api_key_env or "the API key setting"
        verb = "rejected" if config.api_key else "needs"
        return AuthError(
            f"{who} {verb} the API key ({status}): set {env} to a valid key, or use "
            f"'ghostfill: Set API Key' in your editor.",
            key=f"auth:{who}:{status}",
        )
    if status == 404:
        return ModelNotFound(
            f"{who} does not know model '{config.model}' (404){': ' + detail if detail else ''}.",
            key=f"model:{who}:{config.model}",
        )
    if status == 429:
        delay = retry_after(headers)
        return RateLimited(
            f"{who} rate limit reached; pausing requests for {delay:.0f} s (offline suggestions meanwhile).",
            retry_after_s=delay,
            key=f"429:{who}",
        )
    if status >= 500:
        return BackendUnavailable(
            f"{who} server error {status}{': ' + detail if detail else ''}.",
            key=f"5xx:{who}:{status}",
        )
    return BackendError(
        f"{who} refused the request ({status}){': ' + detail if detail else ''}.",
        key=f"{status}:{who}",
    )


def transport_error(exc: httpx.HTTPError, config: BackendConfig) -> BackendError:
    if isinstance(exc, httpx.TimeoutException):
        return BackendTimeout(
            f"{config.provider} did not answer in time.", key=f"timeout:{config.provider}"
        )
    if isinstance(exc, httpx.RemoteProtocolError):
        return StreamError(
            f"{config.provider} closed the stream early.", key=f"stream:{config.provider}"
        )
    return BackendUnavailable(
        f"cannot reach {config.provider} at {config.base_url}: {type(exc).__name__}.",
        key=f"connect:{config.provider}",
    )


def bearer(config: BackendConfig) -> dict[str, str]:
    headers = dict(config.headers)
    if config.api_key:
        headers["Authorization"] = f"Bearer {config.api_key}"
    return headers


def join(base_url: str, path: str) -> str:
    """`base/` + `path` without losing the base's own path (httpx.URL.join drops it otherwise)."""
    return str(httpx.URL(base_url.rstrip("/") + "/").join(path.lstrip("/")))


@asynccontextmanager
async def open_stream(
    client: httpx.AsyncClient,
    config: BackendConfig,
    url: str,
    body: dict[str, Any],
    headers: dict[str, str],
) -> AsyncIterator[httpx.Response]:
    """POST and yield the streaming response, mapping every failure to a BackendError.

    Leaving the block early (cancellation, a filter that stops generation) closes the
    connection, which is how providers learn to stop generating.
    """
    try:
        async with client.stream(
            "POST", url, json=body, headers=headers, timeout=config.timeout_s
        ) as response:
            if response.status_code >= 400:
                raise status_error(
                    response.status_code, await response.aread(), response.headers, config
                )
            yield response
    except httpx.HTTPError as exc:
        raise transport_error(exc, config) from None
