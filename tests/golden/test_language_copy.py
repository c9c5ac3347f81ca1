"""Languages are data: a grammar folder copied under a new name and extension gives the same
prompts for the same code, apart from the language's name and the files' extension.

Each case of `prompt_context/` is materialised twice: as written, with the built-in grammars,
and with its files renamed to `.myl` and a copy of the language's folder, named `mylang`, added
through a user grammar path (what `context.grammarPaths` / `--grammar-path` do). Scopes,
import-resolved definitions, outlines and the rendered prompts must match.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from ghostfill.context.gather import ContextEngine
from ghostfill.documents.languages import LanguageRegistry
from ghostfill.documents.store import DocumentStore
from ghostfill.documents.syntax import Grammars
from ghostfill.model import CompletionContext
from ghostfill.prompt.render import render
from ghostfill.settings import Settings

from tests.golden.test_prompt_context import ROOT, Project, gather, materialize

NAME, EXT = "mylang", "myl"
CASES = [
    "python/relative_imports",
    "python/module_alias",
    "go/package_import",
    "rust/use_crate",
    "java/imports_and_package",
    "ruby/require_relative",
    "lua/require_module",
    "php/use_namespace",
]


def copy_language(language: str, into: Path) -> Path:
    """grammars/<language>/ copied as `mylang`, claiming only the `.myl` extension."""
    builtin = LanguageRegistry()
    source = builtin.root / language
    target = into / NAME
    shutil.copytree(source, target)
    toml = target / "language.toml"
    text = toml.read_text(encoding="utf-8")
    text = re.sub(r'(?m)^name = ".*"$', f'name = "{NAME}"', text, count=1)
    text = re.sub(r"(?m)^extensions = \[.*\]$", f'extensions = ["{EXT}"]', text, count=1)
    text = re.sub(r"(?m)^language_ids = \[.*\]$", f'language_ids = ["{NAME}"]', text, count=1)
    toml.write_text(text, encoding="utf-8")
    return into


def rename_sources(project: Project, extensions: tuple[str, ...]) -> Project:
    """The project's source files renamed to `.myl` (the cursor file too)."""
    cursor_file = project.cursor_file
    for path in sorted(project.root.rglob("*")):
        if path.is_file() and path.suffix.lstrip(".") in extensions:
            renamed = path.with_suffix(f".{EXT}")
            path.rename(renamed)
            if path == cursor_file:
                cursor_file = renamed
    return Project(project.root, cursor_file, project.cursor, project.expect, project.absent)


def prompts(ctx: CompletionContext) -> list[str]:
    """The chat prompt and a FIM prompt with cross-file context, as sent."""
    shown = []
    for model, template in (("llama-3.3-70b", "chat"), ("qwen2.5-coder-7b", "auto")):
        p = render(ctx, model=model, template=template, comment=ctx.comment)
        shown.append("\n".join(m.content for m in p.messages))
        shown.append(p.fim or "")
    return shown


@pytest.mark.parametrize("case", CASES)
def test_a_copied_language_folder_gives_the_same_prompts(case: str, tmp_path: Path) -> None:
    language = case.split("/")[0]
    original = materialize(ROOT / case, tmp_path / "a")
    want = gather(original, LanguageRegistry())

    user_grammars = copy_language(language, tmp_path / "grammars")
    builtin = LanguageRegistry().get(language)
    assert builtin is not None
    copy = rename_sources(materialize(ROOT / case, tmp_path / "b"), builtin.extensions)
    registry = LanguageRegistry(extra=[user_grammars])
    got = gather(copy, registry)

    assert got.language == NAME and want.language == language
    assert any(s.kind == "definition" for s in want.snippets), "the case needs cross-file context"
    assert got.scopes == want.scopes
    as_original = [
        text.replace(f".{EXT}", f".{builtin.extensions[0]}").replace(NAME, language)
        for text in prompts(got)
    ]
    assert as_original == prompts(want)


def test_an_unknown_file_type_has_no_tree_and_names_its_editor_language(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    registry = LanguageRegistry()
    path = tmp_path / "build.kts"
    path.write_text('plugins {\n    id("application")\n}\n', encoding="utf-8")
    doc = DocumentStore(registry, Grammars(registry)).open(
        path.as_uri(), path.read_text(), 1, "kotlin"
    )
    assert doc.spec is None and doc.syntax() is None
    assert doc.language == "kotlin"
    assert any("no grammar folder" in r.getMessage() for r in caplog.records)
    engine = ContextEngine.standard(Grammars(registry))
    try:
        from ghostfill.model import Position

        ctx = engine.gather(doc, Position(1, 4), Settings(), str(tmp_path))
    finally:
        engine.close()
    assert ctx.scopes == () and ctx.language_name == "kotlin"
    assert 'language="kotlin"' in prompts(ctx)[0]


def test_prompts_name_the_language_by_its_prompt_name(tmp_path: Path) -> None:
    registry = LanguageRegistry()
    path = tmp_path / "Store.cs"
    path.write_text("class Store {\n    \n}\n", encoding="utf-8")
    doc = DocumentStore(registry, Grammars(registry)).open(path.as_uri(), path.read_text(), 1)
    engine = ContextEngine.standard(Grammars(registry))
    try:
        from ghostfill.model import Position

        ctx = engine.gather(doc, Position(1, 4), Settings(), str(tmp_path))
    finally:
        engine.close()
    assert ctx.language == "c_sharp" and ctx.language_name == "csharp"
    assert 'language="csharp"' in prompts(ctx)[0]
