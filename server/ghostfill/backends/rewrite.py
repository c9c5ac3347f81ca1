"""Next-edit requests: a rewrite prompt sent to the configured backend's OpenAI-style API.

A next-edit prompt (`nextedit/rewrite.py`) goes to one of three endpoints under the backend's
OpenAI-style root: `chat/completions` (messages), `completions` (a raw prompt, for next-edit
models such as Zeta and Sweep) or `edit/completions` (Inception's Mercury Edit: one user
message). The answer streams like any OpenAI-style answer and is read to its end (a rewrite is
only usable whole); cancelling the caller closes the stream. The key, headers, timeouts and
pooled HTTP client are the backend's own; while its rate-limit gate or the spend guard is
closed nothing is sent (the answer is "no change").

The OpenAI-style root is the preset's base URL for OpenAI-style presets; llama.cpp and Ollama
serve it under `/v1` beside their native APIs. Codestral, DeepSeek and Anthropic have no such
API for arbitrary prompts here: next edits stay with the offline rules there.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any, Protocol

import httpx

from ghostfill.backends.base import BackendConfig
from ghostfill.backends.common import native_root
from ghostfill.backends.http import Request, bearer, join, stream_text
from ghostfill.backends.openai_compat import decode
from ghostfill.backends.presets import PRESETS
from ghostfill.nextedit.rewrite import RewritePrompt

log = logging.getLogger(__name__)

PATHS = {"chat": "chat/completions", "completions": "completions", "edit": "edit/completions"}
OPENAI_ROOT = {"openai": "", "llamacpp": "/v1", "ollama": "/v1"}
"""Preset wire -> the OpenAI-style API's path under the server root ("" = the base URL)."""


class Gate(Protocol):
    def blocked(self) -> float: ...


class RewriteClient:
    """Sends next-edit prompts for one backend configuration."""

    def __init__(
        self,
        config: BackendConfig,
        client: httpx.AsyncClient,
        root: str,
        *,
        model: str = "",
        temperature: float = 0.0,
        gate: Gate | None = None,
    ) -> None:
        self.config = config
        self.client = client
        self.root = root
        self.model = model or config.model
        self.temperature = temperature
        self.gate = gate
        self.sent = 0

    def request(self, prompt: RewritePrompt) -> Request:
        body: dict[str, Any] = {"model": self.model, "stream": True}
        if prompt.wire == "completions":
            body["prompt"] = prompt.prompt
        else:
            system = [{"role": "system", "content": prompt.system}] if prompt.system else []
            body["messages"] = [*system, {"role": "user", "content": prompt.prompt}]
        body.update(max_tokens=prompt.max_tokens, temperature=self.temperature)
        if prompt.stop:
            body["stop"] = list(prompt.stop[:4])
        return Request(join(self.root, PATHS[prompt.wire]), body, bearer(self.config))

    async def rewrite(self, prompt: RewritePrompt) -> str:
        """The model's whole answer ("" while the gate is closed); raises BackendError."""
        if self.gate is not None and self.gate.blocked() > 0:
            return ""
        self.sent += 1
        config = self.config
        parts: list[str] = []
        async for text in stream_text(
            self.client,
            config,
            self.request(prompt),
            lambda lines: decode(lines, config),
            max_chars=prompt.max_chars,
        ):
            parts.append(text)
        return "".join(parts)


def openai_root(config: BackendConfig) -> str | None:
    """The backend's OpenAI-style API root, or None when its preset has none."""
    preset = PRESETS.get(config.provider)
    tail = OPENAI_ROOT.get(preset.wire) if preset is not None else None
    if tail is None:
        return None
    return config.base_url if not tail else native_root(config.base_url) + tail


def rewrite_client(
    config: BackendConfig | None,
    client: httpx.AsyncClient | None,
    *,
    model: str = "",
    timeout_ms: int = 0,
    gate: Gate | None = None,
) -> RewriteClient | None:
    """The next-edit client for a backend (None: offline, or no OpenAI-style API)."""
    if config is None or client is None:
        return None
    root = openai_root(config)
    if root is None:
        log.info("next edits: %s has no OpenAI-style API; offline rules only", config.provider)
        return None
    if timeout_ms > 0:
        config = replace(config, timeout_s=timeout_ms / 1000)
    return RewriteClient(config, client, root, model=model, gate=gate)
