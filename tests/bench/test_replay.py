"""The keystroke replay, tiny: one region of a real file typed through the real server.

Prints the figures (run with `-s` to see them); asserts only what is not a timing: the
typing plan rebuilds the file, the oracle finds the cursor, every suggestion shown agrees
with the file, and typing through needs fewer backend calls than keystrokes.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

import httpx
import pytest
from ghostfill.bench import figures, keystrokes, replay, typing_plan
from ghostfill.bench.oracle import Oracle
from ghostfill.fakes.tabby import FakeTabby

pytestmark = pytest.mark.bench

SAMPLE = Path(replay.__file__).parent.parent / "lifecycle" / "continuations.py"


def args(*extra: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    replay.add_arguments(parser)
    return parser.parse_args([str(SAMPLE), *extra])


def rebuild(region: typing_plan.Region) -> str:
    lines = region.start_text.split("\n")
    for key in region.keys:
        keystrokes._apply(lines, key)
    return "\n".join(lines)


def test_typing_plan_rebuilds_the_file() -> None:
    regions = typing_plan.plan(args("--files", "1", "--regions", "3", "--region-lines", "3"))
    assert len(regions) == 3
    for region in regions:
        assert rebuild(region) == region.original
        assert region.keys[0].text.startswith("\n")


def test_oracle_continues_from_the_cursor() -> None:
    oracle = Oracle()
    oracle.text = "def f():\n    return 1\n\ndef g():\n    return 1\n"
    oracle.cursor = oracle.text.index("def g") + 15
    assert oracle.continuation("ef g():\n    re").startswith("turn 1\n")
    assert oracle.locate("    return 1") == len(oracle.text) - 1  # the nearer of two
    assert oracle.tabby_continuation("def f():\n") == "    return 1\n"
    spoiled = Oracle(wrong=1.0, seed=3)
    spoiled.text = oracle.text
    once = spoiled.continuation("def f():\n    ")
    assert "wrong_guess" in once and once == spoiled.continuation("def f():\n    ")


def test_fake_tabby_speaks_what_tabby_agent_calls() -> None:
    with FakeTabby(lambda body: "x + 1", ttft_ms=0) as fake:
        with httpx.Client(base_url=fake.endpoint) as client:
            health = client.get("/v1/health").json()
            assert health["version"]["git_describe"] and health["device"] == "cpu"
            assert client.get("/v1beta/server_setting").status_code == 200
            body = {"language": "python", "segments": {"prefix": "y = ", "suffix": "\n"}}
            reply = client.post("/v1/completions", json=body).json()
            assert reply["choices"][0]["text"] == "x + 1"
            assert client.post("/v1/events", json={}).status_code == 200
        assert len(fake.completion_requests()) == 1 and fake.completion_requests()[0].size > 0


def test_tiny_replay_of_ghostfill(capsys: pytest.CaptureFixture[str]) -> None:
    a = args(
        "--files", "1", "--regions", "1", "--region-lines", "2",
        "--keystroke-ms", "80", "--pause-ms", "300",
    )  # fmt: skip
    regions = typing_plan.plan(a)
    run = asyncio.run(replay.run_ghostfill(regions, a, None))
    fig = figures.figures(run, a.ttft_ms, a.tokens_per_s)
    with capsys.disabled():
        print()
        print(figures.HEADER)
        print(figures.row(fig))
    assert fig.keystrokes == sum(len(r.keys) for r in regions)
    assert 1 <= fig.calls < fig.keystrokes
    assert fig.shown > 0 and fig.agree == fig.shown
    assert 1 <= run.connections <= 2  # the warm-up's and the streams' connection, pooled


def test_the_plan_can_be_cut_to_a_number_of_keystrokes() -> None:
    regions = typing_plan.plan(args("--files", "1", "--regions", "3", "--keystrokes", "50"))
    assert sum(len(r.keys) for r in regions) == 50
