"""A file's imports (from `imports.scm`) and where the imported modules live in the index.

`read_imports` turns the matches of `imports.scm` into bindings: the local name code uses
(`np`, `Store`, `fmt`), the module as written and the imported name. `resolve` maps a module
to indexed files, per the language's `[imports]` table (`ImportRules`):

- relative modules are joined to the importing file's folder (`./store`, `..util`, `.models`,
  `"store.h"`, `require_relative "x"`) and tried with the language's extensions and index
  files (`__init__.py`, `index.ts`, `mod.rs`);
- other modules are matched by path suffix among indexed files (`app.models` ->
  `.../app/models.py`, `crate::store` -> `.../store.rs`, `com.acme.Store` -> `.../com/acme/Store.java`),
  nearest to the importing file first;
- Go imports name a folder (a package): every indexed file in the folder whose path ends with it.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from ghostfill.context.index import SymbolIndex
from ghostfill.documents.languages import ImportRules, LanguageSpec
from ghostfill.documents.syntax import SyntaxTree

DEFAULT_RULE = ImportRules()
"""For a file type without a grammar folder (it has no imports query either)."""
MAX_FILES = 8
"""At most this many files for one module (a Go package, an ambiguous suffix)."""


@dataclass(frozen=True, slots=True)
class Binding:
    """A local name an import introduces."""

    local: str
    module: str
    name: str = ""
    """The imported name in `module`; empty when the binding is the module itself."""


@dataclass(frozen=True, slots=True)
class Imports:
    bindings: Mapping[str, Binding] = field(default_factory=dict)
    wildcards: tuple[str, ...] = ()
    """Modules whose every name is in scope (`from m import *`, `#include`, `use m::*`)."""
    modules: tuple[str, ...] = ()


_WORD = re.compile(r"[A-Za-z_$][\w$]*")


def rules_of(spec: LanguageSpec | None) -> ImportRules:
    return spec.imports if spec is not None else DEFAULT_RULE


def _last_segment(text: str) -> str:
    words = _WORD.findall(text)
    return words[-1] if words else ""


def read_imports(
    tree: SyntaxTree, data: bytes, ranges: list[tuple[int, int]], rule: ImportRules
) -> Imports:
    """Bindings from the import statements intersecting `ranges` (byte ranges of `data`)."""
    bindings: dict[str, Binding] = {}
    guessed: dict[str, Binding] = {}
    wildcards: list[str] = []
    modules: list[str] = []
    seen: set[tuple[int, int, int]] = set()  # a match may show up in two ranges
    for start, end in ranges:
        if end <= start:
            continue
        for match in tree.matches("imports", start, end):
            module_span = match.first("import.module")
            statement = match.first("import.statement")
            if module_span is None or statement is None:
                continue
            name_span = match.first("import.name")
            alias_span = match.first("import.alias")
            key = (
                module_span.start_byte,
                name_span.start_byte if name_span else -1,
                alias_span.start_byte if alias_span else -1,
            )
            if key in seen:
                continue
            seen.add(key)
            module = _text(data, module_span.start_byte, module_span.end_byte).strip("\"'`")
            name = _text(data, name_span.start_byte, name_span.end_byte) if name_span else ""
            alias = _text(data, alias_span.start_byte, alias_span.end_byte) if alias_span else ""
            if module not in modules:
                modules.append(module)
            if name:
                sep = next((s for s in rule.separators if s in name), "")
                if sep:  # `use a::{b::C}`: the module grows by the name's path
                    head, _, name = name.rpartition(sep)
                    module = f"{module}{sep}{head}"
                if name and name in (rule.self_segment, rule.parent_segment):
                    local = alias or _last_segment(module)
                    bindings[local] = Binding(local, module)
                    continue
                local = alias or _last_segment(name)
                if local:
                    bindings[local] = Binding(local, module, name)
                continue
            if alias and alias not in ("_", "."):
                bindings[alias] = Binding(alias, module)
                continue
            statement_text = _text(data, statement.start_byte, statement.end_byte)
            if alias == "." or rule.wildcard or "*" in statement_text:
                if module not in wildcards:
                    wildcards.append(module)
                continue
            for local in _module_names(module, rule):
                guessed.setdefault(local, Binding(local, module))
    # names bound explicitly (`from m import x`, `as x`) win over the names a plain module
    # import is guessed to bind (`import a.b` binds `a`; code may say `b` after `from a import b`)
    return Imports({**guessed, **bindings}, tuple(wildcards), tuple(modules))


def _module_names(module: str, rule: ImportRules) -> list[str]:
    """Local names a plain `import module` binds."""
    if rule.packages:
        return [name] if (name := _package_name(module, rule)) else []
    words = _WORD.findall(module)
    if not words:
        return []
    if rule.binds_root and len(words) > 1:
        return [words[-1], words[0]]  # `import a.b` binds `a`; code reaches `b` as `a.b`
    return [words[-1]]


def _package_name(module: str, rule: ImportRules) -> str:
    """The name a package import binds: its last path segment that is not a version, per the
    language's `[imports.package_name]` (`github.com/mattn/go-sqlite3` -> `sqlite3`)."""
    how = rule.package_name
    parts = _split(module, rule)
    skip = _regex(how.skip)
    while len(parts) > 1 and skip is not None and skip.match(parts[-1]):
        parts.pop()
    name = parts[-1] if parts else ""
    for prefix in how.strip_prefixes:
        name = name.removeprefix(prefix)
    if how.cut_at:
        name = name.split(how.cut_at)[0]
    for old, new in how.replace:
        name = name.replace(old, new)
    return name


@functools.lru_cache(maxsize=64)
def _regex(pattern: str) -> re.Pattern[str] | None:
    return re.compile(pattern) if pattern else None


def _text(data: bytes, start: int, end: int) -> str:
    return data[start:end].decode("utf-8", errors="replace")


def resolve(module: str, from_path: str, rule: ImportRules, index: SymbolIndex) -> list[str]:
    """Indexed files that `module`, imported from `from_path`, refers to (nearest first)."""
    module = module.strip().strip("\"'`")
    if not module or module.startswith("<"):
        return []  # a system header
    folder = os.path.dirname(from_path)
    if rule.leading_dots and module.startswith("."):
        dots = len(module) - len(module.lstrip("."))
        base = folder
        for _ in range(dots - 1):
            base = os.path.dirname(base)
        parts = [p for p in module[dots:].split(".") if p]
        return _files_at(os.path.join(base, *parts), rule, index)
    if module.startswith(("./", "../")) or module == ".":
        return _files_at(os.path.normpath(os.path.join(folder, module)), rule, index)
    if module.startswith("/"):
        return _files_at(os.path.normpath(module), rule, index)
    if rule.relative_first:
        near = _files_at(os.path.normpath(os.path.join(folder, module)), rule, index)
        if near:
            return near
    parts = _split(module, rule)
    relative = tuple(s for s in (rule.self_segment, rule.parent_segment) if s)
    if parts and parts[0] in relative:
        base = folder
        while parts and parts[0] in relative:
            if parts.pop(0) == rule.parent_segment:
                base = os.path.dirname(base)
        return _files_at(os.path.join(base, *parts), rule, index) if parts else []
    if parts and parts[0] in rule.root_segments:
        parts = parts[1:]
    if not parts:
        return []
    if rule.packages:
        return [p for p in _package_files(parts, from_path, index) if _ours(p, rule)]
    return _files_by_suffix(parts, rule, from_path, index)


def _split(module: str, rule: ImportRules) -> list[str]:
    parts = [module]
    for sep in rule.separators:
        parts = [p for part in parts for p in part.split(sep)]
    return [p for p in parts if p]


def _files_at(base: str, rule: ImportRules, index: SymbolIndex) -> list[str]:
    """Indexed files for a module at path `base` (with or without its extension)."""
    candidates = [base]
    stem, ext = os.path.splitext(base)
    if ext and ext in rule.compiled_extensions:
        candidates.append(stem)  # `./x.js` naming the source `./x.ts`
    found: list[str] = []
    for cand in candidates:
        for path in (
            cand,
            *(cand + e for e in rule.extensions),
            *(os.path.join(cand, n + e) for n in rule.index_names for e in rule.extensions),
        ):
            if path in index and path not in found:
                found.append(path)
        if found:
            break
    return found[:MAX_FILES]


def _ours(path: str, rule: ImportRules) -> bool:
    """Whether `path` is a file of the rule's language (by extension)."""
    return "" in rule.extensions or not rule.extensions or path.endswith(rule.extensions)


def _module_key(path: str, rule: ImportRules) -> str:
    """`a/b/store.py` -> `a/b/store`; `a/b/store/__init__.py` -> `a/b/store`."""
    folder, name = os.path.split(path)
    stem = name.split(".", 1)[0]
    return folder if stem in rule.index_names else os.path.join(folder, stem)


def _files_by_suffix(
    parts: list[str], rule: ImportRules, from_path: str, index: SymbolIndex
) -> list[str]:
    last = parts[-1]
    for ext in rule.extensions:
        if ext and last.endswith(ext):
            parts = [*parts[:-1], last[: -len(ext)]]
            break
    named = index.with_stem(parts[-1])
    for n in range(len(parts), min(2, len(parts)) - 1, -1):
        # `App\Models\User` lives in `src/Models/User.php`: the root namespace is a folder
        # alias, so the tail of the path is matched, down to its last two parts
        suffix = os.sep + os.path.join(*parts[-n:])
        found = [p for p in named if _module_key(p, rule).endswith(suffix) and _ours(p, rule)]
        if found:
            return _nearest(found, from_path)[:MAX_FILES]
    return []


def _package_files(parts: list[str], from_path: str, index: SymbolIndex) -> list[str]:
    """Go: the folder whose path ends with the longest tail of the import path."""
    for n in range(len(parts), 0, -1):
        suffix = os.sep + os.path.join(*parts[-n:])
        folders = [f for f in index.folders_named(parts[-1]) if f.endswith(suffix)]
        if folders:
            folder = _nearest(folders, from_path)[0]
            return sorted(index.in_folder(folder))[:MAX_FILES]
        if n <= 2 and len(parts) > 2:
            break  # `github.com/x/y` must match at least its last two parts
    return []


def _nearest(paths: list[str], from_path: str) -> list[str]:
    """Paths sharing the longest folder prefix with `from_path` first, then by name."""

    def shared(path: str) -> int:
        return (
            len(os.path.commonpath([path, from_path]))
            if os.path.isabs(path) == os.path.isabs(from_path)
            else 0
        )

    return sorted(paths, key=lambda p: (-shared(p), p))
