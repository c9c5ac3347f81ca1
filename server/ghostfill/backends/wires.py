"""The OpenAI-style presets' three APIs behind one Backend: chat, raw /completions, Responses.

`backend.wire` picks one; `auto` (the default) asks the model family (families.py: codex models
are served only by the Responses API) and otherwise keeps the preset's chat-or-FIM choice. When
a chat request is answered 400 "This model is only supported in v1/responses", the same request
goes to the Responses API at once, and the backend stays there: it belongs to one server and
model, so every later request goes straight to /responses.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import httpx

from ghostfill.backends.base import BackendConfig, Capabilities
from ghostfill.backends.families import family
from ghostfill.backends.http import ErrorInfo, Unsupported
from ghostfill.backends.openai_compat import OpenAICompatible
from ghostfill.backends.presets import Preset
from ghostfill.backends.ratelimit import RateLimitGate
from ghostfill.backends.responses import Responses
from ghostfill.errors import BackendError
from ghostfill.model import GenerationParams, Prompt

log = logging.getLogger(__name__)


def needs_responses(status: int, info: ErrorInfo) -> bool:
    """OpenAI's answer to a codex model on chat or legacy completions."""
    text = info.message.lower()
    return status == 400 and "v1/responses" in text and "only supported" in text


class OpenAIWires:
    def __init__(self, config: BackendConfig, client: httpx.AsyncClient, preset: Preset) -> None:
        self.config = config
        self.preset = preset
        self.completions = OpenAICompatible(config, client, preset)
        self.responses = Responses(config, client, preset)
        self.gate: RateLimitGate = self.completions.gate
        self.responses.gate = self.gate
        wire = config.wire
        self.on_responses = wire == "responses" or (
            wire == "auto" and family(config.model).responses_only
        )

    @property
    def name(self) -> str:
        return self.config.provider

    @property
    def wire(self) -> str:
        """The API in use: responses, or chat / completions (what the next prompt decides)."""
        if self.on_responses:
            return "responses"
        return "completions" if self.config.wire == "completions" else "chat"

    @property
    def transport(self) -> str:
        return self.responses.transport if self.on_responses else "http"

    def prepare(self, prompt: Prompt) -> Prompt:
        if self.on_responses:
            return self.responses.prepare(prompt)
        return self.completions.prepare(prompt)

    async def stream(self, prompt: Prompt, params: GenerationParams) -> AsyncIterator[str]:
        if not self.on_responses:
            switch = needs_responses if self.config.wire == "auto" else None
            try:
                async for text in self.completions.stream(prompt, params, switch=switch):
                    yield text
                return
            except Unsupported as exc:
                self.on_responses = True
                log.info(
                    "%s: model %s is served only by /responses; using the Responses API",
                    self.name,
                    self.config.model,
                )
                if prompt.fim is not None:  # prepared for raw FIM: the next request is chat
                    raise BackendError(exc.user_message, key=exc.key) from None
        async for text in self.responses.stream(prompt, params):
            yield text

    async def models(self) -> list[str]:
        return await self.completions.models()

    async def probe(self) -> Capabilities:
        return await self.completions.probe()

    async def warm(self) -> None:
        if self.on_responses:
            await self.responses.warm()
        else:
            await self.completions.warm()

    async def aclose(self) -> None:
        await self.responses.aclose()
