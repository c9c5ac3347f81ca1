"""How backend traffic leaves the machine: which proxy, which trusted roots.

httpx reads HTTPS_PROXY and friends only when it builds its own transport, and ghostfill
passes its own (the cancel-safe one), so the proxy is resolved here and `client.ProxyRouter`
sends each request through one transport per proxy, each wrapped by `CancelSafeTransport`,
or a direct one.

Proxy, highest first:
1. `network.proxy` / `--proxy URL` (`direct` turns every proxy off);
2. HTTPS_PROXY for https:// URLs, HTTP_PROXY for http:// URLs, ALL_PROXY for both (lower-case
   names win over upper-case, as in curl).
Hosts in NO_PROXY and `network.noProxy` (default: localhost and the loopback addresses) are
reached directly; `.example.com` matches its subdomains, `example.com` the name and its
subdomains, `*` everything.

Trust: the OS trust store (truststore: the keychain on macOS, the Windows store, the
distribution bundle or SSL_CERT_FILE / SSL_CERT_DIR on Linux), plus certifi's bundle, plus
`network.caBundle` / `--ca-bundle PEM`, which is where a company's TLS-inspection root goes.

Nothing here runs for the offline engine, so httpx (the URL parser), truststore and certifi
are imported where they are used: a server's start and an offline session never load them.
"""

from __future__ import annotations

import ipaddress
import os
import re
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from ghostfill.errors import ConfigError
from ghostfill.settings import NetworkSettings

DIRECT = "direct"
"""`network.proxy` value that ignores the proxy environment variables."""
PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")
CERT_VERIFY_FAILED = "CERTIFICATE_VERIFY_FAILED"
_SSL_SOURCE = re.compile(r"\s*\(_ssl\.c:\d+\)")


@dataclass(frozen=True, slots=True)
class Proxy:
    url: str
    source: str
    """Where it came from: `network.proxy`, `HTTPS_PROXY`, ..."""

    @property
    def shown(self) -> str:
        """The URL with any password masked, for logs and `ghostfill doctor`."""
        return masked(self.url)


@dataclass(frozen=True, slots=True)
class NetworkConfig:
    """The resolved network settings; equal configs share one HTTP client."""

    http: Proxy | None = None
    https: Proxy | None = None
    no_proxy: tuple[str, ...] = ()
    ca_bundle: str = ""
    system_trust: bool = True
    cert_file: str = ""
    """SSL_CERT_FILE as seen at resolve time (it changes what the OS store holds)."""

    def proxy_for(self, url: str) -> Proxy | None:
        """The proxy a request to `url` goes through (None: direct)."""
        import httpx

        parsed = httpx.URL(url)
        if bypassed(parsed.host, self.no_proxy):
            return None
        return self.https if parsed.scheme == "https" else self.http

    def trust(self) -> str:
        """The roots trusted, in words, for `ghostfill doctor`."""
        parts = ["the OS trust store"] if self.system_trust else []
        if self.cert_file:
            parts.append(f"SSL_CERT_FILE={self.cert_file}")
        parts.append("certifi")
        if self.ca_bundle:
            parts.append(f"network.caBundle={self.ca_bundle}")
        return " + ".join(parts)


def resolve(
    settings: NetworkSettings | None = None, environ: Mapping[str, str] | None = None
) -> NetworkConfig:
    """The network config from settings (flags already applied) over the environment.

    Raises ConfigError for a proxy URL that cannot work or a CA bundle that does not exist.
    """
    settings = settings or NetworkSettings()
    env = os.environ if environ is None else environ
    proxy, ca_bundle = settings.proxy.strip(), settings.caBundle.strip()
    bundle = str(Path(ca_bundle).expanduser()) if ca_bundle else ""
    if bundle and not Path(bundle).is_file():
        raise ConfigError(
            f"network.caBundle: {ca_bundle} does not exist; give the path of a PEM file",
            key="network:caBundle",
        )
    hosts = (*settings.noProxy, *_split(_env(env, "NO_PROXY")[0]))
    base = NetworkConfig(
        no_proxy=hosts,
        ca_bundle=bundle,
        system_trust=settings.systemTrust,
        cert_file=_env(env, "SSL_CERT_FILE")[0],
    )
    if proxy.strip().lower() == DIRECT or "*" in hosts:
        return replace(base, no_proxy=())
    if proxy:
        chosen = Proxy(_checked(proxy, "network.proxy"), "network.proxy")
        return replace(base, http=chosen, https=chosen)
    every = _from_env(env, "ALL_PROXY")
    return replace(
        base,
        http=_from_env(env, "HTTP_PROXY") or every,
        https=_from_env(env, "HTTPS_PROXY") or every,
    )


def _env(env: Mapping[str, str], name: str) -> tuple[str, str]:
    """(value, the variable it came from); the lower-case spelling wins."""
    for key in (name.lower(), name):
        if env.get(key, "").strip():
            return env[key].strip(), key
    return "", name


def _from_env(env: Mapping[str, str], name: str) -> Proxy | None:
    value, key = _env(env, name)
    return Proxy(_checked(value, key), key) if value else None


def _checked(url: str, source: str) -> str:
    import httpx

    full = url if "://" in url else f"http://{url}"
    try:
        parsed = httpx.URL(full)
    except httpx.InvalidURL as exc:
        raise ConfigError(
            f"{source}: {masked(url)} is not a URL ({exc})", key="network:proxy"
        ) from exc
    if parsed.scheme not in PROXY_SCHEMES or not parsed.host:
        raise ConfigError(
            f"{source}: {masked(url)} is not a proxy URL; use http://HOST:PORT "
            "(or https://, socks5://)",
            key="network:proxy",
        )
    return full


def _split(value: str) -> tuple[str, ...]:
    return tuple(h.strip() for h in value.split(",") if h.strip())


def bypassed(host: str, no_proxy: tuple[str, ...]) -> bool:
    """Whether `host` is reached directly (curl's NO_PROXY rules, plus CIDR blocks)."""
    host = host.strip("[]").lower()
    for entry in no_proxy:
        pattern = entry.strip().lower().strip("[]")
        if not pattern:
            continue
        if pattern == "*":
            return True
        if "/" in pattern and _in_network(host, pattern):
            return True
        name = pattern.split(":", 1)[0] if pattern.count(":") == 1 else pattern
        if host == name.lstrip(".") or host.endswith("." + name.lstrip(".")):
            return True
    return False


def _in_network(host: str, cidr: str) -> bool:
    try:
        return ipaddress.ip_address(host) in ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return False


def masked(url: str) -> str:
    """`url` with the password of its userinfo replaced by ***."""
    import httpx

    try:
        parsed = httpx.URL(url if "://" in url else f"http://{url}")
    except httpx.InvalidURL:
        return "(unparsable URL)"
    return str(parsed.copy_with(password="***")) if parsed.password else url


# ------------------------------------------------------------------------------ trust


def ssl_context(config: NetworkConfig) -> ssl.SSLContext:
    """The context every backend connection (and an https:// proxy) verifies with."""
    import certifi
    import truststore

    if config.system_trust:
        ctx: ssl.SSLContext = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    else:
        ctx = ssl.create_default_context(cafile=config.cert_file or None)
    ctx.load_verify_locations(cafile=certifi.where())
    if config.ca_bundle:
        try:
            ctx.load_verify_locations(cafile=config.ca_bundle)
        except (OSError, ssl.SSLError) as exc:
            raise ConfigError(
                f"network.caBundle: {config.ca_bundle} holds no PEM certificate ({exc})",
                key="network:caBundle",
            ) from exc
    return ctx


def certificate_problem(exc: BaseException) -> str | None:
    """OpenSSL's reason when `exc` (or what caused it) is a failed certificate check."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ssl.SSLCertVerificationError) and current.verify_message:
            return current.verify_message
        if CERT_VERIFY_FAILED in str(current):
            text = _SSL_SOURCE.sub("", str(current))
            return text.split("certificate verify failed:", 1)[-1].strip(" )") or text
        current = current.__cause__ or current.__context__
    return None


def untrusted_message(host: str, reason: str) -> str:
    return (
        f"the backend's certificate is not trusted ({host}: {reason}): set network.caBundle "
        "(or --ca-bundle) to the PEM of your company's root certificate; ghostfill doctor "
        "shows the handshake"
    )
