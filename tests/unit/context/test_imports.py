"""Imports read from `imports.scm`, and modules resolved to indexed files, per language."""

from __future__ import annotations

import pytest
from ghostfill.context.imports import Binding, read_imports, resolve
from ghostfill.context.index import SymbolIndex
from ghostfill.context.symbols import FileSymbols
from ghostfill.documents.languages import LanguageRegistry
from ghostfill.documents.syntax import Grammars, parse_once


@pytest.fixture(scope="module")
def grammars() -> Grammars:
    return Grammars(LanguageRegistry())


def _imports(grammars: Grammars, language: str, text: str):  # type: ignore[no-untyped-def]
    grammar = grammars.by_name(language)
    assert grammar is not None
    data = text.encode()
    rules = grammar.spec.imports
    return read_imports(parse_once(grammar, data), data, [(0, len(data))], rules)


def test_python_bindings(grammars: Grammars) -> None:
    imports = _imports(
        grammars,
        "python",
        "import os.path\nimport numpy as np\nfrom .models import User, Role as R\n"
        "from .. import util\nfrom pkg.sub import *\n",
    )
    b = imports.bindings
    assert b["np"] == Binding("np", "numpy")
    assert b["User"] == Binding("User", ".models", "User")
    assert b["R"] == Binding("R", ".models", "Role")
    assert b["util"] == Binding("util", "..", "util")
    assert b["os"] == Binding("os", "os.path") and b["path"] == Binding("path", "os.path")
    assert imports.wildcards == ("pkg.sub",)


def test_explicit_bindings_win_over_guessed_ones(grammars: Grammars) -> None:
    imports = _imports(grammars, "python", "import test.support\nfrom . import support\n")
    assert imports.bindings["support"] == Binding("support", ".", "support")


def test_ecma_bindings(grammars: Grammars) -> None:
    imports = _imports(
        grammars,
        "typescript",
        'import def from "./a";\nimport { x, y as z } from "../b";\n'
        'import * as ns from "./c";\nconst { q } = require("./d");\n',
    )
    b = imports.bindings
    assert b["def"] == Binding("def", "./a", "def")
    assert b["z"] == Binding("z", "../b", "y")
    assert b["ns"] == Binding("ns", "./c")
    assert b["q"] == Binding("q", "./d", "q")


def test_go_grouped_imports_bind_package_names(grammars: Grammars) -> None:
    imports = _imports(
        grammars,
        "go",
        'package main\n\nimport (\n\t"fmt"\n\tst "example.com/x/store"\n'
        '\t"example.com/x/api/v2"\n)\n',
    )
    b = imports.bindings
    assert b["fmt"] == Binding("fmt", "fmt")
    assert b["st"] == Binding("st", "example.com/x/store")
    assert b["api"] == Binding("api", "example.com/x/api/v2")


def test_rust_use_lists_and_self(grammars: Grammars) -> None:
    imports = _imports(
        grammars, "rust", "use crate::store::{self, Store, limits::MAX};\nuse std::io::*;\n"
    )
    b = imports.bindings
    assert b["store"] == Binding("store", "crate::store")
    assert b["Store"] == Binding("Store", "crate::store", "Store")
    assert b["MAX"] == Binding("MAX", "crate::store::limits", "MAX")
    assert imports.wildcards == ("std::io",)


def test_c_includes_are_wildcards(grammars: Grammars) -> None:
    imports = _imports(grammars, "c", '#include <stdio.h>\n#include "ring.h"\n')
    assert imports.wildcards == ("<stdio.h>", "ring.h") and not imports.bindings


@pytest.fixture
def index(grammars: Grammars) -> SymbolIndex:
    idx = SymbolIndex(grammars)
    files = {
        "/p/app/models.py": "python",
        "/p/app/util/__init__.py": "python",
        "/p/app/core/service.py": "python",
        "/p/web/src/store.ts": "typescript",
        "/p/web/src/lib/index.ts": "typescript",
        "/p/go/internal/store/store.go": "go",
        "/p/go/internal/store/item.go": "go",
        "/p/go/other/store/x.go": "go",
        "/p/rs/src/store/mod.rs": "rust",
        "/p/rs/src/store/limits.rs": "rust",
        "/p/java/src/com/acme/Store.java": "java",
        "/p/php/src/Models/User.php": "php",
        "/p/c/src/ring.h": "c",
    }
    for path, language in files.items():
        idx.add(FileSymbols.of(path, language, []))
    yield idx  # type: ignore[misc]
    idx.close()


@pytest.mark.parametrize(
    ("module", "importer", "language", "expected"),
    [
        ("..models", "/p/app/core/service.py", "python", ["/p/app/models.py"]),
        ("app.util", "/p/app/core/service.py", "python", ["/p/app/util/__init__.py"]),
        ("./store.js", "/p/web/src/main.ts", "typescript", ["/p/web/src/store.ts"]),
        ("./lib", "/p/web/src/main.ts", "typescript", ["/p/web/src/lib/index.ts"]),
        (
            "example.com/shop/internal/store",
            "/p/go/cmd/main.go",
            "go",
            ["/p/go/internal/store/item.go", "/p/go/internal/store/store.go"],
        ),
        ("crate::store", "/p/rs/src/main.rs", "rust", ["/p/rs/src/store/mod.rs"]),
        ("self::limits", "/p/rs/src/store/mod.rs", "rust", ["/p/rs/src/store/limits.rs"]),
        (
            "com.acme.Store",
            "/p/java/src/com/acme/app/Main.java",
            "java",
            ["/p/java/src/com/acme/Store.java"],
        ),
        ("App\\Models\\User", "/p/php/src/Http/R.php", "php", ["/p/php/src/Models/User.php"]),
        ("ring.h", "/p/c/src/main.c", "c", ["/p/c/src/ring.h"]),
        ("<stdio.h>", "/p/c/src/main.c", "c", []),
        ("numpy", "/p/app/core/service.py", "python", []),
    ],
)
def test_resolve(
    index: SymbolIndex, module: str, importer: str, language: str, expected: list[str]
) -> None:
    spec = LanguageRegistry().get(language)
    assert spec is not None
    assert sorted(resolve(module, importer, spec.imports, index)) == expected
