"""llama.cpp's `llama-server`: `/infill`, where the server builds the FIM prompt from the GGUF's
own FIM tokens, with context files as `input_extra`.

The request follows llama.vim (the reference FIM client by the llama.cpp authors): the lines
before the cursor line are `input_prefix`, the typed part of the cursor line is `prompt`
(placed after the FIM middle token), so the KV cache of everything above the line is reused
while the user types. The native stream is SSE without `[DONE]`; the last event has
`"stop": true`. Every event carries `timings` (`timings_per_token`), so the prompt's cost and
cache reuse are known from the first token on, even when a filter closes the stream early.

What the server supports is asked once, at initialize or first use: `GET /props` (context size
per slot, loaded model) and an `/infill` probe that costs no evaluation (a malformed
`input_extra` is refused with 400 after the FIM-token check, and with 501 when the model has
no FIM tokens). A model without FIM tokens (an instruct model such as SmolLM2) gets a
prefix-continuation prompt on `/completion` instead: learned from the probe, or from a 501
within the same request, said once in the log, and kept for this server.
`backend.template: "chat"` sends the chat hole-fill to `/v1/chat/completions`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, AsyncIterator
from functools import partial
from typing import Any, Literal

import httpx

from ghostfill.backends import openai_compat
from ghostfill.backends.base import BackendConfig, Capabilities
from ghostfill.backends.common import HttpBackend, native_root
from ghostfill.backends.http import (
    ErrorInfo,
    Request,
    Unsupported,
    error_data,
    error_info,
    midstream_error,
    truncated,
)
from ghostfill.backends.presets import Preset
from ghostfill.backends.sse import sse_events
from ghostfill.backends.usage import Meter, from_llamacpp
from ghostfill.model import GenerationParams, Prompt
from ghostfill.prompt.render import as_chat, as_continuation, as_native

log = logging.getLogger(__name__)

Mode = Literal["infill", "continue", "chat"]

PROBE_TIMEOUT_S = 2.0
PROBE_BODY: dict[str, Any] = {"input_prefix": "", "input_suffix": "", "input_extra": "probe"}
"""Refused before any evaluation: 501 without FIM tokens, else 400 (`input_extra` is no list)."""
NO_FIM = (
    "llama.cpp: the loaded model{model} has no fill-in-the-middle tokens (/infill: 501), so "
    "ghostfill continues the code before the cursor on /completion instead. For completions "
    "that also see the code after the cursor load a FIM code model, e.g. "
    "`llama-server --fim-qwen-1.5b-default`."
)


class LlamaCpp(HttpBackend):
    def __init__(self, config: BackendConfig, client: httpx.AsyncClient, preset: Preset) -> None:
        super().__init__(config, client, preset)
        self.root = native_root(config.base_url)
        self.capabilities: Capabilities | None = None
        """What the server said (None until asked)."""
        self.fim: bool | None = None
        """Whether /infill works here: from the probe, or learned from a 501."""
        self._probing: asyncio.Task[Capabilities] | None = None

    def mode(self) -> Mode:
        if self.config.template == "chat":
            return "chat"
        return "continue" if self.fim is False else "infill"

    def prepare(self, prompt: Prompt) -> Prompt:
        mode = self.mode()
        if mode == "chat":
            return as_chat(prompt)
        return as_continuation(prompt) if mode == "continue" else as_native(prompt)

    def request(self, prompt: Prompt, params: GenerationParams, mode: Mode) -> Request:
        native: dict[str, Any] = {
            "n_predict": params.max_tokens,
            "temperature": params.temperature,
            "stream": True,
            "cache_prompt": True,
            "timings_per_token": True,
        }
        if mode == "chat":
            body = self.chat_body(prompt, params)
            path = "v1/chat/completions"
        elif mode == "continue":
            body = {"prompt": prompt.continuation or prompt.prefix, **native}
            body.update(self.stop_field("stop", params.stop))
            path = "completion"
        else:
            before, newline, line = prompt.prefix.rpartition("\n")
            body = {
                "input_prefix": before + newline,
                "input_suffix": prompt.suffix,
                "input_extra": [{"filename": s.path, "text": s.text} for s in prompt.extra],
                "prompt": line,
                **native,
            }
            path = "infill"
        body.update({**self.preset.body, **params.extra} if mode == "chat" else self.preset.body)
        if self.config.model:
            body["model"] = self.config.model
        return Request(self.url(path), body, self.headers())

    async def stream(self, prompt: Prompt, params: GenerationParams) -> AsyncIterator[str]:
        self.gate.check()
        meter = params.meter
        if prompt.fim is None:
            chat = partial(openai_compat.decode, meter=meter)
            async for text in self.send(self.request(prompt, params, "chat"), chat, params):
                yield text
            return
        if self.fim is None and self._probing is None:
            await self.probe()  # first use before initialize's warm-up asked
        native = partial(decode, meter=meter)
        if self.fim is not False:
            try:
                request = self.request(prompt, params, "infill")
                async for text in self.send(request, native, params, _no_fim):
                    yield text
                return
            except Unsupported:
                # Refused before anything streamed: answer this same request by continuation.
                self._learn_no_fim()
        async for text in self.send(self.request(prompt, params, "continue"), native, params):
            yield text

    def _learn_no_fim(self) -> None:
        if self.fim is not False:
            model = self.capabilities.model if self.capabilities else ""
            log.warning(NO_FIM.format(model=f" ({model})" if model else ""))
        self.fim = False
        if self.capabilities is not None:
            self.capabilities = _with_fim(self.capabilities, False)

    # -- capabilities ---------------------------------------------------------------------

    async def probe(self) -> Capabilities:
        """`/props` and the `/infill` probe, once per server; concurrent callers share it. A
        server that did not answer is asked again next time."""
        if self.capabilities is not None:
            return self.capabilities
        if self._probing is None or self._probing.done():
            self._probing = asyncio.ensure_future(self._probe())
        return await asyncio.shield(self._probing)

    async def _probe(self) -> Capabilities:
        props = await self._get_props()
        fim = await self._probe_infill()
        settings = props.get("default_generation_settings")
        n_ctx = settings.get("n_ctx") if isinstance(settings, dict) else None
        path = props.get("model_alias") or props.get("model_path") or ""
        model = str(path).rsplit("/", 1)[-1]
        found = Capabilities(
            fim=fim,
            context_tokens=n_ctx if isinstance(n_ctx, int) else None,
            model=model,
            prompt_kind=_kind(fim, self.config.template),
        )
        if fim is None:
            # The server did not answer: ask again next time rather than guess.
            return found
        self.capabilities = found
        if fim:
            self.fim = True
        else:
            self._learn_no_fim()
        log.info(
            "llama.cpp: model %s, context %s tokens per slot, %s",
            model or "(unknown)",
            found.context_tokens or "?",
            found.prompt_kind,
        )
        return self.capabilities or found

    async def _get_props(self) -> dict[str, Any]:
        try:
            response = await self.client.get(
                self.url("props"), headers=self.headers(), timeout=PROBE_TIMEOUT_S
            )
            data = response.json() if response.status_code == 200 else {}
        except (httpx.HTTPError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    async def _probe_infill(self) -> bool | None:
        try:
            response = await self.client.post(
                self.url("infill"), json=PROBE_BODY, headers=self.headers(), timeout=PROBE_TIMEOUT_S
            )
        except httpx.HTTPError:
            return None
        if response.status_code == 501:
            return False
        if response.status_code == 400:
            return "input_extra" in error_info(response.content).message or None
        return None

    async def warm(self) -> None:
        await super().warm()
        if self.config.template != "chat":
            await self.probe()


def _with_fim(found: Capabilities, fim: bool) -> Capabilities:
    return Capabilities(fim, found.context_tokens, found.model, _kind(fim, "auto"))


def _kind(fim: bool | None, template: str) -> str:
    if template == "chat":
        return "chat hole-fill via /v1/chat/completions"
    if fim is False:
        return "prefix continuation via /completion (the model has no FIM tokens)"
    return "native FIM via /infill"


def _no_fim(status: int, info: ErrorInfo) -> bool:
    return status == 501


async def decode(
    lines: AsyncIterator[str], config: BackendConfig, *, meter: Meter | None = None
) -> AsyncGenerator[str, None]:
    """`content` per event until one has `"stop": true` (there is no `[DONE]`); `timings`
    go to `meter`."""
    async for event in sse_events(lines, config):
        data = event.data
        if data is None:
            return
        if data.get("error"):
            raise midstream_error(error_data(data), config)
        if meter is not None and "timings" in data:
            meter.record(from_llamacpp(data["timings"]))
        text = data.get("content")
        if isinstance(text, str) and text:
            yield text
        if data.get("stop"):
            return
    raise truncated(config)
