"""The only module that touches tree_sitter, and the only one that converts UTF-16 columns.

tree_sitter's Python API changed across 0.22, 0.23 and 0.25 (Query construction, QueryCursor),
so everything else talks to the small types here: `Grammars` loads grammar wheels lazily,
`SyntaxTree` keeps one incrementally edited tree per document, and `Span`/`Capture` are plain
values. LSP columns are UTF-16 code units; trees and offsets are UTF-8 bytes.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from tree_sitter import Language, Node, Parser, Query, QueryCursor, Tree

from ghostfill.documents.languages import LanguageRegistry, LanguageSpec

log = logging.getLogger(__name__)

Point = tuple[int, int]


def utf16_to_byte(line: bytes, character: int) -> int:
    """Byte offset within `line` of UTF-16 column `character`, clamped to the line.

    A column that falls between the two halves of a surrogate pair snaps back to the start of
    that character, so an edit can never split a code point.
    """
    if character <= 0:
        return 0
    if line.isascii():
        return min(character, len(line))
    units = line.decode("utf-8", errors="replace").encode("utf-16-le")[: character * 2]
    return len(units.decode("utf-16-le", errors="ignore").encode("utf-8"))


def byte_to_utf16(line: bytes, offset: int) -> int:
    """UTF-16 column of byte `offset` within `line` (an offset inside a character rounds down)."""
    if line.isascii():
        return min(offset, len(line))
    text = line[:offset].decode("utf-8", errors="ignore")
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True, slots=True)
class Span:
    """A captured node: its capture name, kind, and byte range."""

    name: str
    kind: str
    start_byte: int
    end_byte: int
    start_row: int
    end_row: int


@dataclass(frozen=True, slots=True)
class Leaf:
    """A leaf node with where it sits: its parent's kind and the field it fills there."""

    start_byte: int
    end_byte: int
    kind: str
    parent: str
    field: str


@dataclass(frozen=True, slots=True)
class Match:
    """One query match: capture name -> spans, in document order."""

    captures: dict[str, tuple[Span, ...]]

    def first(self, name: str) -> Span | None:
        spans = self.captures.get(name)
        return spans[0] if spans else None


class Grammar:
    """A loaded tree-sitter language with its compiled queries."""

    def __init__(self, spec: LanguageSpec, language: Language, registry: LanguageRegistry) -> None:
        self.spec = spec
        self.language = language
        self._registry = registry
        self._queries: dict[str, Query | None] = {}

    def parser(self) -> Parser:
        return Parser(self.language)

    def query(self, kind: str) -> Query | None:
        """The compiled `<kind>.scm` for this language, or None when it has none."""
        if kind not in self._queries:
            source = self._registry.query_source(self.spec, kind)
            self._queries[kind] = Query(self.language, source) if source else None
        return self._queries[kind]


def compile_query(grammar: Grammar, source: str) -> list[str]:
    """Compile `source` for `grammar` and return its capture names (raises on a bad query)."""
    query = Query(grammar.language, source)
    return [query.capture_name(i) for i in range(query.capture_count)]


class Grammars:
    """Loads each grammar wheel the first time it is needed; shared by the whole process."""

    def __init__(self, registry: LanguageRegistry) -> None:
        self.registry = registry
        self._loaded: dict[str, tuple[LanguageSpec, Grammar | None]] = {}

    def get(self, spec: LanguageSpec) -> Grammar | None:
        """`spec`'s grammar, loaded once (again if the registry replaced the spec: a user's
        folder of the same name)."""
        hit = self._loaded.get(spec.name)
        if hit is None or hit[0] is not spec:
            hit = self._loaded[spec.name] = (spec, self._load(spec))
        return hit[1]

    def by_name(self, name: str) -> Grammar | None:
        spec = self.registry.get(name)
        return self.get(spec) if spec else None

    def _load(self, spec: LanguageSpec) -> Grammar | None:
        try:
            module = importlib.import_module(spec.grammar_package)
            language = Language(getattr(module, spec.grammar_function)())
        except (ImportError, AttributeError, ValueError) as exc:
            log.warning("grammar for %s unavailable: %s", spec.name, exc)
            return None
        return Grammar(spec, language, self.registry)


class SyntaxTree:
    """One document's tree, edited in place and re-parsed incrementally on demand."""

    def __init__(
        self,
        grammar: Grammar,
        data: bytes,
        *,
        old: Tree | None = None,
        parser: Parser | None = None,
    ) -> None:
        """`data` parsed; incrementally when `old` is an edited tree of it (reparses 1)."""
        self.grammar = grammar
        self._parser = parser or grammar.parser()
        self._tree: Tree = (
            self._parser.parse(data) if old is None else self._parser.parse(data, old)
        )
        self._dirty = False
        self.reparses = 0 if old is None else 1

    def edit(
        self,
        start_byte: int,
        old_end_byte: int,
        new_end_byte: int,
        start_point: Point,
        old_end_point: Point,
        new_end_point: Point,
    ) -> None:
        """Record an edit; the next read re-parses reusing every unchanged subtree."""
        self._tree.edit(
            start_byte=start_byte,
            old_end_byte=old_end_byte,
            new_end_byte=new_end_byte,
            start_point=start_point,
            old_end_point=old_end_point,
            new_end_point=new_end_point,
        )
        self._dirty = True

    def inserted(self, data: bytes, at: int, length: int) -> SyntaxTree:
        """A new tree of `data`: this tree's text with `length` bytes inserted at byte `at`,
        parsed incrementally (every subtree the insertion does not touch is reused, about
        half the time of a fresh parse of a short region). This tree is left as it was."""
        start = _point(data, at)
        tree = self._tree.copy()
        tree.edit(
            start_byte=at,
            old_end_byte=at,
            new_end_byte=at + length,
            start_point=start,
            old_end_point=start,
            new_end_point=_point(data, at + length),
        )
        return SyntaxTree(self.grammar, data, old=tree, parser=self._parser)

    def refresh(self, data: bytes) -> None:
        if self._dirty:
            self._tree = self._parser.parse(data, self._tree)
            self._dirty = False
            self.reparses += 1

    def sexp(self) -> str:
        return str(self._tree.root_node)

    def matches(
        self, kind: str, start_byte: int = 0, end_byte: int | None = None, only: str = ""
    ) -> list[Match]:
        """Matches of the language's `<kind>.scm` whose nodes intersect the byte range.

        With `only`, matches without a capture whose name starts with it are skipped before
        any Span is built (the symbol index wants `definition.` and not the many references).
        """
        query = self.grammar.query(kind)
        if query is None:
            return []
        cursor = QueryCursor(query)
        if end_byte is not None:
            cursor.set_byte_range(start_byte, end_byte)
        out: list[Match] = []
        for _, caps in cursor.matches(self._tree.root_node):
            if only and not any(name.startswith(only) for name in caps):
                continue
            out.append(
                Match({name: tuple(_span(name, n) for n in nodes) for name, nodes in caps.items()})
            )
        return out

    def enclosing(self, kind: str, byte: int, capture: str) -> list[Match]:
        """Matches whose `capture` node contains `byte`, outermost first.

        A node that ends exactly at `byte` contains it (the cursor at the end of a scope's last
        line), so the query range starts one byte earlier: a range starting at `byte` would not
        intersect that node.
        """
        found = [
            m
            for m in self.matches(kind, max(byte - 1, 0), byte + 1)
            if (s := m.first(capture)) and s.start_byte <= byte <= s.end_byte
        ]
        found.sort(
            key=lambda m: (m.captures[capture][0].start_byte, -m.captures[capture][0].end_byte)
        )
        return found

    def problems(self, start_byte: int = 0, end_byte: int | None = None) -> int:
        """Count ERROR and MISSING nodes intersecting the byte range (the syntax gate's measure)."""
        root = self._tree.root_node
        if not root.has_error:
            return 0
        end = root.end_byte if end_byte is None else end_byte
        return sum(
            1 for n in _walk_errors(root) if n.end_byte >= start_byte and n.start_byte <= end
        )

    def tokens(
        self, start_byte: int = 0, end_byte: int | None = None
    ) -> Iterable[tuple[int, int, str]]:
        """Leaf nodes in the range as (start_byte, end_byte, kind), in document order."""
        end = self._tree.root_node.end_byte if end_byte is None else end_byte
        cursor = self._tree.walk()
        while True:
            node = cursor.node
            assert node is not None
            if node.end_byte <= start_byte or node.start_byte >= end:
                pass
            elif node.child_count == 0:
                yield node.start_byte, node.end_byte, node.type
            elif cursor.goto_first_child():
                continue
            while not cursor.goto_next_sibling():
                if not cursor.goto_parent():
                    return

    def leaves(self, start_byte: int = 0, end_byte: int | None = None) -> list[Leaf]:
        """Leaf nodes in the range with their parent's kind and field name, in document order."""
        end = self._tree.root_node.end_byte if end_byte is None else end_byte
        out: list[Leaf] = []
        cursor = self._tree.walk()
        parents: list[str] = []
        while True:
            node = cursor.node
            assert node is not None
            if node.end_byte < start_byte or node.start_byte > end:
                pass
            elif node.child_count == 0:
                parent = parents[-1] if parents else ""
                field = cursor.field_name or ""
                out.append(Leaf(node.start_byte, node.end_byte, node.type, parent, field))
            elif cursor.goto_first_child():
                parents.append(node.type)
                continue
            while not cursor.goto_next_sibling():
                if not cursor.goto_parent():
                    return out
                parents.pop()


def _span(name: str, node: Node) -> Span:
    return Span(
        name, node.type, node.start_byte, node.end_byte, node.start_point[0], node.end_point[0]
    )


def _walk_errors(node: Node) -> Iterable[Node]:
    if node.is_error or node.is_missing:
        yield node
    if node.has_error:
        for child in node.children:
            yield from _walk_errors(child)


def _point(data: bytes, offset: int) -> Point:
    """(row, byte column) of `offset` in `data`."""
    return data.count(b"\n", 0, offset), offset - (data.rfind(b"\n", 0, offset) + 1)


def parse_once(grammar: Grammar, data: bytes) -> SyntaxTree:
    """A throwaway tree for text that is not an open document (syntax gate, indexing).

    Always from bytes: tree_sitter 0.26.1 leaks every chunk a read callback returns (~190 KB
    per 120 KB file), so the callback form of `Parser.parse` is not used anywhere.
    """
    return SyntaxTree(grammar, data)
