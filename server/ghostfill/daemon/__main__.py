"""`python -m ghostfill.daemon`: the per-user daemon, as the relay starts it (detached).

Its stdio is /dev/null; it logs to a rotated file under the user state directory.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import logging.handlers
import os
import sys

from ghostfill.daemon.paths import locations

LOG_BYTES = 2 * 1024 * 1024
LOG_BACKUPS = 3


def log_file(path: str, redact: logging.Filter) -> logging.Handler:
    """The daemon's log: rotated at `LOG_BYTES`, `LOG_BACKUPS` old files kept, keys masked."""
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=LOG_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8"
    )
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s")
    )
    handler.addFilter(redact)
    return handler


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ghostfill.daemon")
    parser.add_argument("--idle-minutes", type=float, default=10.0)
    parser.add_argument(
        "--log-level", choices=["error", "warning", "info", "debug"], default="info"
    )
    parser.add_argument("--detach", action="store_true", help="fork away from the starter")
    parser.add_argument("--ready-fd", type=int, default=-1, help="write one byte here when up")
    args = parser.parse_args(argv)
    if args.detach and os.fork() > 0:
        os._exit(0)  # the starter reaps this at once; the daemon is nobody's child
    loc = locations()
    os.makedirs(loc.state, exist_ok=True)
    from ghostfill import logs

    redact = logs.setup(args.log_level, None, stderr_level=logging.CRITICAL + 1)
    logging.getLogger().addHandler(log_file(loc.log, redact))

    from ghostfill.lifecycle.collector import Collector
    from ghostfill.server.generated_code import GeneratedCode

    collector = Collector().install()  # collections wait for a pause in every window
    generated = GeneratedCode.default().install()  # before lsprotocol is imported

    from ghostfill.daemon.connection import make_runner
    from ghostfill.daemon.host import Daemon

    async def runner():  # type: ignore[no-untyped-def]
        return make_runner(redact, generated, collector)

    try:
        code = asyncio.run(Daemon(loc, runner, args.idle_minutes, args.ready_fd).run())
    except Exception:
        logging.getLogger(__name__).exception("the daemon failed")
        code = 1
    logging.shutdown()
    os._exit(code)  # sessions are closed; a worker thread still reading a file must not hold us


if __name__ == "__main__":
    sys.exit(main())
