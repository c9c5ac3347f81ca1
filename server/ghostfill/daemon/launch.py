"""Reach this build's daemon over its Unix socket, starting it when none runs.

Starting takes `daemon-<build>.start` with flock, so windows opened at the same moment start one
daemon between them: the first starts it, the others wait on the lock and then connect. The
daemon itself holds `daemon-<build>.pid` locked for its whole life, so a second daemon started
by hand exits at once. Every connection opens with a one-line JSON hello carrying the build;
a daemon of another build is never talked to.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import socket
import sys
import time

from ghostfill import __version__
from ghostfill.daemon.paths import Locations, secure_runtime_dir

TYPE_CHECKING = False  # not `from typing import ...`: the relay never imports typing
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

START_TIMEOUT_S = 20.0
"""A cold daemon imports the whole server (~0.5 s here); allow for a slow, loaded machine."""
HELLO_TIMEOUT_S = 10.0


class DaemonUnavailable(Exception):
    """No daemon could be reached or started; the message says why."""


class DaemonRefused(DaemonUnavailable):
    """A daemon answered but is of another build, or said no: trying again will not help."""


def hello(loc: Locations, kind: str, **extra: Any) -> dict[str, Any]:
    return {
        "ghostfill": kind,
        "build": loc.build,
        "version": __version__,
        "pid": os.getpid(),
        **extra,
    }


def try_connect(path: str) -> socket.socket | None:
    """A connected socket, or None when nothing listens there (missing or stale socket)."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(path)
    except OSError as exc:
        sock.close()
        if exc.errno in (errno.ENOENT, errno.ECONNREFUSED, errno.ENOTSOCK, errno.EAGAIN):
            return None
        raise DaemonUnavailable(f"cannot connect to {path}: {exc.strerror}") from exc
    return sock


def handshake(sock: socket.socket, loc: Locations, message: dict[str, Any]) -> dict[str, Any]:
    """Send the hello, read the daemon's answer; raise unless it is this build and agrees."""
    sock.settimeout(HELLO_TIMEOUT_S)
    try:
        sock.sendall(json.dumps(message).encode() + b"\n")
        line = _read_line(sock)
    except OSError as exc:
        raise DaemonUnavailable(f"the daemon did not answer the handshake: {exc}") from exc
    finally:
        sock.settimeout(None)
    try:
        answer = json.loads(line)
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        raise DaemonRefused("the daemon socket answered something that is not ghostfill")
    if not answer.get("ok"):
        raise DaemonRefused(f"the daemon refused: {answer.get('error', 'no reason given')}")
    if answer.get("build") != loc.build:
        raise DaemonRefused(
            f"the daemon is version {answer.get('version')} (build {answer.get('build')}), "
            f"this is {__version__} (build {loc.build}); not talking to it"
        )
    return answer


def _read_line(sock: socket.socket) -> bytes:
    """One line, read a byte at a time so nothing after it (LSP bytes) is consumed."""
    data = bytearray()
    while not data.endswith(b"\n"):
        chunk = sock.recv(1)
        if not chunk:
            break
        data += chunk
        if len(data) > 1 << 20:
            break
    return bytes(data)


class Connection:
    """A socket to the daemon, and the daemon's answer to the hello."""

    def __init__(self, sock: socket.socket, answer: dict[str, Any]) -> None:
        self.sock = sock
        self.answer = answer


def connect(
    loc: Locations, message: dict[str, Any], *, start: bool, idle_minutes: float = 10
) -> Connection:
    """A handshaken connection to the daemon, started first when `start` and none runs."""
    secure_runtime_dir(loc.runtime)
    sock = try_connect(loc.socket)
    if sock is None and start:
        with _locked(loc.start_lock):
            sock = try_connect(loc.socket)  # someone else started it while we waited
            if sock is None:
                sock = _start(loc, idle_minutes)
    if sock is None:
        raise DaemonUnavailable("no daemon is running")
    try:
        return Connection(sock, handshake(sock, loc, message))
    except DaemonUnavailable:
        sock.close()
        raise


def _start(loc: Locations, idle_minutes: float) -> socket.socket:
    """Start a detached daemon (it forks away: never our child, never our zombie) and connect.

    The daemon writes one byte to a pipe once it listens (`L`) or finds another daemon of this
    build holding the lock (`X`); the pipe closing without a byte means it died at start.
    """
    import select
    import subprocess  # only a cold start pays for them

    os.makedirs(loc.state, exist_ok=True)
    ready, ready_w = os.pipe()
    try:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "ghostfill.daemon",
                "--idle-minutes",
                str(idle_minutes),
                "--detach",
                "--ready-fd",
                str(ready_w),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            pass_fds=(ready_w,),
            check=False,
            timeout=START_TIMEOUT_S,
        )
        os.close(ready_w)
        ready_w = -1
        deadline = time.monotonic() + START_TIMEOUT_S
        said = b"?"
        while time.monotonic() < deadline:
            sock = try_connect(loc.socket)
            if sock is not None:
                return sock
            if said == b"?" and select.select([ready], [], [], 0.005)[0]:
                said = os.read(ready, 1)
                if not said:
                    raise DaemonUnavailable(f"the daemon exited at start; see {loc.log}")
            elif said != b"?":
                time.sleep(0.005)
    except subprocess.TimeoutExpired as exc:
        raise DaemonUnavailable("the daemon did not detach") from exc
    finally:
        os.close(ready)
        if ready_w >= 0:
            os.close(ready_w)
    raise DaemonUnavailable(
        f"the daemon did not listen within {START_TIMEOUT_S:.0f} s; see {loc.log}"
    )


@contextlib.contextmanager
def _locked(path: str) -> Iterator[None]:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise DaemonUnavailable(f"another start holds {path} for too long") from None
                time.sleep(0.005)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock
