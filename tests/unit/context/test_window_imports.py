"""The cursor window's import lines read alone give what reading the whole window gives."""

from __future__ import annotations

import re

import pytest
from ghostfill.context.definitions import _statement_lines
from ghostfill.context.imports import read_imports, rules_of
from ghostfill.documents.languages import LanguageRegistry
from ghostfill.documents.syntax import Grammars, parse_once

GRAMMARS = Grammars(LanguageRegistry())


@pytest.mark.parametrize(
    ("language", "text", "cursor"),
    [
        ("python", "x = 1\nfrom a import (\n  b,\n  c)\ny = 2\nimport os\nz = 3\n", "z = 3"),
        ("go", 'func f() {}\nimport (\n\t"fmt"\n\tstr "strings"\n)\nvar v = 1\n', "var v"),
        ("rust", "fn x() {}\nuse std::{\n    fs,\n    io::Read,\n};\nfn main() {}\n", "fn main"),
        (
            "javascript",
            'let q = 1;\nconst {\n  alpha,\n  beta,\n} = require("./x");\nexport * from "./all";\n'
            "import os from 'os';\nfoo();\n",
            "foo()",
        ),
    ],
)
def test_the_import_lines_alone_read_what_the_whole_window_reads(
    language: str, text: str, cursor: str
) -> None:
    grammar = GRAMMARS.by_name(language)
    assert grammar is not None
    data = text.encode()
    tree = parse_once(grammar, data)
    rules = rules_of(grammar.spec)
    hi = data.index(cursor.encode())
    whole = read_imports(tree, data, [(0, hi)], rules)
    lines = _statement_lines(re.compile(rules.statement.encode(), re.MULTILINE), data, 0, hi)
    alone = read_imports(tree, data, lines, rules)
    assert (alone.bindings, alone.wildcards, alone.modules) == (
        whole.bindings,
        whole.wildcards,
        whole.modules,
    )
    assert whole.bindings or whole.wildcards
    assert sum(b - a for a, b in lines) < hi  # less than the window was walked
