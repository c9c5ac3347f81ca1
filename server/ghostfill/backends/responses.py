"""The OpenAI Responses API (`POST /v1/responses`), the only API that serves the codex models.

The chat hole-fill prompt goes out as `instructions` (the system text) plus `input` (the few-shot
and query messages), with `store: false` (nothing kept server-side), `max_output_tokens`, the
lowest reasoning effort the model accepts (families.py, stepped up when the provider rejects
one) and a `prompt_cache_key` derived from the file, so requests for one file keep landing on
the provider's warm prompt cache. The key is a hash: no path, text or secret leaves in it.

Streamed events (SSE over HTTP, JSON messages over the WebSocket transport, same payloads):
`response.created`, `response.in_progress`, `response.output_item.added`,
`response.content_part.added`, `response.output_text.delta` (`delta` = text), the `.done`
events, then one terminal event: `response.completed` (with `usage`: input, cached and output
tokens), `response.incomplete` (the token limit was reached: what arrived is kept) or
`response.failed`; an `error` event may arrive instead. Failures map into the error tree of
http.py. There is no `[DONE]`: EOF before a terminal event is a truncated stream. The API has no
`stop` field, so stops are applied client-side by the stream filters.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx

from ghostfill.backends.base import BackendConfig
from ghostfill.backends.common import HttpBackend, chat_messages, max_chars
from ghostfill.backends.families import family
from ghostfill.backends.http import (
    ErrorInfo,
    Request,
    Unsupported,
    error_data,
    midstream_error,
    status_error,
    truncated,
)
from ghostfill.backends.presets import Preset
from ghostfill.backends.sse import sse_events
from ghostfill.backends.usage import Meter, from_responses
from ghostfill.errors import BackendError, BackendUnavailable, UpgradeRefused
from ghostfill.model import GenerationParams, Prompt
from ghostfill.prompt.render import as_chat

if TYPE_CHECKING:
    from ghostfill.backends.websocket import ResponsesSocket

log = logging.getLogger(__name__)

MIN_OUTPUT_TOKENS = 16
"""The smallest `max_output_tokens` OpenAI accepts."""
REASONING_HEADROOM = 256
"""Reasoning tokens count against `max_output_tokens`: room for them above the answer's limit."""
_ADAPTABLE = ("reasoning", "temperature")
"""Request fields a 400 may reject; the backend drops or changes them and asks again."""


@dataclass(frozen=True, slots=True)
class Usage:
    """Token counts from `response.completed`, for the log and `ghostfill doctor`."""

    input_tokens: int = 0
    cached_tokens: int = 0
    output_tokens: int = 0


def cache_key(prompt: Prompt) -> str:
    """A `prompt_cache_key` stable per file (hence per workspace) that reveals nothing of it."""
    digest = hashlib.sha256(f"ghostfill\0{prompt.path}".encode()).hexdigest()
    return f"ghostfill-{digest[:24]}"


def rejected_field(status: int, info: ErrorInfo) -> str:
    """Which adaptable request field a 400 rejects ("" when it is about something else)."""
    if status != 400:
        return ""
    text = info.message.lower()
    if "unsupported" not in text and info.code not in (
        "unsupported_parameter",
        "unsupported_value",
    ):
        return ""
    return next((f for f in _ADAPTABLE if f in text), "")


class Responses(HttpBackend):
    """`POST {baseUrl}/responses`, streamed over HTTP SSE or one persistent WebSocket."""

    def __init__(
        self,
        config: BackendConfig,
        client: httpx.AsyncClient,
        preset: Preset,
        socket: ResponsesSocket | None = None,
    ) -> None:
        super().__init__(config, client, preset)
        self.family = family(config.model)
        self._effort = 0
        self._temperature = self.family.temperature
        self.usage = Usage()
        """Of the last completed response."""
        if socket is None and wants_socket(config, preset):
            # imported here: `websockets` costs ~20 ms of every start that never uses it
            from ghostfill.backends.websocket import ResponsesSocket, socket_url

            socket = ResponsesSocket(socket_url(self.url("responses")), self.headers, config)
        self.socket = socket

    @property
    def transport(self) -> str:
        """What the next request travels over: websocket, or http (also after a refusal)."""
        return "websocket" if self.socket is not None and not self.socket.refused else "http"

    def prepare(self, prompt: Prompt) -> Prompt:
        return as_chat(prompt)

    def body(self, prompt: Prompt, params: GenerationParams) -> dict[str, Any]:
        """The `response.create` fields (the HTTP body adds `stream: true`)."""
        messages = chat_messages(as_chat(prompt))
        effort = self.family.efforts[min(self._effort, len(self.family.efforts) - 1)]
        limit = max(params.max_tokens, MIN_OUTPUT_TOKENS)
        if effort not in ("", "none"):
            limit += REASONING_HEADROOM
        body: dict[str, Any] = {
            "model": self.config.model,
            "instructions": "\n\n".join(m["content"] for m in messages if m["role"] == "system"),
            "input": [m for m in messages if m["role"] != "system"],
            "store": False,
            "max_output_tokens": limit,
            "prompt_cache_key": cache_key(prompt),
        }
        if effort:
            body["reasoning"] = {"effort": effort}
        if self._temperature:
            body["temperature"] = params.temperature
        body.update(self.preset.body)
        return body

    def adapt(self, field: str) -> bool:
        """Stop sending what the provider rejected; False when there is nothing left to try."""
        if field == "temperature" and self._temperature:
            self._temperature = False
        elif field == "reasoning" and self._effort < len(self.family.efforts) - 1:
            self._effort += 1
        else:
            return False
        log.info("%s: model %s rejected %s; adjusted", self.name, self.config.model, field)
        return True

    async def stream(self, prompt: Prompt, params: GenerationParams) -> AsyncIterator[str]:
        self.gate.check()
        yielded = False
        while True:
            body = self.body(prompt, params)
            try:
                source: AsyncIterator[str]
                if self.transport == "websocket":
                    source = self._over_socket(body, params)
                else:
                    source = self._over_http(body, params)
                async for text in source:
                    yielded = True
                    yield text
                return
            except UpgradeRefused:
                continue  # the same request again, over HTTP from now on
            except Unsupported as exc:
                # Raised before any text arrived: asking again with the field changed is safe.
                field = rejected_field(exc.status, ErrorInfo(exc.detail))
                if yielded or not self.adapt(field):
                    raise BackendError(exc.user_message, key=exc.key) from None

    def _over_http(self, body: dict[str, Any], params: GenerationParams) -> AsyncIterator[str]:
        request = Request(self.url("responses"), {**body, "stream": True}, self.headers())

        async def decode(lines: AsyncIterator[str], config: BackendConfig) -> AsyncGenerator[str]:
            payloads = _payloads(sse_events(lines, config))
            async for text in decode_events(payloads, config, self, params.meter):
                yield text
            async for _ in lines:
                pass  # to the end of the body, so the connection goes back to the pool

        return self.send(request, decode, params, unsupported=_rejects_field)

    async def _over_socket(
        self, body: dict[str, Any], params: GenerationParams
    ) -> AsyncGenerator[str, None]:
        assert self.socket is not None
        cap, total = max_chars(params), 0
        events = self.socket.events(body)
        try:
            async for text in decode_events(events, self.config, self, params.meter):
                if total + len(text) >= cap:
                    yield text[: cap - total]
                    return
                total += len(text)
                yield text
        finally:
            await events.aclose()

    async def warm(self) -> None:
        """Open the WebSocket (at initialize) or else the keep-alive HTTP connection."""
        if self.socket is not None and not self.socket.refused:
            await self.socket.warm()
        if self.transport == "http":
            await super().warm()

    async def aclose(self) -> None:
        if self.socket is not None:
            await self.socket.aclose()

    def record(self, usage: Usage) -> None:
        self.usage = usage
        log.debug(
            "%s: %d input tokens (%d cached), %d output",
            self.name,
            usage.input_tokens,
            usage.cached_tokens,
            usage.output_tokens,
        )


def wants_socket(config: BackendConfig, preset: Preset) -> bool:
    return config.transport == "websocket" or (config.transport == "auto" and preset.websocket)


def _rejects_field(status: int, info: ErrorInfo) -> bool:
    return bool(rejected_field(status, info))


async def _payloads(events: AsyncIterator[Any]) -> AsyncIterator[dict[str, Any]]:
    """SSE events as the JSON payloads a socket would carry (`type` from `event:` if absent)."""
    async for event in events:
        if event.data is not None:
            yield {"type": event.name, **event.data} if event.name else event.data


async def decode_events(
    events: AsyncIterator[dict[str, Any]],
    config: BackendConfig,
    sink: Responses | None = None,
    meter: Meter | None = None,
) -> AsyncGenerator[str, None]:
    """Text deltas from Responses API events, up to the terminal event; failures raise the
    error tree's exceptions, and an end without a terminal event is a truncated stream. The
    terminal event's `usage` goes to `sink` (the log, doctor) and `meter` (pacing, stats)."""
    async for event in events:
        kind = event.get("type", "")
        if kind == "response.output_text.delta":
            delta = event.get("delta")
            if isinstance(delta, str) and delta:
                yield delta
        elif kind in ("response.completed", "response.incomplete"):
            response = event.get("response")
            if sink is not None:
                sink.record(_usage(response))
            if meter is not None and isinstance(response, dict):
                meter.record(from_responses(response.get("usage")))
            return
        elif kind == "response.failed":
            response = event.get("response")
            error = response.get("error") if isinstance(response, dict) else None
            raise _failed(error_data({"error": error or {}}), config)
        elif kind == "error":
            raise event_error(event, config)
    raise truncated(config)


def event_error(event: dict[str, Any], config: BackendConfig) -> BackendError:
    """An `error` event: over HTTP `{type, code, message, param}`; over the socket often
    `{type, status, error: {type, code, message, param}}`, mapped like an HTTP status."""
    nested = event.get("error")
    info = error_data({"error": nested} if isinstance(nested, dict) else event)
    status = event.get("status")
    if isinstance(status, int) and status >= 400:
        if rejected_field(status, info):
            return Unsupported(
                f"{config.provider} rejected a request field ({status})",
                status=status,
                detail=info.message,
            )
        body = json.dumps(
            {"error": {"message": info.message, "type": info.type, "code": info.code}}
        )
        return status_error(status, body.encode(), httpx.Headers(), config)
    return _failed(info, config)


def _failed(info: ErrorInfo, config: BackendConfig) -> BackendError:
    if info.code in ("server_error", "server_is_overloaded", "slow_down"):
        return BackendUnavailable(
            f"{config.provider} failed the response ({info.code}); offline suggestions meanwhile.",
            key=f"failed:{config.provider}:{info.code}",
        )
    if info.code == "rate_limit_exceeded":
        return status_error(429, b"", httpx.Headers(), config)
    return midstream_error(info, config)


def _usage(response: Any) -> Usage:
    usage = response.get("usage") if isinstance(response, dict) else None
    if not isinstance(usage, dict):
        return Usage()
    details = usage.get("input_tokens_details")
    cached = details.get("cached_tokens", 0) if isinstance(details, dict) else 0
    return Usage(
        int(usage.get("input_tokens") or 0), int(cached or 0), int(usage.get("output_tokens") or 0)
    )
