"""What the next-edit rules know about a language, read from `grammars/<lang>/nextedit.toml`.

A language without the file gets no syntax rules (the answer there is always "no change" from
the offline rules): a wrong guess about which names are bindings would rename too much.
"""

from __future__ import annotations

import logging
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ghostfill.documents.languages import LanguageSpec
from ghostfill.documents.syntax import Leaf

log = logging.getLogger(__name__)

FILE = "nextedit.toml"
DEFAULT_IDENTIFIER = r"^[^\W\d]\w*$"


@dataclass(frozen=True, slots=True)
class NameRules:
    identifier_kinds: frozenset[str]
    skip: frozenset[str]
    bindings: frozenset[str]
    identifier: re.Pattern[str]

    def is_name(self, leaf: Leaf) -> bool:
        return leaf.kind in self.identifier_kinds and not _placed(leaf, self.skip)

    def binds(self, leaf: Leaf) -> bool:
        return _placed(leaf, self.bindings)


def _placed(leaf: Leaf, places: frozenset[str]) -> bool:
    return leaf.parent in places or f"{leaf.parent}:{leaf.field}" in places


class NameRulesCache:
    """spec -> its rules, read once (None: the language has no next-edit data)."""

    def __init__(self) -> None:
        self._rules: dict[str, tuple[LanguageSpec, NameRules | None]] = {}

    def get(self, spec: LanguageSpec) -> NameRules | None:
        hit = self._rules.get(spec.name)
        if hit is None or hit[0] is not spec:
            hit = self._rules[spec.name] = (spec, _load(spec))
        return hit[1]


def _load(spec: LanguageSpec) -> NameRules | None:
    folders: Sequence[Path] = [spec.folder.parent / base for base in spec.inherits] + [spec.folder]
    data: dict[str, object] = {}
    for folder in folders:
        path = folder / FILE
        if path.is_file():
            try:
                data.update(tomllib.loads(path.read_text(encoding="utf-8")))
            except (OSError, tomllib.TOMLDecodeError) as exc:
                log.warning("%s: %s", path, exc)
    if not data:
        return None
    return NameRules(
        identifier_kinds=_set(data, "identifier_kinds"),
        skip=_set(data, "skip"),
        bindings=_set(data, "bindings"),
        identifier=re.compile(str(data.get("identifier", DEFAULT_IDENTIFIER))),
    )


def _set(data: dict[str, object], key: str) -> frozenset[str]:
    value = data.get(key, [])
    return frozenset(str(v) for v in value) if isinstance(value, list) else frozenset()
