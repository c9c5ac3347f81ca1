"""OpenAI-style providers: chat completions with a hole-filling prompt, or /completions with a
raw FIM prompt for code models. Cerebras, Groq, OpenAI, OpenRouter, vLLM and any
`openai-compatible` server speak this; Codestral, DeepSeek and llama.cpp reuse its decoder.

Stream quirks handled (each seen from the provider named): `data: [DONE]` or plain EOF after
the finish chunk (Cerebras); usage on the finish chunk (Cerebras `time_info`, Groq `x_groq`) or
in a trailing `choices: []` chunk; `: OPENROUTER PROCESSING` / `: keep-alive` comments;
errors as `data: {"error": ...}`, `event: error` or Groq `x_groq.error`.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from functools import partial
from typing import Any

from ghostfill.backends.base import BackendConfig
from ghostfill.backends.common import HttpBackend
from ghostfill.backends.http import Fallback, Request, error_data, midstream_error, truncated
from ghostfill.backends.sse import sse_events
from ghostfill.backends.usage import Meter, from_llamacpp, from_openai
from ghostfill.model import GenerationParams, Prompt
from ghostfill.prompt.render import as_chat


class OpenAICompatible(HttpBackend):
    def _fim(self, prompt: Prompt) -> bool:
        if not prompt.fim or self.config.wire == "chat":
            return False
        if self.config.wire == "completions":
            return True
        if not self.preset.fim:
            return False
        return self.preset.fim_auto or self.config.template not in ("auto", "", "chat")

    def prepare(self, prompt: Prompt) -> Prompt:
        return prompt if self._fim(prompt) else as_chat(prompt)

    def request(self, prompt: Prompt, params: GenerationParams) -> Request:
        """The URL, JSON body and headers for this prompt (FIM when it has one, else chat)."""
        body: dict[str, Any] = {"model": self.config.model}
        if self._fim(prompt):
            assert prompt.fim is not None
            body.update(prompt=prompt.fim, stream=True, temperature=params.temperature)
            body.update(max_tokens=params.max_tokens, **self.stop_field("stop", params.stop))
            path = "completions"
        else:
            body.update(self.chat_body(prompt, params, max_field=self.preset.max_tokens_field))
            path = "chat/completions"
        body.update({**self.preset.body, **params.extra})
        return Request(self.url(path), body, self.headers())

    async def stream(
        self, prompt: Prompt, params: GenerationParams, switch: Fallback | None = None
    ) -> AsyncIterator[str]:
        """`switch` marks the error answers that mean "ask another API" (raised as
        Unsupported: a codex model's 400 pointing at /v1/responses)."""
        self.gate.check()
        request = self.request(prompt, params)
        wire = partial(decode, meter=params.meter)
        async for text in self.send(request, wire, params, unsupported=switch):
            yield text


async def decode(
    lines: AsyncIterator[str], config: BackendConfig, *, meter: Meter | None = None
) -> AsyncGenerator[str, None]:
    """Text deltas from an OpenAI-style SSE stream (chat `delta.content` or completion
    `text`); reasoning deltas are ignored. Ends at `[DONE]`, or at EOF after a chunk with a
    `finish_reason`; EOF before either is a truncated stream. What the stream says the request
    cost (`usage`, llama.cpp's `timings`) goes to `meter`."""
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
        if meter is not None:
            meter.record(from_llamacpp(data.get("timings")) or from_openai(data.get("usage")))
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
    async for _ in lines:
        pass  # `sse_events` stops at `[DONE]`: read to the end so the connection is reused
