"""Backend presets as data: where each provider lives, what it needs, how it is spoken to.

Adding a provider that speaks an existing wire format is one entry here. Every URL, path,
header and quirk is the one the provider's API documentation gives and its servers answer to.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Preset:
    name: str
    wire: str
    """Which client module speaks to it: openai, ollama, llamacpp, codestral, deepseek, anthropic.
    `openai` covers chat, raw /completions and the Responses API (`backend.wire` picks)."""
    base_url: str
    api_key_env: str
    """Environment variable the key is read from by default ("" = no key needed)."""
    default_model: str
    fim: bool = False
    """Accepts raw FIM prompts on /completions (only useful with a FIM-trained model)."""
    http2: bool = True
    max_tokens_field: str = "max_tokens"
    """The chat body's token limit field (raw /completions always use `max_tokens`)."""
    warm_path: str = "models"
    body: dict[str, object] = field(default_factory=dict)
    """Extra JSON fields every request to this provider carries."""
    needs: str = ""
    fim_auto: bool = True
    """With `fim`: use raw FIM whenever the model name matches a FIM family; False means only
    when `backend.template` names one (the provider's models are mostly chat models)."""
    suffix_share: float | None = None
    """`context.suffixShare` when the setting leaves it to the backend (-1): the share of the
    cursor window after the cursor (None: the window's own default, a quarter)."""
    key_required: bool = True
    """False for local servers where a key is optional (`--api-key`)."""
    model_required: bool = True
    """False when the server ignores the model field (llama.cpp serves the model it loaded)."""
    models_path: str = "models"
    """GET path of the model list ("/models" = from the host root)."""
    max_stop: int = 4
    """Most stop sequences the API accepts (OpenAI-style APIs: 4)."""
    headers: dict[str, str] = field(default_factory=dict)
    """Extra HTTP headers every request carries (never secrets)."""
    prefill: bool = False
    """Chat: end with an assistant turn holding the current line's prefix (Anthropic)."""
    endpoint: str = ""
    """The completion endpoint, for `ghostfill backends` and the README."""
    prompt_kind: str = "chat"
    """What is sent by default, for `ghostfill backends` and the README."""
    key_url: str = ""
    """Where to get a key."""
    websocket: bool = False
    """Serves the Responses API's WebSocket mode (`wss://.../responses`): `backend.transport`
    `auto` uses it there."""
    prices: dict[str, tuple[float, float]] = field(default_factory=dict)
    """List prices in USD per million (input, output) tokens by model id, for the estimated
    cost in `ghostfill stats` and `backend.maxCostPerDay`; "*" covers every model (local
    servers: free). A model not listed has no estimated cost (its tokens still count)."""

    cached_prices: dict[str, float] = field(default_factory=dict)
    """USD per million input tokens served from the provider's prompt cache, by model id, where
    the provider bills them below `prices` (a model not listed: at the full input price)."""

    def price(self, model: str) -> tuple[float, float] | None:
        return self.prices.get(model) or self.prices.get("*")

    def cached_price(self, model: str) -> float | None:
        return self.cached_prices.get(model, self.cached_prices.get("*"))


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
            fim_auto=False,
            max_tokens_field="max_completion_tokens",
            warm_path="tcp_warming",
            endpoint="/v1/chat/completions",
            prompt_kind="chat hole-fill; raw FIM on /v1/completions if template names a family",
            needs="CEREBRAS_API_KEY (cloud.cerebras.ai)",
            key_url="https://cloud.cerebras.ai",
            prices={"gpt-oss-120b": (0.25, 0.69), "llama3.1-8b": (0.10, 0.10)},
        ),
        Preset(
            "groq",
            wire="openai",
            base_url="https://api.groq.com/openai/v1",
            api_key_env="GROQ_API_KEY",
            default_model="llama-3.1-8b-instant",
            max_tokens_field="max_completion_tokens",
            endpoint="/openai/v1/chat/completions",
            prompt_kind="chat hole-fill (no FIM endpoint)",
            needs="GROQ_API_KEY (console.groq.com)",
            key_url="https://console.groq.com/keys",
            prices={"llama-3.1-8b-instant": (0.05, 0.08), "openai/gpt-oss-20b": (0.075, 0.30)},
        ),
        Preset(
            "openai",
            wire="openai",
            base_url="https://api.openai.com/v1",
            api_key_env="OPENAI_API_KEY",
            default_model="gpt-5.3-codex-spark",
            max_tokens_field="max_completion_tokens",
            websocket=True,
            endpoint="/v1/responses (WebSocket)",
            prompt_kind="chat hole-fill over the Responses API for codex models, else chat",
            needs="OPENAI_API_KEY (platform.openai.com)",
            key_url="https://platform.openai.com/api-keys",
            prices={"gpt-4.1-nano": (0.10, 0.40), "gpt-4.1-mini": (0.40, 1.60)},
            cached_prices={"gpt-4.1-nano": 0.025, "gpt-4.1-mini": 0.10},  # a quarter of input
        ),
        Preset(
            "openrouter",
            wire="openai",
            base_url="https://openrouter.ai/api/v1",
            api_key_env="OPENROUTER_API_KEY",
            default_model="qwen/qwen-2.5-coder-32b-instruct",
            fim=True,
            fim_auto=False,
            headers={"X-Title": "ghostfill"},
            endpoint="/api/v1/chat/completions",
            prompt_kind="chat hole-fill; raw FIM on /completions if template names a family",
            needs="OPENROUTER_API_KEY (openrouter.ai/keys)",
            key_url="https://openrouter.ai/keys",
            prices={"qwen/qwen-2.5-coder-32b-instruct": (0.07, 0.16)},
        ),
        Preset(
            "ollama",
            wire="ollama",
            base_url="http://127.0.0.1:11434",
            api_key_env="OLLAMA_API_KEY",
            default_model="qwen2.5-coder:1.5b-base",
            key_required=False,
            warm_path="api/generate",
            models_path="api/tags",
            max_stop=16,
            http2=False,
            endpoint="/api/generate",
            prompt_kind="native FIM (`suffix`); raw FIM if the model's template lacks it",
            needs="`ollama serve` and `ollama pull qwen2.5-coder:1.5b-base` (no key locally)",
            prices={"*": (0.0, 0.0)},
        ),
        Preset(
            "llamacpp",
            wire="llamacpp",
            base_url="http://127.0.0.1:8080",
            api_key_env="LLAMA_API_KEY",
            default_model="",
            key_required=False,
            model_required=False,
            warm_path="health",
            models_path="v1/models",
            max_stop=16,
            http2=False,
            suffix_share=0.05,  # /infill: the typed text goes before the suffix (cache misses it)
            endpoint="/infill",
            prompt_kind="native FIM (`/infill` with input_extra); chat if the model has no FIM tokens",
            needs="`llama-server --fim-qwen-1.5b-default` (key only if started with --api-key)",
            prices={"*": (0.0, 0.0)},
        ),
        Preset(
            "vllm",
            wire="openai",
            base_url="http://127.0.0.1:8000/v1",
            api_key_env="VLLM_API_KEY",
            default_model="Qwen/Qwen2.5-Coder-1.5B",
            fim=True,
            key_required=False,
            max_stop=16,
            http2=False,
            endpoint="/v1/completions",
            prompt_kind="raw FIM for FIM model names, else chat hole-fill",
            needs="`vllm serve Qwen/Qwen2.5-Coder-1.5B` (key only if started with --api-key)",
            prices={"*": (0.0, 0.0)},
        ),
        Preset(
            "codestral",
            wire="codestral",
            base_url="https://codestral.mistral.ai",
            api_key_env="CODESTRAL_API_KEY",
            default_model="codestral-latest",
            warm_path="v1/models",
            models_path="v1/models",
            max_stop=16,
            endpoint="/v1/fim/completions",
            prompt_kind="native FIM (prompt + suffix)",
            needs="CODESTRAL_API_KEY (console.mistral.ai, Codestral); with a La Plateforme key "
            "set baseUrl https://api.mistral.ai and apiKeyEnv MISTRAL_API_KEY",
            key_url="https://console.mistral.ai/codestral",
            prices={"codestral-latest": (0.30, 0.90)},
        ),
        Preset(
            "deepseek",
            wire="deepseek",
            base_url="https://api.deepseek.com/beta",
            api_key_env="DEEPSEEK_API_KEY",
            default_model="deepseek-v4-flash",
            warm_path="/models",
            models_path="/models",
            max_stop=16,
            endpoint="/beta/completions",
            prompt_kind="native FIM (prompt + suffix, beta; non-thinking models)",
            needs="DEEPSEEK_API_KEY (platform.deepseek.com)",
            key_url="https://platform.deepseek.com/api_keys",
            prices={"deepseek-v4-flash": (0.28, 0.42)},
        ),
        Preset(
            "anthropic",
            wire="anthropic",
            base_url="https://api.anthropic.com",
            api_key_env="ANTHROPIC_API_KEY",
            default_model="claude-haiku-4-5",
            warm_path="v1/models",
            models_path="v1/models",
            prefill=True,
            endpoint="/v1/messages",
            prompt_kind="chat hole-fill with the line prefix prefilled",
            needs="ANTHROPIC_API_KEY (console.anthropic.com)",
            key_url="https://console.anthropic.com/settings/keys",
            prices={"claude-haiku-4-5": (1.00, 5.00)},
        ),
        Preset(
            "openai-compatible",
            wire="openai",
            base_url="",
            api_key_env="",
            default_model="",
            fim=True,
            key_required=False,
            http2=False,
            endpoint="/completions or /chat/completions",
            prompt_kind="raw FIM for FIM model names, else chat hole-fill",
            needs="backend.baseUrl and backend.model; backend.apiKeyEnv if the server wants a key",
        ),
    )
}

OFFLINE = "offline"


def describe_presets() -> str:
    """The `ghostfill backends` table: each preset, where it talks, and what it needs."""
    rows = [("preset", "base URL", "key", "default model")]
    notes = [("", "")]
    rows.append((OFFLINE, "-", "-", "-"))
    notes.append(("built-in n-gram engine", "nothing: learns from your workspace"))
    for p in PRESETS.values():
        key = p.api_key_env or "-"
        if p.api_key_env and not p.key_required:
            key += " (optional)"
        rows.append((p.name, p.base_url or "(backend.baseUrl)", key, p.default_model or "-"))
        notes.append((p.prompt_kind, p.needs))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    out: list[str] = []
    for row, (kind, needs) in zip(rows, notes, strict=True):
        out.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        if kind:
            out.append(f"    prompt: {kind}")
            out.append(f"    needs:  {needs}")
    return "\n".join(out)
