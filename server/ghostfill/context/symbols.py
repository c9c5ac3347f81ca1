"""A file's definitions, stored compactly, and how they are shown to a model.

`FileSymbols` holds what `extract.py` found in one file (names, kinds, rows and short headers
as columns); the index (`index.py`) keeps one per file. Rendering is pure: a container becomes
a skeleton (its header and its members' signatures), a member is shown inside its container's
signature, a whole file becomes an outline. How a language writes methods outside their type
comes from its `[symbols]` table, never from its name.
"""

from __future__ import annotations

import re
import sys
from array import array
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from ghostfill.documents.languages import SymbolRules

KINDS = (
    "function",
    "method",
    "class",
    "interface",
    "type",
    "constant",
    "variable",
    "module",
    "field",
    "enum",
    "macro",
)
CONTAINERS = frozenset({"class", "interface", "enum", "module"})
"""Kinds shown as a skeleton: their header plus the headers of their members."""
MAX_SKELETON_LINES = 24
MAX_OUTLINE_LINES = 32
NO_RULES = SymbolRules()
"""No methods outside their type's body (a file type without a `[symbols]` table)."""


@dataclass(frozen=True, slots=True)
class Definition:
    """One definition: where it is and the first lines of its text."""

    name: str
    kind: str
    line: int
    """0-based row where the definition starts."""
    end_line: int
    header: str
    """The definition's first lines: the whole text when short, else its signature."""
    signature_lines: int
    """How many lines of `header` form the signature (the rest is a short body)."""
    tail: str = ""
    """The closing line of a container (`}`, `end`), to close its skeleton."""


@dataclass(frozen=True, slots=True, eq=False)
class FileSymbols:
    """A file's definitions in document order, stored as columns to keep the index small.

    Per definition: its name (interned), kind (an index into KINDS), four ints (line,
    end line, signature lines, end of its header in `texts`) and its UTF-8 header followed
    by NUL and its tail. About 110 bytes a definition instead of ~600 as objects.
    """

    path: str
    language: str
    names: tuple[str, ...]
    kinds: bytes
    rows: array[int]
    texts: bytes

    @classmethod
    def of(cls, path: str, language: str, definitions: Iterable[Definition]) -> FileSymbols:
        names: list[str] = []
        kinds = bytearray()
        rows: array[int] = array("i")
        texts = bytearray()
        for d in definitions:
            names.append(sys.intern(d.name))
            kinds.append(_KIND_INDEX.get(d.kind, 0))
            texts += d.header.encode("utf-8", errors="replace")
            if d.tail:
                texts += b"\0" + d.tail.encode("utf-8", errors="replace")
            rows.extend((d.line, d.end_line, d.signature_lines, len(texts)))
        return cls(path, language, tuple(names), bytes(kinds), rows, bytes(texts))

    def __len__(self) -> int:
        return len(self.names)

    def definition(self, i: int) -> Definition:
        line, end_line, sig, stop = self.rows[4 * i : 4 * i + 4]
        start = self.rows[4 * i - 1] if i else 0
        header, _, tail = self.texts[start:stop].decode("utf-8", errors="replace").partition("\0")
        return Definition(self.names[i], KINDS[self.kinds[i]], line, end_line, header, sig, tail)

    @property
    def definitions(self) -> tuple[Definition, ...]:
        return tuple(self.definition(i) for i in range(len(self.names)))

    def named(self, name: str) -> list[Definition]:
        return [self.definition(i) for i in self.indices(name)]

    def indices(self, name: str) -> list[int]:
        """Positions of `name` in `names` (tuple.index scans in C: ~1 µs per 200 names)."""
        out: list[int] = []
        names = self.names
        try:
            i = names.index(name)
            while True:
                out.append(i)
                i = names.index(name, i + 1)
        except ValueError:
            return out

    def container_of(self, d: Definition) -> Definition | None:
        """The innermost class-like definition enclosing `d`."""
        found = -1
        rows = self.rows
        for i in range(len(self.names)):
            line = rows[4 * i]
            if line > d.line:
                break
            if (
                KINDS[self.kinds[i]] in CONTAINERS
                and line <= d.line <= rows[4 * i + 1]
                and (line, self.names[i]) != (d.line, d.name)
            ):
                found = i
        return self.definition(found) if found >= 0 else None

    def members(self, c: Definition) -> list[Definition]:
        """Direct members of container `c` (definitions inside it, not inside one another)."""
        out: list[Definition] = []
        last_end = c.line
        rows = self.rows
        for i in range(len(self.names)):
            line, end = rows[4 * i], rows[4 * i + 1]
            if line <= c.line:
                continue
            if line > c.end_line:
                break
            if out and line <= last_end:
                continue
            out.append(self.definition(i))
            last_end = end
        return out

    def top_level(self) -> list[int]:
        """Indices of the definitions not inside another one."""
        out: list[int] = []
        last_end = -1
        for i in range(len(self.names)):
            line, end = self.rows[4 * i], self.rows[4 * i + 1]
            if line > last_end:
                out.append(i)
                last_end = end
        return out

    def outline(self, limit: int = MAX_OUTLINE_LINES) -> tuple[str, int]:
        """The file at a glance, in about `limit` lines, and the row of its first definition.

        Every top-level signature when they fit, then classes expanded to their skeletons while
        room is left. A file with more picks its public functions and types first, then its
        public constants, then the rest, and shows them in file order."""
        top = [self.definition(i) for i in self.top_level()]
        if not top:
            return "", 0
        parts = [_signature(d) for d in top]
        if sum(map(len, parts)) > limit:
            order = sorted(range(len(top)), key=lambda n: (_outline_rank(top[n]), n))
            keep: set[int] = set()
            used = 0
            for n in order:
                if used + len(parts[n]) > limit - 1:
                    continue
                keep.add(n)
                used += len(parts[n])
            lines = [line for n in sorted(keep) for line in parts[n]]
            return _dedent("\n".join([*lines, "..."])), top[0].line
        room = limit - sum(map(len, parts))
        for n, d in enumerate(top):
            if d.kind in CONTAINERS and room > 0:
                skeleton = self._skeleton(d, len(parts[n]) + room)
                room -= len(skeleton) - len(parts[n])
                parts[n] = skeleton
        return _dedent("\n".join(line for part in parts for line in part)), top[0].line

    def render(self, d: Definition, rules: SymbolRules = NO_RULES) -> str:
        """The text shown to a model: a skeleton for containers, the header with its container's
        signature for members, the header otherwise. Dedented, at most a few dozen lines.
        `rules` is the file's language's `[symbols]` table."""
        if d.kind in CONTAINERS:
            lines = self._skeleton(d, MAX_SKELETON_LINES)
            lines += self._detached(d, MAX_SKELETON_LINES - len(lines), rules)
            return _dedent("\n".join(lines))
        parent = self.container_of(d)
        if parent is None:
            return _dedent(d.header)
        text = "\n".join([*_signature(parent), d.header])
        if parent.tail:
            text += "\n" + parent.tail
        return _dedent(text)

    def _skeleton(self, d: Definition, room: int) -> list[str]:
        """A container's header and its members' signatures, in at most `room` lines (never
        less than its signature)."""
        whole = d.header.split("\n")
        if d.signature_lines < len(whole):
            return whole if len(whole) <= room else _signature(d)  # short: kept whole
        lines = _signature(d)
        tail = [d.tail] if d.tail else []
        members = self.members(d)
        for n, m in enumerate(members):
            sig = _signature(m)
            more = n + 1 < len(members)
            if len(lines) + len(sig) + len(tail) + (1 if more else 0) > room:
                if len(lines) + 1 + len(tail) <= room:
                    lines.append(_indent_of(m.header) + "...")
                break
            lines += sig
        return lines + tail if len(lines) + len(tail) <= room else lines

    def _detached(self, c: Definition, room: int, rules: SymbolRules) -> list[str]:
        """Signatures of `c`'s methods written outside its body (`detached_methods`): every
        method up to the next type ("following": Rust impl blocks), or the methods whose
        signature names `c` ("named": Go receivers, C++ `void C::m()`)."""
        how = rules.detached_methods
        if room <= 1 or not how:
            return []
        mention = re.compile(rf"\b{re.escape(c.name)}\b")
        found: list[str] = []
        inside_until = c.end_line
        rows, kinds = self.rows, self.kinds
        for i in range(len(self.names)):
            line = rows[4 * i]
            if line <= c.end_line:
                continue
            kind = KINDS[kinds[i]]
            if kind in CONTAINERS:
                if how == "following" and kind != "module":
                    break  # the next type: the methods after it are its own
                inside_until = max(inside_until, rows[4 * i + 1])
                continue
            if kind != "method" or line <= inside_until:
                continue
            m = self.definition(i)
            sig = _signature(m)
            if how == "named" and not mention.search(sig[0]):
                continue
            if len(found) + len(sig) > room:
                found.append(_indent_of(sig[0]) + "...")
                break
            found += sig
        if found and rules.detached_block is not None:
            opener, closer = rules.detached_block
            found = [opener.replace("{name}", c.name), *found, closer]
        return found


_KIND_INDEX: Mapping[str, int] = MappingProxyType({k: i for i, k in enumerate(KINDS)})


def _outline_rank(d: Definition) -> int:
    """Which top-level definitions an outline keeps first (lower first)."""
    private = d.name.startswith("_")
    if d.kind in ("function", "class", "interface", "type", "enum", "macro", "module"):
        return 2 if private else 0
    if d.kind == "constant":
        return 3 if private else 1
    return 4


def _signature(d: Definition) -> list[str]:
    return d.header.split("\n")[: d.signature_lines]


def _indent_of(text: str) -> str:
    return text[: len(text) - len(text.lstrip())]


def _dedent(text: str) -> str:
    lines = text.split("\n")
    widths = [len(x) - len(x.lstrip()) for x in lines if x.strip()]
    cut = min(widths, default=0)
    return "\n".join(x[cut:] for x in lines) if cut else text
