"""Cross-file context per language: small projects where the next line needs another file.

Each folder `tests/golden/prompt_context/<language>/<case>/` is a project. One file holds a
`{{CURSOR}}` line: that line is emptied to its indentation and the cursor put at its end, as if
the user were about to write the next line. Lines marked `{{EXPECT}}` start a definition that
must be among the gathered snippets (a definition snippet of that file starting on that line);
lines marked `{{ABSENT}}` start one that must not be (a same-named definition the imports rule
out). Markers sit in comments, which are removed with them. The next line the case is about is
written down in the case's `NEXT` file, for the reader; it is not part of the project.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from ghostfill.context.gather import ContextEngine
from ghostfill.documents.languages import LanguageRegistry
from ghostfill.documents.store import DocumentStore
from ghostfill.documents.syntax import Grammars
from ghostfill.model import CompletionContext, Position
from ghostfill.settings import Settings

ROOT = Path(__file__).parent / "prompt_context"
MARK = re.compile(r"[ \t]*(?:#|//|--|/\*|<!--)?[ \t]*\{\{(EXPECT|ABSENT)\}\}[ \t]*(?:\*/|-->)?")
CURSOR = "{{CURSOR}}"


@dataclass(frozen=True)
class Project:
    root: Path
    cursor_file: Path
    cursor: Position
    expect: frozenset[tuple[str, int]]
    absent: frozenset[tuple[str, int]]


def cases() -> list[Path]:
    return sorted(p for p in ROOT.glob("*/*") if p.is_dir())


def materialize(case: Path, into: Path) -> Project:
    cursor_file: Path | None = None
    cursor = Position(0, 0)
    expect: set[tuple[str, int]] = set()
    absent: set[tuple[str, int]] = set()
    for source in sorted(p for p in case.rglob("*") if p.is_file() and p.name != "NEXT"):
        rel = source.relative_to(case)
        target = into / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        lines = source.read_text(encoding="utf-8").split("\n")
        for row, line in enumerate(lines):
            if CURSOR in line:
                indent = line[: len(line) - len(line.lstrip())]
                lines[row] = indent
                cursor_file, cursor = target, Position(row, len(indent))
                continue
            for found in MARK.finditer(line):
                (expect if found.group(1) == "EXPECT" else absent).add((str(target), row))
            lines[row] = MARK.sub("", line)
        target.write_text("\n".join(lines), encoding="utf-8")
    assert cursor_file is not None, f"{case}: no {CURSOR} line"
    return Project(into, cursor_file, cursor, frozenset(expect), frozenset(absent))


def gather(project: Project, registry: LanguageRegistry | None = None) -> CompletionContext:
    """The context at the project's cursor, with its other files indexed first."""
    registry = registry or LanguageRegistry()
    grammars = Grammars(registry)
    engine = ContextEngine.standard(grammars)
    assert engine.symbols is not None
    try:
        for path in sorted(project.root.rglob("*")):
            spec = registry.detect(str(path))
            if path.is_file() and spec is not None and path != project.cursor_file:
                engine.symbols.observe(str(path), path.read_text(encoding="utf-8"), spec.name)
        store = DocumentStore(registry, grammars)
        text = project.cursor_file.read_text(encoding="utf-8")
        doc = store.open(project.cursor_file.as_uri(), text, 1)
        engine.opened(doc)
        assert engine.symbols.wait_idle(10)
        return engine.gather(doc, project.cursor, Settings(), str(project.root))
    finally:
        engine.close()


def _show(ctx: CompletionContext, root: Path) -> str:
    return "\n".join(
        f"  {Path(s.path).relative_to(root)}:{s.start_line + 1} {s.kind} {s.score:.3f} "
        f"{s.text.splitlines()[0] if s.text else ''}"
        for s in ctx.snippets
    )


@pytest.mark.parametrize("case", [pytest.param(c, id=f"{c.parent.name}/{c.name}") for c in cases()])
def test_cross_file_definitions_reach_the_context(case: Path, tmp_path: Path) -> None:
    project = materialize(case, tmp_path)
    assert project.expect, f"{case}: no {{{{EXPECT}}}} marker"
    ctx = gather(project)

    def shown(path: str, row: int) -> bool:
        """The definition's first line is in a definition snippet of its file."""
        line = Path(path).read_text(encoding="utf-8").split("\n")[row].strip()
        return any(
            s.kind == "definition" and s.path == path and line in s.text for s in ctx.snippets
        )

    def where(items: set[tuple[str, int]]) -> str:
        return ", ".join(f"{Path(p).relative_to(tmp_path)}:{r + 1}" for p, r in sorted(items))

    missing = {item for item in project.expect if not shown(*item)}
    assert not missing, f"missing {where(missing)}; got:\n{_show(ctx, tmp_path)}"
    wrong = {item for item in project.absent if shown(*item)}
    assert not wrong, f"unexpected {where(wrong)}; got:\n{_show(ctx, tmp_path)}"


def test_every_required_language_has_a_case() -> None:
    languages = {c.parent.name for c in cases()}
    assert {"python", "javascript", "typescript", "go", "rust", "java"} <= languages
