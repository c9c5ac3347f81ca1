"""`ghostfill bench nextedit` on a small tree: every kind of case is built and scored, and the
figures come out (rename and repeated edits found, noise left alone on this clean code)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ghostfill.cli import main

pytestmark = pytest.mark.bench

CODE = '''def scale(values, factor):
    out = []
    for value in values:
        out.append(value * factor)
    return out


def report(lines):
    total = 0
    for line in lines:
        total += len(line)
        print(line.strip())
        print(line.upper())
        print(line.lower())
    return total
'''


def test_bench_scores_every_kind(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for i in range(6):
        (tmp_path / f"m{i}.py").write_text(CODE * 4, encoding="utf-8")
    assert main(["bench", "nextedit", str(tmp_path), "--cases", "20", "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    kinds = figures["kinds"]
    assert kinds["rename"]["n"] > 0 and kinds["rename"].get("exact", 0) >= 0.8
    assert kinds["repeat (comment out)"].get("exact", 0) > 0
    noise = [k for k in kinds if k.startswith("noise")]
    assert noise and all(kinds[k].get("false positive", 0) == 0 for k in noise)
    assert figures["latency_ms"]["n"] > 0
    assert figures["did_change_overhead"]["keystrokes"] > 0
