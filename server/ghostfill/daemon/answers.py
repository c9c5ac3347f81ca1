"""The initialize results this build has given, kept so the next window is answered at once.

A ghostfill server's initialize result depends on its code (the build, the handlers it
registers, the pygls it runs on) and on the client's capabilities, nothing else the editor
sends: every feature is registered statically and the position encoding is always UTF-16. So
the relay keeps each result under a key made of those, and when a window starts with a key it
has seen, it answers the editor's initialize itself, in the time Python takes to start, while
the daemon (or the in-process server) is still importing. The server is sent the same
initialize under the relay's own id; its answer is compared with the one given, and a
different one replaces it for next time (and is reported: that window runs with the old
capabilities until it restarts).

The file lives in the user state directory (mode 0600): capabilities and the server's name and
version, never anything of the editor's settings.
"""

from __future__ import annotations

import json
import os
import zlib

TYPE_CHECKING = False  # not `from typing import ...`: the relay never imports typing
if TYPE_CHECKING:
    from typing import Any

    from ghostfill.daemon.paths import Locations

KEPT = 8
"""Answers kept (one per editor and version of it, in practice)."""
STAMPED = ("server/handlers.py", "server/protocol.py", "server/messages.py", "app.py")
"""Files of the package whose change can change the capabilities (a checkout edited in place
keeps its build id)."""


def _package() -> str:
    return os.path.dirname(os.path.dirname(os.path.realpath(__file__)))


def stamp(build: str, package: str | None = None) -> str:
    """The build plus the modification times of the files that decide the capabilities and of
    the folder the package is installed in (an upgrade of pygls beside it changes that)."""
    package = package or _package()
    times = []
    for path in (*(os.path.join(package, p) for p in STAMPED), os.path.dirname(package)):
        try:
            times.append(str(os.stat(path).st_mtime_ns))
        except OSError:
            times.append("-")
    return f"{build}:{zlib.crc32(':'.join(times).encode()):08x}"


def key(build_stamp: str, initialize: dict[str, Any] | None) -> str | None:
    """The key of an initialize request, None when it has no capabilities object."""
    params = initialize.get("params") if initialize else None
    capabilities = params.get("capabilities") if isinstance(params, dict) else None
    if not isinstance(capabilities, dict):
        return None
    text = json.dumps(capabilities, sort_keys=True, separators=(",", ":")).encode()
    return f"{build_stamp}:{len(text)}:{zlib.crc32(text):08x}"


class AnswerBook:
    """Initialize results by key, in one small JSON file; unreadable means empty."""

    def __init__(self, path: str) -> None:
        self.path = path

    @classmethod
    def of(cls, loc: Locations) -> AnswerBook:
        return cls(os.path.join(loc.state, "initialize-answers.json"))

    def _load(self) -> dict[str, Any]:
        try:
            with open(self.path, encoding="utf-8") as f:
                data = json.load(f)
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def get(self, answer_key: str | None) -> dict[str, Any] | None:
        if answer_key is None:
            return None
        found = self._load().get(answer_key)
        return found if isinstance(found, dict) else None

    def put(self, answer_key: str | None, result: object) -> None:
        """Keep `result` under `answer_key` (the newest `KEPT`); failures to write are ignored:
        the next window is only slower."""
        if answer_key is None or not isinstance(result, dict):
            return
        data = self._load()
        data.pop(answer_key, None)
        data[answer_key] = result
        kept = dict(list(data.items())[-KEPT:])
        tmp = f"{self.path}.{os.getpid()}.tmp"
        try:
            os.makedirs(os.path.dirname(self.path), mode=0o700, exist_ok=True)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(kept, f, separators=(",", ":"))
            os.replace(tmp, self.path)
        except OSError:
            try:
                os.unlink(tmp)
            except OSError:
                pass
