"""Language metadata as data: one `grammars/<lang>/language.toml` per language.

Everything ghostfill knows about a language comes from its folder: how its files are
recognised, the grammar wheel, comment tokens, the name shown to the model, and one table per
stage that needs more (`[imports]` for module resolution, `[blocks]` for when a block is
suggested, `[symbols]` for how definitions are shown, `[brackets]` for the bracket balancer, `[context]` for neighbour files; `[lexer]` is read
by the offline engine). grammars/README.md documents every key. No code is keyed on a language
name: a folder copied under a new name behaves the same.

Folders come from the packaged `grammars/` and, in order, from the user's extra roots
(`context.grammarPaths`, `--grammar-path`); a later folder of the same name replaces an earlier
one. A folder whose `language.toml` cannot be read is skipped with a warning. The registry only
reads TOML; grammars are loaded lazily by `syntax.py`.
"""

from __future__ import annotations

import logging
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

log = logging.getLogger(__name__)

KEYS: Mapping[str, frozenset[str]] = {
    "": frozenset(
        {
            "name", "extensions", "language_ids", "line_comment", "block_comment", "grammar",
            "inherits", "prompt_name", "imports", "blocks", "symbols", "brackets", "context",
            "lexer",
        }
    ),
    "imports": frozenset(
        {
            "separators", "extensions", "index_names", "wildcard", "packages", "same_package",
            "relative_first", "leading_dots", "self_segment", "parent_segment",
            "root_segments", "compiled_extensions", "binds_root", "statement", "package_name",
        }
    ),
    "imports.package_name": frozenset({"skip", "strip_prefixes", "cut_at", "replace"}),
    "blocks": frozenset({"openers"}),
    "symbols": frozenset(
        {"detached_methods", "detached_block", "signature_ends", "closers", "self_names"}
    ),
    "brackets": frozenset({"skip"}),
    "context": frozenset({"family"}),
}  # fmt: skip
"""The keys this module reads, per table ("" is the top level; `[grammar]` and the offline
engine's `[lexer]` are read by their own code). Every one is documented in grammars/README.md;
an unknown key is logged and ignored."""


@dataclass(frozen=True, slots=True)
class PackageName:
    """How a module path names the package it binds (`[imports.package_name]`)."""

    skip: str = ""
    """Regex of trailing path segments that are not the name (`v2` in `.../yaml/v2`)."""
    strip_prefixes: tuple[str, ...] = ()
    """Prefixes dropped from the segment (`go-` in `go-sqlite3`)."""
    cut_at: str = ""
    """The name ends before this (`yaml.v3` -> `yaml`)."""
    replace: tuple[tuple[str, str], ...] = ()
    """Characters replaced in the name (`-` -> `_`)."""


@dataclass(frozen=True, slots=True)
class ImportRules:
    """How the language names modules and where their files are (`[imports]`)."""

    separators: tuple[str, ...] = ("/",)
    extensions: tuple[str, ...] = ()
    """Module file extensions, with the dot, tried in order (default: the language's own)."""
    index_names: tuple[str, ...] = ()
    """File stems that stand for their folder (`__init__`, `index`, `mod`)."""
    wildcard: bool = False
    """A module import brings all its names into scope (`#include`, `require`, `source`)."""
    packages: bool = False
    """Modules are folders (packages): every file of the folder is the module."""
    same_package: bool = False
    """Files in the same folder see each other's names without imports."""
    relative_first: bool = False
    """Try a plain module name relative to the importer's folder first (C includes)."""
    leading_dots: bool = False
    """Leading dots climb folders: `.models` is a sibling, `..util` is one folder up."""
    self_segment: str = ""
    """A first segment meaning the importer's own folder (`self::x`)."""
    parent_segment: str = ""
    """A first segment meaning the folder above (`super::x`)."""
    root_segments: tuple[str, ...] = ()
    """First segments that name the project root and are dropped (`crate`, `@`)."""
    compiled_extensions: tuple[str, ...] = ()
    """An import may name the compiled file (`./x.js` for `./x.ts`): tried without them too."""
    binds_root: bool = False
    """`import a.b` binds `a` as well as `b`."""
    statement: str = ""
    """Regex of a line that may hold an import (a cheap test before reading the imports of
    the lines near the cursor; empty: only the top of the file is read)."""
    package_name: PackageName = field(default_factory=PackageName)


GENERIC_OPENERS: tuple[str, ...] = (":", "{", "(", "[", "=>", " do", " then", "->")
"""Block openers assumed for a language that does not list its own."""
GENERIC_SIGNATURE_ENDS: tuple[str, ...] = ("{", ":", ";", "=>", "->", "=", "do", "then")
"""Signature ends assumed for a language that does not list its own."""
GENERIC_CLOSERS: tuple[str, ...] = ("}", "};", "end", "})", "];", ")")
"""Block closers assumed for a language that does not list its own."""


@dataclass(frozen=True, slots=True)
class BlockRules:
    """What opens a block (`[blocks]`)."""

    openers: tuple[str, ...] = GENERIC_OPENERS
    """A line ending in one of these opens a block: the next line is a multi-line suggestion."""


@dataclass(frozen=True, slots=True)
class SymbolRules:
    """How definitions are shown (`[symbols]`)."""

    detached_methods: str = ""
    """Methods written outside their type's body: "named" (a method whose signature names
    the type: Go receivers, C++ `T::m`), "following" (every method after the type up to the
    next type: Rust impl blocks), or "" (none)."""
    detached_block: tuple[str, str] | None = None
    """Lines shown around detached methods; `{name}` is the type's name."""
    signature_ends: tuple[str, ...] = GENERIC_SIGNATURE_ENDS
    """A definition's signature ends at the first line ending in one of these (brackets
    closed), or before a more indented line."""
    closers: tuple[str, ...] = GENERIC_CLOSERS
    """A container's last line, when it is one of these, closes its skeleton (`}`, `end`)."""
    self_names: tuple[str, ...] = ()
    """Receivers that stand for the enclosing class's instance (`self`, `this`): their
    members are the class's methods and the attributes it sets."""


@dataclass(frozen=True, slots=True)
class BracketRules:
    """What the bracket balancer skips (`[brackets]`)."""

    skip: tuple[str, ...] = ()
    """Regexes of comments and string literals, tried in order; brackets inside don't count."""


@dataclass(frozen=True, slots=True)
class ContextRules:
    """What the context stage needs beyond queries (`[context]`)."""

    family: str = ""
    """Languages of one family offer each other's open files as neighbours (default: own name)."""


@dataclass(frozen=True, slots=True)
class LanguageSpec:
    name: str
    extensions: tuple[str, ...]
    language_ids: tuple[str, ...]
    line_comment: str
    grammar_package: str
    grammar_function: str
    inherits: tuple[str, ...]
    folder: Path
    block_comment: tuple[str, str] | None = None
    prompt_name: str = ""
    imports: ImportRules = field(default_factory=ImportRules)
    blocks: BlockRules = field(default_factory=BlockRules)
    symbols: SymbolRules = field(default_factory=SymbolRules)
    brackets: BracketRules = field(default_factory=BracketRules)
    context: ContextRules = field(default_factory=ContextRules)

    @property
    def family(self) -> str:
        return self.context.family or self.name

    @property
    def shown_as(self) -> str:
        """The language's name in prompts."""
        return self.prompt_name or self.name

    def comment(self, text: str) -> str:
        """Render `text` as comment lines in this language (for FIM context headers)."""
        if self.line_comment:
            return "\n".join(f"{self.line_comment} {line}".rstrip() for line in text.splitlines())
        if self.block_comment:
            return f"{self.block_comment[0]} {text} {self.block_comment[1]}"
        return text


def grammars_root() -> Path:
    """The folder of language folders: packaged beside the code, or the repository's."""
    here = Path(__file__).resolve().parent.parent
    packaged = here / "grammars"
    if packaged.is_dir():
        return packaged
    return here.parent.parent / "grammars"


class LanguageRegistry:
    """Finds the language of a document from its LSP languageId or its file name."""

    def __init__(self, root: Path | None = None, extra: Sequence[Path | str] = ()) -> None:
        self.root = root or grammars_root()
        self.extra: tuple[Path, ...] = ()
        self._by_name: dict[str, LanguageSpec] = {}
        self._by_id: dict[str, LanguageSpec] = {}
        self._by_ext: dict[str, LanguageSpec] = {}
        self._index_names: frozenset[str] = frozenset()
        self._load_all(tuple(Path(p).expanduser() for p in extra))

    @property
    def roots(self) -> tuple[Path, ...]:
        """Every folder of language folders, the packaged one first."""
        return (self.root, *self.extra)

    def use_paths(self, extra: Sequence[Path | str]) -> bool:
        """Read the user's extra grammar roots (replacing the previous ones); True if the set
        of languages changed. Unchanged languages keep their spec objects."""
        paths = tuple(Path(p).expanduser() for p in extra)
        if paths == self.extra:
            return False
        before = dict(self._by_name)
        self._load_all(paths)
        for name, spec in list(self._by_name.items()):
            old = before.get(name)
            if old is not None and old == spec:
                self._replace(spec, old)
        return self._by_name != before

    def names(self) -> list[str]:
        return sorted(self._by_name)

    def get(self, name: str) -> LanguageSpec | None:
        return self._by_name.get(name)

    def specs(self) -> list[LanguageSpec]:
        return [self._by_name[n] for n in sorted(self._by_name)]

    def detect(self, path: str, language_id: str = "") -> LanguageSpec | None:
        if language_id and language_id in self._by_id:
            return self._by_id[language_id]
        suffix = PurePath(path).suffix.lstrip(".").lower()
        return self._by_ext.get(suffix)

    def index_names(self) -> frozenset[str]:
        """Every language's index file stems (`__init__`, `index`, `mod`, `init`)."""
        return self._index_names

    def query_source(self, spec: LanguageSpec, kind: str) -> str | None:
        """The text of `<kind>.scm` with inherited folders' queries prepended."""
        parts: list[str] = []
        for base in spec.inherits:
            inherited = self._folder(base, spec) / f"{kind}.scm"
            if inherited.is_file():
                parts.append(inherited.read_text(encoding="utf-8"))
        own = spec.folder / f"{kind}.scm"
        if own.is_file():
            parts.append(own.read_text(encoding="utf-8"))
        return "\n".join(parts) if parts else None

    def _folder(self, base: str, spec: LanguageSpec) -> Path:
        """A base folder: beside the language's own folder first, then in every root."""
        for root in (spec.folder.parent, *reversed(self.roots)):
            if (root / base).is_dir():
                return root / base
        return self.root / base

    def _load_all(self, extra: tuple[Path, ...]) -> None:
        self.extra = extra
        self._by_name, self._by_id, self._by_ext = {}, {}, {}
        self._index_names = frozenset()
        per_root: list[list[LanguageSpec]] = []
        for root in self.roots:
            if root is not self.root and not root.is_dir():
                log.warning("grammar path %s is not a folder; skipped", root)
                continue
            specs: list[LanguageSpec] = []
            for toml in sorted(root.glob("*/language.toml")):
                try:
                    spec = _load(toml)
                except (
                    OSError,
                    tomllib.TOMLDecodeError,
                    KeyError,
                    TypeError,
                    ValueError,
                    re.error,
                ) as e:
                    log.warning("%s: unreadable (%s); language skipped", toml, e)
                    continue
                self._by_name[spec.name] = spec
                specs.append(spec)
            per_root.append(specs)
        # the user's roots win languageIds and extensions; within a root, the first folder
        for specs in reversed(per_root):
            for spec in specs:
                if self._by_name.get(spec.name) is not spec:
                    continue  # replaced by a later root's folder of the same name
                for lid in spec.language_ids:
                    self._by_id.setdefault(lid, spec)
                for ext in spec.extensions:
                    self._by_ext.setdefault(ext.lower(), spec)
        self._index_names = frozenset(
            n for spec in self._by_name.values() for n in spec.imports.index_names
        )

    def _replace(self, new: LanguageSpec, old: LanguageSpec) -> None:
        for table in (self._by_name, self._by_id, self._by_ext):
            for key, value in table.items():
                if value is new:
                    table[key] = old


def _load(path: Path) -> LanguageSpec:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    for table, known in KEYS.items():
        given: Any = data
        for part in table.split(".") if table else ():
            given = given.get(part, {}) if isinstance(given, dict) else {}
        if isinstance(given, dict) and (unknown := sorted(set(given) - known)):
            log.warning("%s: unknown key(s) %s ignored", path, ", ".join(unknown))
    name = data["name"]
    if not isinstance(name, str) or not name:
        raise ValueError("name must be a non-empty string")
    grammar = _table(data, "grammar")
    block = data.get("block_comment")
    extensions = _strs(data, "extensions")
    return LanguageSpec(
        name=name,
        extensions=extensions,
        language_ids=_strs(data, "language_ids") or (name,),
        line_comment=str(data.get("line_comment", "")),
        grammar_package=str(grammar.get("package", "")),
        grammar_function=str(grammar.get("function", "language")),
        inherits=_strs(data, "inherits"),
        folder=path.parent,
        block_comment=(str(block[0]), str(block[1])) if block else None,
        prompt_name=str(data.get("prompt_name", "")),
        imports=_imports(_table(data, "imports"), extensions),
        blocks=BlockRules(_strs_or(_table(data, "blocks"), "openers", GENERIC_OPENERS)),
        symbols=_symbols(_table(data, "symbols")),
        brackets=BracketRules(skip=_regexes(_table(data, "brackets"), "skip")),
        context=ContextRules(family=str(_table(data, "context").get("family", ""))),
    )


def _imports(t: Mapping[str, Any], extensions: tuple[str, ...]) -> ImportRules:
    own = tuple(f".{e}" for e in extensions)
    package = _table(t, "package_name")
    statement = str(t.get("statement", ""))
    re.compile(statement)
    skip = str(package.get("skip", ""))
    re.compile(skip)
    return ImportRules(
        separators=_strs(t, "separators") or ("/",),
        extensions=_strs(t, "extensions") if "extensions" in t else own,
        index_names=_strs(t, "index_names"),
        wildcard=bool(t.get("wildcard", False)),
        packages=bool(t.get("packages", False)),
        same_package=bool(t.get("same_package", False)),
        relative_first=bool(t.get("relative_first", False)),
        leading_dots=bool(t.get("leading_dots", False)),
        self_segment=str(t.get("self_segment", "")),
        parent_segment=str(t.get("parent_segment", "")),
        root_segments=_strs(t, "root_segments"),
        compiled_extensions=_strs(t, "compiled_extensions"),
        binds_root=bool(t.get("binds_root", False)),
        statement=statement,
        package_name=PackageName(
            skip=skip,
            strip_prefixes=_strs(package, "strip_prefixes"),
            cut_at=str(package.get("cut_at", "")),
            replace=tuple((str(a), str(b)) for a, b in _table(package, "replace").items()),
        ),
    )


def _symbols(t: Mapping[str, Any]) -> SymbolRules:
    detached = str(t.get("detached_methods", ""))
    if detached not in ("", "named", "following"):
        raise ValueError(f'detached_methods must be "named" or "following", not {detached!r}')
    block = t.get("detached_block")
    return SymbolRules(
        detached,
        (str(block[0]), str(block[1])) if block else None,
        _strs_or(t, "signature_ends", GENERIC_SIGNATURE_ENDS),
        _strs_or(t, "closers", GENERIC_CLOSERS),
        _strs(t, "self_names"),
    )


def _table(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise TypeError(f"{key} must be a table")
    return value


def _strs(data: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = data.get(key, ())
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise TypeError(f"{key} must be a list of strings")
    return tuple(value)


def _strs_or(data: Mapping[str, Any], key: str, default: tuple[str, ...]) -> tuple[str, ...]:
    """The list under `key`, or `default` when the key is absent (an empty list is kept)."""
    return _strs(data, key) if key in data else default


def _regexes(data: Mapping[str, Any], key: str) -> tuple[str, ...]:
    found = _strs(data, key)
    for pattern in found:
        re.compile(pattern)
    return found
