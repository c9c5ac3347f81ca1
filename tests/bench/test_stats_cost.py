"""What a stats event costs on the request path (`ghostfill bench stats`): prints the figures
next to the floor; asserts only that every event reached the database."""

from __future__ import annotations

import argparse

import pytest
from ghostfill.bench import stats

pytestmark = pytest.mark.bench


def test_stats_event_cost(capsys: pytest.CaptureFixture[str]) -> None:
    assert stats.run(argparse.Namespace(events=3000)) == 0
    out = capsys.readouterr().out
    with capsys.disabled():
        print("\n" + out)
    assert "writer thread: 9000 rows committed" in out
