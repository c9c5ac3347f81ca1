"""The byte relay the fake TLS front and the fake CONNECT proxy share: a threaded TCP server
on 127.0.0.1 that pumps bytes both ways between a client and an upstream socket."""

from __future__ import annotations

import select
import socket
import socketserver
import threading
from typing import Any

CHUNK = 64 * 1024


def pump(a: socket.socket, b: socket.socket, stop: threading.Event) -> None:
    """Copy bytes between `a` and `b` until either side closes (or `stop` is set)."""
    sockets = [a, b]
    while not stop.is_set():
        readable, _, _ = select.select(sockets, [], [], 0.2)
        for sock in readable:
            other = b if sock is a else a
            try:
                data = sock.recv(CHUNK)
            except (OSError, ValueError):
                return
            if not data:
                return
            try:
                other.sendall(data)
            except OSError:
                return


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class RelayServer:
    """Base of the relays: `handle(conn)` does the protocol; start/stop as a context manager."""

    def __init__(self) -> None:
        self.stop_event = threading.Event()
        owner = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                owner.handle(self.request)

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def handle(self, conn: socket.socket) -> None:
        raise NotImplementedError

    def start(self) -> RelayServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stop_event.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> Any:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
