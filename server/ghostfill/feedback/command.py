"""`ghostfill stats [--json] [--since D]` and the `ghostfill/stats` request: read-only reports
from the local database (never created by reading it)."""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

from ghostfill.feedback.report import parse_since, render, summarize
from ghostfill.feedback.store import SCHEMA, connect, default_path


def report(path: Path, since: float = 0.0) -> dict[str, Any]:
    """The report for `path` (an empty one when nothing was ever recorded)."""
    if path.exists():
        conn = connect(path)
    else:
        conn = sqlite3.connect(":memory:")
        conn.executescript(SCHEMA)
    try:
        return {**summarize(conn, since), "database": str(path)}
    finally:
        conn.close()


def run_stats(*, since: str | None = None, as_json: bool = False) -> int:
    try:
        start = parse_since(since)
    except ValueError as exc:
        print(f"ghostfill: {exc}", file=sys.stderr)
        return 2
    path = default_path()
    result = report(path, start)
    print(json.dumps(result) if as_json else render(result, str(path)))
    return 0
