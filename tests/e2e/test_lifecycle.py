"""Request lifecycle end to end: superseded and cancelled streams close their HTTP connection,
streams cut short keep it in the pool, typing through a stream that is still arriving costs
no second backend call, Enter and the next line come from the lookahead, hedging.

The fake streams slowly (tokens_per_s) so that each event happens while a stream is open;
the assertions are on what the fake saw (requests, early disconnects), never on durations.
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import pytest
from ghostfill.fakes.openai import FakeProvider
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.e2e.conftest import backend_options, inline, open_doc, start, type_text

SOURCE = "def add(a, b):\n    \n\nprint(add(1, 2))\n"
SLOW = "return " + "a + " * 60 + "b\n"
"""A long first line: at 40 tokens/s it takes seconds, so the stream is open when we act."""


async def until(check: Any, within: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not check():
        assert loop.time() < deadline, "condition not reached"
        await asyncio.sleep(0.02)


async def back_in_pool(client: LanguageClient, within: float = 10.0) -> None:
    """Until no HTTP connection is checked out (each is idle in the pool or closed)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        result = await client.protocol.send_request_async("ghostfill/debugStats", {})
        if result.httpActive == 0:
            return
        assert loop.time() < deadline, "a connection stays checked out"
        await asyncio.sleep(0.02)


def inline_params(uri: str, line: int, character: int) -> types.InlineCompletionParams:
    return types.InlineCompletionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=types.Position(line=line, character=character),
        context=types.InlineCompletionContext(
            trigger_kind=types.InlineCompletionTriggerKind.Automatic
        ),
    )


async def test_superseding_request_closes_the_stream(
    client: LanguageClient, fake: FakeProvider, workspace: Path
) -> None:
    fake.reply = lambda body: SLOW if len(fake.completion_requests()) <= 1 else "42"
    fake.tokens_per_s = 40
    await start(client, workspace, backend_options(fake))
    uri = open_doc(client, workspace / "calc.py", SOURCE)
    first = asyncio.ensure_future(inline(client, uri, 1, 4))
    await until(lambda: len(fake.completion_requests()) == 1)
    type_text(client, uri, 2, 4, 0, "x = ")
    second = await inline(client, uri, 4, 4)
    assert second is not None and second.items[0].insert_text == "x = 42"
    await until(lambda: fake.closed_early == 1)
    assert len(fake.completion_requests()) == 2
    await first


async def test_cancel_request_closes_an_orphaned_stream(
    client: LanguageClient, fake: FakeProvider, workspace: Path
) -> None:
    fake.reply = lambda body: SLOW
    fake.tokens_per_s = 40
    await start(client, workspace, backend_options(fake))
    uri = open_doc(client, workspace / "calc.py", SOURCE)
    msg_id = str(uuid.uuid4())
    pending = asyncio.ensure_future(
        client.protocol.send_request_async(
            types.TEXT_DOCUMENT_INLINE_COMPLETION, inline_params(uri, 1, 4), msg_id=msg_id
        )
    )
    await until(lambda: len(fake.completion_requests()) == 1)
    client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id=msg_id))
    with pytest.raises(Exception, match="cancel"):
        await pending
    await until(lambda: fake.closed_early == 1)
    assert fake.completed == 0


async def test_cancelled_request_whose_stream_is_claimed_keeps_it(
    client: LanguageClient, fake: FakeProvider, workspace: Path
) -> None:
    """VS Code cancels the previous request on each keystroke; the next one takes the stream."""
    fake.reply = lambda body: "return a + b\n"
    fake.ttft_ms = 400
    await start(client, workspace, backend_options(fake))
    uri = open_doc(client, workspace / "calc.py", SOURCE)
    msg_id = str(uuid.uuid4())
    pending = asyncio.ensure_future(
        client.protocol.send_request_async(
            types.TEXT_DOCUMENT_INLINE_COMPLETION, inline_params(uri, 1, 4), msg_id=msg_id
        )
    )
    await until(lambda: len(fake.completion_requests()) == 1)
    client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id=msg_id))
    type_text(client, uri, 2, 1, 4, "r")
    result = await inline(client, uri, 1, 5)
    assert result is not None and result.items[0].insert_text == "    return a + b"
    with pytest.raises(Exception, match="cancel"):
        await pending
    assert len(fake.completion_requests()) == 1 and fake.closed_early == 0


async def test_typing_while_streaming_makes_one_backend_call(
    client: LanguageClient, fake: FakeProvider, workspace: Path
) -> None:
    fake.reply = lambda body: "return a + b\n"
    fake.ttft_ms = 300
    await start(client, workspace, backend_options(fake))
    uri = open_doc(client, workspace / "calc.py", SOURCE)
    requests = [asyncio.ensure_future(inline(client, uri, 1, 4))]
    await until(lambda: len(fake.completion_requests()) == 1)
    for n, ch in enumerate("retur"):
        type_text(client, uri, n + 2, 1, 4 + n, ch)
        requests.append(asyncio.ensure_future(inline(client, uri, 1, 5 + n)))
        await asyncio.sleep(0.02)
    results = await asyncio.gather(*requests)
    assert all(r is not None and r.items[0].insert_text == "    return a + b" for r in results)
    assert len(fake.completion_requests()) == 1
    assert fake.closed_early == 0


async def test_streams_cut_short_give_their_connection_back_to_the_pool(
    client: LanguageClient, fake: FakeProvider, workspace: Path
) -> None:
    """Each answer stops the stream at its lookahead limit; the rest of the response is read
    in the background, so one pooled connection serves every request (and the warm-up)."""
    fake.reply = lambda body: "1\n" + "".join(f"line_{n} = {n}\n" for n in range(30))
    await start(client, workspace, backend_options(fake))
    await until(lambda: any(r.method == "GET" for r in fake.requests))  # the warm-up
    await asyncio.sleep(0.3)  # ... has been answered: its connection is idle in the pool
    uri = open_doc(client, workspace / "calc.py", SOURCE)
    requests = 8
    for n in range(requests):
        type_text(client, uri, n + 2, 4, 0, f"v{n} = \n")
        result = await inline(client, uri, 4, len(f"v{n} = "))
        assert result is not None and result.items[0].insert_text == f"v{n} = 1"
        # The next keystroke comes once the cut stream's rest was read (a loaded machine can
        # be slower than a typist): a connection never given back keeps this waiting.
        await until(lambda n=n: fake.completed == n + 1)
        await back_in_pool(client)
    assert len(fake.completion_requests()) == requests and fake.closed_early == 0
    assert fake.accepted == 1


async def test_enter_and_the_next_line_are_served_from_the_lookahead(
    client: LanguageClient, fake: FakeProvider, workspace: Path
) -> None:
    fake.reply = lambda body: "a + b\n    return total\n    # unused\n"
    await start(client, workspace, backend_options(fake))
    uri = open_doc(client, workspace / "calc.py", SOURCE)
    type_text(client, uri, 2, 1, 4, "total = ")
    first = await inline(client, uri, 1, 12)
    assert first is not None and first.items[0].insert_text == "    total = a + b"
    await until(lambda: fake.completed == 1)
    type_text(client, uri, 3, 1, 12, "a + b")
    at_end = await inline(client, uri, 1, 17)
    assert (
        at_end is not None and at_end.items[0].insert_text == "    total = a + b\n    return total"
    )
    type_text(client, uri, 4, 1, 17, "\n\t")  # Enter; this editor indents with a tab
    enter = await inline(client, uri, 2, 1)
    assert enter is not None and enter.items[0].insert_text == "\treturn total"
    type_text(client, uri, 5, 2, 1, "x")  # not what the model wrote: asked anew
    await inline(client, uri, 2, 2)
    assert len(fake.completion_requests()) == 2


async def test_hedged_offline_answer_skips_the_backend(
    client: LanguageClient, fake: FakeProvider, workspace: Path
) -> None:
    (workspace / "lib.py").write_text(
        "".join(f"def f{n}(a, b):\n    return a + b\n\n" for n in range(40)), encoding="utf-8"
    )
    options = backend_options(fake, backend={"hedge": "offline"})
    await start(client, workspace, options)
    uri = open_doc(client, workspace / "calc.py", "def g(a, b):\n    return a\n")
    result = None
    for _ in range(100):  # the workspace index is built in the background
        result = await inline(client, uri, 1, 12)
        if result is not None and result.items and not fake.completion_requests():
            break
        fake.requests.clear()
        await asyncio.sleep(0.05)
    assert result is not None and result.items[0].insert_text == "    return a + b"
    assert fake.completion_requests() == []
