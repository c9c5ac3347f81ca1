"""Runs editor connections inside the daemon: one LSP connection (its own Session and Client)
per window, all on one process-wide `Shared` (grammars, HTTP pools, per-workspace indexes)."""

from __future__ import annotations

import argparse
import asyncio
from typing import TYPE_CHECKING, Any

from ghostfill import logs

if TYPE_CHECKING:
    from ghostfill.app import Shared
    from ghostfill.lifecycle.collector import Collector
    from ghostfill.server.generated_code import GeneratedCode

WORKSPACE_LINGER_S = 120.0
"""How long the daemon keeps a workspace's index after its last window closed (a reload)."""


def serve_args(hello: dict[str, Any], parser: argparse.ArgumentParser) -> argparse.Namespace:
    """The window's `ghostfill serve ...` flags, parsed as the in-process server would, with
    the CLI's `parser` (built once per daemon: building it costs ~3 ms)."""
    argv = hello.get("argv")
    argv = [a for a in argv if isinstance(a, str)] if isinstance(argv, list) else []
    try:
        return parser.parse_args(argv or ["serve"])
    except SystemExit:
        return parser.parse_args(["serve"])


def window_env(hello: dict[str, Any]) -> dict[str, str] | None:
    """The relay's environment (API keys, proxies), not the daemon's."""
    env = hello.get("env")
    if not isinstance(env, dict):
        return None
    return {k: v for k, v in env.items() if isinstance(k, str) and isinstance(v, str)}


class LspRunner:
    def __init__(
        self,
        redact: logs.RedactingFilter,
        generated: GeneratedCode | None = None,
        collector: Collector | None = None,
    ) -> None:
        from ghostfill.app import build_shared
        from ghostfill.cli import build_parser

        self._shared: Shared = build_shared(
            redact=redact, linger_s=WORKSPACE_LINGER_S, generated=generated, collector=collector
        )
        self._parser = build_parser()

    async def serve(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, hello: dict[str, Any]
    ) -> None:
        from ghostfill.app import ConnectionOptions, serve_connection
        from ghostfill.cli import backend_overrides

        args = serve_args(hello, self._parser)
        options = ConnectionOptions(
            overrides=backend_overrides(args),
            environ=window_env(hello),
            log_level=args.log_level,
            grammar_paths=tuple(args.grammar_path or ()),
        )
        await serve_connection(self._shared, reader, writer, options)

    def workspaces(self) -> list[str]:
        return sorted({root for ws in self._shared.workspaces for root in ws.roots})

    async def close(self) -> None:
        await self._shared.close()


def make_runner(
    redact: logs.RedactingFilter,
    generated: GeneratedCode | None = None,
    collector: Collector | None = None,
) -> LspRunner:
    return LspRunner(redact, generated, collector)
