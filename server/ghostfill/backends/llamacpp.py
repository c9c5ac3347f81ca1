"""llama.cpp's `llama-server`: `/infill`, where the server builds the FIM prompt from the GGUF's
own FIM tokens, with context files as `input_extra`.

The request follows llama.vim (the reference FIM client by the llama.cpp authors): the lines
before the cursor line are `input_prefix`, the typed part of the cursor line is `prompt`
(placed after the FIM middle token), so the KV cache of everything above the line is reused
while the user types. The native stream is SSE without `[DONE]`; the last event has
`"stop": true`. A model without FIM tokens answers 501; from then on this backend sends the
chat hole-fill to `/v1/chat/completions` instead.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator

import httpx

from ghostfill.backends import openai_compat
from ghostfill.backends.base import BackendConfig
from ghostfill.backends.common import HttpBackend, native_root
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
from ghostfill.errors import BackendError
from ghostfill.model import GenerationParams, Prompt
from ghostfill.prompt.render import as_chat, as_native


class LlamaCpp(HttpBackend):
    def __init__(self, config: BackendConfig, client: httpx.AsyncClient, preset: Preset) -> None:
        super().__init__(config, client, preset)
        self.root = native_root(config.base_url)
        self.no_fim = False
        """Learned: /infill said 501, the loaded model has no FIM tokens."""

    def chat(self) -> bool:
        return self.no_fim or self.config.template == "chat"

    def prepare(self, prompt: Prompt) -> Prompt:
        return as_chat(prompt) if self.chat() else as_native(prompt)

    def request(self, prompt: Prompt, params: GenerationParams) -> Request:
        if self.chat():
            body = self.chat_body(prompt, params)
            body.update({**self.preset.body, **params.extra})
            path = "v1/chat/completions"
        else:
            before, newline, line = prompt.prefix.rpartition("\n")
            body = {
                "input_prefix": before + newline,
                "input_suffix": prompt.suffix,
                "input_extra": [{"filename": s.path, "text": s.text} for s in prompt.extra],
                "prompt": line,
                "n_predict": params.max_tokens,
                "temperature": params.temperature,
                "stream": True,
                "cache_prompt": True,
                **self.preset.body,
            }
            path = "infill"
        if self.config.model:
            body["model"] = self.config.model
        return Request(self.url(path), body, self.headers())

    async def stream(self, prompt: Prompt, params: GenerationParams) -> AsyncIterator[str]:
        self.gate.check()
        chat_mode = self.chat()
        wire = openai_compat.decode if chat_mode else decode
        try:
            async for text in self.send(
                self.request(prompt, params), wire, params, None if chat_mode else _no_fim
            ):
                yield text
        except Unsupported:
            self.no_fim = True
            raise BackendError(
                "llama.cpp: the loaded model has no fill-in-the-middle tokens (/infill: 501); "
                "switching to chat prompts. For real FIM load a code model, e.g. "
                "`llama-server --fim-qwen-1.5b-default`.",
                key="nofim:llamacpp",
            ) from None


def _no_fim(status: int, info: ErrorInfo) -> bool:
    return status == 501


async def decode(lines: AsyncIterator[str], config: BackendConfig) -> AsyncGenerator[str, None]:
    """`content` per event until one has `"stop": true` (there is no `[DONE]`)."""
    async for event in sse_events(lines, config):
        data = event.data
        if data is None:
            return
        if data.get("error"):
            raise midstream_error(error_data(data), config)
        text = data.get("content")
        if isinstance(text, str) and text:
            yield text
        if data.get("stop"):
            return
    raise truncated(config)
