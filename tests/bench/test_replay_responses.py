"""The replay against the Responses API over WebSocket and HTTP, tiny. Prints the figures (run
with `-s`); asserts only what is not a timing: the chat oracle answers from the cursor, one
socket serves the whole typing session, and every suggestion shown agrees with the file."""

from __future__ import annotations

import asyncio

import pytest
from ghostfill.bench import replay, replay_responses
from ghostfill.prompt.chat import messages

from tests.bench.test_replay import args

pytestmark = pytest.mark.bench


def test_chat_oracle_reads_the_prefix_before_the_hole() -> None:
    prompt = messages(
        "def add(a, b):\n    ", "\n", language="python", path="a.py", context="x", multiline=False
    )
    body = {"input": [{"role": m.role, "content": m.content} for m in prompt[1:]]}
    reply = replay_responses.chat_reply(lambda prefix: f"[{prefix}]")(body)
    assert reply == "<COMPLETION>[def add(a, b):\n    ]</COMPLETION>"


@pytest.mark.parametrize("transport", ["websocket", "http"])
def test_tiny_replay_over_each_transport(
    transport: str, capsys: pytest.CaptureFixture[str]
) -> None:
    a = args(
        "--files", "1", "--regions", "1", "--region-lines", "2",
        "--keystroke-ms", "80", "--pause-ms", "300", "--idle-s", "0.5",
    )  # fmt: skip
    regions = replay.plan(a)
    run = asyncio.run(replay.run_ghostfill(regions, a, None, transport=transport))
    fig = replay.figures(run, a.ttft_ms, a.tokens_per_s)
    with capsys.disabled():
        print()
        print(replay.row(fig), "|", run.transport)
    assert 1 <= fig.calls < fig.keystrokes
    assert fig.shown > 0 and fig.agree == fig.shown
    assert len(fig.idle_ms) <= 1
    if transport == "websocket":
        # One socket for the session; a standby may open when a drain outlives 30 ms on a
        # loaded machine, never one socket per request.
        sockets = int(run.transport.split("(")[1].split()[0])
        assert sockets == 1 or (sockets == 2 and fig.calls > 2), run.transport
