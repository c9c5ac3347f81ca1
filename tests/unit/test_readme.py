"""The README stays true: the settings table is generated from settings.py, the quick start is
two commands, and the architecture section names every package and module."""

from __future__ import annotations

import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_settings_table_matches_settings_py() -> None:
    table = runpy.run_path(str(ROOT / "tools" / "settings_table.py"))["table"]()
    assert table in (ROOT / "README.md").read_text(encoding="utf-8")


def test_quick_start_has_exactly_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Quick start", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands = [line for line in block.strip().splitlines() if line.strip()]
    assert [c.split()[0] for c in commands] == ["./scripts/demo", "./scripts/test"]
    assert "./scripts/test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_the_architecture_section_names_every_package_and_module() -> None:
    """The README's architecture table keeps up with the tree: every package of
    server/ghostfill and every top-level module is in it."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Architecture\n", 1)[1].split("\n## ", 1)[0]
    package = ROOT / "server" / "ghostfill"
    packages = [p.name for p in package.iterdir() if (p / "__init__.py").is_file()]
    modules = [p.name for p in package.glob("*.py") if p.name != "__init__.py"]
    missing = [f"{n}/" for n in packages if f"`{n}/`" not in section]
    missing += [n for n in modules if f"`{n}`" not in section]
    assert not missing, f"not in the README's architecture section: {missing}"
