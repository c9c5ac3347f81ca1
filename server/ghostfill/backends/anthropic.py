"""Anthropic Messages: `POST /v1/messages` with `x-api-key` and `anthropic-version: 2023-06-01`,
SSE with named events (`content_block_delta` carries the text, `message_stop` ends it,
`error` fails it, `ping` keeps it alive).

There is no FIM: the hole-filling prompt goes out as chat, and (preset `prefill`) the reply is
prefilled with `<COMPLETION>` plus the typed part of the cursor line so the model continues
from the cursor instead of restating the line. The API refuses a prefill ending in
whitespace, so that whitespace is cut from the prefill and from the start of the reply.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any, ClassVar

import httpx

from ghostfill.backends.base import BackendConfig
from ghostfill.backends.common import HttpBackend, chat_stop
from ghostfill.backends.http import (
    ErrorInfo,
    Request,
    Unsupported,
    error_data,
    midstream_error,
    truncated,
)
from ghostfill.backends.presets import Preset
from ghostfill.backends.sse import sse_events
from ghostfill.model import GenerationParams, Prompt
from ghostfill.prompt.render import as_chat

VERSION = "2023-06-01"
OPEN_TAG = "<COMPLETION>"


class Anthropic(HttpBackend):
    models_query: ClassVar[str] = "?limit=1000"
    warm_query: ClassVar[str] = "?limit=1"

    def __init__(self, config: BackendConfig, client: httpx.AsyncClient, preset: Preset) -> None:
        super().__init__(config, client, preset)
        self.prefill = preset.prefill
        """Cleared when the model refuses an assistant prefill (400)."""

    def prepare(self, prompt: Prompt) -> Prompt:
        return as_chat(prompt)

    def headers(self) -> dict[str, str]:
        headers = {**self.preset.headers, **self.config.headers, "anthropic-version": VERSION}
        if self.config.api_key:
            headers["x-api-key"] = self.config.api_key
        return headers

    def request(self, prompt: Prompt, params: GenerationParams) -> tuple[Request, str]:
        """The request, and the whitespace cut from the prefill (to drop from the reply)."""
        system = "\n\n".join(m.content for m in prompt.messages if m.role == "system")
        messages: list[dict[str, Any]] = [
            {"role": m.role, "content": m.content} for m in prompt.messages if m.role != "system"
        ]
        held = ""
        if self.prefill:
            line = OPEN_TAG + prompt.prefix.rpartition("\n")[2]
            trimmed = line.rstrip()
            held = line[len(trimmed) :]
            messages.append({"role": "assistant", "content": trimmed})
        body: dict[str, Any] = {
            "model": self.config.model,
            "max_tokens": params.max_tokens,
            "messages": messages,
            "temperature": params.temperature,
            "stream": True,
        }
        if system:
            body["system"] = system
        body.update(self.stop_field("stop_sequences", chat_stop(prompt, params)))
        body.update(self.preset.body)
        return Request(self.url("v1/messages"), body, self.headers()), held

    async def stream(self, prompt: Prompt, params: GenerationParams) -> AsyncIterator[str]:
        self.gate.check()
        try:
            async for text in self._run(prompt, params):
                yield text
        except Unsupported:
            self.prefill = False
            async for text in self._run(prompt, params):
                yield text

    async def _run(self, prompt: Prompt, params: GenerationParams) -> AsyncIterator[str]:
        request, held = self.request(prompt, params)
        unsupported = _no_prefill if self.prefill else None
        async for text in self.send(request, decode, params, unsupported):
            if held:
                if text.startswith(held):
                    text, held = text[len(held) :], ""
                elif held.startswith(text):
                    text, held = "", held[len(text) :]
                else:
                    held = ""
            if text:
                yield text


def _no_prefill(status: int, info: ErrorInfo) -> bool:
    text = info.message.lower()
    return status == 400 and ("prefill" in text or "final assistant" in text)


async def decode(lines: AsyncIterator[str], config: BackendConfig) -> AsyncGenerator[str, None]:
    """`text_delta`s of `content_block_delta` events until `message_stop`; other deltas
    (thinking, signatures, tool input) and `ping`s are skipped."""
    async for event in sse_events(lines, config):
        data = event.data
        if data is None:
            return
        kind = data.get("type") or event.name
        if kind == "error" or event.name == "error":
            raise midstream_error(error_data(data), config)
        if kind == "content_block_delta":
            delta = data.get("delta")
            if isinstance(delta, dict) and delta.get("type") == "text_delta":
                text = delta.get("text")
                if isinstance(text, str) and text:
                    yield text
        elif kind == "message_stop":
            return
    raise truncated(config)
