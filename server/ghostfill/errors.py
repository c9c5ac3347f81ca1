"""One error tree for everything that can go wrong while completing.

    GhostfillError
    ├── ConfigError              bad settings or flags; the server keeps running on defaults
    ├── DocumentError            unknown URI, position past the end, invalid edit range
    └── BackendError             anything a provider did; the offline engine fills in
        ├── AuthError            401/403: names the environment variable to set
        ├── ModelNotFound        404 on the model: lists the models the provider has
        ├── RateLimited          429: carries the provider's reset delay
        ├── BackendUnavailable   5xx, connection refused, DNS, proxy
        │   └── CertificateError the backend's (or the proxy's) certificate is not trusted
        ├── BackendTimeout       first token or next token later than the deadline
        └── StreamError          malformed or truncated stream, mid-stream error events

Each error has `user_message`, the one line the user sees (once), and `key`, which says when
two errors are the same problem. Secrets never appear in either.
"""

from __future__ import annotations


class GhostfillError(Exception):
    """Base of every error ghostfill raises on purpose."""

    def __init__(self, user_message: str, *, key: str | None = None) -> None:
        super().__init__(user_message)
        self.user_message = user_message
        self.key = key or f"{type(self).__name__}:{user_message}"


class ConfigError(GhostfillError):
    pass


class DocumentError(GhostfillError):
    pass


class BackendError(GhostfillError):
    pass


class AuthError(BackendError):
    pass


class ModelNotFound(BackendError):
    pass


class RateLimited(BackendError):
    def __init__(self, user_message: str, *, retry_after_s: float, key: str | None = None) -> None:
        super().__init__(user_message, key=key)
        self.retry_after_s = retry_after_s


class BackendUnavailable(BackendError):
    pass


class CertificateError(BackendUnavailable):
    """TLS verification failed: names network.caBundle. Never passes as a plain outage."""


class BackendTimeout(BackendError):
    pass


class StreamError(BackendError):
    pass


class UpgradeRefused(BackendError):
    """The server does not serve the Responses API's WebSocket mode at this URL: use HTTP."""
