"""Language metadata as data: one `grammars/<lang>/language.toml` per language.

Adding a language is a folder, never a code change. The registry only reads TOML; grammars are
loaded lazily by `syntax.py` the first time a document of that language needs a tree.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path, PurePath


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

    def __init__(self, root: Path | None = None) -> None:
        self.root = root or grammars_root()
        self._by_name: dict[str, LanguageSpec] = {}
        self._by_id: dict[str, LanguageSpec] = {}
        self._by_ext: dict[str, LanguageSpec] = {}
        for toml in sorted(self.root.glob("*/language.toml")):
            spec = _load(toml)
            self._by_name[spec.name] = spec
            for lid in spec.language_ids:
                self._by_id.setdefault(lid, spec)
            for ext in spec.extensions:
                self._by_ext.setdefault(ext.lower(), spec)

    def names(self) -> list[str]:
        return sorted(self._by_name)

    def get(self, name: str) -> LanguageSpec | None:
        return self._by_name.get(name)

    def detect(self, path: str, language_id: str = "") -> LanguageSpec | None:
        if language_id and language_id in self._by_id:
            return self._by_id[language_id]
        suffix = PurePath(path).suffix.lstrip(".").lower()
        return self._by_ext.get(suffix)

    def query_source(self, spec: LanguageSpec, kind: str) -> str | None:
        """The text of `<kind>.scm` with inherited folders' queries prepended."""
        parts: list[str] = []
        for base in spec.inherits:
            inherited = self.root / base / f"{kind}.scm"
            if inherited.is_file():
                parts.append(inherited.read_text(encoding="utf-8"))
        own = spec.folder / f"{kind}.scm"
        if own.is_file():
            parts.append(own.read_text(encoding="utf-8"))
        return "\n".join(parts) if parts else None


def _load(path: Path) -> LanguageSpec:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    grammar = data.get("grammar", {})
    block = data.get("block_comment")
    return LanguageSpec(
        name=data["name"],
        extensions=tuple(data.get("extensions", ())),
        language_ids=tuple(data.get("language_ids", (data["name"],))),
        line_comment=data.get("line_comment", ""),
        grammar_package=grammar.get("package", ""),
        grammar_function=grammar.get("function", "language"),
        inherits=tuple(data.get("inherits", ())),
        folder=path.parent,
        block_comment=(block[0], block[1]) if block else None,
    )
