"""`ghostfill bench compare` pieces that run without the peers: the stdlib echo floor, the
table, the fake Copilot backend's routes. Asserts no timings."""

from __future__ import annotations

import asyncio
import json
import math

import httpx
import pytest
from ghostfill.bench import compare
from ghostfill.bench.figures import Figures
from ghostfill.bench.keystrokes import Run
from ghostfill.bench.oracle import honour_stops
from ghostfill.fakes.copilot import FakeCopilot

pytestmark = pytest.mark.bench


def test_the_echo_floor_answers_every_request_paced_and_back_to_back() -> None:
    floor = asyncio.run(compare.echo_floor(0.01, 5))
    assert len(floor.paced) == 5 and all(t > 0 for t in floor.paced)
    assert len(floor.back_to_back) == 5 and all(t > 0 for t in floor.back_to_back)
    assert floor.rss > 0 and floor.startup_ms > 0


def figures(label: str, calls: int, hits: list[float]) -> Figures:
    return Figures(label, 100, 99, [1.0] * 99, [110.0], [1.1], 100.0, calls, 98, 0, 99, hits)


def test_the_table_has_a_row_per_run_ratios_and_the_floor() -> None:
    ghost = compare.Result(
        "ghostfill", Run("ghostfill", startup_ms=500, rss_mb=60), figures("ghostfill", 1, [2.0])
    )
    peer = compare.Result(
        "peer", Run("peer", startup_ms=1000, rss_mb=120), figures("peer", 4, [6.0])
    )
    missing = compare.Result("absent", None, None, "npm install failed")
    text = compare.table([ghost, peer, missing], compare.Echo([0.5, 0.5], [0.25], 11.0, 100.0))
    assert "4.00x" in text and "3.00x" in text and "2.00x" in text  # calls, cached, RSS
    assert "absent" in text and "not run: npm install failed" in text
    assert "ghostfill cached keystroke / echo: 4.00x (/ back-to-back echo: 8.00x)" in text
    assert not math.isnan(compare._p50([1.0, 3.0]))


def test_fake_copilot_signs_in_sets_experiments_and_streams() -> None:
    with FakeCopilot(lambda body: "x + 1", parameters={"copilotcompletionsdelay": 0}) as fake:
        fake.public_url = fake.root_url
        with httpx.Client(base_url=fake.root_url) as client:
            token = client.get("/copilot_internal/v2/token")
            assert token.headers["x-github-request-id"]
            assert token.json()["endpoints"]["proxy"] == fake.root_url
            exp = client.post("/telemetry", json={}).json()
            assert exp["Configs"][0]["Parameters"] == {"copilotcompletionsdelay": 0}
            body = {"prompt": "y = ", "suffix": "", "stream": True, "max_tokens": 10}
            with client.stream("POST", "/v1/engines/gpt-4o-copilot/completions", json=body) as r:
                assert r.headers["x-github-request-id"]
                events = [line for line in r.iter_lines() if line.startswith("data: {")]
            text = "".join(json.loads(e[6:])["choices"][0]["text"] for e in events)
            assert text == "x + 1"
            client.get("/something/new")
        assert fake.unknown == ["GET /something/new"]
        assert len(fake.completion_requests()) == 1


def test_stops_cut_the_oracle_reply() -> None:
    assert honour_stops("a\nb", {"stop": ["\n"]}) == "a"
    assert honour_stops("a\nb", {}) == "a\nb"


def test_the_compare_plan_carries_every_replay_argument() -> None:
    import argparse

    from ghostfill.bench import replay

    parser = argparse.ArgumentParser()
    compare.add_arguments(parser)
    rargs = compare.replay_args(parser.parse_args([]))
    full = argparse.ArgumentParser()
    replay.add_arguments(full)
    wanted = vars(full.parse_args([str(rargs.path)]))
    assert set(wanted) <= set(vars(rargs))
    assert rargs.keystrokes == 300 and rargs.jitter == 0.0 and rargs.pause_ms == 200.0
