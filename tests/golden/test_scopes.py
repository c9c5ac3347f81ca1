"""context.scm against annotated sources: the scopes enclosing each {{CURSOR}} are exactly the
lines marked {{CONTEXT}}, outermost first (see annotated.py for the markers)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.golden.annotated import Case
from tests.golden.sources import golden_files, golden_id, open_golden, store

CASES = [
    pytest.param(path, case, id=f"{golden_id(path)}::{case.label}")
    for path in golden_files()
    for case in open_golden(path).source.cases
]


@pytest.mark.parametrize(("path", "case"), CASES)
def test_enclosing_scopes(path: Path, case: Case) -> None:
    golden = open_golden(path)
    matches = golden.tree.enclosing("context", case.cursor, "context")
    rows = [m.captures["context"][0].start_row for m in matches]
    if rows != list(case.context_rows):
        show = golden.source.line
        pytest.fail(
            f"{golden_id(path)} cursor on line {case.cursor_row + 1}\n"
            + "expected:\n"
            + "".join(f"  {r + 1}: {show(r)}\n" for r in case.context_rows)
            + "got:\n"
            + "".join(f"  {r + 1}: {show(r)}\n" for r in rows)
        )


@pytest.mark.parametrize(("path", "case"), CASES)
def test_signature_ends_inside_scope(path: Path, case: Case) -> None:
    """Every @context has one @context.end inside it, so its signature is well defined."""
    for match in open_golden(path).tree.enclosing("context", case.cursor, "context"):
        (scope,) = match.captures["context"]
        ends = match.captures.get("context.end", ())
        assert len(ends) == 1, f"line {scope.start_row + 1}: {len(ends)} @context.end captures"
        assert scope.start_byte <= ends[0].start_byte <= scope.end_byte


def test_every_language_has_golden_sources() -> None:
    """Adding a language means its folder under grammars/ plus one annotated golden file."""
    have = {path.parent.name for path in golden_files()}
    missing = sorted(set(store().languages.names()) - have)
    assert not missing, f"no tests/golden/context/<lang>/ file for: {', '.join(missing)}"
    for lang in sorted(have):
        sources = [open_golden(p).source for p in golden_files() if p.parent.name == lang]
        assert any(c.context_rows for s in sources for c in s.cases), f"{lang}: no {{{{CONTEXT}}}}"
        assert any(s.has("DEF") for s in sources), f"{lang}: no {{{{DEF}}}} marker"
        assert any(s.has("REF") for s in sources), f"{lang}: no {{{{REF}}}} marker"
        assert any(s.has("IMPORT") for s in sources), f"{lang}: no {{{{IMPORT}}}} marker"
