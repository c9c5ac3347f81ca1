"""`ghostfill bench offline` on a tiny tree: it runs, and its figures hang together."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from ghostfill.bench import offline

SERVICE = """class {name}Service:
    def __init__(self, repo):
        self.repo = repo

    def find(self, key):
        return self.repo.get(key)

    def save(self, item):
        self.repo.put(item.key, item)
        return item
"""


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("abc", "abc", 1.0),
        ("", "abc", 0.0),
        ("abcd", "abce", 0.75),
        ("kitten", "sitting", 1 - 3 / 7),
    ],
)
def test_edit_similarity(a: str, b: str, expected: float) -> None:
    assert offline.edit_similarity(a, b) == pytest.approx(expected)


def test_bench_runs_on_a_small_tree(tmp_path: Path) -> None:
    for name in ("User", "Order", "Item", "Cart", "Bill", "Shop"):
        (tmp_path / f"{name.lower()}.py").write_text(SERVICE.format(name=name), encoding="utf-8")
    (tmp_path / ".env").write_text("TOKEN=not-for-the-bench\n", encoding="utf-8")
    parser = argparse.ArgumentParser()
    offline.add_arguments(parser)
    args = parser.parse_args(
        [str(tmp_path), "--holdout", "3", "--cuts", "30", "--min-confidence", "0.1", "0.5", "0.9"]
    )
    figures = offline.measure(args)
    assert figures is not None
    assert figures.files == 6 and figures.held_out == 3 and figures.cuts == 30
    rows = figures.sweep
    assert [r.min_confidence for r in rows] == [0.1, 0.5, 0.9]
    assert rows[0].coverage >= rows[1].coverage >= rows[2].coverage
    assert rows[0].exact > 0.3  # the files repeat one pattern: most lines are predictable
    assert all(0.0 <= r.ok_prefix <= 1.0 and r.exact <= r.coverage for r in rows)
    text = offline.report(figures)
    assert "minConfidence" in text and "held-out" in text
