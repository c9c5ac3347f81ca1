"""The VS Code extension's source, without running VS Code.

package.json's settings mirror server/ghostfill/settings.py: keys, types, enums, defaults and
descriptions (the field docstrings); fix drift with `python scripts/vscode_settings.py --write`.
The TypeScript passes `npm run lint` and `npm run typecheck`.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXTENSION = ROOT / "client-extension"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "vscode_settings", ROOT / "scripts" / "vscode_settings.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_package_json_settings_match_settings_py() -> None:
    gen = _generator()
    pkg = json.loads((ROOT / "client-extension" / "package.json").read_text())
    problems = gen.differences(pkg["contributes"]["configuration"], gen.expected_configuration())
    assert not problems, "package.json drifted from settings.py:\n" + "\n".join(problems)


def test_every_server_setting_is_contributed() -> None:
    import dataclasses

    from ghostfill import settings

    pkg = json.loads((ROOT / "client-extension" / "package.json").read_text())
    keys = {k for section in pkg["contributes"]["configuration"] for k in section["properties"]}
    for group in dataclasses.fields(settings.Settings):
        if group.name == "logLevel":
            assert "ghostfill.logLevel" in keys
            continue
        cls = type(getattr(settings.Settings(), group.name))
        for f in dataclasses.fields(cls):
            assert f"ghostfill.{group.name}.{f.name}" in keys
    assert {"ghostfill.server.path", "ghostfill.server.pythonPath"} <= keys


@pytest.mark.client
def test_extension_lints_and_typechecks() -> None:
    if not shutil.which("npm"):
        pytest.skip("npm is not installed")
    if not (EXTENSION / "node_modules" / ".package-lock.json").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=EXTENSION, check=True)
    for script in ("typecheck", "lint"):
        done = subprocess.run(
            ["npm", "run", "--silent", script], cwd=EXTENSION, capture_output=True, text=True
        )
        assert done.returncode == 0, f"npm run {script}:\n{done.stdout}{done.stderr}"
