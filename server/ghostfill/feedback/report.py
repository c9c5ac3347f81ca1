"""Read the stats back: `ghostfill stats`, `ghostfill/stats` (the editors' stats views).

Definitions:
- shown: distinct suggestions the editor displayed (didShowCompletion). Where an editor never
  reports what it shows (Neovim, Emacs, Helix...), each suggestion served in that session
  counts as shown;
- accepted: suggestions taken whole (the `ghostfill.didAccept` command); partial: taken in
  part (didPartiallyAcceptCompletion) and never whole;
- acceptance rate: (accepted + partial) / shown; characters accepted: per suggestion, the
  most accepted;
- latency: time to ghost text of each served suggestion, and the backend's time to first token;
- tokens are estimated from characters, cost from the preset's list prices;
- next edits (`textDocument/copilotInlineEdit` predictions), counted apart: shown as reported
  (`textDocument/didShowInlineEdit`), else every prediction served counts as shown; accepted:
  the prediction's `ghostfill.didAcceptEdit` command; dismissed: the user turned it down
  (`ghostfill/didDismissInlineEdit`, Esc in VS Code and in the Neovim renderer).
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

SINCE = re.compile(r"^(\d+)([mhdw])$")
UNIT_S = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_since(text: str | None, now: float | None = None) -> float:
    """`7d`, `24h`, `30m`, `2w` or a date (`2026-12-01`, local midnight); None: all time."""
    if not text:
        return 0.0
    now = time.time() if now is None else now
    if match := SINCE.match(text.strip()):
        return now - int(match.group(1)) * UNIT_S[match.group(2)]
    try:
        return datetime.fromisoformat(text.strip()).timestamp()
    except ValueError:
        raise ValueError(
            f"--since {text!r}: use a duration (30m, 24h, 7d, 2w) or a date (2026-12-01)"
        ) from None


def percentiles(values: list[float]) -> dict[str, float | int | None]:
    if not values:
        return {"count": 0, "p50": None, "p90": None, "p99": None}
    if len(values) == 1:
        return {"count": 1, "p50": values[0], "p90": values[0], "p99": values[0]}
    import statistics  # only a report needs it; not loaded with every server (~4 ms)

    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {
        "count": len(values),
        "p50": round(cuts[49], 1),
        "p90": round(cuts[89], 1),
        "p99": round(cuts[98], 1),
    }


@dataclass
class Tally:
    shown: int = 0
    accepted: int = 0
    partial: int = 0
    chars: int = 0
    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float = 0.0
    first_token: list[float] = field(default_factory=list)

    def json(self) -> dict[str, Any]:
        return {
            "shown": self.shown,
            "accepted": self.accepted,
            "partial": self.partial,
            "acceptanceRate": rate(self),
            "charsAccepted": self.chars,
            "requests": self.requests,
            "promptTokens": self.prompt_tokens,
            "completionTokens": self.completion_tokens,
            "tokens": self.prompt_tokens + self.completion_tokens,
            "cost": round(self.cost, 6),
        }


def rate(t: Tally) -> float | None:
    return ratio(t.accepted + t.partial, t.shown)


def ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


ITEMS = """
SELECT session, item, MIN(at), MAX(backend), MAX(language),
       MAX(kind = 'served'), MAX(kind = 'shown'), MAX(kind = 'partial'), MAX(kind = 'accepted'),
       MAX(CASE WHEN kind IN ('partial', 'accepted') THEN chars ELSE 0 END),
       MAX(CASE WHEN kind = 'served' THEN latency_ms END)
FROM events WHERE at >= ? AND kind IN ('served', 'shown', 'partial', 'accepted')
GROUP BY session, item
"""
EDITS = """
SELECT session, MAX(source), MAX(kind = 'edit-served'), MAX(kind = 'edit-shown'),
       MAX(kind = 'edit-accepted'), MAX(kind = 'edit-dismissed')
FROM events WHERE at >= ? AND kind LIKE 'edit-%' GROUP BY session, item
"""
EDITS_REPORTING = "SELECT DISTINCT session FROM events WHERE at >= ? AND kind = 'edit-shown'"
REPORTING = "SELECT DISTINCT session FROM events WHERE at >= ? AND kind = 'shown'"
REQUESTS = """
SELECT at, backend, model, language, prompt_tokens, completion_tokens, cost, latency_ms
FROM events WHERE at >= ? AND kind = 'request'
"""


@dataclass
class EditTally:
    served: int = 0
    shown: int = 0
    accepted: int = 0
    dismissed: int = 0

    def json(self) -> dict[str, Any]:
        return {
            "served": self.served,
            "shown": self.shown,
            "accepted": self.accepted,
            "dismissed": self.dismissed,
            "acceptanceRate": ratio(self.accepted, self.shown),
        }


def next_edits(conn: sqlite3.Connection, since: float = 0.0) -> dict[str, Any]:
    """The next-edit figures: all predictions, and per rule (rename, repeat...)."""
    total = EditTally()
    rules: dict[str, EditTally] = defaultdict(EditTally)
    reporting = {row[0] for row in conn.execute(EDITS_REPORTING, (since,))}
    for session, rule, served, shown, accepted, dismissed in conn.execute(EDITS, (since,)):
        seen = (shown or accepted or dismissed) if session in reporting else served
        for t in (total, rules[rule or "?"]):
            t.served += bool(served)
            t.shown += bool(seen)
            t.accepted += bool(accepted)
            t.dismissed += bool(dismissed and not accepted)
    return {**total.json(), "rules": [{"rule": k, **t.json()} for k, t in sorted(rules.items())]}


def summarize(conn: sqlite3.Connection, since: float = 0.0) -> dict[str, Any]:
    """The whole report as one JSON-ready object."""
    total = Tally()
    backends: dict[tuple[str, str], Tally] = defaultdict(Tally)
    languages: dict[str, Tally] = defaultdict(Tally)
    days: dict[str, Tally] = defaultdict(Tally)
    latencies: list[float] = []
    served = 0
    reporting = {row[0] for row in conn.execute(REPORTING, (since,))}
    for session, _, at, _, language, srv, shown, part, acc, chars, latency in conn.execute(
        ITEMS, (since,)
    ):
        served += bool(srv)
        if latency is not None:
            latencies.append(float(latency))
        counted = shown if session in reporting else srv
        for t in (total, languages[language or "?"], days[_day(at)]):
            t.shown += bool(counted)
            t.accepted += bool(acc)
            t.partial += bool(part and not acc)
            t.chars += int(chars or 0)
    for at, backend, model, language, sent, got, cost, first in conn.execute(REQUESTS, (since,)):
        for t in (total, backends[(backend, model)], languages[language or "?"], days[_day(at)]):
            t.requests += 1
            t.prompt_tokens += int(sent)
            t.completion_tokens += int(got)
            t.cost += float(cost)
            if first is not None:
                t.first_token.append(float(first))
    return {
        "since": datetime.fromtimestamp(since).isoformat(timespec="seconds") if since else None,
        **total.json(),
        "served": served,
        "latencyMs": percentiles(latencies),
        "firstTokenMs": percentiles(total.first_token),
        "backends": [
            {"backend": b, "model": m, **t.json(), "firstTokenMs": percentiles(t.first_token)}
            for (b, m), t in sorted(backends.items())
        ],
        "languages": [{"language": k, **t.json()} for k, t in sorted(languages.items())],
        "days": [{"day": k, **t.json()} for k, t in sorted(days.items())],
        "nextEdits": next_edits(conn, since),
    }


def _day(at: float) -> str:
    return time.strftime("%Y-%m-%d", time.localtime(at))


def render(report: dict[str, Any], path: str) -> str:
    """The human-readable `ghostfill stats`."""
    since = report["since"] or "the beginning"
    edits = report["nextEdits"]
    if not report["served"] and not report["requests"] and not edits["served"]:
        return f"ghostfill stats since {since}: nothing recorded yet ({path})."
    r = report["acceptanceRate"]
    lat, first = report["latencyMs"], report["firstTokenMs"]
    lines = [
        f"ghostfill stats since {since} (kept only in {path})",
        f"  shown {report['shown']}   accepted {report['accepted']}   partially accepted "
        f"{report['partial']}   acceptance rate {'-' if r is None else f'{r:.0%}'}",
        f"  characters accepted {report['charsAccepted']:,}",
        f"  time to ghost text  p50 {_ms(lat['p50'])}  p90 {_ms(lat['p90'])}  "
        f"p99 {_ms(lat['p99'])}  ({lat['count']} suggestions)",
        f"  backend first token p50 {_ms(first['p50'])}  p90 {_ms(first['p90'])}  "
        f"p99 {_ms(first['p99'])}  ({first['count']} requests)",
        f"  tokens {report['tokens']:,} (estimated)   cost ${report['cost']:.4f} (estimated)",
    ]
    if edits["served"]:
        er = edits["acceptanceRate"]
        lines.append(
            f"  next edits: shown {edits['shown']}   accepted {edits['accepted']}   dismissed "
            f"{edits['dismissed']}   acceptance rate {'-' if er is None else f'{er:.0%}'}   ("
            + ", ".join(f"{r['rule']} {r['accepted']}/{r['shown']}" for r in edits["rules"])
            + ")"
        )
    if report["backends"]:
        lines.append("  per backend:")
        lines += [
            f"    {b['backend']:<18} {b['model'] or '-':<28} {b['requests']:>6} requests "
            f"{b['tokens']:>10,} tokens  ${b['cost']:.4f}  first token p50 "
            f"{_ms(b['firstTokenMs']['p50'])}"
            for b in report["backends"]
        ]
    lines.append("  per language:")
    for lang in report["languages"]:
        lr = lang["acceptanceRate"]
        lines.append(
            f"    {lang['language']:<14} shown {lang['shown']:>5}  accepted {lang['accepted']:>5}"
            f"  partial {lang['partial']:>4}  rate {'-' if lr is None else f'{lr:.0%}':>4}"
            f"  chars {lang['charsAccepted']:>7,}  tokens {lang['tokens']:>9,}  "
            f"${lang['cost']:.4f}"
        )
    return "\n".join(lines)


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} ms"
