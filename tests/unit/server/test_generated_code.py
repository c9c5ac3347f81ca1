"""Generated code kept between starts: a class attrs generates again gets last time's code and
works the same; a file that is corrupt, writable by others or turned off is never used; a
changed source under the same file name is compiled afresh and replaces the old entry."""

from __future__ import annotations

import linecache
import marshal
import os
import subprocess
import sys
from pathlib import Path

import attrs
import pytest
from ghostfill.server.generated_code import GeneratedCode


def _define(field: str = "x") -> type:
    """A fresh attrs class with the same generated source each time (no hash salt: eq=False)."""
    return attrs.make_class("Point", {"y": attrs.field(), field: attrs.field(default=1)}, eq=False)


def _run(path: Path, field: str = "x") -> tuple[GeneratedCode, type]:
    """One start: attrs names a source it saw in this process `Point-1`, a new process would not."""
    for name in [n for n in linecache.cache if n.startswith("<attrs generated")]:
        del linecache.cache[name]
    generated = GeneratedCode(str(path)).install()
    try:
        cls = _define(field)
    finally:
        generated.uninstall()
    generated.save()
    return generated, cls


def test_a_second_start_reuses_the_code_and_the_class_still_works(tmp_path: Path) -> None:
    path = tmp_path / "code.marshal"
    first, _ = _run(path)
    assert first.misses > 0 and first.hits == 0
    assert path.stat().st_mode & 0o777 == 0o600

    second, cls = _run(path)
    assert second.hits == first.misses and second.misses == 0
    point = cls(y=5)
    assert (point.x, point.y) == (1, 5)
    assert "Point(y=5, x=1)" in repr(point)
    with pytest.raises(TypeError):
        cls()  # y has no default: the generated __init__ still checks


def test_a_changed_source_is_compiled_and_replaces_the_old_entry(tmp_path: Path) -> None:
    path = tmp_path / "code.marshal"
    first, _ = _run(path, "x")
    changed, cls = _run(path, "z")
    assert changed.misses > 0
    assert cls(y=2).z == 1
    kept = marshal.loads(path.read_bytes())
    assert len(kept) == first.misses  # one per generated file name, not both versions
    assert all("self.x" not in key for key in kept)


def test_a_corrupt_file_is_ignored_and_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "code.marshal"
    path.write_bytes(b"\x00not marshal at all")
    path.chmod(0o600)
    generated, cls = _run(path)
    assert generated.hits == 0 and cls(y=1).y == 1
    assert isinstance(marshal.loads(path.read_bytes()), dict)


def test_a_file_others_may_write_is_not_loaded(tmp_path: Path) -> None:
    path = tmp_path / "code.marshal"
    _run(path)
    path.chmod(0o620)
    generated, _ = _run(path)
    assert generated.hits == 0


def test_off_keeps_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GHOSTFILL_GENERATED_CODE", "off")
    generated = GeneratedCode.default().install()
    try:
        _define()
    finally:
        generated.uninstall()
    generated.save()
    assert generated.hits == generated.misses == 0
    assert not list(tmp_path.iterdir())


def _two_starts(script: str, env: dict[str, str]) -> list[tuple[int, int]]:
    """Run `script` (which prints "hits misses") in two new processes, one after the other."""
    runs = [
        subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
        ).stdout.split()
        for _ in range(2)
    ]
    return [(int(h), int(m)) for h, m in runs]


def test_a_real_start_hits_for_lsprotocol_and_answers(tmp_path: Path) -> None:
    """The way the server starts: installed before lsprotocol is imported, in a new process."""
    env = {**os.environ, "GHOSTFILL_GENERATED_CODE": str(tmp_path / "code.marshal")}
    script = (
        "from ghostfill.server.generated_code import GeneratedCode\n"
        "g = GeneratedCode.default().install()\n"
        "from lsprotocol import types, converters\n"
        "c = converters.get_converter()\n"
        "p = c.structure({'textDocument': {'uri': 'file:///a.py'},"
        " 'position': {'line': 3, 'character': 4}}, types.TextDocumentPositionParams)\n"
        "assert c.unstructure(p)['position'] == {'line': 3, 'character': 4}, p\n"
        "g.save()\n"
        "print(g.hits, g.misses)\n"
    )
    (hits1, misses1), (hits2, misses2) = _two_starts(script, env)
    assert hits1 == 0 and misses1 > 500
    assert hits2 > 500 and misses2 < 5


def test_dataclasses_get_their_code_kept_and_behave_the_same(tmp_path: Path) -> None:
    """A dataclass's `__init__`, `__eq__`, `__setattr__`... come from the kept code in a second
    process: defaults, factories, frozenness and equality still hold."""
    env = {**os.environ, "GHOSTFILL_GENERATED_CODE": str(tmp_path / "code.marshal")}
    script = (
        "from ghostfill.server.generated_code import GeneratedCode\n"
        "g = GeneratedCode.default().install()\n"
        "import dataclasses\n"
        "hits, misses = g.hits, g.misses\n"
        "@dataclasses.dataclass(frozen=True, slots=True)\n"
        "class P:\n"
        "    x: int\n"
        "    tags: list[str] = dataclasses.field(default_factory=list)\n"
        "    y: float = 1.5\n"
        "p = P(3)\n"
        "assert (p.x, p.tags, p.y) == (3, [], 1.5) and p == P(3) and p != P(4), p\n"
        "assert P(1).tags is not P(1).tags\n"
        "assert repr(p) == 'P(x=3, tags=[], y=1.5)', repr(p)\n"
        "try:\n"
        "    p.x = 5\n"
        "except dataclasses.FrozenInstanceError:\n"
        "    pass\n"
        "else:\n"
        "    raise AssertionError('not frozen')\n"
        "g.uninstall()\n"
        "g.save()\n"
        "print(g.hits - hits, g.misses - misses)\n"
    )
    (hits1, misses1), (hits2, misses2) = _two_starts(script, env)
    assert hits1 == 0 and misses1 >= 5  # __init__, __repr__, __eq__, __setattr__, __delattr__...
    assert hits2 == misses1 and misses2 == 0
    kept = marshal.loads((tmp_path / "code.marshal").read_bytes())
    assert any(key.startswith("exec\0<dataclass __main__>\0") for key in kept)
