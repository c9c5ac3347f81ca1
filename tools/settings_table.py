"""Print the README's settings table from settings.py (field docstrings are the descriptions).

.venv/bin/python tools/settings_table.py
"""

from __future__ import annotations

import ast
import dataclasses
import json
from pathlib import Path

from ghostfill import settings

GROUPS = {
    "BackendSettings": "backend.",
    "CompletionSettings": "completion.",
    "ContextSettings": "context.",
    "OfflineSettings": "offline.",
    "PrivacySettings": "privacy.",
    "NetworkSettings": "network.",
    "StatsSettings": "stats.",
    "NextEditSettings": "nextEdit.",
    "DaemonSettings": "daemon.",
    "Settings": "",
}


def rows() -> list[str]:
    tree = ast.parse(Path(settings.__file__).read_text(encoding="utf-8"))
    out: list[str] = []
    for node in tree.body:
        if not (isinstance(node, ast.ClassDef) and node.name in GROUPS):
            continue
        fields = {f.name: f for f in dataclasses.fields(getattr(settings, node.name))}
        for i, stmt in enumerate(node.body):
            if not isinstance(stmt, ast.AnnAssign) or not isinstance(stmt.target, ast.Name):
                continue
            follow = node.body[i + 1] if i + 1 < len(node.body) else None
            if not (isinstance(follow, ast.Expr) and isinstance(follow.value, ast.Constant)):
                continue
            field = fields[stmt.target.id]
            default = (
                field.default
                if field.default is not dataclasses.MISSING
                else field.default_factory()
            )  # type: ignore[misc]
            shown = json.dumps(list(default) if isinstance(default, tuple) else default)
            out.append(
                f"| `ghostfill.{GROUPS[node.name]}{stmt.target.id}` | `{shown}` | {follow.value.value} |"
            )
    return out


def table() -> str:
    return "\n".join(["| setting | default | what it does |", "|---|---|---|", *rows()])


if __name__ == "__main__":
    print(table())
