"""Proxy resolution, NO_PROXY, trust, and the shared client reaching an HTTPS fake through a
CONNECT proxy (a host name only the proxy can resolve), with and without the test's CA."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import trustme
from ghostfill.backends.base import BackendConfig
from ghostfill.backends.client import make_client
from ghostfill.backends.http import transport_error
from ghostfill.backends.network import bypassed, certificate_problem, masked, resolve
from ghostfill.doctor import doctor
from ghostfill.errors import CertificateError, ConfigError
from ghostfill.fakes.openai import FakeProvider
from ghostfill.fakes.proxy import FakeConnectProxy
from ghostfill.fakes.tls import TlsFront
from ghostfill.settings import BackendSettings, NetworkSettings

HOST = "api.backend.test"


def test_environment_proxies_and_lowercase_precedence() -> None:
    env = {"HTTPS_PROXY": "http://upper:1", "https_proxy": "lower:2", "HTTP_PROXY": "http://h:3"}
    config = resolve(NetworkSettings(), env)
    assert config.https is not None and config.https.url == "http://lower:2"
    assert config.https.source == "https_proxy"
    assert config.proxy_for("http://example.com/v1") == config.http
    assert config.http is not None and config.http.source == "HTTP_PROXY"


def test_all_proxy_fills_in_and_setting_beats_environment() -> None:
    env = {"ALL_PROXY": "http://all:1", "HTTPS_PROXY": "http://env:2"}
    assert resolve(NetworkSettings(), env).http.url == "http://all:1"  # type: ignore[union-attr]
    chosen = resolve(NetworkSettings(proxy="http://mine:3"), env)
    assert chosen.proxy_for("https://api.example.com") is not None
    assert chosen.proxy_for("https://api.example.com").url == "http://mine:3"  # type: ignore[union-attr]
    assert chosen.proxy_for("https://api.example.com").source == "network.proxy"  # type: ignore[union-attr]
    assert resolve(NetworkSettings(proxy="direct"), env).proxy_for("https://x.org") is None


@pytest.mark.parametrize(
    ("host", "entries", "expected"),
    [
        ("api.corp.com", ("corp.com",), True),
        ("corp.com", ("corp.com",), True),
        ("notcorp.com", ("corp.com",), False),
        ("api.corp.com", (".corp.com",), True),
        ("10.1.2.3", ("10.0.0.0/8",), True),
        ("11.1.2.3", ("10.0.0.0/8",), False),
        ("[::1]", ("::1",), True),
        ("anything", ("*",), True),
        ("example.com", ("example.com:443",), True),
    ],
)
def test_no_proxy_rules(host: str, entries: tuple[str, ...], expected: bool) -> None:
    assert bypassed(host, entries) is expected


def test_loopback_is_direct_by_default_and_no_proxy_env_adds_hosts() -> None:
    config = resolve(NetworkSettings(), {"HTTPS_PROXY": "http://p:1", "NO_PROXY": ".corp.com"})
    assert config.proxy_for("https://127.0.0.1:8080/v1") is None
    assert config.proxy_for("https://llm.corp.com/v1") is None
    assert config.proxy_for("https://api.cerebras.ai/v1") is not None
    assert resolve(NetworkSettings(noProxy=()), {"HTTPS_PROXY": "http://p:1"}).proxy_for(
        "https://127.0.0.1/"
    )


def test_bad_proxy_and_missing_bundle_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not a proxy URL"):
        resolve(NetworkSettings(proxy="ftp://proxy:21"), {})
    with pytest.raises(ConfigError, match="does not exist"):
        resolve(NetworkSettings(caBundle=str(tmp_path / "none.pem")), {})


def test_proxy_password_is_masked() -> None:
    assert "s3cret" not in masked("http://me:s3cret@proxy:3128")
    assert masked("http://proxy:3128") == "http://proxy:3128"


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[trustme.CA, Path, Path]]:
    root = tmp_path_factory.mktemp("tls")
    authority = trustme.CA()
    cert = authority.issue_cert(HOST, "127.0.0.1")
    chain, ca_pem = root / "server.pem", root / "ca.pem"
    cert.private_key_and_cert_chain_pem.write_to_path(str(chain))
    authority.cert_pem.write_to_path(str(ca_pem))
    yield authority, chain, ca_pem


@pytest.fixture
def network(ca: tuple[trustme.CA, Path, Path]) -> Iterator[tuple[FakeConnectProxy, TlsFront]]:
    _, chain, _ = ca
    with FakeProvider("x = 1") as fake:
        with TlsFront(("127.0.0.1", fake.port), str(chain), str(chain)) as front:
            with FakeConnectProxy({f"{HOST}:{front.port}": ("127.0.0.1", front.port)}) as proxy:
                yield proxy, front


async def test_https_through_connect_proxy_with_the_ca(
    network: tuple[FakeConnectProxy, TlsFront], ca: tuple[trustme.CA, Path, Path]
) -> None:
    proxy, front = network
    settings = NetworkSettings(caBundle=str(ca[2]))
    async with make_client(resolve(settings, {"HTTPS_PROXY": proxy.url})) as client:
        response = await client.get(f"https://{HOST}:{front.port}/v1/models")
    assert response.status_code == 200
    assert "fake-coder" in response.text
    assert proxy.connects == [f"{HOST}:{front.port}"]


async def test_untrusted_certificate_is_named(network: tuple[FakeConnectProxy, TlsFront]) -> None:
    proxy, front = network
    url = f"https://{HOST}:{front.port}/v1"
    async with make_client(resolve(NetworkSettings(), {"HTTPS_PROXY": proxy.url})) as client:
        with pytest.raises(httpx.ConnectError) as info:
            await client.get(url + "/models")
    assert certificate_problem(info.value)
    error = transport_error(info.value, BackendConfig("openai-compatible", url, "m", ""))
    assert isinstance(error, CertificateError)
    assert "set network.caBundle" in error.user_message and HOST in error.user_message


async def test_ssl_cert_file_is_honoured(
    network: tuple[FakeConnectProxy, TlsFront], ca: tuple[trustme.CA, Path, Path]
) -> None:
    proxy, front = network
    env = {"HTTPS_PROXY": proxy.url, "SSL_CERT_FILE": str(ca[2])}
    monkey = pytest.MonkeyPatch()
    monkey.setenv("SSL_CERT_FILE", str(ca[2]))  # OpenSSL reads the real environment
    try:
        async with make_client(resolve(NetworkSettings(), env)) as client:
            response = await client.get(f"https://{HOST}:{front.port}/v1/models")
    finally:
        monkey.undo()
    assert response.status_code == 200


async def test_no_proxy_goes_direct(
    network: tuple[FakeConnectProxy, TlsFront], ca: tuple[trustme.CA, Path, Path]
) -> None:
    proxy, front = network
    env = {"HTTPS_PROXY": proxy.url, "NO_PROXY": "127.0.0.1"}
    settings = NetworkSettings(noProxy=(), caBundle=str(ca[2]))
    async with make_client(resolve(settings, env)) as client:
        response = await client.get(f"https://127.0.0.1:{front.port}/v1/models")
    assert response.status_code == 200
    assert proxy.connects == []


async def test_proxy_authentication(ca: tuple[trustme.CA, Path, Path]) -> None:
    _, chain, ca_pem = ca
    with (
        FakeProvider("x = 1") as fake,
        TlsFront(("127.0.0.1", fake.port), str(chain), str(chain)) as front,
    ):
        hosts = {f"{HOST}:{front.port}": ("127.0.0.1", front.port)}
        with FakeConnectProxy(hosts, auth=("me", "pw")) as proxy:
            authed = proxy.url.replace("http://", "http://me:pw@")
            settings = NetworkSettings(proxy=authed, caBundle=str(ca_pem))
            async with make_client(resolve(settings, {})) as client:
                ok = await client.get(f"https://{HOST}:{front.port}/v1/models")
            async with make_client(resolve(NetworkSettings(proxy=proxy.url), {})) as client:
                with pytest.raises(httpx.ProxyError):
                    await client.get(f"https://{HOST}:{front.port}/v1/models")
    assert ok.status_code == 200


async def _doctor(url: str, env: dict[str, str], network: NetworkSettings) -> tuple[int, str]:
    lines: list[str] = []
    settings = BackendSettings(provider="openai-compatible", baseUrl=url, model="fake-coder")
    code = await doctor(settings, requests=1, out=lines.append, environ=env, network=network)
    return code, "\n".join(lines)


async def test_doctor_shows_proxy_and_handshake(
    network: tuple[FakeConnectProxy, TlsFront], ca: tuple[trustme.CA, Path, Path]
) -> None:
    proxy, front = network
    url = f"https://{HOST}:{front.port}/v1"
    code, text = await _doctor(
        url, {"HTTPS_PROXY": proxy.url}, NetworkSettings(caBundle=str(ca[2]))
    )
    assert code == 0, text
    assert f"ok    proxy      {proxy.url} (from HTTPS_PROXY)" in text
    assert f"ok    tls        {HOST}: handshake TLSv1.3, certificate verified" in text
    assert "network.caBundle=" in text


async def test_doctor_names_the_certificate_problem(
    network: tuple[FakeConnectProxy, TlsFront],
) -> None:
    proxy, front = network
    url = f"https://{HOST}:{front.port}/v1"
    code, text = await _doctor(url, {}, NetworkSettings(proxy=proxy.url))
    assert code == 1
    assert f"ok    proxy      {proxy.url} (from network.proxy)" in text
    assert f"FAIL  tls        {HOST}: certificate not trusted (unable to get local issuer" in text
    assert "fix: a proxy or firewall re-signs TLS" in text
    assert "set network.caBundle (or --ca-bundle)" in text


def test_proxy_and_ca_flags_go_to_the_network_group(tmp_path: Path) -> None:
    from ghostfill.settings import Settings, with_overrides

    pem = tmp_path / "ca.pem"
    settings = with_overrides(Settings(), proxy="http://p:3128", ca_bundle=str(pem), model=None)
    assert (settings.network.proxy, settings.network.caBundle) == ("http://p:3128", str(pem))
    assert settings.backend == Settings().backend


async def test_a_network_change_rebuilds_the_client_and_the_backend() -> None:
    from ghostfill.server.session import BackendHolder
    from ghostfill.server.shared import HttpClients
    from ghostfill.settings import Settings

    backend = BackendSettings(
        provider="openai-compatible", baseUrl="http://127.0.0.1:9/v1", model="m"
    )
    clients = HttpClients()
    holder = BackendHolder(clients)
    assert holder.configure(Settings(backend=backend), "")
    first, client = holder.backend, holder.client
    assert not holder.configure(Settings(backend=backend), "")  # nothing changed
    assert holder.client is client
    proxied = Settings(backend=backend, network=NetworkSettings(proxy="http://127.0.0.1:8"))
    assert holder.configure(proxied, "")
    assert holder.client is not client and holder.backend is not first
    assert holder.backend is not None and holder.backend.config.network is not None
    assert holder.backend.config.network.proxy_for("https://api.example.com/v1") is not None
    await holder.close()
    await clients.close()


async def test_the_backend_carries_its_windows_network_config() -> None:
    """What the Responses WebSocket connects with: the connection's settings over the
    connection's own environment (a relay's, under the daemon), not the process's."""
    from ghostfill.server.session import BackendHolder
    from ghostfill.server.shared import HttpClients
    from ghostfill.settings import Settings

    backend = BackendSettings(
        provider="openai-compatible", baseUrl="https://api.example.com/v1", model="m"
    )
    clients = HttpClients()
    holder = BackendHolder(clients, environ={"HTTPS_PROXY": "http://127.0.0.1:3128"})
    assert holder.configure(Settings(backend=backend), "")
    assert holder.backend is not None and holder.backend.config.network is not None
    proxy = holder.backend.config.network.proxy_for(holder.backend.config.base_url)
    assert proxy is not None and (proxy.url, proxy.source) == (
        "http://127.0.0.1:3128",
        "HTTPS_PROXY",
    )
    await holder.close()
    await clients.close()
