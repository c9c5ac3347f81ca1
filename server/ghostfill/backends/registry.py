"""Build the configured backend from settings, flags and secrets.

A wire's module (and with it httpx, ~35 ms) is imported when a backend of that wire is first
created: the offline engine, the default, never loads the HTTP stack.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, cast

from ghostfill.backends.base import Backend, BackendConfig
from ghostfill.backends.presets import OFFLINE, PRESETS, Preset
from ghostfill.errors import ConfigError
from ghostfill.settings import BackendSettings

if TYPE_CHECKING:
    import httpx

    Factory = Callable[[BackendConfig, httpx.AsyncClient, Preset], Backend]

WIRES: dict[str, tuple[str, str]] = {
    "openai": ("ghostfill.backends.wires", "OpenAIWires"),
    "ollama": ("ghostfill.backends.ollama", "Ollama"),
    "llamacpp": ("ghostfill.backends.llamacpp", "LlamaCpp"),
    "codestral": ("ghostfill.backends.codestral", "Codestral"),
    "deepseek": ("ghostfill.backends.deepseek", "DeepSeek"),
    "anthropic": ("ghostfill.backends.anthropic", "Anthropic"),
}
"""Preset wire -> (module, class) of the backend that speaks it."""


def resolve(
    settings: BackendSettings,
    api_key: str = "",
    environ: Mapping[str, str] | None = None,
    *,
    require_key: bool = True,
) -> BackendConfig | None:
    """The concrete config for `settings`, or None for the offline engine.

    The key comes from the editor (`api_key`, secret storage) or else from the environment
    variable the settings or preset name; it is never read from a settings file. A provider's
    own endpoint without a key is a ConfigError unless `require_key` is False (`doctor`,
    which reports the missing key itself and sends no code).
    """
    if settings.provider == OFFLINE:
        return None
    preset = PRESETS.get(settings.provider)
    if preset is None:
        raise ConfigError(
            f"unknown backend '{settings.provider}'; run 'ghostfill backends' for the list"
        )
    base_url = settings.baseUrl or preset.base_url
    if not base_url:
        raise ConfigError(
            f"backend '{settings.provider}' needs ghostfill.backend.baseUrl "
            "(e.g. http://127.0.0.1:8000/v1)"
        )
    if not base_url.startswith(("http://", "https://")):
        raise ConfigError(
            f"ghostfill.backend.baseUrl must start with http:// or https:// (got '{base_url}')"
        )
    model = settings.model or preset.default_model
    if not model and preset.model_required:
        raise ConfigError(f"backend '{settings.provider}' needs ghostfill.backend.model")
    env_name = settings.apiKeyEnv or preset.api_key_env
    env = os.environ if environ is None else environ
    key = (api_key or (env.get(env_name, "") if env_name else "")).strip()
    if not key and require_key and _needs_key(preset, base_url, settings.headers):
        where = f" (get one at {preset.key_url})" if preset.key_url else ""
        raise ConfigError(
            f"{settings.provider} needs an API key: set {env_name or 'backend.apiKeyEnv'}{where} "
            f"or run 'ghostfill: Set API Key' in your editor (nothing is sent to {settings.provider} "
            "without one)."
        )
    deadline_s = max(settings.timeoutMs, 1000) / 1000
    return BackendConfig(
        provider=settings.provider,
        base_url=base_url,
        model=model,
        api_key_env=env_name,
        api_key=key,
        template=settings.template,
        timeout_s=deadline_s * 2.5,
        headers=dict(settings.headers),
        stall_timeout_s=deadline_s,
        wire=settings.wire,
        transport=settings.transport,
    )


def _needs_key(preset: Preset, base_url: str, headers: Mapping[str, str]) -> bool:
    """The provider's own endpoint refuses requests without a key: sending one would only
    ship the user's code to get a 401. A base URL of the user's own (a proxy, a gateway) or
    an auth header in `backend.headers` may not need one."""
    auth = {name.lower() for name in headers} & {"authorization", "x-api-key", "api-key"}
    return preset.key_required and base_url == preset.base_url and not auth


def factory(wire: str) -> Factory:
    """The backend class for a preset's wire (its module imported on first use)."""
    module, name = WIRES[wire]
    return cast("Factory", getattr(importlib.import_module(module), name))


def create(config: BackendConfig, client: httpx.AsyncClient) -> Backend:
    preset = PRESETS[config.provider]
    return factory(preset.wire)(config, client, preset)
