"""OpenAI-style providers: chat completions with a hole-filling prompt, or /completions with a
raw FIM prompt for code models. Cerebras, Groq, OpenAI, OpenRouter, vLLM and any
`openai-compatible` server speak this; Codestral, DeepSeek and llama.cpp reuse its decoder.

Stream quirks handled (reference/BACKENDS.md §1-4, 7, 11): `data: [DONE]` or plain EOF after
the finish chunk (Cerebras); usage on the finish chunk (Cerebras `time_info`, Groq `x_groq`) or
in a trailing `choices: []` chunk; `: OPENROUTER PROCESSING` / `: keep-alive` comments;
errors as `data: {"error": ...}`, `event: error` or Groq `x_groq.error`.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

import httpx

from ghostfill.backends.base import BackendConfig
from ghostfill.backends.http import (
    Request,
    bearer,
    error_data,
    get_json,
    join,
    midstream_error,
    quietly,
    stream_text,
    truncated,
)
from ghostfill.backends.presets import Preset
from ghostfill.backends.ratelimit import RateLimitGate
from ghostfill.backends.sse import sse_events
from ghostfill.model import GenerationParams, Prompt
from ghostfill.prompt import chat
from ghostfill.prompt.render import as_chat

WARM_TIMEOUT_S = 2.0
CHARS_PER_TOKEN_CAP = 16
"""A reply longer than max_tokens x this many characters is cut off (the provider ignored
the token limit)."""


def max_chars(params: GenerationParams) -> int:
    return max(params.max_tokens, 16) * CHARS_PER_TOKEN_CAP


class OpenAICompatible:
    def __init__(self, config: BackendConfig, client: httpx.AsyncClient, preset: Preset) -> None:
        self.config = config
        self.client = client
        self.preset = preset
        self.gate = RateLimitGate(config.provider)

    @property
    def name(self) -> str:
        return self.config.provider

    def _fim(self, prompt: Prompt) -> bool:
        if not self.preset.fim or not prompt.fim:
            return False
        return self.preset.fim_auto or self.config.template not in ("auto", "", "chat")

    def prepare(self, prompt: Prompt) -> Prompt:
        return prompt if self._fim(prompt) else as_chat(prompt)

    def headers(self) -> dict[str, str]:
        return {**self.preset.headers, **bearer(self.config)}

    def request(self, prompt: Prompt, params: GenerationParams) -> Request:
        """The URL, JSON body and headers for this prompt (FIM when it has one, else chat)."""
        if self._fim(prompt):
            assert prompt.fim is not None
            body: dict[str, Any] = {"model": self.config.model, "prompt": prompt.fim}
            body.update(_sampling(params, "max_tokens", params.stop, self.preset.max_stop))
            body.update({**self.preset.body, **params.extra})
            return Request(join(self.config.base_url, "completions"), body, self.headers())
        stop = params.stop if prompt.fim is None else chat.STOP
        body = {"model": self.config.model, "messages": chat_messages(prompt)}
        body.update(_sampling(params, self.preset.max_tokens_field, stop, self.preset.max_stop))
        body.update({**self.preset.body, **params.extra})
        return Request(join(self.config.base_url, "chat/completions"), body, self.headers())

    async def stream(self, prompt: Prompt, params: GenerationParams) -> AsyncIterator[str]:
        self.gate.check()
        request = self.request(prompt, params)
        async for text in stream_text(
            self.client,
            self.config,
            request,
            lambda lines: decode(lines, self.config),
            max_chars=max_chars(params),
            models=self.models,
            gate=self.gate,
        ):
            yield text

    async def models(self) -> list[str]:
        url = join(self.config.base_url, self.preset.models_path)
        return model_ids(await get_json(self.client, self.config, url, self.headers()))

    async def warm(self) -> None:
        """Open the keep-alive connection (and TLS) before the first completion needs it;
        Cerebras has `GET /v1/tcp_warming` for exactly this."""
        url = join(self.config.base_url, self.preset.warm_path)
        await quietly(self.client.get(url, headers=self.headers(), timeout=WARM_TIMEOUT_S))


def chat_messages(prompt: Prompt) -> list[dict[str, str]]:
    return [{"role": m.role, "content": m.content} for m in prompt.messages]


def _sampling(
    params: GenerationParams, max_field: str, stop: tuple[str, ...], max_stop: int
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "stream": True,
        "temperature": params.temperature,
        max_field: params.max_tokens,
    }
    if stop:
        body["stop"] = list(stop[:max_stop])
    return body


def model_ids(data: Any) -> list[str]:
    """Ids from an OpenAI-style `{"data": [{"id": ...}]}` list."""
    items = data.get("data", []) if isinstance(data, dict) else []
    return sorted({str(m["id"]) for m in items if isinstance(m, dict) and "id" in m})


async def decode(lines: AsyncIterator[str], config: BackendConfig) -> AsyncGenerator[str, None]:
    """Text deltas from an OpenAI-style SSE stream (chat `delta.content` or completion
    `text`); reasoning deltas are ignored. Ends at `[DONE]`, or at EOF after a chunk with a
    `finish_reason`; EOF before either is a truncated stream."""
    finished = done = False
    async for event in sse_events(lines, config):
        data = event.data
        if data is None:
            # Read on to the end of the body (the provider closes it right after `[DONE]`),
            # so the keep-alive connection goes back to the pool instead of being dropped.
            done = True
            continue
        if done:
            continue
        groq = data.get("x_groq")
        if event.name == "error" or data.get("error"):
            raise midstream_error(error_data(data), config)
        if isinstance(groq, dict) and groq.get("error"):
            raise midstream_error(error_data({"error": groq["error"]}), config)
        for choice in data.get("choices") or ():
            if not isinstance(choice, dict):
                continue
            text = choice.get("text")
            if text is None:
                delta = choice.get("delta") or choice.get("message") or {}
                text = delta.get("content") if isinstance(delta, dict) else None
            if isinstance(text, str) and text:
                yield text
            if choice.get("finish_reason"):
                finished = True
    if not (finished or done):
        raise truncated(config)
