"""`bench replay --backend`: how the figures of a real-server replay are counted (no server:
the counting is pure). A keystroke counts when its own answer had text before the next
keystroke, or when a completionReady came in that window (an editor asks again then)."""

from __future__ import annotations

import argparse

from ghostfill.bench import replay, replay_real
from ghostfill.bench.keystrokes import Run, Sent
from ghostfill.bench.typing_plan import Keystroke


def sent(at: float, next_at: float, answered_at: float | None = None, text: str = "") -> Sent:
    return Sent(Keystroke("x", 0, 0, 0, 0.0), at, next_at, answered_at, text)


def test_answers_and_completion_ready_count_only_before_the_next_keystroke() -> None:
    run = Run("real")
    shown = sent(0.0, 1.0, 0.5, "total)")
    late = sent(1.0, 2.0, 2.5, "late")
    empty_then_ready = sent(2.0, 5.0, 2.1, "")
    empty_ready_too_late = sent(5.0, 6.0, 5.1, "")
    run.sent = [shown, late, empty_then_ready, empty_ready_too_late]
    run.truth = {id(shown): "total)\n", id(late): "late"}
    stats = {"backendCalls": 3, "pacing": [{"promptTokensPerS": 40.0, "requests": 3}]}
    f = replay_real.figures(run, [3.0, 6.5], stats)
    assert (f.answered, f.ready, f.agree, f.backend_calls) == (1, 1, 1, 3)
    assert f.ghost_ms == [500.0, 1000.0]
    text = replay_real.report(f)
    assert "keystroke at 2 (50%: 1 in the answer, 1 through completionReady)" in text
    assert "prompt evaluation 40.0 tokens/s" in text


def test_backend_flags_become_the_backend_settings() -> None:
    parser = argparse.ArgumentParser()
    replay.add_arguments(parser)
    args = parser.parse_args(
        [".", "--backend", "llamacpp", "--base-url", "http://127.0.0.1:8080", "--model", "m"]
    )
    assert replay_real.backend(args) == {
        "provider": "llamacpp",
        "baseUrl": "http://127.0.0.1:8080",
        "model": "m",
    }
