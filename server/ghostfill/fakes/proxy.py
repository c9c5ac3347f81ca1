"""A corporate-style forward proxy on 127.0.0.1 that speaks HTTP CONNECT.

Host names resolve only through its own table (`hosts`), never DNS: a backend named
`api.backend.test` is reachable through this proxy and nowhere else, so a test that gets an
answer proves the request went through it. Every CONNECT is recorded; an unknown host gets
502 and `auth` (user, password) makes it demand Proxy-Authorization (407 otherwise).
"""

from __future__ import annotations

import base64
import socket
import threading

from ghostfill.fakes.relay import RelayServer, pump

MAX_HEAD = 16 * 1024


class FakeConnectProxy(RelayServer):
    def __init__(
        self, hosts: dict[str, tuple[str, int]], auth: tuple[str, str] | None = None
    ) -> None:
        super().__init__()
        self.hosts = hosts
        """`host:port` as the client asks for it -> the loopback address it really is."""
        self.auth = auth
        self.connects: list[str] = []
        self.refused: list[str] = []
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def handle(self, conn: socket.socket) -> None:
        head = b""
        while b"\r\n\r\n" not in head and len(head) < MAX_HEAD:
            data = conn.recv(4096)
            if not data:
                return
            head += data
        lines = head.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
        method, target, *_ = [*lines[0].split(" "), "", ""]
        headers = {
            k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in lines[1:])
        }
        if method != "CONNECT":
            self._reply(conn, 405, "Only CONNECT", target)
            return
        if self.auth is not None and headers.get("proxy-authorization") != _basic(*self.auth):
            self._reply(conn, 407, "Proxy Authentication Required", target)
            return
        upstream = self.hosts.get(target)
        if upstream is None:
            self._reply(conn, 502, "Unknown host", target)
            return
        try:
            up = socket.create_connection(upstream, timeout=5)
        except OSError:
            self._reply(conn, 502, "Upstream refused", target)
            return
        with self._lock:
            self.connects.append(target)
        conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        with up:
            up.settimeout(None)
            pump(conn, up, self.stop_event)

    def _reply(self, conn: socket.socket, status: int, reason: str, target: str) -> None:
        with self._lock:
            self.refused.append(f"{status} {target}")
        extra = 'Proxy-Authenticate: Basic realm="fake"\r\n' if status == 407 else ""
        conn.sendall(f"HTTP/1.1 {status} {reason}\r\n{extra}Content-Length: 0\r\n\r\n".encode())


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
