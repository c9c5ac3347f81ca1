"""DeepSeek FIM (beta): `POST https://api.deepseek.com/beta/completions` with `prompt` and
`suffix`, at most 4K output tokens, non-thinking models only; SSE `text_completion` chunks,
`: keep-alive` comments while queued, then `data: [DONE]`. The
model list lives at the host root (`/models`), outside `/beta`."""

from __future__ import annotations

from typing import ClassVar

from ghostfill.backends.native_fim import NativeFim


class DeepSeek(NativeFim):
    fim_path: ClassVar[str] = "completions"
    chat_path: ClassVar[str] = "chat/completions"
    max_tokens_cap: ClassVar[int] = 4096
