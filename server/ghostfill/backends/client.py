"""The one `httpx.AsyncClient` every backend shares; the app creates it once and closes it.

- HTTP/2 where the provider offers it over TLS (ALPN; `h2` comes with `httpx[http2]`); plain
  `http://` local servers stay on HTTP/1.1.
- Connections are kept alive long enough to survive a pause in typing, so the next
  completion does not pay TCP and TLS set-up again (backends' `warm()` opens them early).
- No retries anywhere: a ghost-text request that failed is stale by the time a retry lands;
  the next keystroke asks again, and the rate-limit gate stops storms after a 429.
- Proxies and trusted roots come from `backends.network` (settings, flags, environment);
  every transport, direct or through a proxy, is the cancel-safe one.
- The transport is built on the first request (`LazyTransport`): its TLS context (the trust
  store plus certifi, ~20 ms) and httpcore's import (~30 ms) are not paid by a server's
  initialize result, nor at all by an offline session. A `network.caBundle` is still read at
  once, so a bad one is reported when the settings are applied.
- `hpack` debug logging prints every header it encodes, Authorization included, so that
  logger is held at INFO whatever the root level is.
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Callable

import httpx

from ghostfill import __version__
from ghostfill.backends.network import NetworkConfig, resolve, ssl_context
from ghostfill.backends.transport import CancelSafeTransport

LIMITS = httpx.Limits(max_connections=16, max_keepalive_connections=8, keepalive_expiry=120.0)
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
"""Defaults only: every backend request passes its own timeout from BackendConfig."""

_QUIET = ("hpack",)

MakeTransport = Callable[["httpx.Proxy | None"], httpx.AsyncBaseTransport]


def make_client(
    network: NetworkConfig | None = None,
    *,
    http2: bool = True,
    verify: ssl.SSLContext | None = None,
) -> httpx.AsyncClient:
    """The shared client for `network` (default: the environment's proxy, the OS trust store
    and certifi). `verify` takes a prepared SSLContext instead (building one costs ~0.2 s,
    which tests that build many clients can share)."""
    for name in _QUIET:
        logging.getLogger(name).setLevel(logging.INFO)
    net = network or resolve()
    if verify is None and net.ca_bundle:
        verify = ssl_context(net)  # a caBundle that holds no certificate fails here, not later

    def build() -> httpx.AsyncBaseTransport:
        ctx = verify or ssl_context(net)

        def transport(proxy: httpx.Proxy | None) -> httpx.AsyncBaseTransport:
            return httpx.AsyncHTTPTransport(
                http2=http2, limits=LIMITS, retries=0, verify=ctx, proxy=proxy, trust_env=False
            )

        return transport_for(net, transport, ctx)

    return httpx.AsyncClient(
        transport=LazyTransport(build),
        timeout=TIMEOUT,
        follow_redirects=False,
        trust_env=False,
        headers={"User-Agent": f"ghostfill/{__version__}"},
    )


class LazyTransport(httpx.AsyncBaseTransport):
    """Builds the real transport on the first request; `_inner` stays reachable for
    `pool_stats` (None until then)."""

    def __init__(self, build: Callable[[], httpx.AsyncBaseTransport]) -> None:
        self._build = build
        self._inner: httpx.AsyncBaseTransport | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._inner is None:
            self._inner = self._build()
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        if self._inner is not None:
            await self._inner.aclose()


def transport_of(client: httpx.AsyncClient) -> httpx.AsyncBaseTransport:
    """The transport `client` sends through. httpx has no public accessor; streams are sent
    straight to it (see `http.open_stream`), and `pool_stats` looks inside it."""
    transport = client._transport
    assert isinstance(transport, httpx.AsyncBaseTransport)
    return transport


def pool_stats(client: httpx.AsyncClient) -> tuple[int, int]:
    """(checked out, idle) connections of `client`'s pools: a stream in progress (or a leak),
    and kept alive. httpx has no public accessor for its pool; this is the one place that
    looks inside it (the transport, through any wrapping or routing transport, to httpcore's
    `connections`), for `ghostfill/debugStats`."""
    active = idle = 0
    pending: list[object] = [transport_of(client)]
    while pending:
        transport = pending.pop()
        if transport is None:
            continue
        pool = getattr(transport, "_pool", None)
        if pool is not None:
            for connection in getattr(pool, "connections", None) or []:
                busy = not getattr(connection, "is_idle", lambda: False)()
                active, idle = active + busy, idle + (not busy)
            continue
        pending.append(getattr(transport, "_inner", None))  # CancelSafeTransport
        pending.append(getattr(transport, "_direct", None))  # ProxyRouter
        pending.extend(getattr(transport, "_proxied", {}).values())
    return active, idle


# ------------------------------------------------------------------------------ transports


class ProxyRouter(httpx.AsyncBaseTransport):
    """Sends each request through the transport of its proxy (`NetworkConfig.proxy_for`, the
    same rule doctor reports), or the direct one; each is a cancel-safe transport."""

    def __init__(self, config: NetworkConfig, transport: MakeTransport, ctx: ssl.SSLContext):
        self._config = config
        self._direct = CancelSafeTransport(transport(None))
        self._proxied: dict[str, httpx.AsyncBaseTransport] = {}
        for proxy in (config.http, config.https):
            if proxy is not None and proxy.url not in self._proxied:
                tls = ctx if proxy.url.startswith("https://") else None  # TLS to the proxy
                self._proxied[proxy.url] = CancelSafeTransport(
                    transport(httpx.Proxy(proxy.url, ssl_context=tls))
                )

    def route(self, url: httpx.URL) -> httpx.AsyncBaseTransport:
        proxy = self._config.proxy_for(str(url))
        return self._direct if proxy is None else self._proxied[proxy.url]

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self.route(request.url).handle_async_request(request)

    async def aclose(self) -> None:
        for transport in (self._direct, *self._proxied.values()):
            await transport.aclose()


def transport_for(
    config: NetworkConfig, transport: MakeTransport, ctx: ssl.SSLContext
) -> httpx.AsyncBaseTransport:
    """The client's transport: the cancel-safe direct one when no proxy applies anywhere,
    else a router over one cancel-safe transport per proxy."""
    if config.http is None and config.https is None:
        return CancelSafeTransport(transport(None))
    return ProxyRouter(config, transport, ctx)
