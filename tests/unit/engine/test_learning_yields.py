"""Learning never makes a request wait: it lexes in pieces and gives way while requests come."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from ghostfill.engine import lexer
from ghostfill.engine.index import MAX_WAIT_S, QUIET_S, Pause
from ghostfill.engine.lexer import lex
from ghostfill.engine.lexers import Lexers

ENGINE = Path(__file__).parents[3] / "server" / "ghostfill" / "engine"


class Clock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_lexing_in_pieces_gives_the_same_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    family = Lexers().family("python")
    pauses: list[None] = []
    monkeypatch.setattr(lexer, "PIECE_CHARS", 500)
    for path in sorted(ENGINE.glob("*.py")):
        text = path.read_text("utf-8")
        assert lex(text, family, pause=lambda: pauses.append(None)) == lex(text, family)
    assert len(pauses) > 20


def test_the_learning_thread_waits_while_requests_come_in() -> None:
    clock = Clock()
    pause = Pause(clock, clock.sleep)
    asker = threading.Thread(target=pause.served)
    asker.start()
    asker.join()  # a request was served on another thread just now
    pause()
    assert QUIET_S - 0.001 <= pause.waited < MAX_WAIT_S


def test_it_never_waits_for_more_than_the_cap() -> None:
    clock = Clock()
    pause = Pause(clock, clock.sleep)

    def typing_without_a_break(seconds: float) -> None:
        clock.sleep(seconds)
        pause.last_request = clock.now  # another request every time it looks

    pause._sleep = typing_without_a_break  # type: ignore[method-assign]
    pause._serving = -1
    pause.last_request = clock.now
    pause()
    assert MAX_WAIT_S <= pause.waited <= MAX_WAIT_S + QUIET_S


def test_no_wait_when_quiet_or_on_the_serving_thread() -> None:
    clock = Clock()
    pause = Pause(clock, clock.sleep)
    pause()
    assert pause.waited == 0.0  # nothing asked yet
    pause.served()  # this thread asks, then learns (a one-shot, a benchmark)
    pause()
    assert pause.waited == 0.0
