"""`ghostfill doctor` against fakes: a clean bill of health, and each problem with its fix."""

from __future__ import annotations

import pytest
from ghostfill.cli import main
from ghostfill.doctor import doctor
from ghostfill.fakes.llamacpp import FakeLlamaCpp
from ghostfill.fakes.openai import FakeProvider
from ghostfill.settings import BackendSettings

from tests.unit.backends.conftest import CANARY

ENV = {"CEREBRAS_API_KEY": CANARY}


async def run(settings: BackendSettings, env: dict[str, str], requests: int = 2) -> tuple[int, str]:
    lines: list[str] = []
    code = await doctor(settings, requests=requests, out=lines.append, environ=env)
    text = "\n".join(lines)
    assert CANARY not in text
    return code, text


async def test_healthy_backend() -> None:
    with FakeProvider("fib(n - 1) + fib(n - 2)", require_key=CANARY) as fake:
        code, text = await run(
            BackendSettings(provider="cerebras", baseUrl=fake.base_url, model="fake-coder"), ENV
        )
        assert len(fake.completion_requests()) == 2
    assert code == 0
    assert "ok    key        set (from CEREBRAS_API_KEY); never printed" in text
    assert "ok    model      fake-coder is available (2 models)" in text
    assert "ok    latency    chat hole-fill, 2 requests: first token" in text
    assert "ok    sample     'fib(n - 1) + fib(n - 2)'" in text
    assert text.endswith("All good.")


async def test_wrong_key() -> None:
    with FakeProvider("x", require_key="other") as fake:
        code, text = await run(
            BackendSettings(provider="cerebras", baseUrl=fake.base_url, model="fake-coder"), ENV
        )
    assert code == 1
    assert "FAIL  auth       cerebras rejected the API key (401): set CEREBRAS_API_KEY" in text


async def test_missing_key_and_unknown_model() -> None:
    with FakeProvider("x") as fake:
        code, text = await run(
            BackendSettings(provider="cerebras", baseUrl=fake.base_url, model="nope"), {}
        )
    assert code == 1
    assert "FAIL  key        no API key: CEREBRAS_API_KEY is not set" in text
    assert "fix: export CEREBRAS_API_KEY=<your key> (get one at https://cloud.cerebras.ai)" in text
    assert "FAIL  model      'nope' is not in the provider's list" in text
    assert "fix: set backend.model (--model) to one of: fake-coder, qwen-2.5-coder-fake" in text


async def test_local_server_not_running() -> None:
    code, text = await run(BackendSettings(provider="llamacpp", baseUrl="http://127.0.0.1:9"), {})
    assert code == 1
    assert "FAIL  reach      cannot connect to http://127.0.0.1:9 (ConnectError)" in text
    assert "fix: start the server (`llama-server --fim-qwen-1.5b-default`" in text


async def test_native_fim_server() -> None:
    with FakeLlamaCpp("a + b") as fake:
        code, text = await run(
            BackendSettings(provider="llamacpp", baseUrl=fake.base_url), {}, requests=1
        )
    assert code == 0
    assert "FIM via /infill, 1 requests" in text


async def test_bad_configuration() -> None:
    code, text = await run(BackendSettings(provider="openai-compatible"), {})
    assert code == 1
    assert "FAIL  config     backend 'openai-compatible' needs ghostfill.backend.baseUrl" in text


async def test_offline_has_nothing_to_check() -> None:
    code, text = await run(BackendSettings(), {})
    assert code == 0 and "nothing to check" in text


def test_cli_entry(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CEREBRAS_API_KEY", CANARY)
    with FakeProvider("x", require_key=CANARY) as fake:
        argv = ["doctor", "--backend", "cerebras", "--model", "fake-coder"]
        assert main([*argv, "--base-url", fake.base_url, "--requests", "1"]) == 0
    out = capsys.readouterr().out
    assert "All good." in out and CANARY not in out
