"""The one Protocol every provider implements, and the config each one is built from."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from ghostfill.backends.ratelimit import RateLimitGate
from ghostfill.model import GenerationParams, Prompt

if TYPE_CHECKING:
    from ghostfill.backends.network import NetworkConfig


@dataclass(frozen=True, slots=True)
class BackendConfig:
    """Everything a backend needs, resolved from a preset plus settings and flags.

    The key itself is held here and nowhere else; `__repr__` hides it so it cannot reach a log.
    """

    provider: str
    base_url: str
    model: str
    api_key_env: str
    api_key: str = field(default="", repr=False)
    template: str = "auto"
    timeout_s: float = 4.0
    """Connect, response headers and first stream event must each arrive within this."""
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    stall_timeout_s: float = 3.0
    """Once streaming, a gap longer than this between lines ends the request (BackendTimeout)."""
    wire: str = "auto"
    """OpenAI-style presets: auto | chat | completions | responses (`backend.wire`)."""
    transport: str = "auto"
    """The Responses API's transport: auto | http | websocket (`backend.transport`)."""
    network: NetworkConfig | None = field(default=None, compare=False)
    """The proxy and trust of this backend's connections (its HTTP client's: `network.*`
    settings over the window's environment), for what does not travel through that client
    (the Responses WebSocket). None: the process environment's."""


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a server says it can do, asked once (at initialize, or on first use) and kept."""

    fim: bool | None = None
    """Fills in the middle natively (None: not known, or not a question this API answers)."""
    context_tokens: int | None = None
    """The context window a request gets on the server (llama.cpp slot `n_ctx`)."""
    model: str = ""
    """The model the server has loaded, as it names it."""
    prompt_kind: str = ""
    """How ghostfill will prompt it, in words (`FIM via /infill`, `prefix continuation`...)."""


class Backend(Protocol):
    """A provider that streams the text to insert at the cursor.

    `stream` yields text deltas as they arrive and raises only `errors.BackendError`
    subclasses; cancelling the consuming task (or closing the generator) closes the HTTP
    stream. While `gate` is closed after a 429, `stream` raises `RateLimited` at once without
    touching the network.
    """

    config: BackendConfig
    gate: RateLimitGate

    @property
    def name(self) -> str: ...

    def prepare(self, prompt: Prompt) -> Prompt:
        """The prompt as this backend will send it. Call before building GenerationParams.

        `fim` is None exactly when the request will be a chat hole-fill (the reply then needs
        chat clean-up and `stop` is the chat stop); otherwise the reply is the raw middle,
        `fim` is the rendered FIM text or "" for a native FIM endpoint that builds its own
        (Ollama `suffix`, llama.cpp `/infill`, Codestral, DeepSeek), and `stop` lists only
        stops worth sending. Cheap and pure apart from capabilities learned from earlier
        failures (e.g. a llama.cpp model without FIM tokens switches to chat).
        """
        ...

    def stream(self, prompt: Prompt, params: GenerationParams) -> AsyncIterator[str]: ...

    async def models(self) -> list[str]:
        """Model ids the provider offers (GET /v1/models, Ollama /api/tags), sorted."""
        ...

    async def warm(self) -> None:
        """Open the keep-alive connection (TLS, HTTP/2) before the first completion; never raises
        except CancelledError."""
        ...

    async def probe(self) -> Capabilities:
        """Ask the server what it supports (once; later calls return what was learned). Never
        raises except CancelledError: what cannot be asked stays unknown."""
        ...
