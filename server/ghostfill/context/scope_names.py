"""What the code at the cursor can name: hints for the offline engine.

- Names in scope: the parameters, locals, imports and definitions of the scopes around the
  cursor and of the module, from the language's `locals.scm` (a definition belongs to the
  innermost `@local.scope` around it, a `@local.definition.outer` to the one around that).
- Members: when the cursor follows `receiver.` (or `receiver.par`), the names that member can
  be. For `self`/`this` (the `[symbols] self_names` of the language): the enclosing class's
  methods and fields and every `self.x` the class uses. For a class name: its members in the
  workspace symbol index (when at most a few files define it), else in this file.

Both are read from the document's last tree (edits pending since are not re-parsed: a name
typed on the cursor's line is the n-gram models' to know). A scan of a large file costs
milliseconds, so what it finds (scopes and definitions by row, a class's members) is kept
while the document keeps its line count.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass
from typing import TypeVar

from ghostfill.context.index import SymbolIndex
from ghostfill.context.symbols import CONTAINERS
from ghostfill.documents.store import Document
from ghostfill.documents.syntax import Match, Span, SyntaxTree

MAX_INDEX_FILES = 4
"""A class name defined in more files than this is too ambiguous to take members from."""
MAX_SCAN_BYTES = 64_000
"""Names in scope are read only in files up to this size: the first scan of a 100 KB file
costs ~80 ms and every later request ~1 ms, for less than a point of exact matches (the
file's own model already knows its names)."""
MAX_CLASS_BYTES = 256 * 1024
"""Bytes of an enclosing class read for `self.x` uses."""

_K = TypeVar("_K")
_V = TypeVar("_V")
_RECEIVER = re.compile(r"(?<![\w$])([^\W\d]\w*)\s*(?:\?\.|\.|->|::)\s*\w*$")

Point = tuple[int, int]
"""(row, byte column): unlike a byte offset, it stays right for the other lines while one is
edited."""
Scan = tuple[list[tuple[Point, Point]], list[tuple[Point, str, bool]]]
"""A `locals.scm` scan: scopes (start, end) and definitions (start, name, outer)."""


@dataclass(frozen=True, slots=True)
class Hints:
    names: frozenset[str] = frozenset()
    """Identifiers in scope at the cursor."""
    receiver: str = ""
    """The receiver before the member operator at the cursor ("" when there is none)."""
    members: frozenset[str] = frozenset()
    """What can follow `receiver.` (empty: unknown)."""


NO_HINTS = Hints()


class ScopeHints:
    """Finds the hints for a cursor; keeps the scans of the last few files."""

    def __init__(self, capacity: int = 16) -> None:
        self._capacity = capacity
        self._scans: OrderedDict[str, tuple[int, Scan]] = OrderedDict()
        self._classes: OrderedDict[tuple[str, int], tuple[int, frozenset[str]]] = OrderedDict()

    def __call__(
        self, doc: Document, cursor: int, line_prefix: str, index: SymbolIndex | None
    ) -> Hints:
        """Names in scope at byte offset `cursor`, and the members after the receiver there."""
        tree = doc.syntax(fresh=False)
        if tree is None:
            return NO_HINTS
        names = frozenset[str]()
        if len(doc.data) <= MAX_SCAN_BYTES and tree.grammar.query("locals") is not None:
            names = visible(*self._scan(doc, tree), doc.point(cursor))
        found = _RECEIVER.search(line_prefix)
        if found is None:
            return Hints(names)
        receiver = found.group(1)
        spec = doc.spec
        if spec is not None and receiver in spec.symbols.self_names:
            members = self._own_members(doc, tree, cursor, receiver)
        else:
            members = members_of(receiver, index)
        return Hints(names, receiver, members)

    def _scan(self, doc: Document, tree: SyntaxTree) -> Scan:
        lines = doc.line_count
        hit = self._scans.get(doc.uri)
        if hit is not None and hit[0] == lines:
            self._scans.move_to_end(doc.uri)
            return hit[1]
        found = scan(doc, tree)
        _keep(self._scans, doc.uri, (lines, found), self._capacity)
        return found

    def _own_members(
        self, doc: Document, tree: SyntaxTree, cursor: int, receiver: str
    ) -> frozenset[str]:
        """Methods and fields of the class around `cursor`, and the `receiver.x` it uses."""
        classes = [
            node
            for match in tree.enclosing("tags", cursor, "definition.class")
            if (node := _container(match)) is not None
        ]
        if not classes:
            return frozenset()
        start, end = classes[-1]
        key = (doc.uri, doc.point(start)[0])
        lines = doc.line_count
        hit = self._classes.get(key)
        if hit is not None and hit[0] == lines:
            self._classes.move_to_end(key)
            return hit[1]
        found = _members_in(tree, doc.data, start, end)
        text = doc.data[start : min(end, start + MAX_CLASS_BYTES)].decode("utf-8", "replace")
        uses = re.compile(rf"(?<![\w.$]){re.escape(receiver)}\s*(?:\?\.|\.|->)\s*([^\W\d]\w*)")
        found.update(uses.findall(text))
        members = frozenset(found)
        _keep(self._classes, key, (lines, members), self._capacity)
        return members


def scan(doc: Document, tree: SyntaxTree) -> Scan:
    """The scopes (outermost first) and definitions (in order) `locals.scm` finds."""
    data, point = doc.data, doc.point
    scopes: set[tuple[Point, Point]] = set()
    definitions: list[tuple[Point, str, bool]] = []
    for match in tree.matches("locals"):
        for span in match.captures.get("local.scope", ()):
            scopes.add((point(span.start_byte), point(span.end_byte)))
        for span in match.captures.get("local.definition", ()):
            definitions.append((point(span.start_byte), _text(data, span), False))
        for span in match.captures.get("local.definition.outer", ()):
            definitions.append((point(span.start_byte), _text(data, span), True))
    return sorted(scopes, key=lambda s: (s[0], (-s[1][0], -s[1][1]))), sorted(definitions)


def visible(
    scopes: list[tuple[Point, Point]], definitions: list[tuple[Point, str, bool]], at: Point
) -> frozenset[str]:
    """Names whose owning scope (the innermost around the definition; for an outer one, the
    scope around that) is the module or a scope around `at`."""
    out: set[str] = set()
    stack: list[tuple[Point, Point]] = []
    i = 0
    for where, name, outer in definitions:
        while i < len(scopes) and scopes[i][0] <= where:  # scopes nest: the chain around `where`
            while stack and stack[-1][1] < scopes[i][0]:
                stack.pop()
            stack.append(scopes[i])
            i += 1
        while stack and stack[-1][1] < where:
            stack.pop()
        owner = (stack[-2] if len(stack) > 1 else None) if outer else (stack[-1] if stack else None)
        if owner is None or owner[0] <= at <= owner[1]:
            out.add(name)
    return frozenset(out)


def members_of(receiver: str, index: SymbolIndex | None) -> frozenset[str]:
    """What may follow `receiver.` when it names a class of the workspace (in its index)."""
    found: set[str] = set()
    if index is not None and index.count(receiver) <= MAX_INDEX_FILES:
        for fs in index.defining(receiver, MAX_INDEX_FILES):
            for d in fs.named(receiver):
                if d.kind in CONTAINERS:
                    found.update(m.name for m in fs.members(d))
    return frozenset(found)


def _keep(table: OrderedDict[_K, _V], key: _K, value: _V, capacity: int) -> None:
    table[key] = value
    table.move_to_end(key)
    while len(table) > capacity:
        table.popitem(last=False)


def _text(data: bytes, span: Span) -> str:
    return data[span.start_byte : span.end_byte].decode("utf-8", errors="replace")


def _container(match: Match) -> tuple[int, int] | None:
    for kind in CONTAINERS:
        spans = match.captures.get(f"definition.{kind}")
        if spans:
            return spans[0].start_byte, spans[0].end_byte
    return None


def _members_in(tree: SyntaxTree, data: bytes, start: int, end: int) -> set[str]:
    """Names of the methods and fields defined inside the byte range (a class's body)."""
    out: set[str] = set()
    for match in tree.matches("tags", start + 1, end, only="definition."):
        name = match.first("name")
        if name is None or not start < name.start_byte < end:
            continue
        if "definition.method" in match.captures or "definition.field" in match.captures:
            out.add(_text(data, name))
    return out
