"""Runs editor connections inside the daemon: one pygls server per connection."""

from __future__ import annotations

import argparse
import asyncio
import threading
from typing import TYPE_CHECKING, Any

from pygls.io_ import run_async

from ghostfill import logs

if TYPE_CHECKING:
    from ghostfill.app import Session


def serve_args(hello: dict[str, Any]) -> argparse.Namespace:
    """The window's `ghostfill serve ...` flags, parsed as the in-process server would."""
    from ghostfill.cli import build_parser

    argv = hello.get("argv")
    argv = [a for a in argv if isinstance(a, str)] if isinstance(argv, list) else []
    try:
        return build_parser().parse_args(argv or ["serve"])
    except SystemExit:
        return build_parser().parse_args(["serve"])


class PyglsRunner:
    def __init__(self, redact: logs.RedactingFilter) -> None:
        self._redact = redact
        self._sessions: set[Session] = set()

    async def serve(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, hello: dict[str, Any]
    ) -> None:
        from ghostfill.app import build
        from ghostfill.cli import backend_overrides

        args = serve_args(hello)
        server, session = build(
            overrides=backend_overrides(args),
            log_level=args.log_level,
            redact=self._redact,
            grammar_paths=args.grammar_path,
        )
        server.protocol.set_writer(writer)
        self._sessions.add(session)
        try:
            await run_async(
                stop_event=threading.Event(),
                reader=reader,
                protocol=server.protocol,
                error_handler=server.report_server_error,
            )
        finally:
            self._sessions.discard(session)
            await session.close()

    def workspaces(self) -> list[str]:
        return sorted({root for session in self._sessions for root in session.roots})

    async def close(self) -> None:
        for session in list(self._sessions):
            await session.close()


def make_runner(redact: logs.RedactingFilter) -> PyglsRunner:
    return PyglsRunner(redact)
