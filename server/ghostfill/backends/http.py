"""HTTP plumbing shared by every provider: auth headers, failure mapping, stream reading.

Every httpx exception, error status, stall and damaged stream becomes one `errors.BackendError`
here, with a user message that says how to fix it. API keys never enter a message: provider
error text is scrubbed of the configured key and of anything shaped like a key.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import re
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

from ghostfill.backends.base import BackendConfig
from ghostfill.backends.client import transport_of
from ghostfill.backends.network import certificate_problem, untrusted_message
from ghostfill.backends.ratelimit import RateLimitGate, retry_after
from ghostfill.backends.ratelimit import parse_reset as parse_reset
from ghostfill.backends.watchdog import Watchdog
from ghostfill.errors import (
    AuthError,
    BackendError,
    BackendTimeout,
    BackendUnavailable,
    CertificateError,
    ModelNotFound,
    RateLimited,
    StreamError,
)
from ghostfill.lifecycle import waiting

log = logging.getLogger(__name__)

ListModels = Callable[[], Awaitable[list[str]]]

MODELS_HINT_TIMEOUT_S = 1.5
"""How long a 404 may spend fetching the model list for its message."""
QUOTA_PAUSE_S = 600.0
"""Out of credits or over a spending cap: retrying soon cannot help."""
MAX_ERROR_BODY = 64 * 1024
SHOWN_MODELS = 10

_KEYISH = re.compile(
    r"(?:sk|csk|gsk|pk|rk|key)[-_][A-Za-z0-9_\-*.…]{8,}|Bearer\s+\S+|[A-Za-z0-9_\-]{40,}"
)
_MODEL_CODES = ("model_not_found", "model_decommissioned", "not_found_error", "NotFoundError")
_MODEL_WORDS = (
    "not exist",
    "not found",
    "invalid model",
    "not a valid",
    "decommissioned",
    "unknown",
)


# ------------------------------------------------------------------------------ error bodies


@dataclass(frozen=True, slots=True)
class ErrorInfo:
    """What a provider said about a failure, in any of the shapes they use."""

    message: str = ""
    type: str = ""
    code: str = ""


def error_info(body: bytes | str) -> ErrorInfo:
    """OpenAI `{"error":{message,type,code}}`, Anthropic `{"type":"error","error":{...}}`,
    Ollama `{"error":"..."}`, llama.cpp `{"error":{code:int,...}}`, old vLLM flat
    `{"object":"error","message":...}`, Mistral `{"message":...}` / `{"detail":...}`."""
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError:
        return ErrorInfo(text.strip()[:200])
    return error_data(data)


def error_data(data: Any) -> ErrorInfo:
    """`error_info` for an already parsed body or stream event."""
    if not isinstance(data, dict):
        return ErrorInfo()
    err = data.get("error", data)
    if isinstance(err, str):
        return ErrorInfo(err[:200])
    if not isinstance(err, dict):
        return ErrorInfo()
    message = err.get("message") or data.get("message") or ""
    detail = data.get("detail")
    if not message and isinstance(detail, str):
        message = detail
    elif not message and isinstance(detail, list):
        message = "; ".join(str(d.get("msg", d)) if isinstance(d, dict) else str(d) for d in detail)
    details = err.get("details")
    code = err.get("code") or (details.get("error_code") if isinstance(details, dict) else None)
    return ErrorInfo(str(message)[:200], str(err.get("type") or ""), str(code or ""))


def scrub(text: str, config: BackendConfig) -> str:
    """Provider text with the configured key, and anything key-shaped, masked."""
    if config.api_key:
        text = text.replace(config.api_key, "***")
    return _KEYISH.sub("***", text)


def _detail(info: ErrorInfo, config: BackendConfig) -> str:
    return f": {scrub(info.message, config)}" if info.message else ""


# ------------------------------------------------------------------------------ mapping


def status_error(
    status: int,
    body: bytes,
    headers: httpx.Headers,
    config: BackendConfig,
    models: list[str] | None = None,
    url: str = "",
) -> BackendError:
    """Map an HTTP error status to the error tree, with the fix in the message.

    `models` is the provider's model list when a 404 could be about the model (None if it
    could not be fetched).
    """
    info = error_info(body)
    who = config.provider
    detail = _detail(info, config)
    if status in (401, 403) or info.type in ("authentication_error", "permission_error"):
        env = config.api_key_env or "backend.apiKeyEnv"
        if status == 403 or info.type == "permission_error":
            return AuthError(
                f"{who} refused access (403){detail}. Check that the key in {env} may use "
                f"model '{config.model}'.",
                key=f"auth:{who}:403",
            )
        verb = "rejected the API key" if config.api_key else "needs an API key"
        return AuthError(
            f"{who} {verb} (401): set {env} to a valid key, or run 'ghostfill: Set API Key' "
            "in your editor.",
            key=f"auth:{who}:401",
        )
    if status == 402 or info.code in ("insufficient_quota", "enforced_spend_limit_reached"):
        return RateLimited(
            f"{who} says the account is out of credits or over its spending limit ({status})"
            f"{detail}. Add credits or raise the limit; pausing {who} for "
            f"{QUOTA_PAUSE_S / 60:.0f} min.",
            retry_after_s=QUOTA_PAUSE_S,
            key=f"quota:{who}",
        )
    if status == 429:
        return rate_limited(who, retry_after(headers, info.message))
    if _about_model(status, info, config):
        return model_error(status, info, config, models, url)
    if status in (408, 504):
        return BackendTimeout(f"{who} timed out ({status}){detail}.", key=f"timeout:{who}")
    if status >= 500:
        return BackendUnavailable(
            f"{who} server error {status}{detail}; offline suggestions meanwhile.",
            key=f"5xx:{who}:{status}",
        )
    return BackendError(
        f"{who} refused the request ({status}){detail}.", key=f"{status}:{who}:{info.code}"
    )


def rate_limited(who: str, delay: float) -> RateLimited:
    return RateLimited(
        f"{who} rate limit reached; pausing requests for {max(delay, 1):.0f} s "
        "(offline suggestions meanwhile).",
        retry_after_s=delay,
        key=f"429:{who}",
    )


def _about_model(status: int, info: ErrorInfo, config: BackendConfig) -> bool:
    """A 404, or a 400/422 whose text or code says the model is unknown or retired."""
    if status == 404:
        return True
    if status not in (400, 422):
        return False
    text = info.message.lower()
    return info.code in _MODEL_CODES or (
        "model" in text and any(word in text for word in _MODEL_WORDS)
    )


def model_error(
    status: int, info: ErrorInfo, config: BackendConfig, models: list[str] | None, url: str
) -> BackendError:
    who, model = config.provider, config.model
    if models is None:
        return ModelNotFound(
            f"{who} returned {status} for model '{model}'{_detail(info, config)}. Check "
            "ghostfill.backend.model and baseUrl ('ghostfill doctor' lists the models).",
            key=f"model:{who}:{model}",
        )
    if model and model in models:
        path = httpx.URL(url).path if url else "the endpoint"
        return BackendError(
            f"{who} has model '{model}' but returned {status} for {path}: check "
            f"ghostfill.backend.baseUrl ({config.base_url}).",
            key=f"path:{who}:{status}",
        )
    shown = ", ".join(models[:SHOWN_MODELS])
    more = f" (+{len(models) - SHOWN_MODELS} more)" if len(models) > SHOWN_MODELS else ""
    available = f"Available: {shown}{more}." if models else "It lists no models."
    return ModelNotFound(
        f"{who} has no model '{model}' ({status}). {available} "
        "Set ghostfill.backend.model to one of them.",
        key=f"model:{who}:{model}",
    )


def transport_error(exc: httpx.HTTPError, config: BackendConfig) -> BackendError:
    who = config.provider
    if isinstance(exc, httpx.TimeoutException):
        return BackendTimeout(
            f"{who} did not answer within {config.timeout_s:.1f} s; offline suggestions meanwhile.",
            key=f"timeout:{who}",
        )
    if isinstance(exc, httpx.RemoteProtocolError):
        return StreamError(f"{who} closed the stream before the answer ended.", key=f"eof:{who}")
    if isinstance(exc, httpx.DecodingError):
        return StreamError(f"{who} sent a response that could not be decoded.", key=f"decode:{who}")
    if (reason := certificate_problem(exc)) is not None:
        host = httpx.URL(config.base_url).host
        return CertificateError(untrusted_message(host, reason), key=f"tls:{who}")
    if isinstance(exc, httpx.ProxyError):
        return BackendUnavailable(
            f"the proxy refused the connection to {who} ({scrub(str(exc), config)[:120]}): "
            "check network.proxy (or HTTPS_PROXY) and its credentials",
            key=f"proxy:{who}",
        )
    reason = scrub(str(exc), config)[:120] or type(exc).__name__
    return BackendUnavailable(
        f"cannot reach {who} at {config.base_url} ({reason}). Is the server running and the "
        "base URL right?",
        key=f"connect:{who}",
    )


def midstream_error(info: ErrorInfo, config: BackendConfig) -> BackendError:
    """An error event inside a 200 stream (OpenAI `data: {"error":...}`, Anthropic
    `event: error`, Groq `x_groq.error`, Ollama `{"error":...}`)."""
    who = config.provider
    message = scrub(info.message or info.type or "unknown error", config)
    log.debug("%s: error event mid-stream: %s (%s %s)", who, message, info.type, info.code)
    if "overloaded" in f"{info.type} {info.code} {message}".lower():
        return BackendUnavailable(f"{who} is overloaded: {message}.", key=f"overloaded:{who}")
    return StreamError(f"{who} stopped mid-answer: {message}.", key=f"midstream:{who}")


class Unsupported(BackendError):
    """The endpoint cannot serve this kind of request (Ollama `does not support insert`,
    llama.cpp /infill 501, a rejected assistant prefill). Backends catch it and fall back."""

    def __init__(self, user_message: str, *, status: int, detail: str, key: str | None = None):
        super().__init__(user_message, key=key)
        self.status = status
        self.detail = detail


# ------------------------------------------------------------------------------ requests


def bearer(config: BackendConfig) -> dict[str, str]:
    headers = dict(config.headers)
    if config.api_key:
        headers["Authorization"] = f"Bearer {config.api_key}"
    return headers


def join(base_url: str, path: str) -> str:
    """`path` under `base_url`, keeping the base's own path (`https://h/v1` + `models` is
    `https://h/v1/models`); a path starting with `/` is from the host root."""
    if path.startswith("/"):
        return str(httpx.URL(base_url).join(path))
    return str(httpx.URL(base_url.rstrip("/") + "/").join(path))


@dataclass(frozen=True, slots=True)
class Request:
    """One streaming POST: where, what, with which headers."""

    url: str
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict, repr=False)


Fallback = Callable[[int, ErrorInfo], bool]
"""Decides whether an error status means "this kind of request is unsupported here"."""


STREAM_HEADERS = {"Content-Type": "application/json", "Accept-Encoding": "identity"}
"""A stream is asked for uncompressed: a compressor holds text back until its block fills."""


@asynccontextmanager
async def open_stream(
    client: httpx.AsyncClient,
    config: BackendConfig,
    request: Request,
    *,
    models: ListModels | None = None,
    gate: RateLimitGate | None = None,
    unsupported: Fallback | None = None,
) -> AsyncIterator[httpx.Response]:
    """POST and yield the streaming response, mapping every failure to a BackendError.

    The request goes straight to the client's transport (httpx's transport API): the
    client's own layers (cookies, auth flows, redirects, event hooks, and a generator per
    body chunk) do nothing for a provider's stream (keys go in headers, redirects are not
    followed) and cost ~0.2 ms a request. Leaving the block early (cancellation, a filter
    that stops generation) closes the connection, which is how providers learn to stop
    generating.
    """
    try:
        response = await _send(client, config, request)
        try:
            if response.status_code >= 400:
                raise await _failure(response, config, request, models, gate, unsupported)
            if gate is not None:
                gate.clear()
                gate.observe(response.headers)
            yield response
        finally:
            await response.aclose()
    except httpx.HTTPError as exc:
        raise transport_error(exc, config) from None


@functools.lru_cache(maxsize=64)
def _url(url: str) -> httpx.URL:
    """A backend's endpoint, parsed once (httpx parses a URL string in ~25 us)."""
    return httpx.URL(url)


async def _send(
    client: httpx.AsyncClient, config: BackendConfig, request: Request
) -> httpx.Response:
    headers = httpx.Headers(client.headers)
    headers.update(request.headers)
    headers.update(STREAM_HEADERS)
    sent = httpx.Request(
        "POST",
        _url(request.url),
        headers=headers,
        content=json.dumps(
            request.body, ensure_ascii=False, separators=(",", ":"), allow_nan=False
        ).encode("utf-8"),
        extensions={"timeout": httpx.Timeout(config.timeout_s).as_dict(), "trace": waiting.trace},
    )
    response = await transport_of(client).handle_async_request(sent)
    response.request = sent
    return response


async def _failure(
    response: httpx.Response,
    config: BackendConfig,
    request: Request,
    models: ListModels | None,
    gate: RateLimitGate | None,
    unsupported: Fallback | None,
) -> BackendError:
    body = await _read_capped(response)
    status = response.status_code
    info = error_info(body)
    log.debug(
        "%s: POST %s -> %d %s",
        config.provider,
        httpx.URL(request.url).path,
        status,
        scrub(body.decode("utf-8", errors="replace")[:500], config),
    )
    if unsupported is not None and unsupported(status, info):
        return Unsupported(
            f"{config.provider} cannot serve this request ({status}){_detail(info, config)}.",
            status=status,
            detail=info.message,
        )
    listed = None
    if models is not None and _about_model(status, info, config):
        listed = await models_hint(models)
    error = status_error(status, body, response.headers, config, listed, request.url)
    if isinstance(error, RateLimited) and gate is not None:
        applied = gate.trip(error.retry_after_s)
        if error.key == f"429:{config.provider}":
            error = rate_limited(config.provider, applied)
        error.retry_after_s = applied
        gate.remember(error)
    return error


async def _read_capped(response: httpx.Response) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size >= MAX_ERROR_BODY:
            break
    return b"".join(chunks)[:MAX_ERROR_BODY]


async def models_hint(models: ListModels) -> list[str] | None:
    """The model list for an error message, or None if it is not quickly available."""
    try:
        async with asyncio.timeout(MODELS_HINT_TIMEOUT_S):
            return await models()
    except (BackendError, TimeoutError, httpx.HTTPError, ValueError):
        return None


async def get_json(
    client: httpx.AsyncClient, config: BackendConfig, url: str, headers: dict[str, str]
) -> Any:
    """GET a JSON document (model lists), with failures mapped like a completion's."""
    try:
        response = await client.get(url, headers=headers, timeout=config.timeout_s)
    except httpx.HTTPError as exc:
        raise transport_error(exc, config) from None
    if response.status_code >= 400:
        raise status_error(
            response.status_code, response.content, response.headers, config, url=url
        )
    try:
        return response.json()
    except ValueError:
        raise StreamError(
            f"{config.provider} answered {httpx.URL(url).path} with something that is not JSON.",
            key=f"json:{config.provider}",
        ) from None


async def quietly(call: Awaitable[object]) -> None:
    """Await a best-effort call (warm-up): every failure except cancellation is swallowed."""
    try:
        await call
    except (httpx.HTTPError, BackendError, ValueError, OSError):
        return


# ------------------------------------------------------------------------------ reading


async def lines(response: httpx.Response, config: BackendConfig) -> AsyncIterator[str]:
    """The response's lines, raising BackendTimeout when the first bytes take longer than
    `timeout_s` or the stream then goes quiet for `stall_timeout_s` (a stalled provider must
    not hold the ghost text hostage). Keep-alive comments count as traffic.

    A line ends at LF, CRLF or CR, as SSE and NDJSON define it. httpx's `aiter_lines` also
    ends one at every other Unicode line break (U+2028, U+0085, form feed, ...), which cuts
    a JSON event in two when a provider sends such a character unescaped in the text (llama.cpp
    does). Reading the body's chunks directly also skips three generator layers per chunk,
    and the watchdog guards each chunk, not each line.
    """
    chunks = aiter(_body(response))
    first = True
    watchdog = Watchdog(config.timeout_s)  # one timer for the stream, not one per read
    rest = b""
    after_cr = False
    try:
        while True:
            try:
                chunk = await watchdog.read(anext(chunks))
            except StopAsyncIteration:
                break
            except TimeoutError:
                if first:
                    raise transport_error(httpx.ReadTimeout("first event"), config) from None
                raise BackendTimeout(
                    f"{config.provider} stalled mid-answer (nothing for "
                    f"{config.stall_timeout_s:.1f} s); offline suggestions meanwhile.",
                    key=f"stall:{config.provider}",
                ) from None
            if first:
                first = False
                watchdog.limit_s = config.stall_timeout_s
            if after_cr and chunk.startswith(b"\n"):
                chunk = chunk[1:]  # the LF of a CRLF split between two chunks
            after_cr = False
            if not chunk:
                continue
            after_cr = chunk.endswith(b"\r")
            parts = (rest + chunk).splitlines() if rest else chunk.splitlines()
            rest = b"" if chunk.endswith((b"\n", b"\r")) else parts.pop()
            for part in parts:
                yield part.decode("utf-8", errors="replace")
        if rest:
            yield rest.decode("utf-8", errors="replace")
    finally:
        watchdog.close()
        close = getattr(chunks, "aclose", None)
        if close is not None:
            await close()


def _body(response: httpx.Response) -> AsyncIterator[bytes]:
    """The body's bytes: as they came off the wire, or decoded when a server compressed the
    stream although asked not to."""
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding in ("", "identity") and isinstance(response.stream, httpx.AsyncByteStream):
        return aiter(response.stream)
    return response.aiter_bytes()


def truncated(config: BackendConfig) -> StreamError:
    return StreamError(
        f"{config.provider} ended the stream before the answer was complete.",
        key=f"truncated:{config.provider}",
    )


def malformed(config: BackendConfig) -> StreamError:
    return StreamError(
        f"{config.provider} sent a malformed stream event; is the base URL pointing at the right "
        "kind of server?",
        key=f"malformed:{config.provider}",
    )


Decoder = Callable[[AsyncIterator[str]], AsyncGenerator[str, None]]


async def stream_text(
    client: httpx.AsyncClient,
    config: BackendConfig,
    request: Request,
    decode: Decoder,
    *,
    max_chars: int,
    models: ListModels | None = None,
    gate: RateLimitGate | None = None,
    unsupported: Fallback | None = None,
) -> AsyncIterator[str]:
    """POST `request` and yield the decoded text deltas.

    Stops quietly once `max_chars` have arrived (a provider that ignores the token limit
    must not stream forever); leaving early closes the connection.
    """
    async with open_stream(
        client, config, request, models=models, gate=gate, unsupported=unsupported
    ) as response:
        total = 0
        source = decode(lines(response, config))
        try:
            async for text in source:
                if total + len(text) >= max_chars:
                    yield text[: max_chars - total]
                    return
                total += len(text)
                yield text
        finally:
            await source.aclose()
