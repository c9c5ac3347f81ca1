"""An OpenAI-style streaming backend over TLS that speaks HTTP/2 and HTTP/1.1 (ALPN picks):
the same server code, the same event loop and the same stream for both, so a measurement of
one protocol against the other compares the protocols, not two server implementations.

HTTP/2 framing comes from `h2`, HTTP/1.1 from `h11` (both sans-I/O, both installed with
httpx's `http2` extra). `POST .../chat/completions` with `"stream": true` answers
`chat.completion.chunk` events, one per token (a word or a run of spaces), after `ttft_ms`
and at `tokens_per_s`, then `data: [DONE]`. A client that resets an HTTP/2 stream stops
only that stream; one that closes an HTTP/1.1 connection stops its only stream.
`connect_ms` delays the first answer on every new connection: the set-up cost of a provider
across a network (TCP + TLS 1.3 are about two round trips), which loopback lacks.

Run it in a process of its own for measurements (the client's and the fake's Python then do
not share one GIL): `python -m ghostfill.fakes.h2 --cert PEM` prints its port.

    with FakeH2Provider(text, cert_file, key_file) as fake:
        fake.base_url   # https://127.0.0.1:PORT/v1
        fake.connections["h2"], fake.requests
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import ssl
import sys
import threading
import time
from collections import Counter
from typing import Any

import h2.config
import h2.connection
import h2.events
import h2.exceptions
import h11

_TOKEN = re.compile(r"\s+|\S+")


def sse_chunks(text: str) -> list[bytes]:
    """The SSE events of one streamed chat completion of `text`."""

    def event(delta: dict[str, str], finish: str | None = None) -> bytes:
        chunk = {
            "id": "chatcmpl-fake",
            "object": "chat.completion.chunk",
            "model": "fake-coder",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }
        return b"data: " + json.dumps(chunk).encode() + b"\n\n"

    tokens = [event({"role": "assistant", "content": ""})]
    tokens += [event({"content": token}) for token in _TOKEN.findall(text)]
    return [*tokens, event({}, "stop"), b"data: [DONE]\n\n"]


class FakeH2Provider:
    def __init__(
        self,
        text: str,
        cert_file: str,
        key_file: str,
        *,
        ttft_ms: float = 0.0,
        tokens_per_s: float = 0.0,
        protocols: tuple[str, ...] = ("h2", "http/1.1"),
        connect_ms: float = 0.0,
    ) -> None:
        self.text = text
        self.connect_ms = connect_ms
        self.ttft_ms = ttft_ms
        self.tokens_per_s = tokens_per_s
        self._ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self._ctx.load_cert_chain(cert_file, key_file)
        self._ctx.set_alpn_protocols(list(protocols))
        self.connections: Counter[str] = Counter()
        """Connections accepted, by the protocol ALPN chose."""
        self.requests = 0
        self.reset_streams = 0
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()

    @property
    def base_url(self) -> str:
        return f"https://127.0.0.1:{self.port}/v1"

    # -- lifecycle -----------------------------------------------------------------------

    def __enter__(self) -> FakeH2Provider:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        loop = self._loop
        if loop is not None:
            loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(5)

    def _run(self) -> None:
        loop = self._loop = asyncio.new_event_loop()
        self._server = loop.run_until_complete(
            asyncio.start_server(self._connection, "127.0.0.1", self.port, ssl=self._ctx)
        )
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            self._server.close()
            pending = asyncio.all_tasks(loop)
            for task in pending:
                task.cancel()
            loop.run_until_complete(_settled(pending))  # (gather outside a loop needs one set)
            loop.close()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.connect_ms:
            await asyncio.sleep(self.connect_ms / 1000)  # what the client reads waits
        tls = writer.get_extra_info("ssl_object")
        protocol = (tls.selected_alpn_protocol() if tls is not None else None) or "http/1.1"
        self.connections[protocol] += 1
        try:
            if protocol == "h2":
                await self._h2(reader, writer)
            else:
                await self._h1(reader, writer)
        except (ConnectionError, ssl.SSLError, h2.exceptions.ProtocolError, h11.ProtocolError):
            pass
        finally:
            writer.close()

    async def _pace(self, started: float, n: int) -> None:
        due = started + self.ttft_ms / 1000 + (n / self.tokens_per_s if self.tokens_per_s else 0)
        wait = due - time.perf_counter()
        if wait > 0:
            await asyncio.sleep(wait)

    # -- HTTP/2 --------------------------------------------------------------------------

    async def _h2(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False))
        conn.initiate_connection()
        writer.write(conn.data_to_send())
        bodies: dict[int, bytearray] = {}
        streams: dict[int, asyncio.Task[None]] = {}
        while data := await reader.read(65536):
            for event in conn.receive_data(data):
                if isinstance(event, h2.events.RequestReceived):
                    bodies[event.stream_id] = bytearray()
                elif isinstance(event, h2.events.DataReceived):
                    bodies.setdefault(event.stream_id, bytearray()).extend(event.data)
                    conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
                elif isinstance(event, h2.events.StreamEnded):
                    sid = event.stream_id
                    streams[sid] = asyncio.create_task(self._h2_answer(conn, writer, sid))
                elif isinstance(event, h2.events.StreamReset):
                    self.reset_streams += 1
                    if (task := streams.pop(event.stream_id, None)) is not None:
                        task.cancel()
            writer.write(conn.data_to_send())
        for task in streams.values():
            task.cancel()

    async def _h2_answer(
        self, conn: h2.connection.H2Connection, writer: asyncio.StreamWriter, sid: int
    ) -> None:
        self.requests += 1
        started = time.perf_counter()
        headers = [(":status", "200"), ("content-type", "text/event-stream")]
        conn.send_headers(sid, headers)
        writer.write(conn.data_to_send())
        try:
            for n, chunk in enumerate(sse_chunks(self.text)):
                await self._pace(started, n)
                conn.send_data(sid, chunk)
                writer.write(conn.data_to_send())
            conn.end_stream(sid)
            writer.write(conn.data_to_send())
        except (h2.exceptions.StreamClosedError, h2.exceptions.ProtocolError):
            return

    # -- HTTP/1.1 ------------------------------------------------------------------------

    async def _h1(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        conn = h11.Connection(h11.SERVER)
        while True:
            event = conn.next_event()
            if event is h11.NEED_DATA:
                data = await reader.read(65536)
                conn.receive_data(data)
                if not data:
                    return
                continue
            if isinstance(event, h11.EndOfMessage):
                await self._h1_answer(conn, writer)
                if conn.our_state is not h11.DONE:
                    return
                conn.start_next_cycle()
            elif isinstance(event, h11.ConnectionClosed):
                return

    async def _h1_answer(self, conn: h11.Connection, writer: asyncio.StreamWriter) -> None:
        self.requests += 1
        started = time.perf_counter()
        headers: list[tuple[str, str]] = [
            ("content-type", "text/event-stream"),
            ("transfer-encoding", "chunked"),
        ]
        writer.write(conn.send(h11.Response(status_code=200, headers=headers)) or b"")
        for n, chunk in enumerate(sse_chunks(self.text)):
            await self._pace(started, n)
            writer.write(conn.send(h11.Data(data=chunk)) or b"")
            await writer.drain()
        writer.write(conn.send(h11.EndOfMessage()) or b"")
        await writer.drain()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cert", required=True, help="PEM with the key and certificate chain")
    parser.add_argument("--text", default="value = compute(x)\n")
    parser.add_argument("--ttft-ms", type=float, default=0.0)
    parser.add_argument("--tokens-per-s", type=float, default=0.0)
    parser.add_argument("--connect-ms", type=float, default=0.0)
    args = parser.parse_args(argv)
    fake = FakeH2Provider(
        args.text,
        args.cert,
        args.cert,
        ttft_ms=args.ttft_ms,
        tokens_per_s=args.tokens_per_s,
        connect_ms=args.connect_ms,
    )
    with fake:
        print(fake.port, flush=True)
        for line in sys.stdin:  # one stats line per line read; ends with stdin
            del line
            print(
                json.dumps([dict(fake.connections), fake.requests, fake.reset_streams]), flush=True
            )
    return 0


async def _settled(tasks: set[asyncio.Task[Any]]) -> None:
    await asyncio.gather(*tasks, return_exceptions=True)


if __name__ == "__main__":
    sys.exit(main())
