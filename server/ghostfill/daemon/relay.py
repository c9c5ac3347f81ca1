"""`ghostfill serve` by default: the editor's stdio relayed to the per-user daemon.

Stdlib only, so a window is up as fast as Python starts. The relay reads the editor's
`initialize` first (its `daemon` settings decide whether to use the daemon at all), reaches the
daemon (starting it if none runs) and from then on copies LSP frames both ways, following just
enough of the session (`replay.SessionLog`) to rebuild it.

When the daemon dies, requests it had for under a second are sent again to its successor,
older unanswered ones get a ContentModified error (editors drop those quietly and ask again;
a request that crashed a daemon is not fed to the next), answers to the dead daemon's own
requests are dropped, and a new daemon is started and sent the editor's initialize,
configuration and open documents with their current text; messages the editor sends meanwhile
wait and follow in order. If the daemon cannot be reached (or keeps dying), the relay serves
the rest of the session from an in-process server in a child process, with the same replay.
A daemon that says it is stopping on request is only replaced when the editor next sends
something.

A window whose initialize this build has answered before (the same client capabilities, see
`answers`) is answered by the relay at once, before the daemon is reached or started; the
server gets the same initialize under the relay's id and its answer only updates the book.
"""

from __future__ import annotations

import os
import socket
import sys
import threading
import time
from collections import deque

from ghostfill.daemon import framing
from ghostfill.daemon.answers import AnswerBook, key, stamp
from ghostfill.daemon.launch import DaemonRefused, DaemonUnavailable, connect, hello
from ghostfill.daemon.paths import Locations, UnsafeDirectory, locations, secure_runtime_dir
from ghostfill.daemon.pids import alive
from ghostfill.daemon.replay import REPLAY_ID, SessionLog

TYPE_CHECKING = False  # not `from typing import ...`: the relay never imports typing
if TYPE_CHECKING:  # the relay imports only what it runs: typing alone costs it ~10 ms
    from typing import IO, Any

CONTENT_MODIFIED = -32801
STOPPING = "ghostfill/daemonStopping"
"""Sent by a daemon that stops on request (`ghostfill daemon stop`) before it closes."""
MAX_RESTARTS = 3
RESEND_S = 1.0
"""Requests the dead daemon had for less than this are sent to the new one; older ones get
ContentModified (the editor asks again, and a request that crashed a daemon is not fed to the
next one)."""
CONNECT_TRIES = 4
RESTART_WINDOW_S = 60.0
PARENT_POLL_S = 2.0
DEFAULT_IDLE_MINUTES = 10.0


class Pending:
    __slots__ = ("body", "message", "method", "sent")

    def __init__(self, method: str, body: bytes, message: dict[str, Any]) -> None:
        self.method = method
        self.body = body
        self.message = message
        self.sent = time.monotonic()


class RelayOptions:
    """What `ghostfill serve` passes on.

    `argv`: the `ghostfill serve ...` arguments; the daemon serves the window as they say.
    `in_process`: the command line of `ghostfill serve --no-daemon` with the same flags.
    """

    def __init__(self, argv: tuple[str, ...] = (), in_process: tuple[str, ...] = ()) -> None:
        self.argv = argv
        self.in_process = in_process


class Upstream:
    """Where the editor's messages go: the daemon's socket or an in-process server."""

    reader: IO[bytes]

    def send(self, data: bytes) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class SocketUpstream(Upstream):
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.reader: IO[bytes] = sock.makefile("rb")

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def close(self) -> None:
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


class ChildUpstream(Upstream):
    """`ghostfill serve --no-daemon` in a child process, fed through pipes."""

    def __init__(self, argv: tuple[str, ...]) -> None:
        import subprocess

        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.reader = self.proc.stdout
        self._stdin = self.proc.stdin

    def send(self, data: bytes) -> None:
        self._stdin.write(data)
        self._stdin.flush()

    def close(self) -> None:
        try:
            self._stdin.close()
        except OSError:
            pass
        import subprocess

        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def daemon_settings(initialize: dict[str, Any] | None) -> tuple[bool, float]:
    """`daemon.enable` and `daemon.idleTimeoutMinutes` from initializationOptions."""
    params = initialize.get("params") if initialize else None
    options = params.get("initializationOptions") if isinstance(params, dict) else None
    if isinstance(options, dict) and isinstance(options.get("ghostfill"), dict):
        options = options["ghostfill"]
    group = options.get("daemon") if isinstance(options, dict) else None
    group = group if isinstance(group, dict) else {}
    enable = group.get("enable", True)
    idle = group.get("idleTimeoutMinutes", DEFAULT_IDLE_MINUTES)
    if isinstance(idle, bool) or not isinstance(idle, int | float) or idle < 0:
        idle = DEFAULT_IDLE_MINUTES
    return enable is not False, float(idle)


class Relay:
    def __init__(
        self,
        loc: Locations,
        options: RelayOptions,
        stdin: IO[bytes],
        stdout: IO[bytes],
        stderr: Any = None,
    ) -> None:
        self.loc = loc
        self.options = options
        self.stdin = stdin
        self.stdout = stdout
        self.stderr = stderr or sys.stderr
        self.log = SessionLog()
        self.idle_minutes = DEFAULT_IDLE_MINUTES
        self.use_daemon = True
        self._lock = threading.RLock()
        self._upstream: Upstream | None = None
        self._pending: dict[object, Pending] = {}  # editor requests sent, not yet answered
        self._server_pending: set[object] = set()  # the server's requests to the editor
        self._queue: deque[tuple[bytes, dict[str, Any] | None]] = deque()
        self._queued = threading.Event()
        self._stopping = False
        self._closing = False
        self._deaths: deque[float] = deque()
        self._children = 0
        self.answers = AnswerBook.of(loc)
        self._answer_key: str | None = None
        self._answered: dict[str, Any] | None = None
        """The initialize result the relay gave the editor itself (None: the server's went)."""

    # -- the editor's side (main thread) ----------------------------------------------------

    def run(self) -> int:
        first = framing.read_frame(self.stdin)
        if first is None:
            return 1
        message = framing.decode(first)
        if message is not None:
            self.log.observe(message)
        self.use_daemon, self.idle_minutes = daemon_settings(self.log.initialize)
        if message is not None and message is self.log.initialize:
            self._answer_early(message)
        upstream = self._open()
        with self._lock:
            self._upstream = upstream
            self._forward(first, message)
        threading.Thread(target=self._pump, name="ghostfill-relay", daemon=True).start()
        self._watch_parent()
        while (body := framing.read_frame(self.stdin)) is not None:
            message = framing.decode(body)
            if message is not None and message.get("method") == "exit":
                break
            with self._lock:
                self._from_editor(body, message)
        return self._close()

    def _from_editor(self, body: bytes, message: dict[str, Any] | None) -> None:
        if message is not None:
            self.log.observe(message)
            is_response = "method" not in message and "id" in message
            if is_response and message["id"] not in self._server_pending:
                return  # an answer to a request of a daemon that has died since
            self._server_pending.discard(message.get("id") if is_response else None)
        self._forward(body, message)

    def _forward(self, body: bytes, message: dict[str, Any] | None) -> None:
        """Send now, or queue while a new upstream is being brought up (called locked)."""
        if self._upstream is None:
            self._queue.append((body, message))
            self._queued.set()
            return
        if message is not None and message.get("method") == "initialize":
            if self._answered is not None and message is self.log.initialize:
                message = {**message, "id": REPLAY_ID}
            body = _for_upstream(message, self._upstream)
        try:
            self._upstream.send(framing.frame(body))
        except OSError:
            self._queue.append((body, message))  # the pump sees the death and re-sends it
            return
        if message is not None and "method" in message and "id" in message:
            self._pending[message["id"]] = Pending(str(message["method"]), body, message)

    def _close(self) -> int:
        with self._lock:
            self._closing = True
            upstream, self._upstream = self._upstream, None
        if upstream is not None:
            if isinstance(upstream, ChildUpstream):
                exit_message = {"jsonrpc": "2.0", "method": "exit"}
                try:
                    upstream.send(framing.frame(framing.encode(exit_message)))
                except OSError:
                    pass
            upstream.close()
        return 0 if self.log.shutdown else 1

    # -- the server's side (pump thread) ---------------------------------------------------

    def _pump(self) -> None:
        while True:
            with self._lock:
                upstream = self._upstream
            assert upstream is not None
            while (body := _read(upstream)) is not None:
                self._from_server(body)
            with self._lock:
                if self._closing:
                    return
            self._recover(upstream)

    def _from_server(self, body: bytes) -> None:
        message = framing.decode(body)
        if message is not None:
            if message.get("method") == STOPPING:
                self._stopping = True
                return
            if "method" not in message and "id" in message:
                if message["id"] == REPLAY_ID:
                    with self._lock:
                        self._pending.pop(REPLAY_ID, None)
                    self._check_answer(message)
                    return
                with self._lock:
                    self._pending.pop(message["id"], None)
                initialize = self.log.initialize
                if initialize is not None and message["id"] == initialize.get("id"):
                    self.answers.put(self._answer_key, message.get("result"))
            elif "method" in message and "id" in message:
                with self._lock:
                    self._server_pending.add(message["id"])
        self._to_editor(body)

    def _to_editor(self, body: bytes) -> None:
        try:
            self.stdout.write(framing.frame(body))
            self.stdout.flush()
        except (OSError, ValueError):
            os._exit(1)  # the editor is gone

    def _recover(self, dead: Upstream) -> None:
        """The upstream died: fail what it owed, bring up another, replay, send the queue."""
        with self._lock:
            self._upstream = None
            failed, self._pending = self._pending, {}
            self._server_pending.clear()
        dead.close()
        initialize_id = self.log.initialize.get("id") if self.log.initialize else None
        resend: list[tuple[bytes, dict[str, Any] | None]] = []
        now = time.monotonic()
        for msg_id, pending in failed.items():
            if msg_id in (initialize_id, REPLAY_ID):
                continue  # the replayed initialize answers it (or the relay already did)
            if pending.method == "shutdown":
                self._to_editor(framing.encode({"jsonrpc": "2.0", "id": msg_id, "result": None}))
            elif now - pending.sent < RESEND_S:
                resend.append((pending.body, pending.message))
            else:
                self._to_editor(framing.encode(_error(msg_id, "the ghostfill daemon restarted")))
        with self._lock:
            self._queue.extendleft(reversed(resend))  # they were sent before anything queued
        if self._stopping:
            self._stopping = False
            self._queued.clear()
            with self._lock:
                wait = not self._queue
            if wait:
                self._queued.wait()
        self._notice_death()
        while True:
            upstream = self._open()
            try:
                self._replay(upstream, initialize_id if initialize_id in failed else None)
                break
            except OSError:
                upstream.close()
                self._notice_death()
        with self._lock:
            self._upstream = upstream
            queue, self._queue = self._queue, deque()
            for body, message in queue:
                self._forward(body, message)

    def _replay(self, upstream: Upstream, answer_id: object) -> None:
        messages = self.log.replay()
        if not messages:
            return
        initialize, rest = messages[0], messages[1:]
        if answer_id is not None:
            initialize = {**initialize, "id": answer_id}
        upstream.send(framing.frame(_for_upstream(initialize, upstream)))
        while True:  # wait for the initialize result; pass on what comes before it
            body = _read(upstream)
            if body is None:
                raise OSError("the server died during the replay")
            message = framing.decode(body) or {}
            if message.get("id") == initialize["id"] and "method" not in message:
                if answer_id is not None:
                    self._to_editor(body)
                break
            self._from_server(body)
        for message in rest:
            upstream.send(framing.frame(framing.encode(message)))

    # -- the initialize answer ---------------------------------------------------------------

    def _answer_early(self, initialize: dict[str, Any]) -> None:
        """Answer the editor's initialize from the book, when this build has answered the same
        capabilities before."""
        self._answer_key = key(stamp(self.loc.build), initialize)
        known = self.answers.get(self._answer_key)
        if known is None or "id" not in initialize:
            return
        self._answered = known
        self._to_editor(framing.encode({"jsonrpc": "2.0", "id": initialize["id"], "result": known}))

    def _check_answer(self, message: dict[str, Any]) -> None:
        """The server's own answer to the initialize the relay answered: keep it for next time;
        say so when the editor was given something else (or the server failed)."""
        if self._answered is None:
            return
        given, self._answered = self._answered, None
        if "error" in message or not isinstance(message.get("result"), dict):
            error = message.get("error")
            text = error.get("message") if isinstance(error, dict) else None
            self._say(f"the server failed to initialize: {text or 'no result'}")
            return
        if message["result"] != given:
            self.answers.put(self._answer_key, message["result"])
            self._say("the server's capabilities changed since the last start; restart this window")

    def _notice_death(self) -> None:
        now = time.monotonic()
        self._deaths.append(now)
        while self._deaths and now - self._deaths[0] > RESTART_WINDOW_S:
            self._deaths.popleft()
        if len(self._deaths) > MAX_RESTARTS and self.use_daemon:
            self._say(f"the daemon died {len(self._deaths)} times in a minute; serving in-process")
            self.use_daemon = False
        elif self.use_daemon:
            self._say("the daemon is gone; starting a new one and replaying the session")

    # -- reaching a server -------------------------------------------------------------------

    def _open(self) -> Upstream:
        """The daemon (a few tries: a dying one may still accept for a moment), else a child."""
        extra = {
            "idleTimeoutMinutes": self.idle_minutes,
            "argv": list(self.options.argv),
            "cwd": os.getcwd(),
            "env": dict(os.environ),
        }
        for attempt in range(CONNECT_TRIES if self.use_daemon else 0):
            try:
                found = connect(
                    self.loc,
                    hello(self.loc, "lsp", **extra),
                    start=True,
                    idle_minutes=self.idle_minutes,
                )
                return SocketUpstream(found.sock)
            except UnsafeDirectory as exc:
                self._say(str(exc))
                break
            except (DaemonUnavailable, OSError) as exc:
                if attempt + 1 == CONNECT_TRIES or isinstance(exc, DaemonRefused):
                    self._say(f"{exc}; serving in-process")
                    break
                time.sleep(0.05 * (attempt + 1))
        self.use_daemon = False
        if self._children >= MAX_RESTARTS:
            self._say("the in-process server keeps dying; giving up")
            os._exit(1)
        self._children += 1
        return ChildUpstream(self.options.in_process)

    def _say(self, text: str) -> None:
        prefix = "" if text.startswith("ghostfill:") else "ghostfill: "
        print(prefix + text, file=self.stderr, flush=True)

    def _watch_parent(self) -> None:
        """Exit when the editor named in initialize `processId` dies without closing stdin."""
        params = self.log.initialize.get("params") if self.log.initialize else None
        pid = params.get("processId") if isinstance(params, dict) else None
        if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0 or pid == os.getpid():
            return

        def watch() -> None:
            while True:
                time.sleep(PARENT_POLL_S)
                if not alive(pid):
                    os._exit(0)

        threading.Thread(target=watch, name="ghostfill-parent", daemon=True).start()


def _read(upstream: Upstream) -> bytes | None:
    """The next frame from the server; None when it is gone (a reset is a death too)."""
    try:
        return framing.read_frame(upstream.reader)
    except (OSError, ValueError):
        return None


def _for_upstream(initialize: dict[str, Any], upstream: Upstream) -> bytes:
    """The daemon outlives editors: the relay watches the editor's `processId`, not it."""
    params = initialize.get("params")
    if isinstance(upstream, SocketUpstream) and isinstance(params, dict):
        initialize = {**initialize, "params": {**params, "processId": None}}
    return framing.encode(initialize)


def _error(msg_id: object, message: str) -> dict[str, Any]:
    return {
        "jsonrpc": "2.0",
        "id": msg_id,
        "error": {"code": CONTENT_MODIFIED, "message": f"{message}; ask again"},
    }


def run(options: RelayOptions) -> int:
    """Serve one editor window through the daemon (or in-process when that is unsafe)."""
    loc = locations()
    try:
        secure_runtime_dir(loc.runtime)
    except (UnsafeDirectory, OSError) as exc:
        print(str(exc), file=sys.stderr, flush=True)
        os.execv(options.in_process[0], list(options.in_process))
    return Relay(loc, options, sys.stdin.buffer, sys.stdout.buffer).run()
