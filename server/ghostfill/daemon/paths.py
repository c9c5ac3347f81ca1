"""Where the daemon lives: socket, locks, log, and the checks that keep other users out.

The socket directory is `$XDG_RUNTIME_DIR/ghostfill/`, else `/tmp/ghostfill-<uid>/`; it must be
a real directory owned by the user with mode 0700, or nothing is put in it. The log goes under
`$XDG_STATE_HOME/ghostfill/`, else `~/.local/state/ghostfill/`.

Daemons of different builds run side by side: every file name carries the build id (version +
install location), so an upgraded ghostfill starts its own daemon and the old one exits when
its last window closes (after the idle timeout).
"""

from __future__ import annotations

import os
import stat
import zlib

from ghostfill import __version__

SOCKET_PATH_MAX = 107
"""sun_path holds 108 bytes with the terminating NUL on Linux."""


class UnsafeDirectory(Exception):
    """The socket directory exists but another user could reach into it."""


def build_id() -> str:
    """This installation: its version and where its code lives (two checkouts never share)."""
    package = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
    return f"{__version__}-{zlib.crc32(package.encode()):08x}"


class Locations:
    """Every file one build's daemon uses (plain strings: the relay avoids pathlib's import)."""

    __slots__ = ("build", "runtime", "state")

    def __init__(self, runtime: str, state: str, build: str) -> None:
        self.runtime = runtime
        self.state = state
        self.build = build

    @property
    def socket(self) -> str:
        return os.path.join(self.runtime, f"daemon-{self.build}.sock")

    @property
    def start_lock(self) -> str:
        """Held by whoever is starting a daemon, so two windows opened at once start one."""
        return os.path.join(self.runtime, f"daemon-{self.build}.start")

    @property
    def pid_file(self) -> str:
        """Locked by the running daemon for its whole life; holds its pid."""
        return os.path.join(self.runtime, f"daemon-{self.build}.pid")

    @property
    def log(self) -> str:
        return os.path.join(self.state, "daemon.log")


def locations(env: dict[str, str] | None = None, build: str | None = None) -> Locations:
    env = dict(os.environ) if env is None else env
    runtime_root = env.get("XDG_RUNTIME_DIR", "")
    runtime = (
        os.path.join(runtime_root, "ghostfill")
        if runtime_root and os.path.isabs(runtime_root)
        else f"/tmp/ghostfill-{os.getuid()}"
    )
    state_root = env.get("XDG_STATE_HOME", "")
    state = (
        os.path.join(state_root, "ghostfill")
        if state_root and os.path.isabs(state_root)
        else os.path.join(os.path.expanduser("~"), ".local", "state", "ghostfill")
    )
    return Locations(runtime, state, build or build_id())


def secure_runtime_dir(path: str) -> None:
    """Create the socket directory 0700, or check that an existing one is ours and private.

    Raises UnsafeDirectory (with the fix in its message) for a symlink, a non-directory, a
    directory owned by someone else or one that group or others may enter.
    """
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass
    else:
        os.chmod(path, 0o700)  # mkdir's mode is filtered through the umask
    info = os.lstat(path)
    problem = ""
    if stat.S_ISLNK(info.st_mode):
        problem = "is a symbolic link"
    elif not stat.S_ISDIR(info.st_mode):
        problem = "is not a directory"
    elif info.st_uid != os.getuid():
        problem = f"is owned by uid {info.st_uid}, not {os.getuid()}"
    elif stat.S_IMODE(info.st_mode) & 0o077:
        problem = f"has mode {stat.S_IMODE(info.st_mode):04o}, not 0700"
    if problem:
        raise UnsafeDirectory(
            f"ghostfill: refusing the daemon socket directory {path}: it {problem}. "
            f"Remove it or fix it (chmod 0700, owned by you); serving in-process meanwhile."
        )
    if len(os.fsencode(Locations(path, path, build_id()).socket)) > SOCKET_PATH_MAX:
        raise UnsafeDirectory(
            f"ghostfill: the socket path under {path} is longer than a Unix socket allows; "
            "set XDG_RUNTIME_DIR to a shorter directory. Serving in-process meanwhile."
        )
