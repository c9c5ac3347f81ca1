"""Presets as data, `ghostfill backends`, resolving settings into a config, and the client."""

from __future__ import annotations

import logging

import httpx
import pytest
from ghostfill.backends.anthropic import Anthropic
from ghostfill.backends.client import LazyTransport, make_client, pool_stats
from ghostfill.backends.codestral import Codestral
from ghostfill.backends.deepseek import DeepSeek
from ghostfill.backends.llamacpp import LlamaCpp
from ghostfill.backends.ollama import Ollama
from ghostfill.backends.presets import PRESETS, describe_presets
from ghostfill.backends.registry import create, resolve
from ghostfill.backends.transport import CancelSafeTransport
from ghostfill.backends.wires import OpenAIWires
from ghostfill.errors import ConfigError
from ghostfill.fakes.openai import FakeProvider
from ghostfill.settings import BackendSettings

from tests.unit.backends.conftest import CANARY

NAMES = [
    "cerebras",
    "groq",
    "openai",
    "openrouter",
    "ollama",
    "llamacpp",
    "vllm",
    "codestral",
    "deepseek",
    "anthropic",
    "openai-compatible",
]
CLASSES = {
    "cerebras": OpenAIWires,
    "groq": OpenAIWires,
    "openai": OpenAIWires,
    "openrouter": OpenAIWires,
    "vllm": OpenAIWires,
    "openai-compatible": OpenAIWires,
    "ollama": Ollama,
    "llamacpp": LlamaCpp,
    "codestral": Codestral,
    "deepseek": DeepSeek,
    "anthropic": Anthropic,
}


def test_every_preset_is_there() -> None:
    assert list(PRESETS) == NAMES


def test_describe_lists_every_preset_and_what_it_needs() -> None:
    text = describe_presets()
    assert text.splitlines()[1].startswith("offline")
    for name, preset in PRESETS.items():
        assert f"\n{name} " in text
        assert preset.needs in text
        if preset.api_key_env:
            assert preset.api_key_env in text


@pytest.mark.parametrize("name", NAMES)
async def test_each_preset_resolves_and_builds_its_wire(name: str) -> None:
    settings = BackendSettings(
        provider=name,  # type: ignore[arg-type]
        baseUrl="http://127.0.0.1:1/v1" if name == "openai-compatible" else "",
        model="m" if name == "openai-compatible" else "",
    )
    env = {PRESETS[name].api_key_env: "env-key"} if PRESETS[name].api_key_env else {}
    config = resolve(settings, environ=env)
    assert config is not None
    assert config.api_key == ("env-key" if env else "")
    async with httpx.AsyncClient() as client:
        backend = create(config, client)
    assert type(backend) is CLASSES[name]
    assert backend.name == name and backend.gate.blocked() == 0.0


def test_editor_key_beats_the_environment_and_is_never_in_repr() -> None:
    config = resolve(
        BackendSettings(provider="cerebras"), api_key=CANARY, environ={"CEREBRAS_API_KEY": "env"}
    )
    assert config is not None and config.api_key == CANARY
    assert CANARY not in repr(config)


def test_custom_key_variable() -> None:
    config = resolve(
        BackendSettings(
            provider="codestral", baseUrl="https://api.mistral.ai", apiKeyEnv="MISTRAL_API_KEY"
        ),
        environ={"MISTRAL_API_KEY": "mk", "CODESTRAL_API_KEY": "ck"},
    )
    assert config is not None
    assert (config.api_key, config.api_key_env, config.base_url) == (
        "mk",
        "MISTRAL_API_KEY",
        "https://api.mistral.ai",
    )


def test_timeouts_follow_the_deadline_setting() -> None:
    config = resolve(
        BackendSettings(provider="groq", timeoutMs=2000), environ={"GROQ_API_KEY": "k"}
    )
    assert config is not None
    assert (config.timeout_s, config.stall_timeout_s) == (5.0, 2.0)


def test_offline_is_none() -> None:
    assert resolve(BackendSettings(provider="offline"), environ={}) is None


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            BackendSettings(provider="openai-compatible", model="m"),
            "needs ghostfill.backend.baseUrl",
        ),
        (
            BackendSettings(provider="openai-compatible", baseUrl="http://h/v1"),
            "needs ghostfill.backend.model",
        ),
        (BackendSettings(provider="groq", baseUrl="api.groq.com"), "must start with http://"),
        (BackendSettings(provider="nope"), "unknown backend 'nope'"),  # type: ignore[arg-type]
    ],
)
def test_config_errors(settings: BackendSettings, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        resolve(settings, environ={})


@pytest.mark.parametrize("provider", ["cerebras", "groq", "openai", "anthropic", "deepseek"])
def test_a_providers_own_endpoint_without_a_key_is_a_config_error(provider: str) -> None:
    """Nothing would come back but a 401, after the code went out: refuse before sending."""
    env = PRESETS[provider].api_key_env
    with pytest.raises(ConfigError, match=f"{provider} needs an API key: set {env}"):
        resolve(BackendSettings(provider=provider), environ={})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "settings",
    [
        BackendSettings(provider="cerebras", baseUrl="http://127.0.0.1:9/v1"),  # a proxy
        BackendSettings(provider="cerebras", headers={"Authorization": "Bearer from-a-header"}),
        BackendSettings(provider="llamacpp"),  # a local server: the key is optional
        BackendSettings(provider="ollama"),
    ],
)
def test_no_key_is_fine_where_one_may_not_be_needed(settings: BackendSettings) -> None:
    config = resolve(settings, environ={})
    assert config is not None and config.api_key == ""


def test_llamacpp_needs_no_model() -> None:
    config = resolve(BackendSettings(provider="llamacpp"), environ={})
    assert config is not None and config.model == ""


async def test_client_is_http2_capable_and_quiet_about_headers() -> None:
    logging.getLogger("hpack").setLevel(logging.DEBUG)
    with FakeProvider("x = 1") as fake:
        async with make_client() as client:
            assert isinstance(client, httpx.AsyncClient)
            assert client.headers["User-Agent"].startswith("ghostfill/")
            lazy = client._transport
            assert isinstance(lazy, LazyTransport)
            assert lazy._inner is None  # nothing built (TLS context, httpcore) before a request
            assert (await client.get(f"{fake.base_url}/models")).status_code == 200
            transport = lazy._inner
            assert isinstance(transport, CancelSafeTransport)
            pool = transport._inner._pool  # type: ignore[attr-defined]
            assert pool._http2 is True and pool._retries == 0
            assert pool_stats(client) == (0, 1)  # the connection went back to the pool
    assert logging.getLogger("hpack").level == logging.INFO
