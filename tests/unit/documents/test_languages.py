"""The language registry: built-in folders, the user's grammar paths, bad folders skipped."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest
from ghostfill.documents.languages import LanguageRegistry
from ghostfill.documents.syntax import Grammars


def _folder(root: Path, name: str, body: str) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "language.toml").write_text(body, encoding="utf-8")
    return folder


MINI = 'name = "{name}"\nextensions = ["{ext}"]\nline_comment = "#"\n'


def test_a_grammar_path_adds_a_language(tmp_path: Path) -> None:
    _folder(tmp_path, "mini", MINI.format(name="mini", ext="mini"))
    registry = LanguageRegistry(extra=[tmp_path])
    spec = registry.detect("/w/a.mini")
    assert spec is not None and spec.name == "mini" and spec.folder == tmp_path / "mini"
    assert spec.imports.extensions == (".mini",)  # modules default to the language's own files
    assert registry.detect("/w/a.py") is registry.get("python")


def test_a_folder_named_like_a_builtin_replaces_it(tmp_path: Path) -> None:
    builtin = LanguageRegistry()
    shutil.copytree(builtin.root / "python", tmp_path / "python")
    registry = LanguageRegistry(extra=[tmp_path])
    spec = registry.detect("/w/a.py")
    assert spec is not None and spec.folder == tmp_path / "python"
    assert registry.names() == builtin.names()


def test_the_user_root_wins_extensions(tmp_path: Path) -> None:
    _folder(tmp_path, "pyish", MINI.format(name="pyish", ext="py"))
    spec = LanguageRegistry(extra=[tmp_path]).detect("/w/a.py")
    assert spec is not None and spec.name == "pyish"


def test_bad_folders_are_skipped_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _folder(tmp_path, "broken", "name = \n")
    _folder(
        tmp_path, "badregex", MINI.format(name="badregex", ext="br") + "[brackets]\nskip = ['(']\n"
    )
    _folder(
        tmp_path, "odd", MINI.format(name="odd", ext="odd") + "colour = 1\n[imports]\nwat = 2\n"
    )
    with caplog.at_level(logging.WARNING):
        registry = LanguageRegistry(extra=[tmp_path, tmp_path / "missing"])
    assert registry.get("broken") is None and registry.get("badregex") is None
    assert registry.get("odd") is not None  # unknown keys are ignored, not fatal
    text = caplog.text
    assert "broken" in text and "badregex" in text and "colour" in text and "wat" in text
    assert "missing" in text


def test_use_paths_reports_changes_and_keeps_unchanged_specs(tmp_path: Path) -> None:
    registry = LanguageRegistry()
    python = registry.get("python")
    assert registry.use_paths([]) is False
    _folder(tmp_path, "mini", MINI.format(name="mini", ext="mini"))
    assert registry.use_paths([tmp_path]) is True
    assert registry.get("mini") is not None and registry.get("python") is python
    assert registry.use_paths([tmp_path]) is False
    assert registry.use_paths([]) is True and registry.get("mini") is None


def test_a_replaced_spec_gets_its_own_grammar(tmp_path: Path) -> None:
    registry = LanguageRegistry()
    grammars = Grammars(registry)
    before = grammars.by_name("python")
    shutil.copytree(registry.root / "python", tmp_path / "python")
    registry.use_paths([tmp_path])
    after = grammars.by_name("python")
    assert before is not None and after is not None and after is not before
    assert after.spec.folder == tmp_path / "python"


def test_the_cli_flag_is_repeatable_and_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ghostfill.cli import _with_absolute_grammar_paths, build_parser

    monkeypatch.chdir(tmp_path)
    args = build_parser().parse_args(["serve", "--grammar-path", "a", "--grammar-path=b"])
    assert args.grammar_path == [str(tmp_path / "a"), str(tmp_path / "b")]
    argv = _with_absolute_grammar_paths(["serve", "--grammar-path", "a", "--grammar-path=b"])
    assert argv == [
        "serve",
        "--grammar-path",
        str(tmp_path / "a"),
        f"--grammar-path={tmp_path / 'b'}",
    ]
