"""Keep client-extension/package.json's settings in step with server/ghostfill/settings.py.

The server's frozen dataclasses are the source of truth: their fields give the keys, types,
enums and defaults, and the docstring under each field gives the description. This script
renders the matching `contributes.configuration` (one titled section per group, plus the
extension-only `ghostfill.server.*` keys) and either checks or rewrites package.json.

    python scripts/vscode_settings.py --check   # exit 1 and list differences if they drifted
    python scripts/vscode_settings.py --write   # rewrite package.json's configuration
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import inspect
import itertools
import json
import sys
import types
import typing
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_JSON = ROOT / "client-extension" / "package.json"

# Keys that only the extension reads: they decide how the server process is started.
EXTENSION_ONLY: dict[str, dict[str, Any]] = {
    "ghostfill.server.path": {
        "type": "string",
        "default": "",
        "scope": "machine-overridable",
        "markdownDescription": (
            "Path to a `ghostfill` executable to run instead of the bundled server. "
            "Overrides `#ghostfill.server.pythonPath#`. Changing it restarts the server."
        ),
    },
    "ghostfill.trace.server": {
        "type": "string",
        "enum": ["off", "messages", "verbose"],
        "default": "off",
        "scope": "window",
        "markdownDescription": (
            "Trace the messages between VS Code and the server into the ghostfill log (shown when "
            "its log level is Trace). API keys are redacted."
        ),
    },
    "ghostfill.server.pythonPath": {
        "type": "string",
        "default": "",
        "scope": "machine-overridable",
        "markdownDescription": (
            "Python (3.11 or newer) for the server. If it can already `import ghostfill`, the "
            "server runs from it; otherwise the bundled server is installed into a private "
            "environment made from it. Empty: `python3` or `python` on PATH. Changing it "
            "restarts the server."
        ),
    },
}

GROUP_TITLES = {
    "backend": "Backend",
    "completion": "Completion",
    "context": "Context",
    "offline": "Offline engine",
    "privacy": "Privacy",
    "network": "Network",
    "stats": "Stats",
    "nextEdit": "Next edits",
    "daemon": "Daemon",
}


def _field_docs(cls: type) -> dict[str, str]:
    """Docstrings written under dataclass fields (not visible at runtime, so read the source)."""
    tree = ast.parse(inspect.getsource(cls))
    body = tree.body[0].body  # type: ignore[attr-defined]
    docs: dict[str, str] = {}
    for node, nxt in itertools.pairwise(body):
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and isinstance(nxt, ast.Expr)
            and isinstance(nxt.value, ast.Constant)
            and isinstance(nxt.value.value, str)
        ):
            docs[node.target.id] = inspect.cleandoc(nxt.value.value)
    return docs


def _schema(tp: Any) -> dict[str, Any]:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Literal:
        return {"type": "string", "enum": list(args)}
    if tp is bool:
        return {"type": "boolean"}
    if tp is int:
        return {"type": "integer"}
    if tp is float:
        return {"type": "number"}
    if tp is str:
        return {"type": "string"}
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return {"type": "array", "items": _schema(args[0])}
    if origin is dict:
        return {"type": "object", "additionalProperties": _schema(args[1])}
    if isinstance(tp, types.UnionType):
        raise TypeError(f"unions are not supported in settings: {tp}")
    raise TypeError(f"no JSON schema for settings type {tp!r}")


def _default(f: dataclasses.Field[Any]) -> Any:
    if f.default is not dataclasses.MISSING:
        value = f.default
    elif f.default_factory is not dataclasses.MISSING:
        value = f.default_factory()
    else:
        raise ValueError(f"settings field {f.name} has no default")
    return list(value) if isinstance(value, tuple) else value


def _properties(cls: type, prefix: str) -> dict[str, dict[str, Any]]:
    hints = typing.get_type_hints(cls, include_extras=False)
    docs = _field_docs(cls)
    props: dict[str, dict[str, Any]] = {}
    for order, f in enumerate(dataclasses.fields(cls)):
        if dataclasses.is_dataclass(hints[f.name]):
            continue
        if f.name not in docs:
            raise ValueError(f"{cls.__name__}.{f.name} has no docstring")
        prop = _schema(hints[f.name])
        prop["default"] = _default(f)
        prop["markdownDescription"] = docs[f.name]
        prop["order"] = order
        props[f"{prefix}{f.name}"] = prop
    return props


def expected_configuration() -> list[dict[str, Any]]:
    """The `contributes.configuration` array that settings.py implies."""
    sys.path.insert(0, str(ROOT / "server"))
    from ghostfill import settings as gs

    hints = typing.get_type_hints(gs.Settings)
    sections: list[dict[str, Any]] = []
    general = _properties(gs.Settings, "ghostfill.")
    for name, title in GROUP_TITLES.items():
        cls = hints[name]
        sections.append({"title": title, "properties": _properties(cls, f"ghostfill.{name}.")})
    general.update(EXTENSION_ONLY)
    sections.insert(0, {"title": "General", "properties": general})
    return sections


def flatten(configuration: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {k: v for section in configuration for k, v in section.get("properties", {}).items()}


def differences(actual: list[dict[str, Any]], expected: list[dict[str, Any]]) -> list[str]:
    want, have = flatten(expected), flatten(actual)
    problems = [f"missing {k}" for k in want if k not in have]
    problems += [f"unexpected {k} (not in settings.py)" for k in have if k not in want]
    for key in want.keys() & have.keys():
        for attr in sorted(want[key].keys() | have[key].keys()):
            if want[key].get(attr) != have[key].get(attr):
                problems.append(
                    f"{key}.{attr}: package.json has {have[key].get(attr)!r}, "
                    f"settings.py implies {want[key].get(attr)!r}"
                )
    return sorted(problems)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--check", action="store_true")
    mode.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)
    pkg = json.loads(PACKAGE_JSON.read_text())
    expected = expected_configuration()
    if args.write:
        pkg["contributes"]["configuration"] = expected
        PACKAGE_JSON.write_text(json.dumps(pkg, indent=2, ensure_ascii=False) + "\n")
        return 0
    problems = differences(pkg["contributes"].get("configuration", []), expected)
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
