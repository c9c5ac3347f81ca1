"""The real `ghostfill serve` process over stdio, driven by pytest-lsp, against fakes on 127.0.0.1."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from ghostfill.fakes.openai import FakeProvider
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

SERVER = [sys.executable, "-m", "ghostfill", "serve", "--log-level", "debug"]


def vscode_capabilities() -> types.ClientCapabilities:
    """VS Code's recorded capabilities (1.65) plus the LSP 3.18 inline completion it has now."""
    caps = client_capabilities("visual-studio-code")
    assert caps.text_document is not None
    caps.text_document.inline_completion = types.InlineCompletionClientCapabilities(
        dynamic_registration=False
    )
    return caps


class Recorder:
    """Custom ghostfill notifications the client received."""

    def __init__(self) -> None:
        self.ready: list[Any] = []
        self.status: list[Any] = []


@pytest.fixture
def fake() -> Iterator[FakeProvider]:
    with FakeProvider("return a + b") as provider:
        yield provider


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    (tmp_path / "ws").mkdir()
    return tmp_path / "ws"


def backend_options(fake: FakeProvider, **extra: Any) -> dict[str, Any]:
    backend = {
        "provider": "openai-compatible",
        "baseUrl": fake.base_url,
        "model": "fake-coder",
        "timeoutMs": 3000,
    }
    backend.update(extra.pop("backend", {}))
    return {"backend": backend, "completion": {"debounceMs": 0}, **extra}


async def start(lsp_client: LanguageClient, workspace: Path, options: dict[str, Any]) -> Recorder:
    recorder = Recorder()

    @lsp_client.feature("ghostfill/completionReady")
    def _ready(params: Any) -> None:
        recorder.ready.append(params)

    @lsp_client.feature("ghostfill/status")
    def _status(params: Any) -> None:
        recorder.status.append(params)

    lsp_client.set_configuration(options, section="ghostfill")
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=vscode_capabilities(),
            initialization_options=options,
            workspace_folders=[types.WorkspaceFolder(uri=workspace.as_uri(), name="ws")],
        )
    )
    return recorder


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def client(lsp_client: LanguageClient) -> AsyncIterator[LanguageClient]:
    yield lsp_client
    await lsp_client.shutdown_session()


def open_doc(
    client: LanguageClient, path: Path, text: str, language: str = "python", version: int = 1
) -> str:
    path.write_text(text, encoding="utf-8")
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id=language, version=version, text=text
            )
        )
    )
    return uri


def type_text(
    client: LanguageClient, uri: str, version: int, line: int, character: int, text: str
) -> None:
    at = types.Position(line=line, character=character)
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(start=at, end=at), text=text
                )
            ],
        )
    )


async def inline(
    client: LanguageClient, uri: str, line: int, character: int
) -> types.InlineCompletionList | None:
    result = await client.text_document_inline_completion_async(
        types.InlineCompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=line, character=character),
            context=types.InlineCompletionContext(
                trigger_kind=types.InlineCompletionTriggerKind.Automatic
            ),
        )
    )
    assert result is None or isinstance(result, types.InlineCompletionList)
    return result
