"""`ghostfill bench nextedit` on a small tree: every kind of case is built and scored, and the
figures come out (rename and repeated edits found, noise left alone on this clean code)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ghostfill.cli import main

pytestmark = pytest.mark.bench

CODE = """def scale(values, factor):
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
"""


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


def _repo(tmp_path: Path) -> tuple[Path, Path]:
    import subprocess

    repo = tmp_path / "repo"
    repo.mkdir()

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)

    git("init", "-q")
    git("config", "user.email", "t@example.invalid")
    git("config", "user.name", "t")
    (repo / "m.py").write_text(CODE, encoding="utf-8")
    git("add", "m.py")
    git("commit", "-qm", "one")
    changed = CODE.replace("out = []", "out: list[int] = []").replace("total = 0", "total = 1")
    (repo / "m.py").write_text(changed, encoding="utf-8")
    git("commit", "-qam", "two")
    code = tmp_path / "code"
    code.mkdir()
    (code / "m.py").write_text(CODE, encoding="utf-8")
    return repo, code


def test_cases_from_git_history(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo, code = _repo(tmp_path)
    assert main(["bench", "nextedit", str(code), "--git", str(repo), "--json"]) == 0
    kinds = json.loads(capsys.readouterr().out)["kinds"]
    assert kinds["git history (next hunk)"]["n"] == 1


def test_the_fake_model_predicts_the_next_hunk_and_leaves_noise_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Through the fake next-edit server (the oracle knows the next hunk) in each format."""
    repo, code = _repo(tmp_path)
    for i in range(3):
        (code / f"n{i}.py").write_text(CODE * 4, encoding="utf-8")
    for fmt in ("chat", "zeta", "sweep", "mercury"):
        args = ["bench", "nextedit", str(code), "--git", str(repo), "--fake", "--json"]
        assert main([*args, "--format", fmt]) == 0
        figures = json.loads(capsys.readouterr().out)["with_model"]
        assert figures["format"] == fmt
        history = figures["kinds"]["git history (next hunk)"]
        assert history["offline"] == {"missed": 1.0} and history["model"] == {"exact": 1.0}
        noise = [k for k in figures["kinds"] if k.startswith("noise")]
        assert noise and all(figures["kinds"][k]["model"] == {"quiet": 1.0} for k in noise)
