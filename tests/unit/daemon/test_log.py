"""The daemon's log file: rotated (a long-lived daemon never fills the disk), keys masked."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from ghostfill import logs
from ghostfill.daemon import __main__ as daemon_main
from ghostfill.daemon.__main__ import LOG_BACKUPS, log_file

KEY = "sk-daemon-log-0123456789abcdef"


def test_the_log_rotates_keeps_a_few_files_and_masks_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert daemon_main.LOG_BYTES == 2 * 1024 * 1024  # what the README says
    monkeypatch.setattr(daemon_main, "LOG_BYTES", 50_000)  # the same handler, a smaller file
    LOG_BYTES = daemon_main.LOG_BYTES
    path = tmp_path / "daemon.log"
    redact = logs.RedactingFilter()
    redact.add(KEY)
    handler = log_file(str(path), redact)
    logger = logging.getLogger("ghostfill.test.daemon-log")
    logger.propagate = False
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        line = "indexed a file; " * 60  # words: a long token would be masked as a key
        for n in range((LOG_BACKUPS + 2) * LOG_BYTES // 1000):
            logger.info("%d %s key=%s", n, line, KEY)
    finally:
        logger.removeHandler(handler)
        handler.close()
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["daemon.log", *(f"daemon.log.{i}" for i in range(1, LOG_BACKUPS + 1))]
    assert all((tmp_path / f).stat().st_size <= LOG_BYTES + 2048 for f in files)
    newest = path.read_text()
    assert KEY not in newest and "key=" in newest
