"""Next edits through the real server: rename one occurrence, get the others as inline edits.

`textDocument/copilotInlineEdit` in the shape copilot-language-server serves: ranges in the
current version, applying them gives the renamed function, the accept command is counted, a
stale version gets no edits, a fresh statement gets no edits.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.e2e.conftest import open_doc, start

SOURCE = """def total(items, count):
    result = 0
    for item in items:
        result += item * count
    return result + count


def other(count):
    return count
"""


def _replace(
    client: LanguageClient, uri: str, version: int, line: int, a: int, b: int, text: str
) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(
                        start=types.Position(line=line, character=a),
                        end=types.Position(line=line, character=b),
                    ),
                    text=text,
                )
            ],
        )
    )


async def _ask(client: LanguageClient, uri: str, version: int, line: int, character: int) -> Any:
    return await client.protocol.send_request_async(
        "textDocument/copilotInlineEdit",
        {
            "textDocument": {"uri": uri, "version": version},
            "position": {"line": line, "character": character},
        },
    )


def _apply(text: str, edits: Any) -> str:
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)

    def at(p: Any) -> int:
        return offsets[p.line] + p.character

    out = text
    spans = sorted(((at(e.range.start), at(e.range.end), e.text) for e in edits), reverse=True)
    for (a, b, new), later in zip(spans, [None, *spans[:-1]], strict=True):
        assert later is None or b <= later[0], "edits overlap"
        out = out[:a] + new + out[b:]
    return out


async def test_renaming_a_parameter_offers_the_other_occurrences(
    client: LanguageClient, workspace: Path
) -> None:
    await start(client, workspace, {})
    uri = open_doc(client, workspace / "calc.py", SOURCE)
    _replace(client, uri, 2, 0, 17, 22, "f")  # select `count` in the signature, type `factor`
    for i, ch in enumerate("actor", start=1):
        _replace(client, uri, 2 + i, 0, 17 + i, 17 + i, ch)
    current = SOURCE.replace("items, count", "items, factor")
    result = await _ask(client, uri, 7, 0, 23)
    assert _apply(current, result.edits) == SOURCE.replace("count", "factor").replace(
        "def other(factor):\n    return factor", "def other(count):\n    return count"
    )
    assert all(e.textDocument.version == 7 and e.textDocument.uri == uri for e in result.edits)
    command = result.edits[0].command
    assert command.command == "ghostfill.didAcceptEdit"
    await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=command.command, arguments=command.arguments)
    )
    stats = await client.protocol.send_request_async("ghostfill/debugStats", {})
    assert stats.nextEdit.served == 1 and stats.nextEdit.accepted == 1

    stale = await _ask(client, uri, 6, 0, 23)
    assert stale.edits == []


async def test_a_fresh_statement_gets_no_edit(client: LanguageClient, workspace: Path) -> None:
    await start(client, workspace, {})
    uri = open_doc(client, workspace / "calc.py", SOURCE)
    typed = "\n    scale = count * 2"
    for i, ch in enumerate(typed):
        line, col = (1, 14) if i == 0 else (2, i - 1 + 0)
        _replace(client, uri, 2 + i, line, col, col, ch)
    result = await _ask(client, uri, 1 + len(typed), 2, len(typed) - 1)
    assert result.edits == []


async def test_turned_off_it_answers_no_edit(client: LanguageClient, workspace: Path) -> None:
    await start(client, workspace, {"nextEdit": {"enable": False}})
    uri = open_doc(client, workspace / "calc.py", SOURCE)
    _replace(client, uri, 2, 0, 17, 22, "factor")
    result = await _ask(client, uri, 2, 0, 23)
    assert result.edits == []
