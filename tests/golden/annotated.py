"""Annotated golden sources, in the style of nvim-treesitter-context's `test/lang/` files.

A golden source is an ordinary source file whose comments carry markers:

    {{TEST}} or {{TEST label}}  starts a new case (lines before the first one form case 0)
    {{CURSOR}}                  the current case's cursor; the marker text is removed before
                                parsing, everything else (the comment around it) stays
    {{CONTEXT}}                 this line is the first line of a scope enclosing the cursor of
                                the current case (context.scm @context)
    {{DEF kind name}}           a definition starts on this line (tags.scm @definition.<kind>
                                with @name = name); the list of DEF markers is exhaustive
    {{REF kind name}}           a reference lies on this line (tags.scm @reference.<kind> with
                                @name = name); not exhaustive
    {{IMPORT module}}           an import statement on this line imports `module` (imports.scm
                                @import.module text); the list of IMPORT markers is exhaustive

One line may carry several markers. Rows are 0-based, cursors are UTF-8 byte offsets into the
cleaned text (the text the tree is built from).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

MARKER = re.compile(r"\{\{(TEST|CURSOR|CONTEXT|DEF|REF|IMPORT)(?:[ \t]+([^{}]*?))?[ \t]*\}\}")
"""One marker: its kind and its space-separated arguments."""

_ARITY = {"TEST": None, "CURSOR": 0, "CONTEXT": 0, "DEF": 2, "REF": 2, "IMPORT": 1}


class AnnotationError(ValueError):
    """A golden file whose markers do not make sense (it is the fixture that is wrong)."""


@dataclass(frozen=True, slots=True)
class Marker:
    kind: str
    args: tuple[str, ...]
    row: int


@dataclass(frozen=True, slots=True)
class Case:
    """One cursor and the rows of the scopes expected around it, outermost first."""

    label: str
    cursor: int
    cursor_row: int
    context_rows: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Annotated:
    path: Path
    text: str
    """The source with every {{CURSOR}} marker removed: what gets parsed."""
    markers: tuple[Marker, ...]
    cases: tuple[Case, ...]

    @property
    def lines(self) -> list[str]:
        return self.text.splitlines()

    def line(self, row: int) -> str:
        lines = self.lines
        return lines[row].strip() if 0 <= row < len(lines) else f"<row {row}>"

    def expected(self, kind: str) -> set[tuple[int, tuple[str, ...]]]:
        """(row, args) of every marker of `kind` ("DEF", "REF", "IMPORT", ...)."""
        return {(m.row, m.args) for m in self.markers if m.kind == kind}

    def has(self, kind: str) -> bool:
        return any(m.kind == kind for m in self.markers)


def parse(text: str, path: Path | None = None) -> Annotated:
    """Read the markers of an annotated source and remove its cursor markers."""
    where = str(path or "<text>")
    markers: list[Marker] = []
    cases: list[Case] = []
    context: list[int] = []
    label, cursor, cursor_row = "", -1, -1
    cleaned: list[str] = []
    offset = 0

    def close() -> None:
        if cursor >= 0:
            cases.append(
                Case(label or f"line {cursor_row + 1}", cursor, cursor_row, tuple(context))
            )
        elif context:
            raise AnnotationError(f"{where}: {{{{CONTEXT}}}} in a case without {{{{CURSOR}}}}")

    for row, raw in enumerate(text.splitlines(keepends=True)):
        line = raw
        for found in MARKER.finditer(raw):
            kind, args = found.group(1), tuple((found.group(2) or "").split())
            arity = _ARITY[kind]
            if arity is not None and len(args) != arity:
                raise AnnotationError(
                    f"{where}:{row + 1}: {found.group(0)} needs {arity} argument(s)"
                )
            markers.append(Marker(kind, args, row))
            if kind == "TEST":
                close()
                label, context, cursor, cursor_row = " ".join(args), [], -1, -1
            elif kind == "CONTEXT":
                context.append(row)
            elif kind == "CURSOR":
                if cursor >= 0:
                    raise AnnotationError(f"{where}:{row + 1}: a second {{{{CURSOR}}}} in one case")
                before = line[: line.index(found.group(0))]
                cursor, cursor_row = offset + len(before.encode("utf-8")), row
                line = line.replace(found.group(0), "", 1)
        cleaned.append(line)
        offset += len(line.encode("utf-8"))
    close()
    return Annotated(path or Path(where), "".join(cleaned), tuple(markers), tuple(cases))


def load(path: Path) -> Annotated:
    return parse(path.read_text(encoding="utf-8"), path)
