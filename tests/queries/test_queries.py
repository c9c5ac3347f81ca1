"""Every grammars/<lang>/ folder: language.toml is complete, the grammar loads, every query kind
compiles (with inheritance) and uses only the capture vocabulary of grammars/captures.toml, and
the file extensions and languageIds resolve to the language."""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path

import pytest
from ghostfill.documents.languages import KEYS, LanguageRegistry, LanguageSpec
from ghostfill.documents.syntax import Grammar, Grammars, compile_query
from ghostfill.engine.lexers import Lexers

REGISTRY = LanguageRegistry()
ROOT = REGISTRY.root
LANGUAGES = REGISTRY.names()
VOCABULARY: dict[str, list[str]] = tomllib.loads((ROOT / "captures.toml").read_text("utf-8"))
KINDS = sorted(VOCABULARY)
OPTIONAL_KINDS = frozenset({"locals"})
"""Kinds a language may leave out (grammars/README.md says what is lost without them)."""

REQUIRED_KEYS = {"name", "extensions", "language_ids", "line_comment", "grammar"}
OPTIONAL_KEYS = KEYS[""] - REQUIRED_KEYS


@cache
def grammars() -> Grammars:
    return Grammars(REGISTRY)


def spec(name: str) -> LanguageSpec:
    found = REGISTRY.get(name)
    assert found is not None
    return found


def grammar(name: str) -> Grammar:
    loaded = grammars().get(spec(name))
    assert loaded is not None, f"{name}: grammar {spec(name).grammar_package} did not load"
    return loaded


def test_languages_found() -> None:
    assert len(LANGUAGES) >= 14, LANGUAGES


@pytest.mark.parametrize("name", LANGUAGES)
def test_language_toml(name: str) -> None:
    path = ROOT / name / "language.toml"
    data = tomllib.loads(path.read_text("utf-8"))
    assert data["name"] == name == path.parent.name, "name must equal the folder name"
    assert REQUIRED_KEYS <= set(data), f"missing {sorted(REQUIRED_KEYS - set(data))}"
    assert set(data) <= REQUIRED_KEYS | OPTIONAL_KEYS, (
        f"unknown {sorted(set(data) - REQUIRED_KEYS - OPTIONAL_KEYS)}"
    )
    assert data["extensions"] and all(e and not e.startswith(".") for e in data["extensions"])
    assert data["language_ids"] and data["line_comment"]
    assert set(data["grammar"]) == {"package", "function"}
    if "block_comment" in data:
        assert len(data["block_comment"]) == 2
    for base in data.get("inherits", []):
        assert (ROOT / base).is_dir(), f"inherits {base!r}: no grammars/{base}/"


@pytest.mark.parametrize("name", LANGUAGES)
def test_language_tables_use_known_keys(name: str) -> None:
    """`[imports]`, `[symbols]`, `[brackets]`, `[context]`: only keys the server reads."""
    data = tomllib.loads((ROOT / name / "language.toml").read_text("utf-8"))
    for table, known in KEYS.items():
        given = data
        for part in table.split(".") if table else ():
            given = given.get(part, {})
        assert isinstance(given, dict) and set(given) <= known, f"[{table}]: {sorted(given)}"


def test_every_language_key_is_documented() -> None:
    """grammars/README.md has a row for every key of every table the server reads."""
    readme = (ROOT / "README.md").read_text("utf-8")
    for table, keys in KEYS.items():
        heading = f"### `[{table}]`" if table else "## `language.toml`"
        assert heading in readme, heading
        section = readme.split(heading, 1)[1].split("\n#", 1)[0]
        for key in keys:
            if table == "" and key in KEYS:
                continue  # a table: documented in its own section
            assert f"| `{key}` |" in section, f"{table or 'top level'}: {key} undocumented"


LEXER_KEYS = {
    "like", "model", "comments", "comment_prefixes", "strings", "extra", "identifier",
    "operators", "keywords", "quotes", "brackets", "block_openers", "multiline_delimiters",
    "member_operators", "word_chars", "triple_quoted_strings", "bracket_strings",
}  # fmt: skip
"""The keys of the offline engine's `[lexer]` table (grammars/README.md)."""


@pytest.mark.parametrize("name", LANGUAGES)
def test_lexer_table(name: str) -> None:
    """Every language tells the offline engine how to tokenize it, with known keys only."""
    data = tomllib.loads((ROOT / name / "language.toml").read_text("utf-8"))
    table = data.get("lexer")
    assert isinstance(table, dict), f"{name}: no [lexer] table"
    assert set(table) <= LEXER_KEYS, f"unknown [lexer] keys {sorted(set(table) - LEXER_KEYS)}"
    if "like" in table:
        assert table["like"] in LANGUAGES, f"like = {table['like']!r}: no such language"
    for key in ("comments", "strings", "extra"):
        for pattern in table.get(key, []):
            re.compile(pattern)
    family = Lexers(REGISTRY).family(name)
    assert family.name == name, f"{name}: the [lexer] table did not compile"


@pytest.mark.parametrize("name", LANGUAGES)
def test_grammar_loads(name: str) -> None:
    grammar(name)


@pytest.mark.parametrize(("name", "kind"), [(n, k) for n in LANGUAGES for k in KINDS])
def test_query_compiles_with_known_captures(name: str, kind: str) -> None:
    source = REGISTRY.query_source(spec(name), kind)
    if source is None and kind in OPTIONAL_KINDS:
        pytest.skip(f"{name} has no {kind}.scm (optional)")
    assert source is not None, f"{name} has no {kind}.scm (own or inherited)"
    captures = compile_query(grammar(name), source)
    unknown = sorted({c for c in captures if c not in VOCABULARY[kind] and not c.startswith("_")})
    assert not unknown, f"{name}/{kind}.scm: captures not in captures.toml [{kind}]: {unknown}"
    assert grammar(name).query(kind) is not None


def test_every_folder_is_a_language_or_a_base() -> None:
    inherited = {base for name in LANGUAGES for base in spec(name).inherits}
    for folder in sorted(p for p in ROOT.iterdir() if p.is_dir()):
        assert folder.name in LANGUAGES or folder.name in inherited, (
            f"grammars/{folder.name}/ is unused"
        )


def test_every_query_file_is_a_known_kind() -> None:
    for path in sorted(ROOT.glob("*/*.scm")):
        assert path.stem in VOCABULARY, f"{path.relative_to(ROOT)}: unknown kind (captures.toml)"


@pytest.mark.parametrize("name", LANGUAGES)
def test_extensions_and_language_ids_detect(name: str) -> None:
    for ext in spec(name).extensions:
        for path in (f"src/file.{ext}", f"/abs/dir.d/FILE.{ext.upper()}"):
            found = REGISTRY.detect(path)
            assert found is not None and found.name == name, f"{path} -> {found and found.name}"
    for language_id in spec(name).language_ids:
        found = REGISTRY.detect("untitled", language_id)
        assert found is not None and found.name == name, f"languageId {language_id}"


def test_no_extension_or_language_id_is_claimed_twice() -> None:
    for attribute in ("extensions", "language_ids"):
        seen: dict[str, str] = {}
        for name in LANGUAGES:
            for value in getattr(spec(name), attribute):
                key = value.lower()
                assert key not in seen, f"{attribute} {value!r}: {seen.get(key)} and {name}"
                seen[key] = name


def _readme_tables(text: str) -> dict[str, list[str]]:
    """Capture names per `### \\`<kind>.scm\\`` section of grammars/README.md."""
    tables: dict[str, list[str]] = {}
    kind = None
    for line in text.splitlines():
        if heading := re.match(r"#+\s+`(\w+)\.scm`\s*$", line):
            kind = heading.group(1)
            tables[kind] = []
        elif line.startswith("#"):
            kind = None
        elif kind and (row := re.match(r"\|\s*`@([\w.]+)`\s*\|", line)):
            tables[kind].append(row.group(1))
    return tables


def test_readme_tables_match_captures_toml() -> None:
    tables = _readme_tables((ROOT / "README.md").read_text("utf-8"))
    assert sorted(tables) == KINDS
    for kind in KINDS:
        assert sorted(tables[kind]) == sorted(VOCABULARY[kind]), f"README table for {kind}.scm"
        assert len(set(tables[kind])) == len(tables[kind]), f"duplicate row in {kind}.scm table"


def test_captures_toml_is_well_formed() -> None:
    for kind, names in VOCABULARY.items():
        assert isinstance(names, list) and names, kind
        assert len(set(names)) == len(names), f"{kind}: duplicate names"
        assert all(re.fullmatch(r"[a-z]+(\.[a-z]+)*", n) for n in names), kind


def test_inherited_queries_come_first(tmp_path: Path) -> None:
    """The inheritance contract the README describes, on a throwaway grammars folder."""
    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "tags.scm").write_text("; base\n")
    (tmp_path / "lang").mkdir()
    (tmp_path / "lang" / "tags.scm").write_text("; own\n")
    (tmp_path / "lang" / "language.toml").write_text(
        'name = "lang"\nextensions = ["lg"]\nlanguage_ids = ["lang"]\nline_comment = "#"\n'
        'grammar = { package = "tree_sitter_python", function = "language" }\ninherits = ["base"]\n'
    )
    registry = LanguageRegistry(tmp_path)
    assert registry.names() == ["lang"], "a folder without language.toml is not a language"
    lang = registry.get("lang")
    assert lang is not None
    assert registry.query_source(lang, "tags") == "; base\n\n; own\n"
    assert registry.query_source(lang, "imports") is None
