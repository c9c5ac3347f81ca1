"""How the syntax gate judges suggestions in code it was never tuned on: standard library
modules (Python) and the extension's npm dependencies (JavaScript, when installed). At random
cursors it is given the true rest of the line, three true lines, the line with a stray
bracket or operator, the line and half the next, and a sentence of prose. Prints how often
each passes whole and what the gate costs; then the same gate prepared, as the server
prepares it while the provider thinks (the region parsed ahead, each candidate re-parsed
incrementally from it): how often its cut differs and what is left of the cost once the
answer is in. Asserts only that true code passes and that the prepared gate agrees."""

from __future__ import annotations

import email
import http
import json
import logging
import random
import time
import unittest
from pathlib import Path

import pytest
from ghostfill.bench.driver import percentile
from ghostfill.documents.languages import LanguageRegistry
from ghostfill.documents.syntax import Grammars
from ghostfill.postprocess.syntax_gate import Gate

pytestmark = pytest.mark.bench

WINDOW = 2500
"""Characters of code kept on each side of the cursor, about the server's window."""
CURSORS = 1200
ROOT = Path(__file__).resolve().parents[2]
PROSE = "Here is the completed code, which calls the helper\nand then returns the value."


def python_files() -> list[Path]:
    folders = [Path(m.__file__).parent for m in (email, http, json, logging, unittest)]
    return sorted(p for folder in folders for p in folder.glob("*.py"))


def javascript_files() -> list[Path]:
    found = sorted((ROOT / "client-extension" / "node_modules").glob("**/*.js"))
    return [p for p in found if ".min." not in p.name and p.stat().st_size < 200_000][:400]


def suggestion(
    kind: str, line: str, col: int, rest: list[str], rng: random.Random
) -> tuple[str, list[str]]:
    """(the suggestion, the lines after it) of one kind at a cursor."""
    if kind == "true line":
        return line[col:], rest
    if kind == "three true lines":
        return "\n".join([line[col:], *rest[:2]]), rest[2:]
    if kind == "stray bracket":
        return line[col:] + rng.choice([")", "(", "]", " = ", ":", "{"]), rest
    if kind == "half the next":
        return line[col:] + "\n" + rest[0][: len(rest[0]) // 2], rest[1:]
    return PROSE, rest


KINDS = ("true line", "three true lines", "stray bracket", "half the next", "prose")


@pytest.mark.parametrize("language", ["python", "javascript"])
def test_gate_on_unseen_code(language: str, capsys: pytest.CaptureFixture[str]) -> None:
    grammar = Grammars(LanguageRegistry()).by_name(language)
    assert grammar is not None
    files = python_files() if language == "python" else javascript_files()
    if not files:
        pytest.skip("client-extension/node_modules is not installed")
    rng = random.Random(5)
    passed = dict.fromkeys(KINDS, 0)
    asked = dict.fromkeys(KINDS, 0)
    spent: list[float] = []
    after_answer: list[float] = []
    differ = 0
    while len(spent) < CURSORS:
        lines = rng.choice(files).read_text(encoding="utf-8", errors="replace").split("\n")
        if len(lines) < 30:
            continue
        row = rng.randrange(5, len(lines) - 5)
        line = lines[row]
        if not line.strip():
            continue
        col = rng.randrange(len(line) - len(line.lstrip()), len(line) + 1)
        kind = KINDS[len(spent) % len(KINDS)]
        text, after = suggestion(kind, line, col, lines[row + 1 :], rng)
        if not text.strip():
            continue
        prefix = ("\n".join(lines[:row]) + "\n" + line[:col])[-WINDOW:]
        suffix = ("\n" + "\n".join(after))[:WINDOW]
        started = time.perf_counter()
        kept = Gate(grammar, prefix, suffix).cut(text)
        spent.append((time.perf_counter() - started) * 1000)
        prepared = Gate(grammar, prefix, suffix)
        prepared.prepare()
        started = time.perf_counter()
        differ += prepared.cut(text) != kept
        after_answer.append((time.perf_counter() - started) * 1000)
        asked[kind] += 1
        passed[kind] += kept == text
    share = {kind: 100 * passed[kind] / max(asked[kind], 1) for kind in KINDS}
    with capsys.disabled():
        print(
            f"\nsyntax gate, {CURSORS} cursors in {len(files)} {language} files it was not tuned on:"
        )
        print("  passed whole: " + ", ".join(f"{k} {share[k]:.1f}%" for k in KINDS))
        print(
            f"  per answer: p50 {percentile(spent, 0.5):.2f} ms, p90 {percentile(spent, 0.9):.2f} "
            f"ms, p99 {percentile(spent, 0.99):.2f} ms, mean {sum(spent) / len(spent):.2f} ms"
        )
        print(
            f"  prepared: {differ} of {CURSORS} cuts differ; after the answer p50 "
            f"{percentile(after_answer, 0.5):.2f} ms, p90 {percentile(after_answer, 0.9):.2f} ms, "
            f"p99 {percentile(after_answer, 0.99):.2f} ms, "
            f"mean {sum(after_answer) / len(after_answer):.2f} ms"
        )
    assert share["true line"] >= 95 and share["three true lines"] >= 93
    assert differ <= CURSORS // 100  # incremental re-parses may recover from an error otherwise
