"""Model next edits through the real server, against a fake next-edit model over HTTP.

Each prompt format goes to its endpoint and comes back as inline edits in the current version;
typing while the model thinks cancels the request (the fake sees the connection closed); a
privacy-excluded file never reaches the model; the offline rules answer without a request.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from ghostfill.fakes.nextedit import FakeNextEdit
from pytest_lsp import LanguageClient

from tests.e2e.conftest import open_doc, start
from tests.e2e.test_next_edit import _apply, _ask, _replace

SOURCE = """def collect(xs):
    out = []
    out.append(xs[0])
    out.append(xs[1])
    out.append(xs[2])
    return out
"""


@pytest.fixture
def model() -> Iterator[FakeNextEdit]:
    with FakeNextEdit(lambda region: region.replace("append", "push")) as fake:
        yield fake


def _options(model: FakeNextEdit, fmt: str) -> dict[str, object]:
    return {
        "backend": {
            "provider": "openai-compatible",
            "baseUrl": model.base_url,
            "model": "fake-coder",
            "timeoutMs": 3000,
        },
        "completion": {"debounceMs": 0},
        "nextEdit": {"useBackend": True, "format": fmt},
    }


def _push_on_line_2(client: LanguageClient, uri: str) -> int:
    """Backspace `append` on line 2 and type `push`; returns the version reached."""
    version = 1
    for i in range(6, 0, -1):
        version += 1
        _replace(client, uri, version, 2, 7 + i, 8 + i, "")
    for i, ch in enumerate("push"):
        version += 1
        _replace(client, uri, version, 2, 8 + i, 8 + i, ch)
    return version


@pytest.mark.parametrize(
    ("fmt", "path"),
    [
        ("chat", "/v1/chat/completions"),
        ("zeta", "/v1/completions"),
        ("sweep", "/v1/completions"),
        ("mercury", "/v1/edit/completions"),
    ],
)
async def test_each_format_predicts_the_same_change_on_the_sibling_lines(
    client: LanguageClient, workspace: Path, model: FakeNextEdit, fmt: str, path: str
) -> None:
    await start(client, workspace, _options(model, fmt))
    uri = open_doc(client, workspace / "collect.py", SOURCE)
    version = _push_on_line_2(client, uri)
    result = await _ask(client, uri, version, 2, 12)
    current = SOURCE.replace("out.append(xs[0])", "out.push(xs[0])")
    assert _apply(current, result.edits) == SOURCE.replace("append", "push")
    assert all(e.textDocument.version == version for e in result.edits)
    assert [p[0] for p in model.prompts] == [fmt]
    assert model.last().path == path
    again = await _ask(client, uri, version, 2, 12)
    assert len(again.edits) == len(result.edits) and len(model.completion_requests()) == 1
    stats = await client.protocol.send_request_async("ghostfill/debugStats", {})
    assert stats.nextEdit.served == 2


async def test_typing_cancels_the_models_request(client: LanguageClient, workspace: Path) -> None:
    with FakeNextEdit(lambda r: r.replace("append", "push"), ttft_ms=3000) as slow:
        await start(client, workspace, _options(slow, "chat"))
        uri = open_doc(client, workspace / "collect.py", SOURCE)
        version = _push_on_line_2(client, uri)
        asked = asyncio.ensure_future(_ask(client, uri, version, 2, 12))
        for _ in range(250):  # up to 5 s for the request to reach the fake
            if slow.completion_requests():
                break
            await asyncio.sleep(0.02)
        _replace(client, uri, version + 1, 5, 14, 14, " ")
        t0 = time.monotonic()
        result = await asyncio.wait_for(asyncio.shield(asked), 5)
        assert result.edits == [] and time.monotonic() - t0 < 2.5
        stats = await client.protocol.send_request_async("ghostfill/debugStats", {})
        assert stats.nextEdit.cancelled == 1


async def test_an_excluded_file_never_reaches_the_model(
    client: LanguageClient, workspace: Path, model: FakeNextEdit
) -> None:
    await start(client, workspace, _options(model, "chat"))
    uri = open_doc(client, workspace / ".env.py", SOURCE)
    version = _push_on_line_2(client, uri)
    result = await _ask(client, uri, version, 2, 12)
    assert result.edits == [] and model.completion_requests() == []


async def test_a_rename_is_answered_by_the_rules_without_a_request(
    client: LanguageClient, workspace: Path, model: FakeNextEdit
) -> None:
    await start(client, workspace, _options(model, "chat"))
    uri = open_doc(client, workspace / "collect.py", SOURCE)
    _replace(client, uri, 2, 0, 12, 14, "items")  # xs -> items in the signature
    result = await _ask(client, uri, 2, 0, 17)
    assert len(result.edits) == 3 and model.completion_requests() == []
