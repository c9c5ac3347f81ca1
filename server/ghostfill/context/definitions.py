"""Definitions of the identifiers used near the cursor, from other files first.

Which names: every identifier in the ~20 lines above the cursor, the cursor line and the few
lines below it, weighted by closeness to the cursor and how often it appears; `a.b` / `a::b`
pairs; the word being typed; then every name the file imports (so the next line can use an
import that is not near the cursor yet), and, lightly, the other names in the cursor window.

Where they are defined, most certain first:
1. through the file's imports (`imports.scm`): `from .store import Store`, `import {x} from
   "./y"`, `use crate::store::Store`, `store.New()` with `import ".../store"`; a module used
   near the cursor (`util.` / `store.`) or imported whole (`#include`, `source`) is shown as an
   outline of what it defines;
2. in the same folder (a Go or Java package sees its folder without imports), in modules
   imported whole;
3. anywhere in the workspace index, when few files define the name;
4. elsewhere in the current file, outside the window the model already sees.

Text is found by regular expression on the live bytes (the tree may have pending edits), so
what the user just typed counts. Rendered snippets are cached per definition.
"""

from __future__ import annotations

import math
import os
import re
from collections import Counter, OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field

from ghostfill.context.imports import (
    DEFAULT_RULE,
    RULES,
    Binding,
    Imports,
    ModuleRule,
    read_imports,
    resolve,
)
from ghostfill.context.symbols import CONTAINERS, KINDS, Definition, FileSymbols, SymbolIndex
from ghostfill.context.window import Window
from ghostfill.documents.store import Document, TextChange
from ghostfill.model import Snippet
from ghostfill.settings import Settings

NEAR_ABOVE = 20
NEAR_BELOW = 3
TOP_LINES = 300
TOP_BYTES = 32 * 1024
"""Imports are read from the top of the file (this much) and from the cursor window."""
MAX_NAMES = 40
"""Names near the cursor looked up, besides every imported name (up to MAX_BOUND)."""
MAX_BOUND = 64
MIN_WEIGHT = 0.05
MAX_PER_NAME = 2
MAX_AMBIGUOUS = 6
"""A name defined in more files than this is looked up only through imports and folders."""
MAX_SNIPPETS = 32
MEMBER_KINDS = frozenset({"field", "method"})
"""Reached as `x.member`: a plain name is a local or a parameter, not someone's field."""
IMPORTED_WEIGHT = 0.25
GLOBAL_CONFIDENCE = 0.55
RE_EXPORT_CONFIDENCE = 0.9
WINDOW_WEIGHT = 0.03
OUTLINE_SHARE = 0.6
MAX_OUTLINES = 2
SIBLING_WEIGHT = 0.12
"""Go and Java see their package's other files without imports: their types, lightly."""
MAX_SIBLINGS = 8
SIBLING_KINDS = frozenset({"class", "interface", "enum", "type"})
RENDER_CACHE = 512

_IDENT = re.compile(rb"[A-Za-z_$][A-Za-z0-9_$]*")
_MEMBER = re.compile(rb"([A-Za-z_$][\w$]*)\s*(?:\?\.|\.|::|->)\s*([A-Za-z_$][\w$]*)")
_PARTIAL = re.compile(r"(?:([A-Za-z_$][\w$]*)\s*(?:\?\.|\.|::|->)\s*)?([A-Za-z_$][\w$]*)$")
_IMPORT_LINE = re.compile(
    rb"^[ \t]*(?:import|from|use|#[ \t]*include|using|require|source)\b|require\(", re.MULTILINE
)
STOP = frozenset(
    "self this super cls if else elif for while return def class fn func function var let "
    "const new true false True False None null nil undefined and or not in is as from import "
    "try except finally catch throw raise with pub mut struct impl trait enum type interface "
    "package public private protected static void int str bool float string end then do "
    "async await yield lambda pass break continue match case switch default print len range "
    "err ok i32 i64 u8 u32 u64 usize f64 byte rune echo local require".split()
)
"""Keywords and builtins never looked up as names near the cursor (imports always are)."""


@dataclass(frozen=True, slots=True)
class _Candidate:
    symbols: FileSymbols
    definition: Definition | None
    """None: the outline of the whole file (a module used as `module.name`)."""
    score: float

    @property
    def line(self) -> int:
        return -1 if self.definition is None else self.definition.line


@dataclass(slots=True)
class _Request:
    """One gather's state: the document, its imports, and the candidates found so far."""

    doc: Document
    window: Window
    imports: Imports
    rule: ModuleRule
    folder: str
    nearby: dict[str, list[FileSymbols]]
    found: dict[tuple[str, int], _Candidate] = field(default_factory=dict)

    def offer(self, fs: FileSymbols, d: Definition | None, score: float) -> None:
        if fs.path == self.doc.path and (
            d is None or self.window.first_row <= d.line <= self.window.last_row
        ):
            return  # the model sees it already
        key = (fs.path, -1 if d is None else d.line)
        old = self.found.get(key)
        if old is None or old.score < score:
            self.found[key] = _Candidate(fs, d, score)


class DefinitionSource:
    """A SnippetSource: cross-file definitions of the names the next line is likely to use."""

    def __init__(self, index: SymbolIndex, cache_size: int = 1024) -> None:
        self.index = index
        self.cache_size = cache_size
        self._imports: OrderedDict[tuple[str, int], Imports] = OrderedDict()
        """(uri, hash of the file's top) -> the imports found there."""
        self._resolved: OrderedDict[tuple[str, str, str], list[str]] = OrderedDict()
        self._nearby: OrderedDict[str, dict[str, list[FileSymbols]]] = OrderedDict()
        self._rendered: OrderedDict[tuple[str, int], tuple[FileSymbols, str, int]] = OrderedDict()
        self._generation = -1

    # -- document hooks (ContextEngine fans them out) ------------------------------------

    def opened(self, doc: Document) -> None:
        if doc.spec is not None:
            self.index.observe(doc.path, doc.text, doc.language)

    def saved(self, doc: Document) -> None:
        self.opened(doc)

    def changed(self, doc: Document, changes: Sequence[TextChange]) -> None:
        return

    def closed(self, doc: Document) -> None:
        return

    # -- the source -------------------------------------------------------------------------

    def snippets(self, doc: Document, window: Window, settings: Settings) -> list[Snippet]:
        if not settings.context.symbols:
            return []
        if self.index.generation != self._generation:
            self._resolved.clear()
            self._nearby.clear()
            self._generation = self.index.generation
        imports = self._imports_of(doc, window)
        req = _Request(
            doc,
            window,
            imports,
            RULES.get(doc.language, DEFAULT_RULE),
            os.path.dirname(doc.path),
            self._nearby_names(doc, imports),
        )
        weights, pairs = _near_names(doc, window)
        bound = {local: max(weights.pop(local, 0.0), IMPORTED_WEIGHT) for local in imports.bindings}
        ranked = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_NAMES]
        for name, weight in [*sorted(bound.items())[:MAX_BOUND], *ranked]:
            if weight >= MIN_WEIGHT:
                self._resolve_name(req, name, weight)
        for (owner, member), weight in sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0])):
            self._resolve_member(req, owner, member, weight)
        self._partial(req)
        for module in imports.wildcards[: MAX_OUTLINES * 2]:
            for path in self._files(module, doc)[:MAX_OUTLINES]:
                included = self.index.file(path)
                if included is not None and len(included):
                    req.offer(included, None, IMPORTED_WEIGHT)
        if req.rule.same_package:
            self._siblings(req)
        best = sorted(req.found.values(), key=lambda c: (-c.score, c.symbols.path, c.line))
        return [self._snippet(c) for c in best[:MAX_SNIPPETS]]

    def _snippet(self, c: _Candidate) -> Snippet:
        key = (c.symbols.path, c.line)
        hit = self._rendered.get(key)
        if hit is None or hit[0] is not c.symbols:
            fs, d = c.symbols, c.definition
            text, line = fs.outline() if d is None else (fs.render(d), d.line)
            hit = (fs, text, line)
            self._rendered[key] = hit
            if len(self._rendered) > RENDER_CACHE:
                self._rendered.popitem(last=False)
        return Snippet(c.symbols.path, hit[1], "definition", round(c.score, 6), hit[2])

    # -- resolution -------------------------------------------------------------------------

    def _resolve_name(self, req: _Request, name: str, weight: float) -> None:
        binding = req.imports.bindings.get(name)
        if binding is not None:
            defined = self._imported(req.doc, binding) if binding.name else []
            for fs, d in defined:
                if d.kind != "module":
                    req.offer(fs, d, weight)
            if binding.name and not defined and not self._module_files(binding, req.doc):
                # re-exported (`from .models import User` in a package's __init__): the name
                # is certainly defined somewhere; take the few files that define it
                self._global(req, binding.name, weight, RE_EXPORT_CONFIDENCE)
                return
            if all(d.kind == "module" for _, d in defined):
                # the name is a module (`use a::b;`, `from . import util`, `import fmt`):
                # what it offers, when it is used near the cursor or was imported by name
                share = OUTLINE_SHARE if not binding.name else 1.0
                if binding.name or weight > IMPORTED_WEIGHT:
                    for path in self._module_files(binding, req.doc)[:MAX_OUTLINES]:
                        module = self.index.file(path)
                        if module is not None and len(module):
                            req.offer(module, None, weight * share)
            return
        nearby = req.nearby.get(name)
        if nearby:
            for fs in nearby:
                if fs.path == req.doc.path:
                    confidence = 0.4
                elif os.path.dirname(fs.path) == req.folder:
                    confidence = 0.9 if req.rule.same_package else 0.7
                else:
                    confidence = 0.85  # a wildcard import
                for d in _named(fs, name):
                    if d.kind not in MEMBER_KINDS:
                        req.offer(fs, d, weight * confidence)
            return
        self._global(req, name, weight, GLOBAL_CONFIDENCE)

    def _global(self, req: _Request, name: str, weight: float, confidence: float) -> None:
        """Definitions of `name` anywhere in the index, when few files define it."""
        count = self.index.count(name)
        if not 0 < count <= MAX_AMBIGUOUS:
            return
        for fs in self.index.defining(name, MAX_AMBIGUOUS):
            share = confidence / math.sqrt(count) * (0.6 + 0.4 * _closeness(fs.path, req.doc.path))
            for d in _named(fs, name):
                if d.kind not in MEMBER_KINDS and (d.kind != "variable" or count == 1):
                    req.offer(fs, d, weight * share)

    def _resolve_member(self, req: _Request, owner: str, member: str, weight: float) -> None:
        binding = req.imports.bindings.get(owner)
        if binding is not None:
            files = [fs.path for fs, _ in self._imported(req.doc, binding)] if binding.name else []
            if not files:  # `owner` is a module: `from pkg import mod` ... `mod.member`
                files = self._module_files(binding, req.doc)
            for path in files:
                fs = self.index.file(path)
                if fs is not None:
                    for d in _named(fs, member):
                        req.offer(fs, d, weight)
            return
        count = self.index.count(member)
        if not 0 < count <= MAX_AMBIGUOUS // 2:
            return
        for fs in self.index.defining(member, MAX_AMBIGUOUS):
            for d in _named(fs, member):
                if d.kind in ("method", "field", "function", "constant"):
                    req.offer(fs, d, weight * 0.35 / math.sqrt(count))

    def _siblings(self, req: _Request) -> None:
        siblings = [p for p in sorted(self.index.in_folder(req.folder)) if p != req.doc.path]
        for path in siblings[:MAX_SIBLINGS]:
            fs = self.index.file(path)
            if fs is None:
                continue
            top = [i for i in fs.top_level() if KINDS[fs.kinds[i]] in SIBLING_KINDS]
            for i in top[:3]:
                req.offer(fs, fs.definition(i), SIBLING_WEIGHT)

    def _partial(self, req: _Request) -> None:
        """The word being typed: names that start with it, in the modules it can come from."""
        m = _PARTIAL.search(req.window.line_prefix)
        if m is None or len(m.group(2)) < 2:
            return
        owner, partial = m.group(1), m.group(2)
        if owner:
            binding = req.imports.bindings.get(owner)
            if binding is None or binding.name:
                return
            for path in self._files(binding.module, req.doc):
                fs = self.index.file(path)
                if fs is None:
                    continue
                hits = [i for i, n in enumerate(fs.names) if n.startswith(partial)][:3]
                for i in hits:
                    req.offer(fs, fs.definition(i), 0.9)
            return
        for local, binding in sorted(req.imports.bindings.items()):
            if local.startswith(partial) and local != partial and binding.name:
                for fs, d in self._imported(req.doc, binding):
                    req.offer(fs, d, 0.8)

    def _module_files(self, binding: Binding, doc: Document) -> list[str]:
        """Files of the module a binding names, the one named like the binding first.

        A module imported by name that resolves nowhere was re-exported (`from .pygram import
        token`, where pygram imported it): the nearest modules with that name stand in."""
        module = (
            _join(binding.module, binding.name, doc.language) if binding.name else binding.module
        )
        files = self._files(module, doc)
        if not files and binding.name:
            named = [p for p in self.index.with_stem(binding.name) if p != doc.path]
            files = sorted(named, key=lambda p: -_closeness(p, doc.path))[:MAX_OUTLINES]
        return sorted(files, key=lambda p: (_stem(p) != binding.local, p))

    def _imported(self, doc: Document, binding: Binding) -> list[tuple[FileSymbols, Definition]]:
        """Where `from module import name` (or `use module::name`, ...) defines `name`."""
        out: list[tuple[FileSymbols, Definition]] = []
        for path in self._files(binding.module, doc):
            fs = self.index.file(path)
            if fs is not None:
                out += [(fs, d) for d in _named(fs, binding.name)]
        if out:
            return out
        module = _join(binding.module, binding.name, doc.language)
        for path in self._files(module, doc):  # the name is a module, or a Java class file
            fs = self.index.file(path)
            if fs is not None:
                out += [(fs, d) for d in _named(fs, binding.name)]
        return out

    def _files(self, module: str, doc: Document) -> list[str]:
        key = (os.path.dirname(doc.path), module, doc.language)
        hit = self._resolved.get(key)
        if hit is None:
            hit = resolve(module, doc.path, doc.language, self.index)
            self._resolved[key] = hit
            if len(self._resolved) > self.cache_size:
                self._resolved.popitem(last=False)
        return hit

    def _nearby_names(self, doc: Document, imports: Imports) -> dict[str, list[FileSymbols]]:
        """name -> files defining it, among the current file, its folder and wildcard modules."""
        key = f"{doc.path}\0{doc.language}\0" + "\0".join(imports.wildcards)
        hit = self._nearby.get(key)
        if hit is not None:
            self._nearby.move_to_end(key)
            return hit
        paths = [doc.path, *sorted(self.index.in_folder(os.path.dirname(doc.path)))]
        for module in imports.wildcards:
            paths += self._files(module, doc)
        table: dict[str, list[FileSymbols]] = {}
        for path in dict.fromkeys(paths):
            fs = self.index.file(path)
            if fs is None:
                continue
            for name in dict.fromkeys(fs.names):
                table.setdefault(name, []).append(fs)
        self._nearby[key] = table
        if len(self._nearby) > 32:
            self._nearby.popitem(last=False)
        return table

    def _imports_of(self, doc: Document, window: Window) -> Imports:
        """The file's imports: its top (cached while that text is unchanged) and any import
        lines in the cursor window below it (Python and Rust import inside functions)."""
        tree = doc.syntax(fresh=False)
        if tree is None or doc.line_count == 0:
            return Imports()
        data = doc.data
        top_end = min(doc.line_start(min(TOP_LINES, doc.line_count - 1)), TOP_BYTES)
        if top_end == 0:
            top_end = len(data)
        key = (doc.uri, hash(data[:top_end]))
        top = self._imports.get(key)
        if top is None:
            top = read_imports(tree, data, [(0, top_end)], doc.language)
            self._imports[key] = top
            if len(self._imports) > 64:
                self._imports.popitem(last=False)
        low = max(top_end, doc.line_start(window.first_row))
        if window.cursor_byte <= low or _IMPORT_LINE.search(data, low, window.cursor_byte) is None:
            return top
        near = read_imports(tree, data, [(low, window.cursor_byte)], doc.language)
        return Imports(
            {**near.bindings, **top.bindings},
            top.wildcards + tuple(m for m in near.wildcards if m not in top.wildcards),
            top.modules + tuple(m for m in near.modules if m not in top.modules),
        )


def _near_names(
    doc: Document, window: Window
) -> tuple[dict[str, float], dict[tuple[str, str], float]]:
    """Identifier -> weight, and (owner, member) -> weight, around the cursor."""
    row = window.row
    first = max(0, row - NEAR_ABOVE)
    last = min(doc.line_count - 1, row + NEAR_BELOW)
    data = doc.data
    totals: dict[bytes, float] = {}
    pairs: dict[tuple[bytes, bytes], float] = {}
    for r in range(first, last + 1):
        start, end = doc.line_start(r), doc.line_end(r)
        if r == row:
            _count(data, window.cursor_byte, end, 0.8, totals, pairs)  # after the cursor
            end = window.cursor_byte
        _count(data, start, end, 1.0 / (1.0 + 0.25 * abs(row - r)), totals, pairs)
    if window.first_row < first:
        start, end = doc.line_start(window.first_row), doc.line_start(first)
        for word, n in Counter(_IDENT.findall(data, start, end)).items():
            totals[word] = totals.get(word, 0.0) + WINDOW_WEIGHT * n
    weights: dict[str, float] = {}
    for word, total in totals.items():
        name = word.decode("ascii")
        if len(name) > 1 and name not in STOP:
            weights[name] = 1.0 - math.exp(-total)
    members: dict[tuple[str, str], float] = {}
    for (a, b), total in pairs.items():
        member = b.decode("ascii")
        if len(member) > 1 and member not in STOP:
            members[(a.decode("ascii"), member)] = 1.0 - math.exp(-total)
    return weights, members


def _count(
    data: bytes,
    start: int,
    end: int,
    w: float,
    totals: dict[bytes, float],
    pairs: dict[tuple[bytes, bytes], float],
) -> None:
    if end <= start:
        return
    for word in _IDENT.findall(data, start, end):
        totals[word] = totals.get(word, 0.0) + w
    for pair in _MEMBER.findall(data, start, end):
        pairs[pair] = pairs.get(pair, 0.0) + w


def _named(fs: FileSymbols, name: str) -> list[Definition]:
    """A file's definitions of `name`; a class wins over its constructors (Java, C#, C++)."""
    found = fs.named(name)
    classes = [d for d in found if d.kind in CONTAINERS]
    return (classes or found)[:MAX_PER_NAME]


def _join(module: str, name: str, language: str) -> str:
    """The module `name` inside `module` (`.` + `util`, `crate::store` + `limits`)."""
    sep = RULES.get(language, DEFAULT_RULE).separators[0]
    if module.endswith((sep, ".")):
        return module + name
    return f"{module}{sep}{name}"


def _stem(path: str) -> str:
    return os.path.basename(path).split(".", 1)[0]


def _closeness(path: str, other: str) -> float:
    """Shared leading folders of two paths, as a fraction of the deeper one's folders."""
    a, b = path.split(os.sep)[:-1], other.split(os.sep)[:-1]
    shared = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        shared += 1
    return shared / max(len(a), len(b), 1)
