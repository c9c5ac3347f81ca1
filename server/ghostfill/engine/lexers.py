"""Which lexer each language gets: the `[lexer]` tables of `grammars/<lang>/language.toml`.

A table lists the language's comment, string and extra token regexes, its identifier regex,
operators, keywords, quote characters, continuation brackets, block openers, multi-line
delimiters and member operators (grammars/README.md documents every key). `like = "c"` starts
from another language's table, and `model = "ecma"` lets languages share one workspace model
(their files teach each other). A language with no folder, or a folder without a `[lexer]`
table, gets the generic lexer (`lexer.GENERIC`) and its own model; the debug log says so once.
"""

from __future__ import annotations

import logging
import re
import tomllib
from collections.abc import Mapping
from typing import Any

from ghostfill.documents.languages import LanguageRegistry, LanguageSpec
from ghostfill.engine.lexer import GENERIC, IDENTIFIER, Family, build_family

log = logging.getLogger(__name__)

_MAX_LIKE = 4
"""Longest chain of `like` references followed (a cycle is a data error, not a hang)."""


class Lexers:
    """Language name → its lexer `Family` and the name of the workspace model it feeds."""

    def __init__(self, registry: LanguageRegistry | None = None) -> None:
        self._registry = registry if registry is not None else LanguageRegistry()
        self._compiled: dict[str, tuple[Family, str]] = {}

    def family(self, language: str) -> Family:
        return self._entry(language)[0]

    def group(self, language: str) -> str:
        """The workspace model `language` feeds (its `model` key, else its own name)."""
        return self._entry(language)[1]

    def _entry(self, language: str) -> tuple[Family, str]:
        found = self._compiled.get(language)
        if found is None:
            found = self._compiled[language] = self._compile(language)
        return found

    def _compile(self, language: str) -> tuple[Family, str]:
        spec = self._registry.get(language)
        table = self._table(spec, 0) if spec is not None else None
        if not table:
            log.debug(
                "offline engine: no [lexer] table for %r; generic tokens (no comment syntax, "
                "keywords or block openers assumed)",
                language,
            )
            return GENERIC, language
        try:
            return _family(language, table), str(table.get("model", language))
        except (TypeError, ValueError, KeyError, re.error) as exc:
            log.warning("grammars/%s: bad [lexer] table (%s); generic tokens", language, exc)
            return GENERIC, language

    def _table(self, spec: LanguageSpec, depth: int) -> dict[str, Any] | None:
        try:
            with open(spec.folder / "language.toml", "rb") as f:
                own = tomllib.load(f).get("lexer")
        except (OSError, tomllib.TOMLDecodeError) as exc:
            log.warning("grammars/%s/language.toml unreadable: %s", spec.name, exc)
            return None
        if not isinstance(own, dict):
            return None
        like = own.get("like")
        if not isinstance(like, str) or depth >= _MAX_LIKE:
            return own
        base_spec = self._registry.get(like)
        base = self._table(base_spec, depth + 1) if base_spec is not None else None
        if base is None:
            log.warning("grammars/%s: [lexer] like = %r has no [lexer] table", spec.name, like)
            return own
        # The base's `model` is not inherited: sharing a model is each language's own choice.
        merged = {k: v for k, v in base.items() if k != "model"}
        merged.update({k: v for k, v in own.items() if k != "like"})
        return merged


def _family(name: str, t: Mapping[str, Any]) -> Family:
    return build_family(
        name,
        comments=_strings(t, "comments"),
        comment_prefixes=_strings(t, "comment_prefixes"),
        strings=_strings(t, "strings"),
        ops=_strings(t, "operators"),
        keywords=str(t.get("keywords", "")).split(),
        quotes=str(t.get("quotes", "")),
        brackets=str(t.get("brackets", "([")),
        openers=_strings(t, "block_openers"),
        ident=str(t.get("identifier", IDENTIFIER)),
        extra=_strings(t, "extra"),
        word_chars=str(t.get("word_chars", "_")),
        blocks=tuple((str(a), str(b)) for a, b in t.get("multiline_delimiters", ())),
        member=_strings(t, "member_operators"),
        triple_quoted=bool(t.get("triple_quoted_strings", False)),
        bracket_strings=bool(t.get("bracket_strings", False)),
    )


def _strings(t: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = t.get(key, ())
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise TypeError(f"{key} must be a list of strings")
    return tuple(value)
