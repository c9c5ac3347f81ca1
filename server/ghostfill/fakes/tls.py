"""An HTTPS front for any plain-HTTP fake backend: terminates TLS with a certificate the test
made (its own CA), then relays the bytes to the fake on 127.0.0.1. Streaming passes through
unchanged, so every fake wire format is also available over HTTPS.

    with TlsFront(("127.0.0.1", fake.port), cert_pem, key_pem) as front:
        url = f"https://backend.example.test:{front.port}/v1"   # reached via FakeConnectProxy
"""

from __future__ import annotations

import socket
import ssl

from ghostfill.fakes.relay import RelayServer, pump


class TlsFront(RelayServer):
    def __init__(self, upstream: tuple[str, int], cert_file: str, key_file: str) -> None:
        super().__init__()
        self.upstream = upstream
        self._ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self._ctx.load_cert_chain(cert_file, key_file)
        self._ctx.set_alpn_protocols(["http/1.1"])
        self.handshakes = 0
        self.failed_handshakes = 0

    def handle(self, conn: socket.socket) -> None:
        try:
            tls = self._ctx.wrap_socket(conn, server_side=True)
        except (ssl.SSLError, OSError):
            self.failed_handshakes += 1  # the client did not trust us: what the tests expect
            return
        self.handshakes += 1
        with tls, socket.create_connection(self.upstream) as up:
            pump(tls, up, self.stop_event)
