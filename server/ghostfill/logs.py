"""Logging: stdlib loggers per module, forwarded to the editor's log via `window/logMessage`.

stdout carries the protocol, so the only other place logs go is stderr or a file. Secrets are
never logged: values that look like API keys are masked by `RedactingFilter` as a last line
of defence behind the code that simply never formats them.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Callable

LEVELS = {
    "error": logging.ERROR,
    "warning": logging.WARNING,
    "info": logging.INFO,
    "debug": logging.DEBUG,
}

_KEYISH = re.compile(
    r"\b(?:(sk-[A-Za-z0-9_-]{8,}|csk-[A-Za-z0-9_-]{8,}|gsk_[A-Za-z0-9]{8,})|([A-Za-z0-9_-]{32,}))\b"
)
"""Key-shaped tokens: the providers' key prefixes, and any long run of key characters that
has digits in it (keys without a prefix, such as Mistral's, are random letters and digits; a
long identifier or file name without digits is left readable)."""


def _masked(match: re.Match[str]) -> str:
    long_run = match.group(2)
    if long_run is not None and sum(c.isdigit() for c in long_run) < 2:
        return long_run
    return "***"


class RedactingFilter(logging.Filter):
    """Masks key-shaped tokens and the exact secrets registered with `add`."""

    def __init__(self) -> None:
        super().__init__()
        self._secrets: set[str] = set()

    def add(self, secret: str) -> None:
        if len(secret) >= 6:
            self._secrets.add(secret)

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return _KEYISH.sub(_masked, text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self.redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class LspLogHandler(logging.Handler):
    """Sends records to the client as `window/logMessage`; pygls' own records stay local."""

    def __init__(self, send: Callable[[int, str], None]) -> None:
        super().__init__()
        self._send = send

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(("pygls", "asyncio")):
            return
        try:
            self._send(record.levelno, self.format(record))
        except Exception:  # the transport may be gone at shutdown; logging must never raise
            self.handleError(record)


def setup(
    level: str, log_file: str | None = None, stderr_level: int = logging.NOTSET
) -> RedactingFilter:
    """Root logging to stderr (and a file); returns the redaction filter for registering keys.

    A server passes `stderr_level=ERROR`: its log reaches the editor as `window/logMessage`,
    and editors show stderr too, so everything else would appear twice.
    """
    redact = RedactingFilter()
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.setLevel(LEVELS.get(level, logging.INFO))
    stderr = logging.StreamHandler(sys.stderr)
    stderr.setLevel(stderr_level)
    handlers: list[logging.Handler] = [stderr]
    if log_file:
        handlers.append(logging.FileHandler(log_file, encoding="utf-8"))
    for handler in handlers:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler.addFilter(redact)
        root.addHandler(handler)
    logging.getLogger("pygls").setLevel(logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    return redact
