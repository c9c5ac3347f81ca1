"""tags.scm and imports.scm against the same annotated sources.

{{DEF kind name}} markers list every definition of a file, on the line where the captured
definition node starts; {{REF kind name}} markers name references that must be found on their
line; {{IMPORT module}} markers list every imported module, on the line where the import
statement starts.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tests.golden.sources import Golden, golden_files, golden_id, open_golden

FILES = [pytest.param(path, id=golden_id(path)) for path in golden_files()]

Found = tuple[int, tuple[str, ...]]


def _tags(golden: Golden, prefix: str, row_of: str) -> list[Found]:
    """(row, (kind, name)) per match with a `<prefix>.<kind>` capture; `row_of` picks the row."""
    found: list[Found] = []
    for match in golden.tree.matches("tags"):
        kinds = [k for k in match.captures if k.startswith(prefix)]
        if not kinds:
            continue
        assert len(kinds) == 1, f"one match captures {kinds}"
        (node,) = match.captures[kinds[0]]
        names = match.captures.get("name", ())
        assert len(names) == 1, f"line {node.start_row + 1}: {kinds[0]} has {len(names)} @name"
        (name,) = names
        assert node.start_byte <= name.start_byte and name.end_byte <= node.end_byte
        row = node.start_row if row_of == "node" else name.start_row
        found.append((row, (kinds[0].removeprefix(prefix), golden.text_of(name))))
    return found


def _report(golden: Golden, title: str, items: set[Found] | list[Found]) -> str:
    if not items:
        return ""
    line = golden.source.line
    return f"{title}:\n" + "".join(
        f"  {row + 1}: {' '.join(args)}    | {line(row)}\n" for row, args in sorted(items)
    )


@pytest.mark.parametrize("path", FILES)
def test_definitions(path: Path) -> None:
    golden = open_golden(path)
    found = _tags(golden, "definition.", row_of="node")
    duplicates = [item for item, n in Counter(found).items() if n > 1]
    assert not duplicates, _report(golden, "captured by more than one pattern", duplicates)
    expected = golden.source.expected("DEF")
    missing, extra = expected - set(found), set(found) - expected
    if missing or extra:
        pytest.fail(_report(golden, "missing", missing) + _report(golden, "unexpected", extra))


@pytest.mark.parametrize("path", FILES)
def test_references(path: Path) -> None:
    golden = open_golden(path)
    missing = golden.source.expected("REF") - set(_tags(golden, "reference.", row_of="name"))
    assert not missing, _report(golden, "missing", missing)


@pytest.mark.parametrize("path", FILES)
def test_imports(path: Path) -> None:
    golden = open_golden(path)
    found: set[Found] = set()
    for match in golden.tree.matches("imports"):
        statements, modules = (
            match.captures.get("import.statement"),
            match.captures.get("import.module"),
        )
        assert statements and len(statements) == 1, f"{match.captures}: one @import.statement"
        assert modules and len(modules) == 1, f"{match.captures}: one @import.module"
        (statement,) = statements
        for capture, spans in match.captures.items():
            for span in spans:
                assert (
                    statement.start_byte <= span.start_byte and span.end_byte <= statement.end_byte
                ), f"@{capture} on line {span.start_row + 1} lies outside its @import.statement"
        found.add((statement.start_row, (golden.text_of(modules[0]),)))
    expected = golden.source.expected("IMPORT")
    missing, extra = expected - found, found - expected
    if missing or extra:
        pytest.fail(_report(golden, "missing", missing) + _report(golden, "unexpected", extra))
