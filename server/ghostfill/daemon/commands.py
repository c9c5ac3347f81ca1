"""`ghostfill serve` through the daemon, and `ghostfill daemon status|stop|restart|logs`.

Stdlib only: `serve` goes from here straight to the relay.
"""

from __future__ import annotations

import json
import os
import sys
import time

from ghostfill.daemon.launch import DaemonUnavailable, _locked, _start, connect, hello
from ghostfill.daemon.paths import Locations, UnsafeDirectory, locations
from ghostfill.daemon.pids import alive

TYPE_CHECKING = False  # not `from typing import ...`: the relay never imports typing
if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence
    from typing import Any

NOT_RUNNING = 3
STOP_WAIT_S = 10.0
NO_DAEMON_ENV = "GHOSTFILL_NO_DAEMON"


def uses_daemon(args: argparse.Namespace, env: dict[str, str] | None = None) -> bool:
    """Whether `ghostfill serve` relays: not with --no-daemon, GHOSTFILL_NO_DAEMON=1 or --tcp."""
    env = dict(os.environ) if env is None else env
    off = env.get(NO_DAEMON_ENV, "").strip().lower() in ("1", "true", "yes", "on")
    return not (getattr(args, "no_daemon", False) or off or getattr(args, "tcp", None))


def serve(argv: Sequence[str]) -> int:
    """Relay this window to the daemon; `argv` are the `ghostfill ...` arguments (with serve)."""
    from ghostfill.daemon.relay import RelayOptions, run

    args = [a for a in argv if a != "--no-daemon"]
    in_process = (sys.executable, "-m", "ghostfill", *args, "--no-daemon")
    return run(RelayOptions(argv=tuple(args), in_process=in_process))


def run(args: argparse.Namespace) -> int:
    loc = locations()
    action: str = args.action
    if action == "status":
        return _status(loc, as_json=args.json)
    if action == "stop":
        return _stop(loc)
    if action == "restart":
        _stop(loc)
        return _restart(loc)
    if action == "logs":
        return _logs(loc, args.lines, follow=args.follow)
    return 2


def query(loc: Locations, kind: str) -> dict[str, Any] | None:
    """The daemon's answer to a control request, or None when none runs."""
    try:
        found = connect(loc, hello(loc, kind), start=False)
    except DaemonUnavailable:
        return None
    found.sock.close()
    return found.answer


def _status(loc: Locations, *, as_json: bool) -> int:
    try:
        answer = query(loc, "status")
    except UnsafeDirectory as exc:
        print(str(exc), file=sys.stderr)
        return NOT_RUNNING
    if as_json:
        print(json.dumps(answer or {"running": False, "socket": str(loc.socket)}, indent=2))
        return 0 if answer else NOT_RUNNING
    if answer is None:
        print(f"ghostfill daemon: not running (socket {loc.socket})")
        return NOT_RUNNING
    workspaces = answer.get("workspaces") or []
    print("ghostfill daemon: running")
    print(f"  pid          {answer.get('pid')}")
    print(f"  version      {answer.get('version')} (build {answer.get('build')})")
    print(f"  uptime       {_duration(float(answer.get('uptimeS', 0)))}")
    print(f"  connections  {answer.get('connections')}")
    print(f"  workspaces   {len(workspaces)}")
    for root in workspaces:
        print(f"    {root}")
    print(f"  idle exit    after {answer.get('idleTimeoutMinutes')} min without windows")
    print(f"  socket       {answer.get('socket')}")
    print(f"  log          {answer.get('log')}")
    return 0


def _stop(loc: Locations) -> int:
    answer = query(loc, "stop")
    if answer is None:
        print("ghostfill daemon: not running")
        return 0
    pid = int(answer.get("pid", 0))
    deadline = time.monotonic() + STOP_WAIT_S
    while pid and alive(pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    if pid and alive(pid):
        print(
            f"ghostfill daemon: pid {pid} did not stop within {STOP_WAIT_S:.0f} s", file=sys.stderr
        )
        return 1
    print(f"ghostfill daemon: stopped (pid {pid})")
    return 0


def _restart(loc: Locations) -> int:
    try:
        with _locked(loc.start_lock):
            if query(loc, "status") is None:
                _start(loc, 10).close()
        answer = query(loc, "status")
    except (DaemonUnavailable, UnsafeDirectory) as exc:
        print(f"ghostfill daemon: {exc}", file=sys.stderr)
        return 1
    if answer is None:
        print("ghostfill daemon: did not start", file=sys.stderr)
        return 1
    print(f"ghostfill daemon: running (pid {answer.get('pid')})")
    return 0


def _logs(loc: Locations, lines: int, *, follow: bool) -> int:
    if not os.path.exists(loc.log):
        print(f"ghostfill daemon: no log yet at {loc.log}", file=sys.stderr)
        return 1
    with open(loc.log, encoding="utf-8", errors="replace") as f:
        for line in f.readlines()[-lines:] if lines > 0 else []:
            sys.stdout.write(line)
        sys.stdout.flush()
        while follow:
            line = f.readline()
            if line:
                sys.stdout.write(line)
                sys.stdout.flush()
            else:
                time.sleep(0.2)
    return 0


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"
