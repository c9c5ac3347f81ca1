"""package.json's settings mirror server/ghostfill/settings.py: keys, types, enums, defaults and
descriptions (the field docstrings). Fix drift with `python scripts/vscode_settings.py --write`."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


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
