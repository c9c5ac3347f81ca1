"""Proxy and trust through the real server: an HTTPS fake backend with a CA made here, whose
host name resolves only through a local CONNECT proxy; with and without the CA, with
SSL_CERT_FILE, with NO_PROXY, and with the setting beating the environment."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme
from ghostfill.fakes.openai import FakeProvider
from ghostfill.fakes.proxy import FakeConnectProxy
from ghostfill.fakes.tls import TlsFront
from pytest_lsp import LanguageClient

from tests.e2e.conftest import inline, open_doc, start

HOST = "api.backend.test"
SOURCE = "def add(a, b):\n    \n\n\nprint(add(1, 2))\n"
UNTRUSTED = "the backend's certificate is not trusted"


class Net:
    def __init__(self, fake: FakeProvider, front: TlsFront, proxy: FakeConnectProxy, ca: Path):
        self.fake, self.front, self.proxy, self.ca = fake, front, proxy, ca

    def options(self, host: str = HOST, **network: Any) -> dict[str, Any]:
        return {
            "backend": {
                "provider": "openai-compatible",
                "baseUrl": f"https://{host}:{self.front.port}/v1",
                "model": "fake-coder",
                "timeoutMs": 3000,
            },
            "completion": {"debounceMs": 0},
            "offline": {"enable": False},
            "network": network,
        }


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("tls")
    authority = trustme.CA()
    chain, ca_pem = root / "server.pem", root / "ca.pem"
    authority.issue_cert(HOST, "127.0.0.1").private_key_and_cert_chain_pem.write_to_path(str(chain))
    authority.cert_pem.write_to_path(str(ca_pem))
    return chain, ca_pem


@pytest.fixture
def net(certificates: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> Iterator[Net]:
    """Listed before `client`, so the server process inherits HTTPS_PROXY (and what the
    fixtures below add)."""
    chain, ca_pem = certificates
    for name in (
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
        "NO_PROXY",
        "no_proxy",
    ):
        monkeypatch.delenv(name, raising=False)
    with FakeProvider("return a + b") as fake:
        with TlsFront(("127.0.0.1", fake.port), str(chain), str(chain)) as front:
            hosts = {f"{HOST}:{front.port}": ("127.0.0.1", front.port)}
            with FakeConnectProxy(hosts) as proxy:
                monkeypatch.setenv("HTTPS_PROXY", proxy.url)
                yield Net(fake, front, proxy, ca_pem)


async def _ask(client: LanguageClient, workspace: Path) -> str | None:
    uri = open_doc(client, workspace / "calc.py", SOURCE)
    result = await inline(client, uri, 1, 4)
    if result is None or not result.items:
        return None
    text = result.items[0].insert_text
    return text if isinstance(text, str) else text.value


async def test_https_through_the_proxy_with_the_company_ca(
    net: Net, client: LanguageClient, workspace: Path
) -> None:
    await start(client, workspace, net.options(caBundle=str(net.ca)))
    assert await _ask(client, workspace) == "    return a + b"
    assert set(net.proxy.connects) == {f"{HOST}:{net.front.port}"}
    assert len(net.fake.completion_requests()) == 1


async def test_untrusted_certificate_is_reported_once(
    net: Net, client: LanguageClient, workspace: Path
) -> None:
    await start(client, workspace, net.options())
    uri = open_doc(client, workspace / "calc.py", SOURCE)
    for _ in range(3):
        result = await inline(client, uri, 1, 4)
        assert result is None or not result.items
    for _ in range(50):
        if any(UNTRUSTED in m.message for m in client.messages):
            break
        await asyncio.sleep(0.05)
    shown = [m.message for m in client.messages if UNTRUSTED in m.message]
    assert len(shown) == 1, client.messages
    assert HOST in shown[0] and "set network.caBundle" in shown[0]
    assert net.proxy.connects  # it did go through the proxy; the handshake failed
    assert net.fake.completion_requests() == []


@pytest.fixture
def cert_file_env(net: Net, monkeypatch: pytest.MonkeyPatch) -> Net:
    monkeypatch.setenv("SSL_CERT_FILE", str(net.ca))
    return net


@pytest.fixture
def no_proxy_env(net: Net, monkeypatch: pytest.MonkeyPatch) -> Net:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    return net


@pytest.fixture
def dead_proxy_env(net: Net, monkeypatch: pytest.MonkeyPatch) -> Net:
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")  # nothing listens there
    return net


async def test_ssl_cert_file_is_honoured(
    cert_file_env: Net, client: LanguageClient, workspace: Path
) -> None:
    net = cert_file_env
    await start(client, workspace, net.options())
    assert await _ask(client, workspace) == "    return a + b"


async def test_no_proxy_goes_direct(
    no_proxy_env: Net, client: LanguageClient, workspace: Path
) -> None:
    net = no_proxy_env
    await start(client, workspace, net.options("127.0.0.1", caBundle=str(net.ca), noProxy=[]))
    assert await _ask(client, workspace) == "    return a + b"
    assert net.proxy.connects == []
    assert len(net.fake.completion_requests()) == 1


async def test_the_setting_beats_the_environment(
    dead_proxy_env: Net, client: LanguageClient, workspace: Path
) -> None:
    net = dead_proxy_env
    await start(client, workspace, net.options(proxy=net.proxy.url, caBundle=str(net.ca)))
    assert await _ask(client, workspace) == "    return a + b"
    assert set(net.proxy.connects) == {f"{HOST}:{net.front.port}"}


async def test_a_provider_without_a_key_is_never_contacted(
    net: Net, client: LanguageClient, workspace: Path
) -> None:
    """Cerebras with no key: the code would go out only to come back as a 401. Nothing
    reaches the network (every connection would go through the proxy, which records it), the
    user is told what to set, and the offline engine answers meanwhile."""
    options = {
        "backend": {"provider": "cerebras", "apiKeyEnv": "GHOSTFILL_NO_SUCH_KEY_VAR"},
        "completion": {"debounceMs": 0},
    }
    await start(client, workspace, options)
    (workspace / "more.py").write_text("def add(a, b):\n    return a + b\n")
    await _ask(client, workspace)
    await asyncio.sleep(0.3)  # a warm-up would have connected by now
    said = [m.message for m in client.messages]
    assert any("cerebras needs an API key: set GHOSTFILL_NO_SUCH_KEY_VAR" in m for m in said)
    assert net.proxy.connects == [] and net.proxy.refused == []
