"""Every test runs away from the user's real ghostfill daemon.

For the whole session the daemon's socket and log directories (XDG_RUNTIME_DIR, XDG_STATE_HOME)
point into a fresh private directory, and so does XDG_DATA_HOME (local stats: no test writes to
the user's ~/.local/share/ghostfill), and so does the generated-code file
(GHOSTFILL_GENERATED_CODE: no test reads or writes the user's ~/.cache/ghostfill/generated-code,
the first server of the run compiles and the later ones load); GHOSTFILL_NO_DAEMON=1 makes a spawned `ghostfill serve`
serve in-process unless a test is about the daemon (those give their processes their own
directories and drop the variable). Whatever daemon was started under the session directory is
stopped at the end, so none outlives the run.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator

import pytest

from tests.daemons import stop_daemons


@pytest.fixture(scope="session", autouse=True)
def away_from_the_users_daemon() -> Iterator[str]:
    root = tempfile.mkdtemp(prefix="gf-")  # short: a Unix socket path holds 107 bytes
    saved = {
        k: os.environ.get(k)
        for k in (
            "XDG_RUNTIME_DIR",
            "XDG_STATE_HOME",
            "XDG_DATA_HOME",
            "GHOSTFILL_NO_DAEMON",
            "GHOSTFILL_GENERATED_CODE",
        )
    }
    os.environ["XDG_RUNTIME_DIR"] = os.path.join(root, "run")
    os.environ["XDG_STATE_HOME"] = os.path.join(root, "state")
    os.environ["XDG_DATA_HOME"] = os.path.join(root, "data")
    os.environ["GHOSTFILL_NO_DAEMON"] = "1"
    os.environ["GHOSTFILL_GENERATED_CODE"] = os.path.join(root, "generated-code.marshal")
    os.makedirs(os.environ["XDG_RUNTIME_DIR"], mode=0o700)
    try:
        yield root
    finally:
        stop_daemons(root)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        shutil.rmtree(root, ignore_errors=True)
