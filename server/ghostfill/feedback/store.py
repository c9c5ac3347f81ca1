"""Events to SQLite, off the request path.

`record` only appends to a queue (well under 0.1 ms: `ghostfill bench stats`); a writer thread
drains it in batches, each one `BEGIN IMMEDIATE` transaction. The database is in WAL mode with
a busy timeout, so several editor windows, the daemon and `ghostfill stats` can write and read
it at once without losing a row. A file that is not a database (or fails its integrity check)
is moved aside as `stats.db.corrupt-<time>` and recreated, with one warning.
"""

from __future__ import annotations

import logging
import os
import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from ghostfill.feedback.events import COLUMNS, Event

log = logging.getLogger(__name__)

DB_NAME = "stats.db"
BUSY_TIMEOUT_MS = 10_000
BATCH = 4096
IDLE_S = 30.0
"""With nothing to write, the writer still refreshes the spend totals this often."""
LOCKED_RETRIES = 20
GATHER_S = 0.05
"""After the first event of a batch, the writer sleeps this long to gather more: one
transaction per burst, and the writer rarely competes with the event loop for the GIL."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    at REAL NOT NULL, kind TEXT NOT NULL, session TEXT NOT NULL DEFAULT '',
    item TEXT NOT NULL DEFAULT '', backend TEXT NOT NULL DEFAULT '',
    model TEXT NOT NULL DEFAULT '', language TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '', latency_ms REAL, chars INTEGER NOT NULL DEFAULT 0,
    prompt_tokens INTEGER NOT NULL DEFAULT 0, completion_tokens INTEGER NOT NULL DEFAULT 0,
    cost REAL NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS events_at ON events (at);
CREATE INDEX IF NOT EXISTS events_kind_at ON events (kind, at);
PRAGMA user_version = 1;
"""
INSERT = f"INSERT INTO events ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"

Warn = Callable[[str], None]
AfterWrite = Callable[[sqlite3.Connection, list[Event]], None]


def data_dir(environ: Mapping[str, str] | None = None) -> Path:
    """`$XDG_DATA_HOME/ghostfill`, else `~/.local/share/ghostfill`."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "ghostfill"


def default_path(environ: Mapping[str, str] | None = None) -> Path:
    return data_dir(environ) / DB_NAME


def connect(path: Path, warn: Warn | None = None) -> sqlite3.Connection:
    """Open (creating) the stats database; a corrupt file is moved aside first."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        return _open(path)
    except sqlite3.DatabaseError as exc:
        if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
            raise
        aside = move_aside(path)
        message = (
            f"the stats database {path} was damaged ({exc}); moved to {aside.name}, starting anew"
        )
        log.warning("%s", message)
        if warn is not None:
            warn(message)
        return _open(path)


def _open(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(
        path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
    )
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise sqlite3.DatabaseError("integrity check failed")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.executescript(SCHEMA)
    except BaseException:
        conn.close()
        raise
    return conn


def move_aside(path: Path) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.corrupt-{stamp}-{os.getpid()}")
    for suffix in ("", "-wal", "-shm"):
        part = Path(f"{path}{suffix}")
        if part.exists():
            part.replace(Path(f"{aside}{suffix}"))
    return aside


class StatsStore:
    """The writer: `record` from any thread (the event loop), rows land from one thread."""

    def __init__(
        self,
        path: Path,
        *,
        warn: Warn | None = None,
        after_write: AfterWrite | None = None,
    ) -> None:
        self.path = path
        self._warn = warn
        self._after_write = after_write
        self._queue: queue.SimpleQueue[Event | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._pending = 0
        self._drained = threading.Condition(self._lock)
        self.written = 0
        self.dropped = 0

    def record(self, event: Event) -> None:
        """Enqueue one event; never blocks, never touches the disk."""
        with self._lock:
            self._pending += 1
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="ghostfill-stats", daemon=True
                )
                self._thread.start()
        self._queue.put(event)

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every recorded event is written (tests, `close`)."""
        with self._drained:
            return self._drained.wait_for(lambda: self._pending == 0, timeout)

    def close(self, timeout: float = 10.0) -> None:
        thread = self._thread
        if thread is None:
            return
        self.flush(timeout)
        self._queue.put(None)
        thread.join(timeout)
        self._thread = None

    # -- the writer thread ----------------------------------------------------------------

    def _run(self) -> None:
        conn: sqlite3.Connection | None = None
        while True:
            batch, stop = self._take()
            try:
                if conn is None:
                    conn = connect(self.path, self._warn)
                if batch:
                    conn = self._write(conn, batch)
                if self._after_write is not None:
                    self._after_write(conn, batch)
            except (sqlite3.Error, OSError) as exc:
                log.warning("stats: %d events not written: %s", len(batch), exc)
                self.dropped += len(batch)
            finally:
                self._done(len(batch))
            if stop:
                if conn is not None:
                    conn.close()
                return

    def _take(self) -> tuple[list[Event], bool]:
        try:
            first = self._queue.get(timeout=IDLE_S)
        except queue.Empty:
            return [], False
        if first is None:
            return [], True
        time.sleep(GATHER_S)
        batch = [first]
        while len(batch) < BATCH:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is None:
                return batch, True
            batch.append(item)
        return batch, False

    def _write(self, conn: sqlite3.Connection, batch: list[Event]) -> sqlite3.Connection:
        rows = [e.row() for e in batch]
        for attempt in range(LOCKED_RETRIES):
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    conn.executemany(INSERT, rows)
                    conn.execute("COMMIT")
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                self.written += len(rows)
                return conn
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                time.sleep(0.05 * (attempt + 1))
            except sqlite3.DatabaseError:  # damaged while we had it open: start anew
                conn.close()
                conn = connect(self.path, self._warn)
        raise sqlite3.OperationalError("database stayed locked")

    def _done(self, count: int) -> None:
        with self._drained:
            self._pending -= count
            if self._pending <= 0:
                self._drained.notify_all()
