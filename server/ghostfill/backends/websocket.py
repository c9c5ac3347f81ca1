"""The Responses API's WebSocket mode: one persistent socket per backend, one response at a time.

The client opens `wss://<base>/responses` with `Authorization: Bearer` in the handshake (at
initialize, through `warm()`), then sends one `{"type": "response.create", ...}` message per
response (the POST body's fields minus `stream`) and reads that response's events back as JSON
messages until its terminal event. A connection carries one response at a time, in sequence;
OpenAI's API has no cancel message in this mode, and ending a response early means closing
its socket. So cancellation works like this:

- a response whose consumer stopped early (the user typed on, a filter ended the suggestion) is
  drained in the background: its remaining events are read and dropped until its terminal
  event, for at most `DRAIN_S`; the socket is then free again and keeps serving the session;
- a request that comes while the drain is still running opens a standby socket and takes
  whichever is ready first: the drained socket, or the standby (the draining socket is then
  closed, and the provider stops generating);
- a socket never carries a new `response.create` before the previous response's terminal
  event arrived on it, so one response's events can never reach the next.

A socket the provider dropped (idle limit, 60-minute connection limit, network) is reopened
in the background if it was used recently, and on demand otherwise; a drop before a
response's first event resends that request once on a fresh socket. An upgrade the server
refuses (404, 426, a plain HTTP answer) raises `UpgradeRefused`, and the backend speaks HTTP
from then on. The socket goes through the same proxy and trusts the same roots as the
backend's HTTP client (`BackendConfig.network`: `network.proxy`, `network.caBundle`,
`network.noProxy` over the window's environment). The `websockets` logger is held at INFO: its DEBUG output prints the handshake
headers, Authorization included.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import ssl
import time
from collections.abc import AsyncGenerator, Callable, Coroutine
from typing import Any, TypeVar

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import (
    ConnectionClosed,
    InvalidHandshake,
    InvalidProxy,
    InvalidStatus,
    InvalidURI,
    ProxyError,
)
from websockets.protocol import State

from ghostfill import __version__
from ghostfill.backends.base import BackendConfig
from ghostfill.backends.http import malformed, scrub, status_error
from ghostfill.backends.network import NetworkConfig, ssl_context
from ghostfill.backends.network import resolve as resolve_network
from ghostfill.errors import (
    BackendError,
    BackendTimeout,
    BackendUnavailable,
    ConfigError,
    StreamError,
    UpgradeRefused,
)
from ghostfill.tasks import Tasks

log = logging.getLogger(__name__)
T = TypeVar("T")
logging.getLogger("websockets").setLevel(logging.INFO)

DRAIN_S = 0.25
"""How long a cancelled response may take to reach its terminal event before its socket is
closed (the provider stops generating) and replaced."""
SETTLE_WAIT_S = 0.03
"""How long a request waits for a drain about to end before it opens a standby socket."""
KEEP_WARM_S = 600.0
"""A socket dropped within this long after its last use is reopened at once, in the background."""
PING_S = 20.0
"""WebSocket ping interval (keeps NAT and proxies from timing the socket out)."""
TERMINAL = frozenset({"response.completed", "response.incomplete", "response.failed", "error"})
_AUTH_STATUSES = (401, 402, 403, 429)
"""Handshake answers about the account, not about WebSocket support: mapped, no fallback."""


def socket_url(http_url: str) -> str:
    """`https://h/v1/responses` -> `wss://h/v1/responses` (`http` -> `ws`)."""
    if http_url.startswith("https://"):
        return "wss://" + http_url.removeprefix("https://")
    return "ws://" + http_url.removeprefix("http://")


class ResponsesSocket:
    """The persistent socket of one backend (plus, briefly, a standby after a cancellation)."""

    def __init__(
        self, url: str, headers: Callable[[], dict[str, str]], config: BackendConfig
    ) -> None:
        self.url = url
        self._headers = headers
        self.config = config
        self.refused = False
        self.opened = 0
        """Sockets opened so far (one for a whole typing session, plus one per replacement)."""
        self._conn: ClientConnection | None = None
        self._opening: asyncio.Task[ClientConnection] | None = None
        self._drain: asyncio.Task[bool] | None = None
        self._draining: ClientConnection | None = None
        self._lock = asyncio.Lock()
        self._tasks = Tasks("websocket")
        self._used = 0.0
        self._closed = False
        self._route: dict[str, Any] | None = None

    # -- lifecycle -----------------------------------------------------------------------

    async def warm(self) -> None:
        """Open the socket now (initialize), so the first completion finds it ready."""
        with contextlib.suppress(BackendError):
            await self._connection()

    async def aclose(self) -> None:
        self._closed = True
        self._tasks.cancel()
        if self._conn is not None:
            await self._conn.close()

    @property
    def connected(self) -> bool:
        return self._conn is not None and self._conn.state is State.OPEN

    # -- one response --------------------------------------------------------------------

    async def events(self, body: dict[str, Any]) -> AsyncGenerator[dict[str, Any], None]:
        """Send `response.create` with `body` and yield its events up to the terminal one.

        Stopping early (closing this generator, cancelling its consumer) hands the response
        to the background drain; the next call gets a clean socket either way.
        """
        async with self._lock:
            self._used = time.monotonic()
            conn, first = await self._start(json.dumps({"type": "response.create", **body}))
            finished = first.get("type") in TERMINAL
            try:
                yield first
                while not finished:
                    event = await self._receive(conn, self.config.stall_timeout_s)
                    finished = event.get("type") in TERMINAL
                    yield event
            except ConnectionClosed:
                finished = True
                raise StreamError(
                    f"{self.config.provider} closed the WebSocket before the answer ended.",
                    key=f"eof:{self.config.provider}",
                ) from None
            finally:
                if not finished:
                    self._abandon(conn)
                self._used = time.monotonic()

    async def _start(self, message: str) -> tuple[ClientConnection, dict[str, Any]]:
        """Send on a settled socket and wait for the first event; a socket found dropped
        before that is replaced and the request sent again, once."""
        for attempt in (1, 2):
            conn = await self._settled()
            try:
                await conn.send(message)
                first = await self._receive(conn, self.config.timeout_s)
                if attempt == 1 and _connection_limit(first):
                    self._discard(conn)  # the socket's 60 minutes are over: a fresh one
                    continue
                return conn, first
            except asyncio.CancelledError:
                self._abandon(conn)  # sent, and the user typed on before the first event
                raise
            except ConnectionClosed:
                if attempt == 2:
                    raise BackendUnavailable(
                        f"{self.config.provider} closed the WebSocket right after opening it.",
                        key=f"ws:{self.config.provider}",
                    ) from None
                log.debug("%s: WebSocket was dropped; reconnecting", self.config.provider)
        raise AssertionError("unreachable")

    async def _receive(self, conn: ClientConnection, timeout_s: float) -> dict[str, Any]:
        try:
            async with asyncio.timeout(timeout_s):
                raw = await conn.recv()
        except TimeoutError:
            self._discard(conn)
            raise BackendTimeout(
                f"{self.config.provider} sent nothing on the WebSocket for {timeout_s:.1f} s; "
                "offline suggestions meanwhile.",
                key=f"timeout:{self.config.provider}",
            ) from None
        try:
            event = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError):
            event = None
        if not isinstance(event, dict):
            self._discard(conn)
            raise malformed(self.config)
        return event

    # -- cancellation --------------------------------------------------------------------

    def _abandon(self, conn: ClientConnection) -> None:
        """The consumer left before the terminal event (a filter that stopped at
        `</COMPLETION>` leaves only the closing events, milliseconds away; a superseded
        response may run for a while): drain it in the background."""
        if conn.state is not State.OPEN:
            return
        self._draining = conn
        self._drain = self._spawn(self._drained(conn))

    def _standby(self) -> None:
        opening = self._opening
        if opening is None or (opening.done() and not _usable(opening)):
            self._opening = self._spawn(self._open())

    async def _drained(self, conn: ClientConnection) -> bool:
        """Read the abandoned response to its terminal event; close the socket if that takes
        longer than DRAIN_S (the provider stops generating). True when `conn` is clean."""
        try:
            async with asyncio.timeout(DRAIN_S):
                while True:
                    event = json.loads(await conn.recv())
                    if isinstance(event, dict) and event.get("type") in TERMINAL:
                        return True
        except (TimeoutError, ConnectionClosed, ValueError):
            self._discard(conn)
            return False
        except asyncio.CancelledError:
            self._discard(conn)
            raise

    async def _settled(self) -> ClientConnection:
        """A socket with no response in flight: the drained one if its drain is done, else
        the standby (the still-draining socket is then closed)."""
        drain = self._drain
        if drain is not None and not drain.done():
            await asyncio.wait({drain}, timeout=SETTLE_WAIT_S)
        if drain is not None and not drain.done():
            self._standby()
            opening = self._opening
            waiting: set[asyncio.Future[Any]] = {drain}
            if opening is not None:
                waiting.add(opening)
            await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
            if not drain.done():
                # The standby is ready first: close the draining socket (the provider stops
                # generating) and make sure nothing reads it any more.
                if self._draining is not None:
                    self._discard(self._draining)
                drain.cancel()
                await asyncio.wait({drain})
        self._drain = self._draining = None
        if drain is not None and drain.done() and not drain.cancelled() and drain.result():
            self._close_standby()
            if self.connected:
                assert self._conn is not None
                return self._conn
        return await self._connection()

    def _close_standby(self) -> None:
        opening, self._opening = self._opening, None
        if opening is None:
            return
        if opening.done():
            if not opening.cancelled() and opening.exception() is None:
                standby = opening.result()
                if standby is not self._conn:
                    self._spawn(standby.close())
        else:
            opening.add_done_callback(self._close_result)

    def _close_result(self, task: asyncio.Future[ClientConnection]) -> None:
        if not task.cancelled() and task.exception() is None and task.result() is not self._conn:
            self._spawn(task.result().close())

    def _discard(self, conn: ClientConnection) -> None:
        """Close a socket whose state is unknown; it is never used again."""
        if conn is self._conn:
            self._conn = None
        self._spawn(conn.close())

    # -- connecting ----------------------------------------------------------------------

    async def _connection(self) -> ClientConnection:
        """The open socket, connecting (or joining a connect in progress) if there is none."""
        if self.connected:
            assert self._conn is not None
            return self._conn
        opening = self._opening
        if opening is None or (opening.done() and not _usable(opening)):
            opening = self._opening = self._spawn(self._open())
        conn = await asyncio.shield(opening)
        self._opening = None
        self._conn = conn
        return conn

    async def _open(self) -> ClientConnection:
        who = self.config.provider
        if self._route is None:
            self._route = _route(self.url, self.config.network)  # a TLS context: ~0.2 s, once
        try:
            conn = await connect(
                self.url,
                **self._route,
                additional_headers=self._headers(),
                user_agent_header=f"ghostfill/{__version__}",
                open_timeout=self.config.timeout_s,
                ping_interval=PING_S,
                ping_timeout=PING_S,
                close_timeout=1.0,
                max_size=None,
            )
        except InvalidStatus as exc:
            status = exc.response.status_code
            if status in _AUTH_STATUSES:
                headers = httpx.Headers(list(exc.response.headers.raw_items()))
                body = bytes(exc.response.body or b"")
                raise status_error(status, body, headers, self.config) from None
            raise self._refused(f"HTTP {status}") from None
        except (InvalidHandshake, InvalidURI, InvalidProxy, ProxyError) as exc:
            raise self._refused(type(exc).__name__) from None
        except ssl.SSLError as exc:
            # The socket trusts what the HTTP client does; should TLS fail here all the same
            # (a proxy that breaks WebSocket upgrades, say), HTTP has its own clear message.
            raise self._refused(f"TLS: {scrub(str(exc), self.config)[:80]}") from None
        except TimeoutError:
            raise BackendTimeout(
                f"{who} did not open the WebSocket within {self.config.timeout_s:.1f} s.",
                key=f"timeout:{who}",
            ) from None
        except OSError as exc:
            reason = scrub(str(exc), self.config)[:120] or type(exc).__name__
            raise BackendUnavailable(
                f"cannot reach {who} at {self.config.base_url} ({reason}). Is the server running "
                "and the base URL right?",
                key=f"connect:{who}",
            ) from None
        self.opened += 1
        self._spawn(self._watch(conn))
        return conn

    def _refused(self, reason: str) -> UpgradeRefused:
        self.refused = True
        log.warning(
            "%s does not serve the Responses API over WebSocket at %s (%s); using HTTP",
            self.config.provider,
            self.config.base_url,
            reason,
        )
        return UpgradeRefused(
            f"{self.config.provider} refused the WebSocket upgrade ({reason}); using HTTP.",
            key=f"ws-refused:{self.config.provider}",
        )

    async def _watch(self, conn: ClientConnection) -> None:
        """Reopen the socket in the background when the provider drops it while in use."""
        await conn.wait_closed()
        if self._closed or conn is not self._conn:
            return
        self._conn = None
        recent = time.monotonic() - self._used < KEEP_WARM_S
        log.debug("%s: WebSocket closed (%s)", self.config.provider, conn.close_reason or "-")
        if recent and not self.refused and (self._opening is None or self._opening.done()):
            self._opening = self._spawn(self._open())

    def _spawn(self, work: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        """Background work (connects, drains, closes): a failure surfaces where it is awaited."""
        return self._tasks.spawn(work, quiet=True)


def _connection_limit(event: dict[str, Any]) -> bool:
    """OpenAI's `error` event for a socket past its connection time limit."""
    error = event.get("error")
    code = error.get("code") if isinstance(error, dict) else event.get("code")
    return event.get("type") == "error" and code == "websocket_connection_limit_reached"


def _route(url: str, network: NetworkConfig | None) -> dict[str, Any]:
    """The socket's proxy and trust: the backend's network config, the same the HTTP client
    uses (`network.proxy` / `network.caBundle` / `network.noProxy` over HTTPS_PROXY, ALL_PROXY,
    NO_PROXY, the OS trust store, certifi, SSL_CERT_FILE), or the environment's without one.
    A TLS failure all the same sends the backend to HTTP."""
    if network is None:
        try:
            network = resolve_network()
        except ConfigError:
            return {}
    proxy = network.proxy_for("https" + url.removeprefix("wss").removeprefix("ws"))
    route: dict[str, Any] = {"proxy": proxy.url if proxy is not None else None}
    secure = url.startswith("wss://")
    if secure or (proxy is not None and proxy.url.startswith("https://")):
        ctx = ssl_context(network)
        if secure:
            route["ssl"] = ctx
        if proxy is not None and proxy.url.startswith("https://"):
            route["proxy_ssl"] = ctx  # TLS to the proxy itself, as the HTTP client does
    return route


def _usable(task: asyncio.Future[ClientConnection]) -> bool:
    """A finished connect whose socket is still open."""
    return not task.cancelled() and task.exception() is None and task.result().state is State.OPEN
