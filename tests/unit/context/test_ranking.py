"""Ranking: best first, deduplicated, within the budget and each kind's share, deterministic."""

from __future__ import annotations

import random

from ghostfill.context.ranking import cost, used, within_budget
from ghostfill.model import Snippet


def s(path: str, text: str, kind: str = "definition", score: float = 0.5, line: int = 0) -> Snippet:
    return Snippet(path, text, kind, score, line)


def test_best_first_within_the_budget() -> None:
    snippets = [s("/a", "x" * 400, score=0.9), s("/b", "y" * 400, score=0.8), s("/c", "z" * 400)]
    chosen = within_budget(snippets, 220)
    assert [c.path for c in chosen] == ["/a", "/b"]
    assert used(chosen) <= 220 and cost(chosen[0]) == (400 + 2 + 8 + 3) // 4


def test_the_same_input_in_any_order_gives_the_same_output() -> None:
    snippets = [s(f"/f{n}", f"text {n % 7}", score=(n % 3) / 3, line=n) for n in range(30)]
    expected = within_budget(snippets, 100)
    for seed in range(5):
        shuffled = snippets[:]
        random.Random(seed).shuffle(shuffled)
        assert within_budget(shuffled, 100) == expected


def test_duplicates_and_overlapping_verbatim_text_are_dropped() -> None:
    chosen = within_budget(
        [
            s("/a", "def f():\n    pass", score=0.9),
            s("/b", "def   f():\n    pass", score=0.8),  # same text, other spacing
            s("/n", "a\nb\nc\nd", "neighbour", 0.7, line=10),
            s("/n", "c\nd\ne", "neighbour", 0.6, line=12),  # overlaps the window above
            s("/n", "x\ny", "edit", 0.5, line=30),
        ],
        1000,
    )
    assert [(c.path, c.start_line) for c in chosen] == [("/a", 0), ("/n", 10), ("/n", 30)]


def test_a_member_already_in_its_class_skeleton_is_dropped_but_a_fuller_one_kept() -> None:
    skeleton = s("/m", "class A:\n    def f(self):\n    def g(self):", score=0.9, line=0)
    member = s("/m", "class A:\n    def f(self):", score=0.5, line=1)
    fuller = s("/m", "class A:\n    def g(self):\n        return 1", score=0.4, line=2)
    chosen = within_budget([skeleton, member, fuller], 1000)
    assert chosen == (skeleton, fuller)


def test_snippets_the_window_shows_are_dropped() -> None:
    chosen = within_budget(
        [s("/here", "a\nb", "neighbour", line=5), s("/here", "c", "edit", line=50)],
        1000,
        current_path="/here",
        window_rows=(0, 10),
    )
    assert [c.start_line for c in chosen] == [50]


def test_kinds_keep_to_their_share() -> None:
    neighbours = [s(f"/n{n}", "w" * 200, "neighbour", 0.9) for n in range(10)]
    definitions = [s(f"/d{n}", "d" * 200, "definition", 0.1) for n in range(10)]
    chosen = within_budget(neighbours + definitions, 500)
    spent = sum(cost(c) for c in chosen if c.kind == "neighbour")
    assert spent <= 0.4 * 500 and any(c.kind == "definition" for c in chosen)


def test_a_long_snippet_is_cut_to_whole_lines_that_fit() -> None:
    text = "\n".join(f"line number {n}" for n in range(100))
    (chosen,) = within_budget([s("/a", text)], 60)
    assert text.startswith(chosen.text) and chosen.text.count("\n") >= 2
    assert cost(chosen) <= 60 and not chosen.text.endswith("\n")


def test_nothing_fits_in_no_budget() -> None:
    assert within_budget([s("/a", "x")], 0) == ()
