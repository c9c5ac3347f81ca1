"""OpenAI-style providers: chat completions with a hole-filling prompt, or /completions with a
raw FIM prompt for code models. Cerebras, Groq, OpenAI, OpenRouter, vLLM and any
`openai-compatible` server speak this."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx

from ghostfill.backends.base import BackendConfig
from ghostfill.backends.http import bearer, join, open_stream, status_error, transport_error
from ghostfill.backends.presets import Preset
from ghostfill.backends.sse import sse_json
from ghostfill.errors import StreamError
from ghostfill.model import GenerationParams, Prompt


class OpenAICompatible:
    def __init__(self, config: BackendConfig, client: httpx.AsyncClient, preset: Preset) -> None:
        self.config = config
        self.client = client
        self.preset = preset

    @property
    def name(self) -> str:
        return self.config.provider

    def request(self, prompt: Prompt, params: GenerationParams) -> tuple[str, dict[str, Any]]:
        """The URL and JSON body for this prompt (FIM when the prompt has one, else chat)."""
        body: dict[str, Any] = {
            "model": self.config.model,
            "stream": True,
            "temperature": params.temperature,
            self.preset.max_tokens_field: params.max_tokens,
            **self.preset.body,
            **params.extra,
        }
        if params.stop:
            body["stop"] = list(params.stop[:4])
        if prompt.fim is not None and self.preset.fim:
            body["prompt"] = prompt.fim
            return join(self.config.base_url, "completions"), body
        body["messages"] = [{"role": m.role, "content": m.content} for m in prompt.messages]
        return join(self.config.base_url, "chat/completions"), body

    async def stream(self, prompt: Prompt, params: GenerationParams) -> AsyncIterator[str]:
        url, body = self.request(prompt, params)
        async with open_stream(
            self.client, self.config, url, body, bearer(self.config)
        ) as response:
            try:
                async for _, data in sse_json(response):
                    for text in _texts(data, self.config.provider):
                        yield text
            except httpx.HTTPError as exc:
                raise transport_error(exc, self.config) from None

    async def models(self) -> list[str]:
        try:
            response = await self.client.get(
                join(self.config.base_url, "models"),
                headers=bearer(self.config),
                timeout=self.config.timeout_s,
            )
        except httpx.HTTPError as exc:
            raise transport_error(exc, self.config) from None
        if response.status_code >= 400:
            raise status_error(
                response.status_code, response.content, response.headers, self.config
            )
        data = response.json().get("data", [])
        return sorted(str(m["id"]) for m in data if isinstance(m, dict) and "id" in m)

    async def warm(self) -> None:
        """Open the keep-alive connection (and TLS) before the first completion needs it."""
        try:
            await self.client.get(
                join(self.config.base_url, self.preset.warm_path),
                headers=bearer(self.config),
                timeout=2.0,
            )
        except httpx.HTTPError:
            return


def _texts(data: dict[str, Any], provider: str) -> list[str]:
    error = data.get("error") or (data.get("x_groq") or {}).get("error")
    if error:
        message = error.get("message", "") if isinstance(error, dict) else str(error)
        raise StreamError(
            f"{provider} stopped the stream: {message[:200]}", key=f"midstream:{provider}"
        )
    out: list[str] = []
    for choice in data.get("choices") or ():
        text = choice.get("text")
        if text is None:
            text = (choice.get("delta") or {}).get("content")
        if text:
            out.append(text)
    return out
