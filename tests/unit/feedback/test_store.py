"""The stats database: concurrent writers lose nothing, corruption is moved aside once,
disabled stats write nothing, reports count what happened."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from ghostfill.feedback.command import report
from ghostfill.feedback.events import Event, ItemInfo
from ghostfill.feedback.recorder import Feedback
from ghostfill.feedback.report import render
from ghostfill.feedback.spend import SpendGuard
from ghostfill.feedback.store import StatsStore, default_path
from ghostfill.settings import Settings, StatsSettings

WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from ghostfill.feedback.events import Event
    from ghostfill.feedback.store import StatsStore
    store = StatsStore(Path(sys.argv[1]))
    for i in range(int(sys.argv[3])):
        store.record(Event(at=time.time(), kind="shown", session=sys.argv[2], item=str(i)))
        if i % 25 == 0:
            store.flush()  # many small transactions, interleaved with the other writers
    store.close()
    """
)


def count(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM events").fetchone()[0])


def test_four_concurrent_writer_processes_lose_nothing(tmp_path: Path) -> None:
    path, per = tmp_path / "stats.db", 600
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), f"w{n}", str(per)], env=env)
        for n in range(4)
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0, 0]
    assert count(path) == 4 * per
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        sessions = conn.execute("SELECT session, COUNT(*) FROM events GROUP BY session").fetchall()
    assert sorted(sessions) == [(f"w{n}", per) for n in range(4)]


def test_corrupt_database_is_moved_aside_with_one_warning(tmp_path: Path) -> None:
    path = tmp_path / "stats.db"
    path.write_bytes(b"this is not a database" * 100)
    warnings: list[str] = []
    store = StatsStore(path, warn=warnings.append)
    store.record(Event(at=time.time(), kind="shown", item="a"))
    store.record(Event(at=time.time(), kind="accepted", item="a", chars=5))
    store.close()
    assert len(warnings) == 1 and "moved to stats.db.corrupt-" in warnings[0]
    assert count(path) == 2
    aside = [p.name for p in tmp_path.iterdir() if p.name.startswith("stats.db.corrupt-")]
    assert len(aside) == 1
    assert (tmp_path / aside[0]).read_bytes().startswith(b"this is not a database")


def test_data_lives_under_xdg_data_home(tmp_path: Path) -> None:
    assert default_path({"XDG_DATA_HOME": str(tmp_path)}) == tmp_path / "ghostfill" / "stats.db"
    assert default_path({}).parts[-4:] == (".local", "share", "ghostfill", "stats.db")


def _info(chars: int = 10, head: int = 4) -> ItemInfo:
    return ItemInfo("cerebras", "gpt-oss-120b", "python", "backend", chars, head)


def test_disabled_stats_write_nothing(tmp_path: Path) -> None:
    path = tmp_path / "stats.db"
    feedback = Feedback(StatsStore(path), SpendGuard())
    feedback.configure(Settings(stats=StatsSettings(enable=False)))
    feedback.served("a", _info(), 12.0)
    feedback.shown("a")
    feedback.accepted("a")
    assert feedback.store is not None
    feedback.store.close()
    assert not path.exists()


def test_report_counts_items_once_and_approximates_shown(tmp_path: Path) -> None:
    path = tmp_path / "stats.db"
    store = StatsStore(path)
    vscode, nvim = Feedback(store, SpendGuard()), Feedback(store, SpendGuard())
    for n, feedback in enumerate((vscode, nvim)):
        for item in ("a", "b", "c"):
            feedback.served(item, _info(), 10.0 * (n + 1))
            feedback.served(item, _info(), 1.0)  # typed through: same item, not counted again
    for item in ("a", "b", "c"):
        vscode.shown(item)
        vscode.shown(item)
    vscode.accepted("a")
    vscode.partial("b", 6)  # 4 characters of line prefix + 2 accepted
    vscode.partial("b", 9)
    nvim.accepted("c")
    store.close()
    data = report(path)
    assert (data["shown"], data["accepted"], data["partial"]) == (6, 2, 1)
    assert data["acceptanceRate"] == 0.5
    assert data["charsAccepted"] == 10 + 5 + 10
    assert data["latencyMs"]["count"] == 6 and data["latencyMs"]["p50"] == 15.0
    assert data["languages"][0]["language"] == "python"


def test_report_on_a_missing_database_creates_nothing(tmp_path: Path) -> None:
    data = report(tmp_path / "none" / "stats.db")
    assert (data["shown"], data["accepted"], data["partial"]) == (0, 0, 0)
    assert not (tmp_path / "none").exists()


def test_next_edits_are_counted_apart_from_inline_suggestions(tmp_path: Path) -> None:
    path = tmp_path / "stats.db"
    store = StatsStore(path)
    vscode, nvim = Feedback(store, SpendGuard()), Feedback(store, SpendGuard())
    vscode.served("a", _info(), 10.0)
    vscode.shown("a")
    for n, rule in enumerate(("rename", "rename", "repeat"), start=1):
        vscode.edit_served(f"edit-{n}", "python", rule, 2)
        vscode.edit_served(f"edit-{n}", "python", rule, 2)  # asked again: one prediction
        vscode.edit_feedback(f"edit-{n}", "edit-shown")
    vscode.edit_feedback("edit-1", "edit-accepted")
    vscode.edit_feedback("edit-1", "edit-accepted")  # every edit of it ran the command: once
    vscode.edit_feedback("edit-2", "edit-dismissed")
    vscode.edit_feedback("edit-9", "edit-accepted")  # never served here: not counted
    nvim.edit_served("edit-1", "python", "rename", 1)  # reports no "shown": served counts
    nvim.edit_feedback("edit-1", "edit-accepted")
    store.close()
    data = report(path)
    assert (data["shown"], data["accepted"], data["served"]) == (1, 0, 1)  # inline only
    edits = data["nextEdits"]
    assert (edits["served"], edits["shown"], edits["accepted"], edits["dismissed"]) == (4, 4, 2, 1)
    assert edits["acceptanceRate"] == 0.5
    rules = {r["rule"]: (r["shown"], r["accepted"], r["dismissed"]) for r in edits["rules"]}
    assert rules == {"rename": (3, 2, 1), "repeat": (1, 0, 0)}
    text = render(data, str(path))
    assert "next edits: shown 4   accepted 2   dismissed 1   acceptance rate 50%" in text, text
    assert "rename 2/3, repeat 0/1" in text
