"""Feedback and stats through the real server: every item carries the accept command, the
server takes didShowCompletion / didPartiallyAcceptCompletion / the command, `ghostfill/stats`
and `ghostfill stats --json` count them; stats.enable = false writes nothing; the spend guard
serves offline past its cap and says so once."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ghostfill.fakes.openai import FakeProvider
from lsprotocol import types
from lsprotocol.converters import get_converter
from pytest_lsp import LanguageClient

from tests.e2e.conftest import backend_options, inline, open_doc, start

SOURCE = "def add(a, b):\n    \n\n\ndef sub(a, b):\n    \n"
CAP = "spending cap reached"


@pytest.fixture
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Listed before `client`: the server keeps its stats here."""
    home = tmp_path / "data"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    return home


def _json(item: types.InlineCompletionItem) -> Any:
    return get_converter().unstructure(item)


async def _stats(client: LanguageClient) -> Any:
    return await client.protocol.send_request_async("ghostfill/stats", {})


async def test_feedback_is_counted(
    data_home: Path, client: LanguageClient, fake: FakeProvider, workspace: Path
) -> None:
    await start(client, workspace, backend_options(fake))
    uri = open_doc(client, workspace / "calc.py", SOURCE)
    first, second = await inline(client, uri, 1, 4), await inline(client, uri, 5, 4)
    assert first is not None and second is not None
    a, b = first.items[0], second.items[0]
    assert a.command is not None and a.command.command == "ghostfill.didAccept"
    assert b.command is not None and a.command.arguments != b.command.arguments
    client.protocol.notify("textDocument/didShowCompletion", {"item": _json(a)})
    client.protocol.notify("textDocument/didShowCompletion", {"item": _json(b)})
    client.protocol.notify("textDocument/didShowCompletion", {"item": _json(b)})  # once only
    await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="ghostfill.didAccept", arguments=a.command.arguments)
    )
    client.protocol.notify(
        "textDocument/didPartiallyAcceptCompletion", {"item": _json(b), "acceptedLength": 11}
    )
    stats = await _stats(client)
    assert (stats.shown, stats.accepted, stats.partial) == (2, 1, 1)
    assert stats.acceptanceRate == 1.0
    assert stats.charsAccepted == len("return a + b") + len("return ")  # 11 - 4 of line prefix
    assert stats.requests == 2 and stats.tokens > 0
    assert [b.backend for b in stats.backends] == ["openai-compatible"]
    # the stats request flushed the writer: the command line reads the same rows
    env = {**os.environ, "XDG_DATA_HOME": str(data_home)}
    out = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "ghostfill", "stats", "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    data = json.loads(out.stdout)
    assert (data["shown"], data["accepted"], data["partial"]) == (2, 1, 1)
    assert data["languages"][0]["language"] == "python"


async def test_server_advertises_the_accept_command(client: LanguageClient) -> None:
    from tests.e2e.conftest import vscode_capabilities

    result = await client.initialize_session(
        types.InitializeParams(capabilities=vscode_capabilities(), workspace_folders=[])
    )
    provider = result.capabilities.execute_command_provider
    assert provider is not None and "ghostfill.didAccept" in provider.commands


async def test_disabled_stats_write_nothing(
    data_home: Path, client: LanguageClient, fake: FakeProvider, workspace: Path
) -> None:
    await start(client, workspace, backend_options(fake, stats={"enable": False}))
    uri = open_doc(client, workspace / "calc.py", SOURCE)
    result = await inline(client, uri, 1, 4)
    assert result is not None and result.items
    item = result.items[0]
    client.protocol.notify("textDocument/didShowCompletion", {"item": _json(item)})
    assert item.command is not None
    await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="ghostfill.didAccept", arguments=item.command.arguments)
    )
    stats = await _stats(client)
    assert (stats.shown, stats.accepted, stats.enabled) == (0, 0, False)
    assert not await asyncio.to_thread(data_home.exists)


async def test_spend_guard_serves_offline_and_says_so_once(
    data_home: Path, client: LanguageClient, fake: FakeProvider, workspace: Path
) -> None:
    options = backend_options(fake, backend={"maxTokensPerHour": 50})
    await start(client, workspace, options)
    uri = open_doc(client, workspace / "calc.py", SOURCE)
    for line in (1, 5, 1, 5):
        await inline(client, uri, line, 4)
    assert len(fake.completion_requests()) == 1  # the first prompt alone is over 50 tokens
    for _ in range(40):
        if any(CAP in m.message for m in client.messages):
            break
        await asyncio.sleep(0.05)
    notes = [m.message for m in client.messages if CAP in m.message]
    assert len(notes) == 1 and "backend.maxTokensPerHour (50)" in notes[0]
    stats = await _stats(client)
    assert stats.spend.maxTokensPerHour == 50 and stats.spend.tokensLastHour > 50


async def test_next_edits_shown_accepted_and_dismissed_are_counted(
    data_home: Path, client: LanguageClient, workspace: Path
) -> None:
    """A rename propagation served twice (two versions), shown, one taken (its command), one
    dismissed: `ghostfill/stats` and `ghostfill stats` count them under nextEdits."""
    from tests.e2e.test_next_edit import SOURCE as CALC
    from tests.e2e.test_next_edit import _ask, _replace

    await start(client, workspace, {})
    uri = open_doc(client, workspace / "calc.py", CALC)
    _replace(client, uri, 2, 0, 17, 22, "n")  # `count` -> `n` in the signature
    first = await _ask(client, uri, 2, 0, 18)
    _replace(client, uri, 3, 0, 18, 18, "2")  # `n` -> `n2`: a new prediction
    second = await _ask(client, uri, 3, 0, 19)
    assert first.edits and second.edits
    one, two = first.edits[0].command, second.edits[0].command
    assert one.arguments != two.arguments
    for command in (one, two, two):  # a second "shown" of the same prediction counts once
        shown = {"command": command.command, "arguments": command.arguments}
        client.protocol.notify("textDocument/didShowInlineEdit", {"item": {"command": shown}})
    client.protocol.notify(
        "ghostfill/didDismissInlineEdit",
        {"item": {"command": {"command": one.command, "arguments": one.arguments}}},
    )
    for edit in second.edits:  # sidekick.nvim runs every edit's command: one accept
        await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command=edit.command.command, arguments=two.arguments)
        )
    stats = await _stats(client)
    edits = stats.nextEdits
    assert (edits.served, edits.shown, edits.accepted, edits.dismissed) == (2, 2, 1, 1)
    assert stats.served == 0 and stats.shown == 0  # inline suggestions are counted apart
    out = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "ghostfill", "stats"],
        env={**os.environ, "XDG_DATA_HOME": str(data_home)},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert "next edits: shown 2   accepted 1   dismissed 1   acceptance rate 50%" in out.stdout
