"""What every HTTP provider client shares, so each wire module holds only what its API differs in.

`HttpBackend` keeps the config, client, preset and rate-limit gate, builds URLs and headers,
streams a request through `stream_text` with the common guards (character cap, model-list
hint, gate), lists models from an OpenAI-style `{"data": [...]}` document and warms the
connection with a cheap GET. Providers override only what their API does differently
(Anthropic's `x-api-key`, Ollama's tag list and load-on-POST warm-up).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Callable, Sequence
from dataclasses import replace
from typing import Any, ClassVar

import httpx

from ghostfill.backends.base import BackendConfig, Capabilities
from ghostfill.backends.http import Fallback, Request, bearer, get_json, join, quietly, stream_text
from ghostfill.backends.presets import Preset
from ghostfill.backends.ratelimit import RateLimitGate
from ghostfill.model import GenerationParams, Prompt
from ghostfill.prompt import chat

WARM_TIMEOUT_S = 2.0
CHARS_PER_TOKEN_CAP = 16
"""A reply longer than max_tokens x this many characters is cut off (the provider ignored
the token limit)."""

WireDecoder = Callable[[AsyncIterator[str], BackendConfig], AsyncGenerator[str, None]]
"""A wire format's stream decoder: response lines in, text deltas out."""


def max_chars(params: GenerationParams) -> int:
    return max(params.max_tokens, 16) * CHARS_PER_TOKEN_CAP


def chat_messages(prompt: Prompt) -> list[dict[str, str]]:
    return [{"role": m.role, "content": m.content} for m in prompt.messages]


def chat_stop(prompt: Prompt, params: GenerationParams) -> tuple[str, ...]:
    """Stops for a chat request: a prompt prepared as chat (`fim` None) had its stops put in
    `params`; a FIM prompt sent as chat anyway would carry FIM stops, so it gets chat's."""
    return params.stop if prompt.fim is None else chat.STOP


def native_root(base_url: str) -> str:
    """The server root, whatever API path the user appended (`/v1`, `/api`): local servers
    (Ollama, llama.cpp) serve their native endpoints beside the OpenAI-style ones."""
    root = base_url.rstrip("/")
    for tail in ("/v1", "/api"):
        root = root.removesuffix(tail)
    return root


def model_ids(data: Any) -> list[str]:
    """Ids from an OpenAI-style `{"data": [{"id": ...}]}` list."""
    items = data.get("data", []) if isinstance(data, dict) else []
    return sorted({str(m["id"]) for m in items if isinstance(m, dict) and "id" in m})


class HttpBackend:
    """The shared half of a `Backend`; subclasses add `prepare`, `stream` and their requests."""

    models_query: ClassVar[str] = ""
    """Appended to the model-list URL (Anthropic pages it: `?limit=1000`)."""
    warm_query: ClassVar[str] = ""
    """Appended to the warm-up URL, to keep that answer small."""

    def __init__(self, config: BackendConfig, client: httpx.AsyncClient, preset: Preset) -> None:
        self.config = config
        self.client = client
        self.preset = preset
        self.gate = RateLimitGate(config.provider)
        self.root = config.base_url
        """What request, model-list and warm-up paths are joined to."""
        self._urls: dict[tuple[str, str], str] = {}

    @property
    def name(self) -> str:
        return self.config.provider

    def url(self, path: str) -> str:
        """`path` joined to `root`, once per pair (httpx's URL join costs ~0.2 ms a request)."""
        key = (self.root, path)
        url = self._urls.get(key)
        if url is None:
            url = self._urls[key] = join(self.root, path)
        return url

    def headers(self) -> dict[str, str]:
        """The preset's fixed headers, then the user's and the bearer key (which win)."""
        return {**self.preset.headers, **bearer(self.config)}

    def stop_field(self, key: str, stop: Sequence[str]) -> dict[str, list[str]]:
        """`{key: stops}` cut to what the API accepts, or nothing when there are no stops."""
        return {key: list(stop[: self.preset.max_stop])} if stop else {}

    def chat_body(
        self,
        prompt: Prompt,
        params: GenerationParams,
        *,
        max_field: str = "max_tokens",
        max_tokens: int | None = None,
    ) -> dict[str, Any]:
        """The OpenAI-style chat fields (no model, no preset extras): every wire that falls
        back to `/chat/completions` sends the same messages, sampling and stops."""
        body: dict[str, Any] = {
            "messages": chat_messages(prompt),
            "stream": True,
            "temperature": params.temperature,
            max_field: params.max_tokens if max_tokens is None else max_tokens,
        }
        body.update(self.stop_field("stop", chat_stop(prompt, params)))
        return body

    def send(
        self,
        request: Request,
        decode: WireDecoder,
        params: GenerationParams,
        unsupported: Fallback | None = None,
    ) -> AsyncIterator[str]:
        """Stream `request`'s text, capped at `max_chars`; `unsupported` marks the error
        statuses that mean "this kind of request is refused here" (raised as Unsupported).
        `params.first_event_s` lengthens the wait for the first event (a slow local model
        evaluating a long prompt); it never shortens the configured one."""
        config = self.config
        if params.first_event_s is not None and params.first_event_s > config.timeout_s:
            config = replace(config, timeout_s=params.first_event_s)
        return stream_text(
            self.client,
            config,
            request,
            lambda lines: decode(lines, config),
            max_chars=max_chars(params),
            models=self.models,
            gate=self.gate,
            unsupported=unsupported,
        )

    async def get_json(self, path: str, query: str = "") -> Any:
        return await get_json(self.client, self.config, self.url(path) + query, self.headers())

    async def models(self) -> list[str]:
        return model_ids(await self.get_json(self.preset.models_path, self.models_query))

    async def probe(self) -> Capabilities:
        """Most APIs have nothing to ask: what they support is known from the preset."""
        return Capabilities(prompt_kind=self.preset.prompt_kind)

    async def warm(self) -> None:
        """Open the keep-alive connection (and TLS) before the first completion needs it,
        with the cheapest GET the provider has (Cerebras: `GET /v1/tcp_warming`)."""
        url = self.url(self.preset.warm_path) + self.warm_query
        await quietly(self.client.get(url, headers=self.headers(), timeout=WARM_TIMEOUT_S))
