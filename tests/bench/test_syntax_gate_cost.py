"""What the syntax gate costs on the request path: parses of the local region around random
cursors in a 5,000-line Python file (the overhead bench's file). Prints figures; asserts only
that the region stays local (its size does not grow with the file)."""

from __future__ import annotations

import random
import statistics
import time

import pytest
from ghostfill.bench.driver import percentile
from ghostfill.bench.overhead import big_python_file
from ghostfill.documents.languages import LanguageRegistry
from ghostfill.documents.syntax import Grammars
from ghostfill.postprocess.syntax_gate import MAX_AFTER, MAX_BEFORE, Gate

pytestmark = pytest.mark.bench


def test_gate_cost_on_a_big_file(capsys: pytest.CaptureFixture[str]) -> None:
    grammar = Grammars(LanguageRegistry()).by_name("python")
    assert grammar is not None
    text = big_python_file(5000)
    lines = text.split("\n")
    rng = random.Random(11)
    spent: list[float] = []
    parses: list[int] = []
    region_lines: list[int] = []
    for _ in range(200):
        row = rng.randrange(50, len(lines) - 50)
        line = lines[row]
        cut = len(line) - len(line.lstrip()) + (len(line.strip()) // 2)
        prefix = "\n".join(lines[max(0, row - 120) : row]) + "\n" + line[:cut]
        suffix = line[cut:] + "\n" + "\n".join(lines[row + 1 : row + 40])
        gate = Gate(grammar, prefix, suffix)
        started = time.perf_counter()
        gate.cut(line[cut:])  # the true rest of the line: passes
        spent.append((time.perf_counter() - started) * 1000)
        parses.append(gate.parses)
        region_lines.append(gate.before.count("\n") + gate.after.count("\n") + 1)
    assert max(region_lines) <= MAX_BEFORE + MAX_AFTER + 2
    assert min(parses) >= 1
    with capsys.disabled():
        print(
            f"\nsyntax gate, 200 cursors in a 5,000-line file: region "
            f"{statistics.median(region_lines):.0f} lines (median, max {max(region_lines)}); "
            f"per answer p50 {percentile(spent, 0.5):.2f} ms p99 {percentile(spent, 0.99):.2f} ms; "
            f"parses per answer mean {statistics.fmean(parses):.2f} "
            f"({sum(p == 1 for p in parses)} of 200 with one parse)"
        )
