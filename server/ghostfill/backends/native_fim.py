"""What Codestral and DeepSeek share: a `prompt` + `suffix` FIM endpoint streaming OpenAI-style
SSE, next to an OpenAI-style chat endpoint for `backend.template: "chat"`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, ClassVar

import httpx

from ghostfill.backends import openai_compat
from ghostfill.backends.base import BackendConfig
from ghostfill.backends.http import Request, bearer, get_json, join, quietly, stream_text
from ghostfill.backends.openai_compat import WARM_TIMEOUT_S, chat_messages, max_chars, model_ids
from ghostfill.backends.presets import Preset
from ghostfill.backends.ratelimit import RateLimitGate
from ghostfill.model import GenerationParams, Prompt
from ghostfill.prompt import chat
from ghostfill.prompt.render import as_chat, as_native


class NativeFim:
    fim_path: ClassVar[str]
    chat_path: ClassVar[str]
    max_tokens_cap: ClassVar[int] = 1 << 16
    accept: ClassVar[dict[str, str]] = {}

    def __init__(self, config: BackendConfig, client: httpx.AsyncClient, preset: Preset) -> None:
        self.config = config
        self.client = client
        self.preset = preset
        self.gate = RateLimitGate(config.provider)

    @property
    def name(self) -> str:
        return self.config.provider

    def chat(self) -> bool:
        return self.config.template == "chat"

    def prepare(self, prompt: Prompt) -> Prompt:
        return as_chat(prompt) if self.chat() else as_native(prompt)

    def headers(self) -> dict[str, str]:
        return {**self.accept, **self.preset.headers, **bearer(self.config)}

    def request(self, prompt: Prompt, params: GenerationParams) -> Request:
        limit = min(params.max_tokens, self.max_tokens_cap)
        body: dict[str, Any] = {"model": self.config.model}
        if self.chat():
            stop = params.stop if prompt.fim is None else chat.STOP
            body.update(messages=chat_messages(prompt), stream=True)
            body.update(temperature=params.temperature, max_tokens=limit)
            if stop:
                body["stop"] = list(stop[: self.preset.max_stop])
            path = self.chat_path
        else:
            body.update(prompt=prompt.prefix, suffix=prompt.suffix, stream=True)
            body.update(temperature=params.temperature, max_tokens=limit)
            path = self.fim_path
        body.update(self.preset.body)
        return Request(join(self.config.base_url, path), body, self.headers())

    async def stream(self, prompt: Prompt, params: GenerationParams) -> AsyncIterator[str]:
        self.gate.check()
        async for text in stream_text(
            self.client,
            self.config,
            self.request(prompt, params),
            lambda lines: openai_compat.decode(lines, self.config),
            max_chars=max_chars(params),
            models=self.models,
            gate=self.gate,
        ):
            yield text

    async def models(self) -> list[str]:
        url = join(self.config.base_url, self.preset.models_path)
        return model_ids(await get_json(self.client, self.config, url, self.headers()))

    async def warm(self) -> None:
        url = join(self.config.base_url, self.preset.warm_path)
        await quietly(self.client.get(url, headers=self.headers(), timeout=WARM_TIMEOUT_S))
