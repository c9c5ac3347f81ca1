"""Process-wide state: built once by `app.build_shared()`, used by every connection.

- the language registry and grammars (loaded lazily, read-only once loaded);
- the workspace registry (`Workspaces`: offline model + symbol index per set of folders);
- the HTTP clients, one per distinct network configuration (proxy, trust): connection pools
  are shared across connections, keys are not (every request carries its own connection's
  Authorization header);
- the local stats store (one SQLite file per user) and the spend guard (its caps count the
  backend usage of every window);
- the grammar folders every connection asked for (`context.grammarPaths`, `--grammar-path`):
  the union is loaded, so a window's folders only ever add languages for the others;
- the LSP converter (lsprotocol's, knowing ghostfill's messages): built once, because cattrs
  generates its (un)structure functions on first use, and a converter per connection made
  every joining window pay for that again (about half of its initialize time);
- the cache of the code attrs and cattrs generate (`GeneratedCode`, when the entry point
  installed one): written a few seconds after a window's initialize, when the converter has
  made the functions that window needed, and at the end;
- the cycle collector's timing (`Collector`: installed by a process serving editors, it
  collects in the pauses of every connection's typing);
- the log redaction filter (every key any connection registers is masked everywhere) and
  the root log level (the most verbose level any connection asks for).

Nothing here depends on one connection's settings, and no connection changes it for the
others: a connection's `configure()` only touches its own `Session`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import cattrs

from ghostfill import logs
from ghostfill.backends.network import NetworkConfig
from ghostfill.documents.languages import LanguageRegistry
from ghostfill.documents.syntax import Grammars
from ghostfill.feedback.spend import SpendGuard
from ghostfill.feedback.store import StatsStore
from ghostfill.lifecycle.collector import Collector
from ghostfill.server.generated_code import GeneratedCode
from ghostfill.server.workspaces import Workspaces

if TYPE_CHECKING:
    import httpx

SAVE_GENERATED_AFTER_S = 5.0
"""Delay after a window's initialize before new generated code is written (off its typing)."""


def make_client(network: NetworkConfig) -> httpx.AsyncClient:
    """A new pooled client; the HTTP stack (httpx, ~35 ms) is imported with the first one, so
    a process that only ever serves the offline engine never loads it."""
    from ghostfill.backends.client import make_client

    return make_client(network)


class HttpClients:
    """One pooled `httpx.AsyncClient` per network configuration, created on first use."""

    def __init__(self, make: Callable[[NetworkConfig], httpx.AsyncClient] = make_client) -> None:
        self._make = make
        self._clients: dict[NetworkConfig, httpx.AsyncClient] = {}

    def get(self, network: NetworkConfig) -> httpx.AsyncClient:
        client = self._clients.get(network)
        if client is None:
            client = self._clients[network] = self._make(network)
        return client

    def pools(self) -> tuple[int, int]:
        """(checked out, idle) HTTP connections over every client."""
        active = idle = 0
        if not self._clients:
            return active, idle
        from ghostfill.backends.client import pool_stats  # loaded with the first client

        for client in self._clients.values():
            a, i = pool_stats(client)
            active, idle = active + a, idle + i
        return active, idle

    async def close(self) -> None:
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await client.aclose()


class Shared:
    """Everything a process shares between its LSP connections (see the module docstring)."""

    def __init__(
        self,
        *,
        languages: LanguageRegistry,
        grammars: Grammars,
        workspaces: Workspaces,
        clients: HttpClients,
        redact: logs.RedactingFilter,
        guard: SpendGuard,
        converter: cattrs.Converter,
        stats: StatsStore | None = None,
        log_level: str | None = None,
        generated: GeneratedCode | None = None,
        collector: Collector | None = None,
    ) -> None:
        self.languages = languages
        self.grammars = grammars
        self.workspaces = workspaces
        self.clients = clients
        self.redact = redact
        self.guard = guard
        self.converter = converter
        self.stats = stats
        self.warn: Callable[[str], None] = lambda message: None
        """How a stats problem reaches a user (from the store's writer thread)."""
        self._grammar_paths: dict[int, tuple[str, ...]] = {}
        self.log_level = log_level
        """Pinned by `--log-level` (wins over every connection's `logLevel`)."""
        self._levels: dict[int, int] = {}
        self._next_id = 0
        self.generated = generated
        self.collector = collector or Collector()
        """Not installed unless the process's entry point installs it (`serve`, the daemon)."""
        self._save_generated: asyncio.TimerHandle | None = None
        self.rehearsed: set[str] = set()
        """Languages whose request path this process walked once (`Connection.rehearse`)."""

    def connection_id(self) -> int:
        """A new connection's id (it counts in `sessions` until `forget`)."""
        self._next_id += 1
        self.set_log_level(self._next_id, self.log_level or "info")
        return self._next_id

    @property
    def sessions(self) -> int:
        """Connections open in this process."""
        return len(self._levels)

    def set_log_level(self, connection: int, level: str) -> None:
        """A connection's log level; the root logger follows the most verbose one."""
        self._levels[connection] = logs.LEVELS.get(level, logging.INFO)
        logging.getLogger().setLevel(min(self._levels.values()))

    def use_grammars(self, connection: int, paths: Sequence[str]) -> bool:
        """A connection's grammar folders; True when the languages changed."""
        self._grammar_paths[connection] = tuple(paths)
        union = dict.fromkeys(p for every in self._grammar_paths.values() for p in every)
        return self.languages.use_paths(list(union))

    def stats_warning(self, message: str) -> None:
        self.warn(message)

    def forget(self, connection: int) -> None:
        self._grammar_paths.pop(connection, None)
        self._levels.pop(connection, None)
        if self._levels:
            logging.getLogger().setLevel(min(self._levels.values()))

    def keep_generated_code(self) -> None:
        """Write the generated code soon (once for windows starting together)."""
        if self.generated is None or self._save_generated is not None:
            return

        def save() -> None:
            self._save_generated = None
            if self.generated is not None:
                self.generated.save()

        loop = asyncio.get_running_loop()
        self._save_generated = loop.call_later(SAVE_GENERATED_AFTER_S, save)

    async def close(self) -> None:
        if self._save_generated is not None:
            self._save_generated.cancel()
            self._save_generated = None
        if self.generated is not None:
            self.generated.save()
        self.collector.uninstall()
        await self.workspaces.close()
        await self.clients.close()
        if self.stats is not None:
            await asyncio.to_thread(self.stats.close, 2.0)
