"""Backend presets as data: where each provider lives, what it needs, how it is spoken to.

Adding a provider that speaks an existing wire format is one entry here.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Preset:
    name: str
    wire: str
    """Which client module speaks to it: openai, ollama, llamacpp, codestral, deepseek, anthropic."""
    base_url: str
    api_key_env: str
    """Environment variable the key is read from by default ("" = no key needed)."""
    default_model: str
    fim: bool = False
    """Accepts raw FIM prompts on /completions (only useful with a FIM-trained model)."""
    http2: bool = True
    max_tokens_field: str = "max_tokens"
    warm_path: str = "models"
    body: dict[str, object] = field(default_factory=dict)
    """Extra JSON fields every request to this provider carries."""
    needs: str = ""


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset(
            "cerebras",
            wire="openai",
            base_url="https://api.cerebras.ai/v1",
            api_key_env="CEREBRAS_API_KEY",
            default_model="gpt-oss-120b",
            fim=True,
            max_tokens_field="max_completion_tokens",
            warm_path="tcp_warming",
            needs="CEREBRAS_API_KEY (https://cloud.cerebras.ai)",
        ),
        Preset(
            "openai-compatible",
            wire="openai",
            base_url="",
            api_key_env="",
            default_model="",
            fim=True,
            http2=False,
            needs="backend.baseUrl and backend.model; a key env var if the server wants one",
        ),
    )
}

OFFLINE = "offline"


def describe_presets() -> str:
    """The `ghostfill backends` table."""
    rows = [("preset", "base URL", "key", "default model", "needs")]
    rows.append((OFFLINE, "-", "-", "-", "nothing: the built-in engine learns from your workspace"))
    for p in PRESETS.values():
        rows.append(
            (
                p.name,
                p.base_url or "(set backend.baseUrl)",
                p.api_key_env or "-",
                p.default_model or "-",
                p.needs,
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    return "\n".join(
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(r[:4])) + "  " + r[4] for r in rows
    )
