"""The offline engine through the real server: no backend, a workspace it learned, a file it never saw.

The workspace holds the rest of a small package; the file opened in the editor is not on disk
(never indexed). A line of it is cut and the ghost text must be the rest of that line, learned
from the workspace, the open file's own text before and after the cursor, and nothing else.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.e2e.conftest import inline, start

SERVICE = '''"""{name} service."""

from shop.store import Store


class {name}Service:
    def __init__(self, store: Store) -> None:
        self.store = store

    def find(self, key: str) -> dict[str, object] | None:
        return self.store.get("{lower}", key)

    def save(self, key: str, item: dict[str, object]) -> None:
        self.store.put("{lower}", key, item)
'''


def _package(root: Path) -> None:
    (root / "shop").mkdir()
    for name in ("User", "Order", "Item", "Cart", "Invoice"):
        text = SERVICE.format(name=name, lower=name.lower())
        (root / "shop" / f"{name.lower()}.py").write_text(text, encoding="utf-8")


async def _stats(client: LanguageClient) -> Any:
    return await client.protocol.send_request_async("ghostfill/debugStats", {})


async def _indexed(client: LanguageClient, files: int) -> int:
    for _ in range(100):
        count = int((await _stats(client)).offline.files)
        if count >= files:
            return count
        await asyncio.sleep(0.1)
    return count


def _open(client: LanguageClient, uri: str, text: str) -> None:
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="python", version=1, text=text
            )
        )
    )


async def test_a_cut_line_of_an_unseen_file_is_completed(
    client: LanguageClient, workspace: Path
) -> None:
    _package(workspace)
    await start(client, workspace, {"offline": {"minConfidence": 0.2}})
    assert await _indexed(client, 5) == 5
    unseen = SERVICE.format(name="Shipment", lower="shipment")
    line = '        return self.store.get("shipment", key)'
    typed = "        return self.st"
    cut = unseen.replace(line, typed)  # the rest of the line deleted
    uri = (workspace / "shop" / "shipment.py").as_uri()  # not on disk: never indexed
    _open(client, uri, cut)
    row = cut.split("\n").index(typed)
    result = await inline(client, uri, row, len(typed))
    assert result is not None and result.items
    item = result.items[0]
    # range = line start..cursor, text = line prefix + suggestion: the workspace's habit
    # (`return self.store.get`, not the open file's own `self.store.put` further down); the
    # rest ("shipment" is new to the workspace) is not confident enough to show.
    assert item.insert_text == "        return self.store.get"
    assert line.startswith(item.insert_text)
    stats = await _stats(client)
    assert int(stats.offline.files) == 5  # the open file did not enter the workspace model


async def test_disabled_engine_learns_nothing_and_answers_nothing(
    client: LanguageClient, workspace: Path
) -> None:
    _package(workspace)
    await start(client, workspace, {"offline": {"enable": False}})
    await asyncio.sleep(1.0)  # the symbol index still runs; the engine must not
    assert int((await _stats(client)).offline.files) == 0
    uri = (workspace / "shop" / "shipment.py").as_uri()
    text = SERVICE.format(name="Shipment", lower="shipment")
    _open(client, uri, text + "x = Shipm")
    result = await inline(client, uri, text.count("\n"), len("x = Shipm"))
    assert result is None or not result.items
