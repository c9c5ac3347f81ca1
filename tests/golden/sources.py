"""Golden sources opened the way the server opens documents: DocumentStore + Grammars."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ghostfill.documents.languages import LanguageRegistry, LanguageSpec
from ghostfill.documents.store import DocumentStore
from ghostfill.documents.syntax import Grammars, Span, SyntaxTree

from tests.golden.annotated import Annotated, load

CONTEXT_ROOT = Path(__file__).parent / "context"
"""tests/golden/context/<language name>/<any name>.<extension of that language>"""


@dataclass(frozen=True, slots=True)
class Golden:
    source: Annotated
    spec: LanguageSpec
    tree: SyntaxTree
    data: bytes

    def text_of(self, span: Span) -> str:
        return self.data[span.start_byte : span.end_byte].decode("utf-8")


def golden_files() -> list[Path]:
    return sorted(p for p in CONTEXT_ROOT.glob("*/*") if p.is_file() and not p.name.startswith("."))


def golden_id(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


@cache
def store() -> DocumentStore:
    registry = LanguageRegistry()
    return DocumentStore(registry, Grammars(registry))


@cache
def open_golden(path: Path) -> Golden:
    source = load(path)
    doc = store().open(path.resolve().as_uri(), source.text, 1)
    assert doc.spec is not None, f"{golden_id(path)}: no language.toml claims this extension"
    assert doc.spec.name == path.parent.name, (
        f"{golden_id(path)} lives in {path.parent.name}/ but is detected as {doc.spec.name}"
    )
    tree = doc.syntax()
    assert tree is not None, f"{golden_id(path)}: grammar {doc.spec.grammar_package} did not load"
    assert tree.problems() == 0, f"{golden_id(path)}: the golden source does not parse cleanly"
    return Golden(source, doc.spec, tree, doc.data)
