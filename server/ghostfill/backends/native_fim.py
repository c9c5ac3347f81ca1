"""What Codestral and DeepSeek share: a `prompt` + `suffix` FIM endpoint streaming OpenAI-style
SSE, next to an OpenAI-style chat endpoint for `backend.template: "chat"`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from functools import partial
from typing import Any, ClassVar

from ghostfill.backends import openai_compat
from ghostfill.backends.common import HttpBackend
from ghostfill.backends.http import Request
from ghostfill.model import GenerationParams, Prompt
from ghostfill.prompt.render import as_chat, as_native


class NativeFim(HttpBackend):
    fim_path: ClassVar[str]
    chat_path: ClassVar[str]
    max_tokens_cap: ClassVar[int] = 1 << 16
    accept: ClassVar[dict[str, str]] = {}

    def chat(self) -> bool:
        return self.config.template == "chat"

    def prepare(self, prompt: Prompt) -> Prompt:
        return as_chat(prompt) if self.chat() else as_native(prompt)

    def headers(self) -> dict[str, str]:
        return {**self.accept, **super().headers()}

    def request(self, prompt: Prompt, params: GenerationParams) -> Request:
        limit = min(params.max_tokens, self.max_tokens_cap)
        body: dict[str, Any] = {"model": self.config.model}
        if self.chat():
            body.update(self.chat_body(prompt, params, max_tokens=limit))
            path = self.chat_path
        else:
            body.update(prompt=prompt.prefix, suffix=prompt.suffix, stream=True)
            body.update(temperature=params.temperature, max_tokens=limit)
            path = self.fim_path
        body.update(self.preset.body)
        return Request(self.url(path), body, self.headers())

    async def stream(self, prompt: Prompt, params: GenerationParams) -> AsyncIterator[str]:
        self.gate.check()
        wire = partial(openai_compat.decode, meter=params.meter)
        async for text in self.send(self.request(prompt, params), wire, params):
            yield text
