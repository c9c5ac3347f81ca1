"""`ghostfill stats [--json] [--since D]` and the `ghostfill/stats` request: read-only reports
from the local database (never created by reading it)."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

from ghostfill.feedback.report import parse_since, render, summarize
from ghostfill.feedback.spend import SpendGuard
from ghostfill.feedback.store import SCHEMA, StatsStore, connect, default_path
from ghostfill.settings import Settings


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


async def live_report(
    store: StatsStore, guard: SpendGuard, since: str | None, settings: Settings
) -> dict[str, Any]:
    """`ghostfill/stats` for an editor: the report, the spend caps and whether stats are on."""
    start = parse_since(since) if since else 0.0
    await asyncio.to_thread(store.flush, 1.0)
    data = await asyncio.to_thread(report, store.path, start)
    usage, caps = guard.usage(), guard.caps
    data["spend"] = {
        "tokensLastHour": usage.tokens_hour,
        "costToday": round(usage.cost_today, 6),
        "maxTokensPerHour": caps.tokens_per_hour,
        "maxCostPerDay": caps.cost_per_day,
    }
    data["enabled"] = settings.stats.enable
    return data


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
