"""The LSP edge has no import cycles: the command line imports each command's module when it
runs, and nothing imports the command line back (lazy imports inside functions count)."""

from __future__ import annotations

import ast
from pathlib import Path

import ghostfill

PACKAGE = Path(ghostfill.__file__).parent
EDGE = ("ghostfill.app", "ghostfill.cli", "ghostfill.doctor", "ghostfill.oneshot",
        "ghostfill.handlers", "ghostfill.protocol", "ghostfill.server")  # fmt: skip


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, known: set[str]) -> set[str]:
    """Every ghostfill module `path` imports at run time (not under TYPE_CHECKING)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped |= {id(n) for child in node.body for n in ast.walk(child)}
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        found |= {n for n in names if n in known}
    return found


def test_no_import_cycle_through_the_edge() -> None:
    paths = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = {name: imports(path, set(paths)) for name, path in paths.items()}
    edge = [m for m in graph if m.startswith(EDGE)]
    assert "ghostfill.cli" in edge and "ghostfill.app" in edge

    def reaches(start: str, goal: str) -> list[str] | None:
        seen: set[str] = set()
        stack = [(start, [start])]
        while stack:
            node, trail = stack.pop()
            for nxt in graph.get(node, ()):
                if nxt == goal:
                    return [*trail, nxt]
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, [*trail, nxt]))
        return None

    cycles = [c for m in edge if (c := reaches(m, m)) is not None]
    assert cycles == []
