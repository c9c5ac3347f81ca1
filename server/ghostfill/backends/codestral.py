"""Mistral Codestral: `POST /v1/fim/completions` with `prompt` (before the cursor) and `suffix`
(after it); the stream is SSE of chat-delta chunks ending in `data: [DONE]`. The default host
is codestral.mistral.ai, whose keys differ from api.mistral.ai's; both serve the same paths."""

from __future__ import annotations

from typing import ClassVar

from ghostfill.backends.native_fim import NativeFim


class Codestral(NativeFim):
    fim_path: ClassVar[str] = "v1/fim/completions"
    chat_path: ClassVar[str] = "v1/chat/completions"
    accept: ClassVar[dict[str, str]] = {"Accept": "text/event-stream"}
