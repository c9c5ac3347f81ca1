"""The daemon: one process serving every editor window of this user over a Unix socket.

Who may connect: the socket is 0600 inside a 0700 directory, and every connection's peer uid
(SO_PEERCRED) must be ours; anyone else is told no and dropped. Every connection opens with a
one-line JSON hello (`{"ghostfill": kind, "build": ...}`) answered by one line; a hello from
another build is refused, so relays and daemons of different versions never talk. Kinds:

- `lsp`: the rest of the connection is one editor window's LSP session (`ConnectionRunner`);
- `status`: pid, version, uptime, connections and workspaces, then the connection closes;
- `stop`: the daemon tells its windows it is stopping (`ghostfill/daemonStopping`) and exits.

With no connection for `idleTimeoutMinutes` (the longest any window asked for) it exits.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import logging
import os
import signal
import socket
import struct
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from ghostfill import __version__
from ghostfill.daemon.framing import encode, frame
from ghostfill.daemon.paths import Locations, secure_runtime_dir

log = logging.getLogger(__name__)

HELLO_TIMEOUT_S = 10.0
LOCK_WAIT_S = 15.0
STOPPING = "ghostfill/daemonStopping"


class ConnectionRunner(Protocol):
    """Runs editor sessions inside the daemon: the LSP edge, shared by all connections."""

    async def serve(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, hello: dict[str, Any]
    ) -> None:
        """Serve one connection until the relay closes it; release everything it held."""
        ...

    def workspaces(self) -> list[str]:
        """Roots whose shared state (index, model, caches) is alive."""
        ...

    async def close(self) -> None: ...


async def _lock(fd: int, wait_s: float) -> bool:
    deadline = time.monotonic() + wait_s
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(0.02)


def peer_uid(sock: socket.socket) -> int:
    """The uid of the process at the other end of a Unix socket (Linux SO_PEERCRED)."""
    creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", creds)
    return int(uid)


class Daemon:
    def __init__(
        self,
        loc: Locations,
        runner: Callable[[], Awaitable[ConnectionRunner]],
        idle_minutes: float,
        ready_fd: int = -1,
    ) -> None:
        self.loc = loc
        self._ready_fd = ready_fd
        self._make_runner = runner
        self._runner: ConnectionRunner | None = None
        self.idle_minutes = idle_minutes
        self.started = time.time()
        self._connections: dict[asyncio.StreamWriter, float] = {}  # writer -> idle minutes
        self._stop = asyncio.Event()
        self._idle: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def run(self) -> int:
        """Listen until stopped or idle; 0 also when another daemon of this build already runs."""
        secure_runtime_dir(self.loc.runtime)
        pid_fd = os.open(self.loc.pid_file, os.O_RDWR | os.O_CREAT, 0o600)
        if not await _lock(pid_fd, LOCK_WAIT_S):  # a stopping daemon lets go within seconds
            log.info("a daemon of this build already runs; exiting")
            os.close(pid_fd)
            self._ready(b"X")
            return 0
        try:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.loc.socket)  # we hold the pid lock: any socket file is stale
            umask = os.umask(0o177)
            try:
                server = await asyncio.start_unix_server(self._accept, path=str(self.loc.socket))
            finally:
                os.umask(umask)
            os.chmod(self.loc.socket, 0o600)
            os.ftruncate(pid_fd, 0)
            os.write(pid_fd, f"{os.getpid()}\n".encode())
            self._runner = await self._make_runner()
            log.info(
                "daemon %s (pid %d) listening on %s", self.loc.build, os.getpid(), self.loc.socket
            )
            self._ready(b"L")
            self._arm_idle()
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
                loop.add_signal_handler(signum, self._stop.set)
            async with server:
                await self._stop.wait()
                server.close()
                await self._shutdown()
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.loc.socket)
            os.ftruncate(pid_fd, 0)  # an exited daemon leaves no pid to be mistaken for it
            os.close(pid_fd)
        log.info("daemon stopped")
        return 0

    def _ready(self, byte: bytes) -> None:
        """Tell whoever started us how the start went (see `launch._start`)."""
        if self._ready_fd >= 0:
            with contextlib.suppress(OSError):
                os.write(self._ready_fd, byte)
                os.close(self._ready_fd)
            self._ready_fd = -1

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            await self._connection(reader, writer)
        finally:
            if task is not None:
                self._tasks.discard(task)
            writer.close()
            with contextlib.suppress(OSError, ConnectionError):
                await writer.wait_closed()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        sock = writer.get_extra_info("socket")
        uid = peer_uid(sock)
        if uid != os.getuid():
            log.warning(
                "refused a connection from uid %d (only uid %d may connect)", uid, os.getuid()
            )
            await self._answer(writer, ok=False, error=f"uid {uid} may not use this daemon")
            return
        try:
            line = await asyncio.wait_for(reader.readline(), HELLO_TIMEOUT_S)
            message = json.loads(line)
        except (TimeoutError, ValueError, ConnectionError, asyncio.LimitOverrunError):
            log.warning("dropped a connection without a valid hello")
            return
        if not isinstance(message, dict) or message.get("build") != self.loc.build:
            theirs = message.get("build") if isinstance(message, dict) else None
            log.warning("refused build %s (this daemon is %s)", theirs, self.loc.build)
            await self._answer(writer, ok=False, error=f"this daemon is build {self.loc.build}")
            return
        kind = message.get("ghostfill")
        if kind == "status":
            await self._answer(writer, ok=True, **self.status())
        elif kind == "stop":
            await self._answer(writer, ok=True)
            log.info("stop requested")
            self._stop.set()
        elif kind == "lsp":
            await self._answer(writer, ok=True)
            await self._lsp(reader, writer, message)
        else:
            await self._answer(writer, ok=False, error=f"unknown request {kind!r}")

    async def _answer(self, writer: asyncio.StreamWriter, **fields: Any) -> None:
        answer = {"build": self.loc.build, "version": __version__, "pid": os.getpid(), **fields}
        writer.write(json.dumps(answer).encode() + b"\n")
        with contextlib.suppress(ConnectionError):
            await writer.drain()

    async def _lsp(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, hello: dict[str, Any]
    ) -> None:
        assert self._runner is not None
        idle = hello.get("idleTimeoutMinutes")
        wanted = float(idle) if isinstance(idle, int | float) and idle >= 0 else self.idle_minutes
        self._connections[writer] = wanted
        self.idle_minutes = max(self._connections.values())
        if self._idle is not None:
            self._idle.cancel()
            self._idle = None
        log.info(
            "window connected (relay pid %s); %d open", hello.get("pid"), len(self._connections)
        )
        try:
            await self._runner.serve(reader, writer, hello)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        except Exception:
            log.exception("a connection failed")
        finally:
            self._connections.pop(writer, None)
            log.info("window disconnected; %d open", len(self._connections))
            self._arm_idle()

    def _arm_idle(self) -> None:
        if self._connections or self._stop.is_set():
            return
        if self._idle is not None:
            self._idle.cancel()
        delay = self.idle_minutes * 60

        def expire() -> None:
            log.info("no window for %.1f minutes; exiting", self.idle_minutes)
            self._stop.set()

        self._idle = asyncio.get_running_loop().call_later(delay, expire)

    async def _shutdown(self) -> None:
        """Tell every window we are going, close them, and release the shared state."""
        notice = frame(encode({"jsonrpc": "2.0", "method": STOPPING, "params": {}}))
        for writer in list(self._connections):
            with contextlib.suppress(OSError, RuntimeError):
                writer.write(notice)
                writer.close()
        if self._tasks:  # closed transports end the sessions; cancel only what lingers
            _, lingering = await asyncio.wait(list(self._tasks), timeout=5)
            for task in lingering:
                task.cancel()
        if self._runner is not None:
            await self._runner.close()

    def status(self) -> dict[str, Any]:
        return {
            "uptimeS": round(time.time() - self.started, 1),
            "connections": len(self._connections),
            "workspaces": self._runner.workspaces() if self._runner else [],
            "idleTimeoutMinutes": self.idle_minutes,
            "socket": str(self.loc.socket),
            "log": str(self.loc.log),
        }
