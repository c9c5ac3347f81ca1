"""`ghostfill bench offline --through-server`, small: a real package, the real server, real cuts.

The tree is one of the installed packages the engine was never tuned on (pathspec). Prints the
figures (run with `-s` to see them); asserts only what is not a timing: every cut was asked,
the sweep rows hang together, and what was shown is what the scores say.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pathspec
import pytest
from ghostfill.bench import offline, offline_server

pytestmark = pytest.mark.bench

TREE = Path(pathspec.__file__).parent


def test_through_server_figures() -> None:
    parser = argparse.ArgumentParser()
    offline.add_arguments(parser)
    sweep = ["--min-confidence", "0.05", "0.1", "0.7", "--reopen-every", "3"]
    args = parser.parse_args(
        [str(TREE), "--through-server", "--holdout", "2", "--cuts", "24", *sweep]
    )
    trees = offline_server.run(args)
    print(offline_server.report(trees))
    print(offline_server.pooled(trees))
    assert len(trees) == 1
    tree = trees[0]
    assert tree.cuts == 24 and tree.held_out == 2 and tree.language == "python"
    assert [r.min_confidence for r in tree.sweep] == [0.05, 0.1, 0.7]  # 0.1: the default
    for row in tree.sweep:
        assert 0.0 <= row.exact <= row.coverage <= 1.0
        assert row.precision == pytest.approx(row.exact / row.coverage if row.coverage else 0.0)
    assert tree.sweep[0].coverage > 0  # the server answered at some cuts
    assert tree.first_after_open.p50 > 0 and tree.latency.p50 > 0
