"""Shared pieces for backend tests: a real shared client, one context, and the canary key.

Every backend is exercised over real HTTP against its fake on 127.0.0.1 (ghostfill.fakes)."""

from __future__ import annotations

import dataclasses
import functools
import ssl
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from ghostfill.backends.base import Backend
from ghostfill.backends.client import make_client
from ghostfill.backends.registry import create, resolve
from ghostfill.model import CompletionContext, GenerationParams, Prompt, Snippet
from ghostfill.prompt.render import render
from ghostfill.prompt.templates import quirks
from ghostfill.settings import BackendSettings

CANARY = "sk-CANARY-0123456789abcdefghijklmnopqrstuv"
"""A key that must never show up in a message, repr or log line."""

CTX = CompletionContext(
    uri="file:///ws/calc.py",
    path="calc.py",
    language="python",
    prefix="import math\n\ndef add(a, b):\n    return ",
    suffix="\n\nprint(add(1, 2))\n",
    line_prefix="    return ",
    line_suffix="",
    snippets=(Snippet("util.py", "def sub(a, b):\n    return a - b\n", "neighbour"),),
)


@functools.cache
def _ssl() -> ssl.SSLContext:
    return ssl.create_default_context()


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with make_client(verify=_ssl()) as c:
        yield c


def backend(
    client: httpx.AsyncClient,
    provider: str,
    base_url: str,
    *,
    key: str = CANARY,
    model: str = "",
    template: str = "auto",
    **config: Any,
) -> Backend:
    settings = BackendSettings(provider=provider, baseUrl=base_url, model=model, template=template)  # type: ignore[arg-type]
    resolved = resolve(settings, api_key=key, environ={})
    assert resolved is not None
    if config:
        resolved = dataclasses.replace(resolved, **config)
    return create(resolved, client)


def prepared(b: Backend, ctx: CompletionContext = CTX) -> tuple[Prompt, GenerationParams]:
    """What the pipeline does: render for the model, let the backend shape it, build params."""
    prompt = b.prepare(render(ctx, model=b.config.model, template=b.config.template))
    params = GenerationParams(
        max_tokens=64, temperature=0.0, stop=prompt.stop, extra=quirks(b.config.model)[0]
    )
    return prompt, params


async def complete(b: Backend, ctx: CompletionContext = CTX) -> str:
    prompt, params = prepared(b, ctx)
    return "".join([t async for t in b.stream(prompt, params)])


def chat_json(prompt: Prompt) -> list[dict[str, str]]:
    return [{"role": m.role, "content": m.content} for m in prompt.messages]


def no_canary(*texts: object) -> None:
    for text in texts:
        assert CANARY not in str(text)
        assert CANARY[8:30] not in str(text)
