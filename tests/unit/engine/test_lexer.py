"""The offline engine's tokenizer and renderer: token streams, cursor states, round trips."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest
from ghostfill.documents.languages import LanguageRegistry, grammars_root
from ghostfill.engine.lexer import (
    BOS,
    DEDENT,
    INDENT,
    NEWLINE,
    NL,
    SPECIAL,
    STRING,
    lex,
    lex_cursor,
    resume_point,
)
from ghostfill.engine.lexers import Lexers
from ghostfill.engine.render import Spacing, render

LEXERS = Lexers()
family_for = LEXERS.family

PY = family_for("python")

PYTHON = '''import os


class Shop:
    """A docstring that is long enough to be abstracted away entirely."""

    def total(self, items):  # a comment
        values = [
            item.price
            for item in items
        ]
        return sum(values) + 0x1F - 1.5e3
'''


def lines_of(tokens: list[str]) -> list[list[str]]:
    """Split a token stream into lines of real tokens (structure tokens dropped)."""
    out: list[list[str]] = [[]]
    for tok in tokens:
        if tok in (NEWLINE, NL):
            out.append([])
        elif tok not in SPECIAL:
            out[-1].append(tok)
    return [line for line in out if line]


def test_python_stream_has_structure_and_drops_comments() -> None:
    tokens = lex(PYTHON, PY)
    assert tokens[0] == BOS
    assert "# a comment" not in tokens and not any(t.startswith("#") for t in tokens)
    assert STRING in tokens  # the long docstring
    assert tokens.count(INDENT) == 2  # class body, method body (brackets do not indent)
    assert tokens.count(DEDENT) == 2  # back to column 0 at the end of the file
    assert NL in tokens  # line breaks inside [ ... ] are continuations
    assert ["return", "sum", "(", "values", ")", "+", "0x1F", "-", "1.5e3"] in lines_of(tokens)
    assert ["def", "total", "(", "self", ",", "items", ")", ":"] in lines_of(tokens)


def test_short_strings_are_kept_verbatim() -> None:
    tokens = lex("x = f'{a}' + b\"raw\" + 'it''s'\n", PY)
    assert tokens[1:6] == ["x", "=", "f'{a}'", "+", 'b"raw"']


@pytest.mark.parametrize(
    ("language", "source", "expected"),
    [
        (
            "javascript",
            "const f = async (a) => `x${a}` // c\n",
            ["const", "f", "=", "async", "(", "a", ")", "=>", "`x${a}`"],
        ),
        (
            "typescript",
            "let x: Array<number> = []; /* c */\n",
            ["let", "x", ":", "Array", "<", "number", ">", "=", "[", "]", ";"],
        ),
        ("go", "x := []int{1, 2} // c\n", ["x", ":=", "[", "]", "int", "{", "1", ",", "2", "}"]),
        (
            "rust",
            'let s: &\'static str = "hi";\n',
            ["let", "s", ":", "&", "'static", "str", "=", '"hi"', ";"],
        ),
        ("c", "#include <stdio.h>\n", ["#", "include", "<stdio.h>"]),
        (
            "java",
            "if (a != b) { return null; }\n",
            ["if", "(", "a", "!=", "b", ")", "{", "return", "null", ";", "}"],
        ),
        (
            "ruby",
            "@y = x.map { |a| a * 2 } # c\n",
            ["@y", "=", "x", ".", "map", "{", "|", "a", "|", "a", "*", "2", "}"],
        ),
        ("lua", 'return a .. "x" -- c\n', ["return", "a", "..", '"x"']),
        ("bash", 'echo "$HOME" --flag # c\n', ["echo", '"$HOME"', "--flag"]),
        (
            "php",
            "<?php return $a->b ?? 'x'; // c\n",
            ["<?php", "return", "$a", "->", "b", "??", "'x'", ";"],
        ),
    ],
)
def test_families(language: str, source: str, expected: list[str]) -> None:
    assert lines_of(lex(source, family_for(language))) == [expected]


def test_unknown_language_gets_generic_tokens_not_another_language() -> None:
    family = family_for("zig")
    assert family.name == "generic" and not family.keywords and not family.openers
    # No comment syntax is assumed: `//` is two punctuation tokens, not a dropped comment.
    assert lines_of(lex("a = b(c); // d\n", family)) == [
        ["a", "=", "b", "(", "c", ")", ";", "/", "/", "d"]
    ]
    assert LEXERS.group("zig") == "zig"


def test_unknown_language_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="ghostfill.engine.lexers"):
        Lexers().family("kotlin")
    assert any("no [lexer] table for 'kotlin'" in r.getMessage() for r in caplog.records)


def test_lexer_tables_come_from_the_grammar_folders(tmp_path: Path) -> None:
    """A folder copied under a new name lexes alike; `like` and `model` are honoured."""
    root = grammars_root()
    for name in ("python", "c", "cpp"):
        shutil.copytree(root / name, tmp_path / name)
    snake = tmp_path / "snake"
    shutil.copytree(root / "python", snake)
    toml = (snake / "language.toml").read_text(encoding="utf-8")
    toml = toml.replace('name = "python"', 'name = "snake"')
    (snake / "language.toml").write_text(toml.replace('"py", "pyi", "pyw"', '"snk"'), "utf-8")
    lexers = Lexers(LanguageRegistry(tmp_path))
    source = PYTHON + "x = '''a\nb'''\n"
    assert lex(source, lexers.family("snake")) == lex(source, lexers.family("python"))
    assert lex(source, lexers.family("snake"))[-4:] == ["x", "=", STRING, NEWLINE]
    assert lexers.family("cpp").keywords == lexers.family("c").keywords
    assert lexers.group("cpp") == lexers.group("c") == "c"
    assert lexers.group("snake") == "snake"


def test_a_bad_lexer_table_falls_back_to_generic(tmp_path: Path) -> None:
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "language.toml").write_text(
        'name = "broken"\nextensions = ["brk"]\n\n[lexer]\nstrings = ["(unclosed"]\n',
        encoding="utf-8",
    )
    assert Lexers(LanguageRegistry(tmp_path)).family("broken").name == "generic"


@pytest.mark.parametrize(
    "line",
    [
        "a = b(c, d)",
        "result = self.items[0].price * 2",
        "if value is not None and len(items) > 3:",
        "return {'key': value, 'other': [1, 2]}",
        "def total(self, items, *, scale=1.0) -> float:",
        "x = -1",
    ],
)
def test_render_round_trips_python(line: str) -> None:
    spacing = Spacing(PY)
    spacing.observe(PYTHON + "\n".join(["x = -1", "f(a, b=2)", "y = x[1:2]"] * 3))
    tokens = lex_cursor(line, PY, at_file_start=True)
    assert tokens is not None
    body = [t for t in tokens.tokens if t not in SPECIAL] + (
        [tokens.partial] if tokens.partial else []
    )
    assert render(body, [], spacing) == line


def test_render_round_trips_javascript_with_learned_spacing() -> None:
    family = family_for("javascript")
    source = "function add (a, b) {\n  return a + b\n}\nconst x = add (1, 2)\n"
    spacing = Spacing(family)
    spacing.observe(source)
    assert render(lines_of(lex(source, family))[3], [], spacing) == "const x = add (1, 2)"


def test_render_lays_out_blocks() -> None:
    tokens = ["if", "x", ":", NEWLINE, INDENT, "y", "=", "1", NEWLINE, DEDENT, "z"]
    text = render(tokens, [], Spacing(PY), indent_unit="  ", indent="    ")
    assert text == "if x:\n      y = 1\n    z"


def test_cursor_in_comment_or_docstring_gives_nothing() -> None:
    assert lex_cursor("x = 1  # expl", PY, at_file_start=True) is None
    assert lex_cursor('def f():\n    """Retur', PY, at_file_start=True) is None
    assert lex_cursor("x = 1  /* c */", family_for("c"), at_file_start=True) is not None


def test_cursor_partial_tokens() -> None:
    found = lex_cursor("value = compu", PY, at_file_start=True)
    assert found is not None and found.partial == "compu" and found.tokens[-1] == "="
    spaced = lex_cursor("value = ", PY, at_file_start=True)
    assert spaced is not None and spaced.partial == "" and spaced.tokens[-1] == "="
    quoted = lex_cursor('open("utf', PY, at_file_start=True)
    assert quoted is not None and quoted.partial == '"utf' and quoted.in_string


def test_cursor_on_fresh_indented_line_knows_its_indentation() -> None:
    found = lex_cursor("def f():\n    ", PY, at_file_start=True)
    assert found is not None and found.tokens[-2:] == [NEWLINE, INDENT]
    back = lex_cursor("def f():\n    x = 1\n", PY, at_file_start=True)
    assert back is not None and back.tokens[-2:] == [NEWLINE, DEDENT]


def test_resume_point_skips_open_docstrings() -> None:
    text = 'x = 1\n"""\ndoc line\nmore doc\n"""\ny = 2\n'
    start = text.index("doc line")
    resumed = resume_point(text, start, PY)
    assert text[resumed:].startswith("\ny = 2")
    assert lex(text[resumed:], PY, bos=False) == [NEWLINE, "y", "=", "2", NEWLINE][1:]


def test_lexing_mid_file_does_not_fail_on_dedent_below_start() -> None:
    tokens = lex("\n        a = 1\n    b = 2\nc = 3\n", PY, bos=False)
    assert tokens.count(DEDENT) == 2 and lines_of(tokens)[-1] == ["c", "=", "3"]
