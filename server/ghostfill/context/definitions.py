"""Definitions of the identifiers used near the cursor, from other files first.

Which names: those near the cursor (`near_names.py`), the word being typed, then every name
the file imports (so the next line can use an import that is not near the cursor yet).

Where they are defined, most certain first:
1. through the file's imports (`imports.scm`): `from .store import Store`, `import {x} from
   "./y"`, `use crate::store::Store`, `store.New()` with `import ".../store"`; a module used
   near the cursor (`util.` / `store.`) or imported whole (`#include`, `source`) is shown as an
   outline of what it defines; a name re-exported by the module it is imported from is looked
   up in the few files that define it;
2. this file, when it defines the name (that definition is the one the code means), unless
   the window already shows it;
3. the same folder: in scope where a folder's files share names (`same_package`: Go, Java,
   C#), whose other types are also offered, lightly; elsewhere only when exactly one file of
   the folder defines the name;
4. anywhere in the workspace index, when at most `MAX_AMBIGUOUS` files define the name.

Resolutions are memoized per file, index generation and the binding a name has (not the whole
set of imports, which changes as the window passes import lines), and rendered snippets are
cached, so typing along a line, or at a place visited before, costs little more than reading
the names around the cursor.
"""

from __future__ import annotations

import functools
import math
import os
import re
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field

from ghostfill.context.imports import Binding, Imports, read_imports, resolve, rules_of
from ghostfill.context.index import SymbolIndex
from ghostfill.context.member_uses import MemberUses, whole_lines
from ghostfill.context.near_names import WindowCounts, near_names
from ghostfill.context.symbols import CONTAINERS, KINDS, NO_RULES, Definition, FileSymbols
from ghostfill.context.window import Window
from ghostfill.documents.languages import ImportRules
from ghostfill.documents.store import Document, TextChange
from ghostfill.model import Snippet
from ghostfill.settings import Settings

TOP_LINES = 300
TOP_BYTES = 32 * 1024
"""Imports are read from the top of the file (this much) and from the cursor window."""
MAX_NAMES = 40
"""Names near the cursor looked up, besides every imported name (up to MAX_BOUND)."""
MAX_BOUND = 64
MIN_WEIGHT = 0.05
MAX_PER_NAME = 2
FOLDER_CACHE = 16
MAX_AMBIGUOUS = 6
"""A name defined in more files than this is looked up only through imports and folders."""
MAX_SNIPPETS = 32
MEMBER_KINDS = frozenset({"field", "method"})
"""Reached as `x.member`: a plain name is a local or a parameter, not someone's field."""
IMPORTED_WEIGHT = 0.25
GLOBAL_CONFIDENCE = 0.55
SAME_FILE_CONFIDENCE = 0.4
PACKAGE_CONFIDENCE = 0.9
FOLDER_CONFIDENCE = 0.5
INCLUDE_CONFIDENCE = 0.85
RE_EXPORT_CONFIDENCE = 0.9
OUTLINE_SHARE = 0.6
MAX_OUTLINES = 2
SIBLING_WEIGHT = 0.12
"""Go and Java see their package's other files without imports: their types, lightly."""
MAX_SIBLINGS = 8
SIBLING_KINDS = frozenset({"class", "interface", "enum", "type"})
MAX_FILE_MEMBERS = 24
FILE_MEMBER_WEIGHT = 0.25
RENDER_CACHE = 2048
MEMO_SIZE = 8192

_PARTIAL = re.compile(r"(?:([A-Za-z_$][\w$]*)\s*(?:\?\.|\.|::|->)\s*)?([A-Za-z_$][\w$]*)$")
_Found = list[tuple[FileSymbols, "Definition | None", float, bool]]
"""Resolved definitions: (file, definition or None for its outline, confidence, near only)."""
_MemoKey = tuple[str, str, frozenset[str], str, str, "Binding | None"]
"""(path, language, files imported whole, owner, name, the binding of the owner or name)."""


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
    rule: ImportRules
    folder: str
    own: FileSymbols | None
    """The current file as the index last saw it."""
    included: frozenset[str]
    """Files of the modules imported whole (`#include`, `from m import *`)."""
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
        self._rendered: OrderedDict[tuple[str, int], tuple[FileSymbols, str, int]] = OrderedDict()
        self._memo: OrderedDict[_MemoKey, _Found] = OrderedDict()
        self._own: tuple[FileSymbols, frozenset[str]] | None = None
        self._window_counts = WindowCounts()
        self._member_uses = MemberUses()
        self._folders: OrderedDict[str, tuple[int, dict[str, list[FileSymbols]]]] = OrderedDict()
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
            self._memo.clear()
            self._generation = self.index.generation
        imports = self._imports_of(doc, window)
        req = _Request(
            doc,
            window,
            imports,
            rules_of(doc.spec),
            os.path.dirname(doc.path),
            self.index.file(doc.path),
            frozenset(p for module in imports.wildcards for p in self._files(module, doc)),
        )
        weights, pairs = near_names(doc, window, self._window_counts, MIN_WEIGHT)
        modules = sorted(local for local, b in imports.bindings.items() if not b.name)
        for pair, n in self._member_uses(doc, window, modules).most_common(MAX_FILE_MEMBERS):
            pairs[pair] = max(pairs.get(pair, 0.0), 1.0 - math.exp(-FILE_MEMBER_WEIGHT * n))
        bound = {local: max(weights.pop(local, 0.0), IMPORTED_WEIGHT) for local in imports.bindings}
        ranked = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_NAMES]
        for name, weight in [*sorted(bound.items())[:MAX_BOUND], *ranked]:
            if weight >= MIN_WEIGHT:
                self._offer(req, ("", name), weight)
        for (owner, member), weight in sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0])):
            self._offer(req, (owner, member), weight)
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

    def _folder_names(self, folder: str) -> dict[str, list[FileSymbols]]:
        """name -> the files of `folder` defining it; rebuilt only when the folder changes."""
        version = self.index.folder_version(folder)
        hit = self._folders.get(folder)
        if hit is not None and hit[0] == version:
            self._folders.move_to_end(folder)
            return hit[1]
        table: dict[str, list[FileSymbols]] = {}
        for path in sorted(self.index.in_folder(folder)):
            fs = self.index.file(path)
            if fs is not None:
                for name in dict.fromkeys(fs.names):
                    table.setdefault(name, []).append(fs)
        self._folders[folder] = (version, table)
        if len(self._folders) > FOLDER_CACHE:
            self._folders.popitem(last=False)
        return table

    def _names_of(self, fs: FileSymbols) -> frozenset[str]:
        """The names a file defines, as a set (kept for the last file asked about)."""
        if self._own is None or self._own[0] is not fs:
            self._own = (fs, frozenset(fs.names))
        return self._own[1]

    def _snippet(self, c: _Candidate) -> Snippet:
        key = (c.symbols.path, c.line)
        hit = self._rendered.get(key)
        if hit is None or hit[0] is not c.symbols:
            fs, d = c.symbols, c.definition
            spec = self.index.grammars.registry.get(fs.language)
            rules = spec.symbols if spec is not None else NO_RULES
            text, line = fs.outline() if d is None else (fs.render(d, rules), d.line)
            hit = (fs, text, line)
            self._rendered[key] = hit
            if len(self._rendered) > RENDER_CACHE:
                self._rendered.popitem(last=False)
        return Snippet(c.symbols.path, hit[1], "definition", round(c.score, 6), hit[2])

    # -- resolution -------------------------------------------------------------------------

    def _offer(self, req: _Request, key: tuple[str, str], weight: float) -> None:
        """Offer what `name` (owner "") or `owner.member` resolves to, memoized per file,
        index generation and what the lookup depends on of the imports (the binding of the
        name or owner, the files imported whole): typing along a line resolves the same
        names again, and so does a window that moved past other import lines."""
        binding = req.imports.bindings.get(key[0] or key[1])
        memo_key = (req.doc.path, req.doc.language, req.included, *key, binding)
        found = self._memo.get(memo_key)
        if found is None:
            found = []
            if key[0]:
                self._resolve_member(req, key[0], key[1], found)
            else:
                self._resolve_name(req, key[1], found)
            self._memo[memo_key] = found
            if len(self._memo) > MEMO_SIZE:
                self._memo.popitem(last=False)
        for fs, d, confidence, near_only in found:
            if not near_only or weight > IMPORTED_WEIGHT:
                req.offer(fs, d, weight * confidence)

    def _resolve_name(self, req: _Request, name: str, out: _Found) -> None:
        binding = req.imports.bindings.get(name)
        if binding is not None:
            defined = self._imported(req.doc, binding) if binding.name else []
            out += [(fs, d, 1.0, False) for fs, d in defined if d.kind != "module"]
            if binding.name and not defined and not self._module_files(binding, req.doc):
                # re-exported (`from .models import User` in a package's __init__): the name
                # is certainly defined somewhere; take the few files that define it
                self._global(req, binding.name, RE_EXPORT_CONFIDENCE, out)
                return
            if all(d.kind == "module" for _, d in defined):
                # the name is a module (`use a::b;`, `from . import util`, `import fmt`):
                # what it offers, when it is used near the cursor or was imported by name
                share = OUTLINE_SHARE if not binding.name else 1.0
                for path in self._module_files(binding, req.doc)[:MAX_OUTLINES]:
                    module = self.index.file(path)
                    if module is not None and len(module):
                        out.append((module, None, share, not binding.name))
            return
        if req.own is not None and name in self._names_of(req.own):
            for d in _named(req.own, name):  # defined in this file: the one the code means
                if d.kind not in MEMBER_KINDS:
                    out.append((req.own, d, SAME_FILE_CONFIDENCE, False))
            return
        included = [
            fs
            for path in sorted(req.included)
            if (fs := self.index.file(path)) is not None and fs.indices(name)
        ]
        package = [
            fs
            for fs in self._folder_names(req.folder).get(name, ())
            if fs.path != req.doc.path and fs.path not in req.included
        ]
        if req.rule.same_package:
            confidence = PACKAGE_CONFIDENCE
        elif len(package) == 1:
            confidence = FOLDER_CONFIDENCE  # not in scope without an import, but likely kin
        else:
            package = []  # every sibling defines it (`Codec` in encodings/): no signal
        for fs, share in [(fs, INCLUDE_CONFIDENCE) for fs in included] + [
            (fs, confidence) for fs in package
        ]:
            out += [(fs, d, share, False) for d in _named(fs, name) if d.kind not in MEMBER_KINDS]
        if included or package:
            return
        self._global(req, name, GLOBAL_CONFIDENCE, out)

    def _global(self, req: _Request, name: str, confidence: float, out: _Found) -> None:
        """Definitions of `name` anywhere in the index, when few files define it."""
        count = self.index.count(name)
        if not 0 < count <= MAX_AMBIGUOUS:
            return
        for fs in self.index.defining(name, MAX_AMBIGUOUS):
            share = confidence / math.sqrt(count) * (0.6 + 0.4 * _closeness(fs.path, req.doc.path))
            for d in _named(fs, name):
                if d.kind not in MEMBER_KINDS and (d.kind != "variable" or count == 1):
                    out.append((fs, d, share, False))

    def _resolve_member(self, req: _Request, owner: str, member: str, out: _Found) -> None:
        binding = req.imports.bindings.get(owner)
        if binding is not None:
            for path in self._owner_files(binding, req.doc):
                fs = self.index.file(path)
                if fs is not None:
                    out += [(fs, d, 1.0, False) for d in _named(fs, member)]
            return
        count = self.index.count(member)
        if not 0 < count <= MAX_AMBIGUOUS // 2:
            return
        for fs in self.index.defining(member, MAX_AMBIGUOUS):
            for d in _named(fs, member):
                if d.kind in ("method", "field", "function", "constant"):
                    out.append((fs, d, 0.35 / math.sqrt(count), False))

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
            if binding is None:
                return
            for path in self._owner_files(binding, req.doc):
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

    def _owner_files(self, binding: Binding, doc: Document) -> list[str]:
        """Where `owner.member` looks for `member`: the file of an imported class, or the
        files of an imported module (`import m`, `from pkg import m`)."""
        files = [fs.path for fs, _ in self._imported(doc, binding)] if binding.name else []
        return files or self._module_files(binding, doc)

    def _module_files(self, binding: Binding, doc: Document) -> list[str]:
        """Files of the module a binding names, the one named like the binding first.

        A module imported by name that resolves nowhere was re-exported (`from .pygram import
        token`, where pygram imported it): the nearest modules with that name stand in."""
        module = (
            _join(binding.module, binding.name, rules_of(doc.spec))
            if binding.name
            else binding.module
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
        module = _join(binding.module, binding.name, rules_of(doc.spec))
        for path in self._files(module, doc):  # the name is a module, or a Java class file
            fs = self.index.file(path)
            if fs is not None:
                out += [(fs, d) for d in _named(fs, binding.name)]
        return out

    def _files(self, module: str, doc: Document) -> list[str]:
        key = (os.path.dirname(doc.path), module, doc.language)
        hit = self._resolved.get(key)
        if hit is None:
            hit = resolve(module, doc.path, rules_of(doc.spec), self.index)
            self._resolved[key] = hit
            if len(self._resolved) > self.cache_size:
                self._resolved.popitem(last=False)
        return hit

    def _imports_of(self, doc: Document, window: Window) -> Imports:
        """The file's imports: its top (cached while that text is unchanged) and any import
        lines in the cursor window below it (some languages import inside functions). Only
        the lines the language's `[imports] statement` pattern finds are queried."""
        tree = doc.syntax(fresh=False)
        if tree is None or doc.line_count == 0:
            return Imports()
        data = doc.data
        top_end = min(doc.line_start(min(TOP_LINES, doc.line_count - 1)), TOP_BYTES)
        if top_end == 0:
            top_end = len(data)
        statement = _statement(rules_of(doc.spec).statement)
        key = (doc.uri, hash(data[:top_end]))
        top = self._imports.get(key)
        if top is None:
            head = _statement_lines(statement, data, 0, top_end) if statement else [(0, top_end)]
            top = read_imports(tree, data, head, rules_of(doc.spec))
            self._imports[key] = top
            if len(self._imports) > 64:
                self._imports.popitem(last=False)
        low = max(top_end, doc.line_start(window.first_row))
        lines = _statement_lines(statement, data, low, window.cursor_byte) if statement else []
        if not lines:
            return top
        near = read_imports(tree, data, lines, rules_of(doc.spec))
        if not near.bindings and not near.wildcards:
            return top
        return Imports(
            {**near.bindings, **top.bindings},
            top.wildcards + tuple(m for m in near.wildcards if m not in top.wildcards),
            top.modules + tuple(m for m in near.modules if m not in top.modules),
        )


def _named(fs: FileSymbols, name: str) -> list[Definition]:
    """A file's definitions of `name`; a class wins over its constructors (Java, C#, C++)."""
    found = fs.named(name)
    classes = [d for d in found if d.kind in CONTAINERS]
    return (classes or found)[:MAX_PER_NAME]


def _statement_lines(
    statement: re.Pattern[bytes], data: bytes, lo: int, hi: int
) -> list[tuple[int, int]]:
    """The lines of `data[lo:hi]` where an import statement shows (`statement` matches),
    adjacent ones merged. The import query runs over these alone: a match that touches one
    of them comes whole (the names on a multi-line import's later lines too), and the code
    in between, most of a window, is not walked."""
    return whole_lines(data, (m.span() for m in statement.finditer(data, lo, hi)), lo, hi)


@functools.lru_cache(maxsize=64)
def _statement(pattern: str) -> re.Pattern[bytes] | None:
    """The language's `[imports] statement` regex, for bytes, one line at a time."""
    return re.compile(pattern.encode(), re.MULTILINE) if pattern else None


def _join(module: str, name: str, rule: ImportRules) -> str:
    """The module `name` inside `module` (`.` + `util`, `crate::store` + `limits`)."""
    sep = rule.separators[0]
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
