"""Model families of the OpenAI-style APIs, as data: which API serves them and what they accept.

OpenAI serves its codex models (gpt-5-codex, gpt-5.1/5.2/5.3-codex, -mini, -max, -spark) only
through the Responses API (`POST /v1/responses`); `/v1/chat/completions` answers them 400 "This
model is only supported in v1/responses and not in v1/chat/completions." Reasoning models
reject `temperature` and think before answering, which is pure latency for ghost text, so each
family lists the reasoning efforts to try, lowest first; "" means "send no `reasoning` field".
When the provider rejects an effort (400 on `reasoning.effort`), the backend steps to the next
one and keeps it. The first family whose pattern matches the model id wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ModelFamily:
    match: str
    """Regular expression searched in the model id (case-insensitive)."""
    responses_only: bool = False
    """Served only by the Responses API: `backend.wire` auto sends it there."""
    efforts: tuple[str, ...] = ("",)
    """`reasoning.effort` values to try, lowest first ("" = leave the field out)."""
    temperature: bool = True
    """Accepts `temperature` (reasoning models reject it)."""


FAMILIES: tuple[ModelFamily, ...] = (
    # Codex-Spark: the 1000 tokens/s model ghostfill is made for; reasoning kept to the minimum.
    ModelFamily(r"codex-spark", responses_only=True, efforts=("low", ""), temperature=False),
    ModelFamily(r"codex", responses_only=True, efforts=("low", ""), temperature=False),
    # GPT-5.1 and later take "none", GPT-5 "minimal"; the ladder finds the lowest one.
    ModelFamily(r"^(openai/)?gpt-5", efforts=("none", "minimal", "low", ""), temperature=False),
    ModelFamily(r"^(openai/)?o\d", efforts=("low", ""), temperature=False),
)
PLAIN = ModelFamily(r"")
"""Everything else (gpt-4.1, open models behind vLLM, ...): no reasoning field, temperature."""


def family(model: str) -> ModelFamily:
    for f in FAMILIES:
        if re.search(f.match, model, re.IGNORECASE):
            return f
    return PLAIN
