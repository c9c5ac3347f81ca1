"""Ollama's native API: `/api/generate` with `suffix` (the model's template builds the FIM
prompt), NDJSON streaming ending in `"done": true`.

Three request shapes, chosen per model and learned from failures:
- `suffix`: native FIM; Ollama applies the model's Modelfile template (needs `.Suffix`).
- `raw`: our own FIM text with `raw: true` when the model's template lacks `.Suffix`
  (400 "does not support insert") but its name tells us the family, or the template is forced.
- `chat`: `/api/chat` with the hole-filling prompt (`backend.template: "chat"`, or a model
  that can do neither).

Every request carries `keep_alive` (Ollama unloads an idle model after 5 minutes by default,
and the next completion would pay the load) and `options.num_ctx`: Ollama's default context
(2,048 or 4,096 tokens depending on the version) silently drops the start of a longer prompt,
so the context is sized to ghostfill's prompts, grown in powers of two when one needs more,
and never shrunk (a different `num_ctx` reloads the model).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from functools import partial
from typing import Any, Literal

import httpx

from ghostfill.backends.base import BackendConfig
from ghostfill.backends.common import HttpBackend, chat_messages, chat_stop, native_root
from ghostfill.backends.http import (
    ErrorInfo,
    Request,
    Unsupported,
    error_data,
    midstream_error,
    quietly,
    truncated,
)
from ghostfill.backends.presets import Preset
from ghostfill.backends.sse import ndjson
from ghostfill.backends.usage import Meter, from_ollama
from ghostfill.errors import BackendError
from ghostfill.model import GenerationParams, Prompt
from ghostfill.prompt.render import as_chat, as_native, evaluated_text
from ghostfill.prompt.templates import fim_template

Mode = Literal["suffix", "raw", "chat"]

LOAD_TIMEOUT_S = 60.0
"""warm() loads the model into memory, which can take a while for a cold, large model."""
KEEP_ALIVE = "30m"
"""How long Ollama keeps the model loaded after a request: a typing pause must not unload it."""
NUM_CTX = 8192
"""Context for the default budgets (1,500 window + 2,000 context tokens + the chat scaffolding
+ maxTokens does not fit in 4,096)."""
MAX_NUM_CTX = 32768
PROMPT_CHARS_PER_TOKEN = 3
"""A cautious estimate: sizing the context too small truncates, too large only costs memory."""


class Ollama(HttpBackend):
    def __init__(self, config: BackendConfig, client: httpx.AsyncClient, preset: Preset) -> None:
        super().__init__(config, client, preset)
        self.root = native_root(config.base_url)
        self.no_insert = False
        """Learned: the model's template has no `.Suffix`, so native FIM is refused."""
        self.num_ctx = NUM_CTX
        """The context every request asks for; only grows."""

    def mode(self, prompt: Prompt) -> Mode:
        template = self.config.template
        if template == "chat":
            return "chat"
        if template not in ("auto", "") or self.no_insert:
            return "raw" if prompt.fim else "chat"
        return "suffix"

    def prepare(self, prompt: Prompt) -> Prompt:
        mode = self.mode(prompt)
        if mode == "chat":
            return as_chat(prompt)
        return as_native(prompt) if mode == "suffix" else prompt

    def request(self, prompt: Prompt, params: GenerationParams, mode: Mode) -> Request:
        options: dict[str, Any] = {
            "num_predict": params.max_tokens,
            "temperature": params.temperature,
            "num_ctx": self.context_for(prompt, params),
        }
        body: dict[str, Any] = {"model": self.config.model, "keep_alive": KEEP_ALIVE}
        if mode == "chat":
            stop = chat_stop(prompt, params)
            body.update(messages=chat_messages(prompt), stream=True)
            path = "api/chat"
        elif mode == "raw":
            # Raw mode skips the Modelfile, so the family's stop tokens must come from us.
            family = fim_template(self.config.model, self.config.template)
            stop = params.stop or prompt.stop or (family.stop if family else ())
            body.update(prompt=prompt.fim or "", raw=True, stream=True)
            path = "api/generate"
        else:
            # The Modelfile's own stops end the middle. An empty suffix would make Ollama
            # apply the chat template instead of the FIM one.
            stop = ()
            body.update(prompt=prompt.prefix, suffix=prompt.suffix or "\n", stream=True)
            path = "api/generate"
        options.update(self.stop_field("stop", stop))
        body.update(self.preset.body)
        body["options"] = options
        return Request(self.url(path), body, self.headers())

    async def stream(self, prompt: Prompt, params: GenerationParams) -> AsyncIterator[str]:
        self.gate.check()
        mode = self.mode(prompt)
        if mode == "suffix":
            try:
                async for text in self._run(self.request(prompt, params, mode), params, True):
                    yield text
                return
            except Unsupported:
                self.no_insert = True
                if not prompt.fim:
                    raise BackendError(
                        f"ollama model '{self.config.model}' cannot fill in the middle (its "
                        "template has no suffix); switching to chat prompts. A base code model "
                        "such as qwen2.5-coder:1.5b-base completes better.",
                        key=f"noinsert:ollama:{self.config.model}",
                    ) from None
                mode = "raw"
        async for text in self._run(self.request(prompt, params, mode), params, False):
            yield text

    def context_for(self, prompt: Prompt, params: GenerationParams) -> int:
        """`num_ctx` for this prompt: the current one, doubled while the prompt would not fit."""
        needed = len(evaluated_text(prompt)) // PROMPT_CHARS_PER_TOKEN + params.max_tokens
        while self.num_ctx < needed and self.num_ctx < MAX_NUM_CTX:
            self.num_ctx *= 2
        return self.num_ctx

    def _run(self, request: Request, params: GenerationParams, native: bool) -> AsyncIterator[str]:
        wire = partial(decode, meter=params.meter)
        return self.send(request, wire, params, _no_insert if native else None)

    async def models(self) -> list[str]:
        data = await self.get_json(self.preset.models_path)
        items = data.get("models", []) if isinstance(data, dict) else []
        return sorted(
            {str(m.get("name") or m.get("model")) for m in items if isinstance(m, dict) and m}
        )

    async def warm(self) -> None:
        """Load the model into memory: an empty prompt does exactly that (`done_reason: load`),
        with the context and keep-alive the completions will ask for (else they reload it)."""
        body = {
            "model": self.config.model,
            "stream": False,
            "keep_alive": KEEP_ALIVE,
            "options": {"num_ctx": self.num_ctx},
        }
        url = self.url(self.preset.warm_path)
        await quietly(
            self.client.post(url, json=body, headers=self.headers(), timeout=LOAD_TIMEOUT_S)
        )


def _no_insert(status: int, info: ErrorInfo) -> bool:
    return status == 400 and "does not support" in info.message


async def decode(
    lines: AsyncIterator[str], config: BackendConfig, *, meter: Meter | None = None
) -> AsyncGenerator[str, None]:
    """`response` (generate) or `message.content` (chat) per NDJSON line until `done: true`;
    an `{"error": ...}` line is a mid-stream failure; EOF before `done` is a truncation. The
    final line's counts and durations go to `meter`."""
    async for data in ndjson(lines, config):
        if data.get("error"):
            raise midstream_error(error_data(data), config)
        text = data.get("response")
        if text is None:
            message = data.get("message")
            text = message.get("content") if isinstance(message, dict) else None
        if isinstance(text, str) and text:
            yield text
        if data.get("done"):
            if meter is not None:
                meter.record(from_ollama(data))
            return
    raise truncated(config)
