"""One connection's state: its documents, the client's capabilities, its settings, its backend
and key. Nothing here talks to the client (that is `Client`) or is shared with another
connection (that is `Workspace` and `Shared`).

Isolation: every connection resolves its own backend from its own settings, its own key (sent
by its editor, or read from its own environment: a daemon serves relays started from
different shells) and its own network settings. Two windows on the same folder with different
providers or keys each reach only their own.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from ghostfill.backends.base import Backend, BackendConfig
from ghostfill.backends.network import NetworkConfig
from ghostfill.backends.network import resolve as resolve_network
from ghostfill.backends.registry import create, resolve
from ghostfill.documents.privacy import PrivacyFilter
from ghostfill.documents.store import Document, DocumentStore
from ghostfill.errors import ConfigError
from ghostfill.feedback.meter import MeteredBackend
from ghostfill.feedback.recorder import Feedback
from ghostfill.lifecycle.continuations import Continuations
from ghostfill.lifecycle.debounce import Debouncer
from ghostfill.nextedit.predict import NextEdits
from ghostfill.server.shared import HttpClients, Shared
from ghostfill.settings import ParsedSettings, Settings, parse, with_overrides
from ghostfill.tasks import Tasks

if TYPE_CHECKING:
    import httpx

    from ghostfill.backends.rewrite import RewriteClient

log = logging.getLogger(__name__)


class BackendHolder:
    """This connection's backend, rebuilt only when its resolved config changes. The HTTP
    client (its pool) comes from the process; the backend, its key and its rate-limit gate
    are this connection's alone.

    `configure` resolves the settings at once (a setting that cannot work is reported where
    it was given), but the backend itself (its HTTP client and wire module: ~30 ms of imports
    the first time) is built on first use, or by `build()`, which the connection calls right
    after answering the message that changed it: initialize's result is not held up by it."""

    def __init__(
        self,
        clients: HttpClients,
        environ: Mapping[str, str] | None = None,
        meter: Callable[[Backend], Backend] | None = None,
    ) -> None:
        self._clients = clients
        self._environ = environ
        self._meter = meter
        self._config: BackendConfig | None = None
        self._network: NetworkConfig | None = None
        self._backend: Backend | None = None
        self._client: httpx.AsyncClient | None = None
        self._pending = False
        self.error: ConfigError | None = None
        """Why the last build left the connection offline (taken by whoever reports it)."""
        self._retiring = Tasks("retired backends")

    @property
    def config(self) -> BackendConfig | None:
        """The resolved config (known before the backend is built)."""
        return self._config

    @property
    def backend(self) -> Backend | None:
        if self._pending:
            self.build()
        return self._backend

    @property
    def client(self) -> httpx.AsyncClient | None:
        """The pooled client the backend uses (one per network configuration, shared)."""
        if self._pending:
            self.build()
        return self._client

    def configure(self, settings: Settings, api_key: str) -> bool:
        """Apply settings; True when there is a new backend to build (and warm).
        Raises ConfigError for settings that cannot work (the backend is then offline)."""
        try:
            config = resolve(settings.backend, api_key, self._environ)
            network = resolve_network(settings.network, self._environ) if config else None
        except Exception:
            self._pending = False
            self._replace(None, None, None)
            raise
        if config == self._config and network == self._network:
            return False
        self._config, self._network = config, network
        self._pending = config is not None and network is not None
        if not self._pending:
            self._replace(None, None, None)
        return self._pending

    def build(self) -> Backend | None:
        """Build the configured backend now if it is not built yet. A network setting that
        fails only here (a CA bundle with no certificate) leaves it offline, in `error`."""
        if not self._pending:
            return self._backend
        self._pending = False
        config, network = self._config, self._network
        assert config is not None and network is not None
        try:
            client = self._clients.get(network)
        except ConfigError as exc:
            self.error = exc
            self._replace(None, None, None)
            return None
        backend = create(replace(config, network=network), client)
        self._replace(client, self._meter(backend) if self._meter else backend, config)
        return self._backend

    def _replace(
        self,
        client: httpx.AsyncClient | None,
        backend: Backend | None,
        config: BackendConfig | None,
    ) -> None:
        old, self._backend, self._client, self._config = self._backend, backend, client, config
        close = getattr(old, "aclose", None)  # what a backend holds beyond the pool (a socket)
        if close is not None:
            self._retiring.spawn(close())

    async def close(self) -> None:
        self._pending = False
        self._replace(None, None, None)
        await self._retiring.wait()


class Session:
    """One editor connection's state (see the module docstring)."""

    def __init__(
        self,
        shared: Shared,
        connection_id: int,
        overrides: Mapping[str, Any],
        environ: Mapping[str, str] | None = None,
        log_level: str | None = None,
        grammar_paths: Sequence[str] = (),
    ) -> None:
        self.id = connection_id
        self.log_level = log_level or shared.log_level
        """Pinned (`--log-level`): wins over the `logLevel` setting."""
        self.overrides = dict(overrides)
        self.grammar_flags = tuple(grammar_paths)
        """`--grammar-path` folders: after `context.grammarPaths`, so they win."""
        self.next_edits = NextEdits(
            settings=lambda: self.settings.nextEdit, rewriter=self.next_edit_model
        )
        """This connection's edit history, fed by the document store (for next edits)."""
        self.documents = DocumentStore(shared.languages, shared.grammars, self.next_edits)
        self.capabilities = types.ClientCapabilities()
        self.folders: list[str] = []
        """Workspace folder URIs, as the client sent them."""
        self.roots: list[str] = []
        """The same folders as paths."""
        self.raw_settings: object = None
        self.api_key = ""
        self.parsed = ParsedSettings(with_overrides(Settings(), **self.overrides), ())
        self.feedback = Feedback(shared.stats, shared.guard)
        """This connection's items (shown, accepted) and backend usage, into the shared store."""
        self.backends = BackendHolder(
            shared.clients,
            environ,
            lambda backend: MeteredBackend(backend, self.feedback.record, shared.guard),
        )
        self.debouncer = Debouncer()
        self.continuations = Continuations()
        self.reparse: dict[str, asyncio.TimerHandle] = {}
        """Pending idle re-parses, by URI."""
        self.ahead: asyncio.TimerHandle | None = None
        """The pending gather of context ahead of a request, after the last edit."""
        self._privacy: tuple[tuple[Any, ...], PrivacyFilter] | None = None
        self._rewrite: tuple[tuple[Any, ...], RewriteClient | None] | None = None

    @property
    def settings(self) -> Settings:
        return self.parsed.settings

    @property
    def backend(self) -> Backend | None:
        return self.backends.backend

    def next_edit_model(self, doc: Document) -> RewriteClient | None:
        """The client that asks this connection's backend for next edits of `doc` (rebuilt when
        the backend or the next-edit model settings change); None for a privacy-excluded file,
        which never reaches a prompt."""
        if self.privacy().excluded(doc.path):
            return None
        backend, s = self.backend, self.settings.nextEdit
        key = (backend, s.model, s.timeoutMs)
        old = self._rewrite
        if old is None or old[0][0] is not backend or old[0][1:] != key[1:]:
            client = self._rewriter(backend, self.backends.client)
            old = self._rewrite = (key, client)
        return old[1]

    def _rewriter(
        self, backend: Backend | None, http: httpx.AsyncClient | None
    ) -> RewriteClient | None:
        """None offline (the offline rules answer, and the HTTP stack is never imported)."""
        if backend is None or http is None:
            return None
        from ghostfill.backends.rewrite import rewrite_client

        s = self.settings.nextEdit
        return rewrite_client(
            backend.config, http, model=s.model, timeout_ms=s.timeoutMs, gate=backend.gate
        )

    def privacy(self) -> PrivacyFilter:
        """The privacy filter for the current settings and folders (built once per change)."""
        s = self.settings
        key = (s.privacy.globs, tuple(self.roots), s.context.workspaceOnly)
        if self._privacy is None or self._privacy[0] != key:
            self._privacy = (key, PrivacyFilter(*key))
        return self._privacy[1]

    def apply(self, raw: object, api_key: str | None = None) -> tuple[str, ...]:
        """Parse settings (flags win over them); returns the problems found in `raw`."""
        if api_key is not None:
            self.api_key = api_key
        self.raw_settings = raw
        parsed = parse(raw)
        self.parsed = ParsedSettings(
            with_overrides(parsed.settings, **self.overrides), parsed.problems
        )
        return parsed.problems
