"""Ghost text end to end: the real server process, a fake Cerebras-style stream on 127.0.0.1."""

from __future__ import annotations

import asyncio
from pathlib import Path

from ghostfill.fakes.openai import FakeProvider
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.e2e.conftest import (
    backend_options,
    inline,
    open_doc,
    start,
    type_text,
    vscode_capabilities,
)

SOURCE = "def add(a, b):\n    \n\n\nprint(add(1, 2))\n"


async def test_advertises_inline_completion_and_fallback(client: LanguageClient) -> None:
    result = await client.initialize_session(
        types.InitializeParams(capabilities=vscode_capabilities(), workspace_folders=[])
    )
    caps = result.capabilities
    assert caps.inline_completion_provider is not None
    assert caps.completion_provider is not None
    sync = caps.text_document_sync
    assert isinstance(sync, types.TextDocumentSyncOptions)
    assert sync.change == types.TextDocumentSyncKind.Incremental
    assert caps.position_encoding in (None, types.PositionEncodingKind.Utf16)


async def test_ghost_text_from_streaming_backend(
    client: LanguageClient, fake: FakeProvider, workspace: Path
) -> None:
    await start(client, workspace, backend_options(fake))
    uri = open_doc(client, workspace / "calc.py", SOURCE)
    result = await inline(client, uri, 1, 4)
    assert result is not None and len(result.items) == 1
    item = result.items[0]
    assert item.insert_text == "    return a + b"
    assert item.range == types.Range(
        start=types.Position(line=1, character=0), end=types.Position(line=1, character=4)
    )
    body = fake.completion_requests()[-1].body
    assert body["stream"] is True and body["model"] == "fake-coder"
    prompt = body["messages"][-1]["content"]
    assert "def add(a, b):" in prompt and "{{FILL_HERE}}" in prompt


async def test_fim_model_uses_raw_completions(
    client: LanguageClient, fake: FakeProvider, workspace: Path
) -> None:
    await start(client, workspace, backend_options(fake, backend={"model": "qwen2.5-coder-7b"}))
    uri = open_doc(client, workspace / "calc.py", SOURCE)
    result = await inline(client, uri, 1, 4)
    assert result is not None and result.items[0].insert_text == "    return a + b"
    request = fake.completion_requests()[-1]
    assert request.path == "/v1/completions"
    assert request.body["prompt"].endswith(
        "def add(a, b):\n    <|fim_suffix|>\n\n\nprint(add(1, 2))\n<|fim_middle|>"
    )
    assert "<|endoftext|>" in request.body["stop"]


async def test_typing_through_is_served_from_the_continuation(
    client: LanguageClient, fake: FakeProvider, workspace: Path
) -> None:
    await start(client, workspace, backend_options(fake))
    uri = open_doc(client, workspace / "calc.py", SOURCE)
    first = await inline(client, uri, 1, 4)
    assert first is not None and first.items[0].insert_text == "    return a + b"
    for n, ch in enumerate("return"):
        type_text(client, uri, n + 2, 1, 4 + n, ch)
        again = await inline(client, uri, 1, 5 + n)
        assert again is not None and again.items[0].insert_text == "    return a + b"
    assert len(fake.completion_requests()) == 1


async def test_diverging_keystroke_asks_again(
    client: LanguageClient, fake: FakeProvider, workspace: Path
) -> None:
    await start(client, workspace, backend_options(fake))
    uri = open_doc(client, workspace / "calc.py", SOURCE)
    await inline(client, uri, 1, 4)
    fake.reply = lambda body: "x = 1"
    type_text(client, uri, 2, 1, 4, "z")
    result = await inline(client, uri, 1, 5)
    assert result is not None and result.items[0].insert_text == "    zx = 1"
    assert len(fake.completion_requests()) == 2


async def test_block_answers_first_line_then_notifies_ready(
    client: LanguageClient, fake: FakeProvider, workspace: Path
) -> None:
    fake.reply = lambda body: "total = a + b\n    return total\n"
    fake.tokens_per_s = 40  # slow enough that the first line is answered before the rest arrives
    recorder = await start(client, workspace, backend_options(fake))
    uri = open_doc(client, workspace / "calc.py", SOURCE)
    first = await inline(client, uri, 1, 4)
    assert first is not None and first.items[0].insert_text == "    total = a + b"
    for _ in range(100):
        if recorder.ready:
            break
        await asyncio.sleep(0.05)
    assert recorder.ready and recorder.ready[0].uri == uri
    full = await inline(client, uri, 1, 4)
    assert full is not None and full.items[0].insert_text == "    total = a + b\n    return total"
    assert len(fake.completion_requests()) == 1


async def test_completion_fallback_item(
    client: LanguageClient, fake: FakeProvider, workspace: Path
) -> None:
    await start(client, workspace, backend_options(fake))
    uri = open_doc(client, workspace / "calc.py", SOURCE)
    result = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=1, character=4),
        )
    )
    assert isinstance(result, types.CompletionList) and len(result.items) == 1
    item = result.items[0]
    assert item.detail is not None and "ghostfill" in item.detail
    # the item replaces the word before the cursor (empty here), not the line
    assert isinstance(item.text_edit, types.TextEdit)
    assert item.text_edit.new_text == "return a + b"
    assert item.text_edit.range.start == types.Position(line=1, character=4)


async def test_utf16_positions_after_emoji(
    client: LanguageClient, fake: FakeProvider, workspace: Path
) -> None:
    fake.reply = lambda body: ")"
    await start(client, workspace, backend_options(fake))
    uri = open_doc(client, workspace / "emoji.py", 'print("😀 café 漢字"\n')
    result = await inline(client, uri, 0, 18)
    assert result is not None and result.items[0].insert_text == 'print("😀 café 漢字")'
    assert result.items[0].range is not None and result.items[0].range.end.character == 18


async def test_the_first_document_of_a_language_is_rehearsed_without_a_call(
    client: LanguageClient, fake: FakeProvider, workspace: Path
) -> None:
    await start(client, workspace, backend_options(fake, logLevel="debug"))
    uri = open_doc(client, workspace / "calc.py", SOURCE)
    open_doc(client, workspace / "other.py", SOURCE)  # the language is rehearsed once

    def rehearsals() -> int:
        return sum("request path rehearsed for python" in m.message for m in client.log_messages)

    for _ in range(500):
        if rehearsals():
            break
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.2)
    assert rehearsals() == 1
    assert fake.completion_requests() == []  # nobody was asked
    result = await inline(client, uri, 1, 4)
    assert result is not None and result.items[0].insert_text == "    return a + b"
    assert len(fake.completion_requests()) == 1
