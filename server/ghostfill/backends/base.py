"""The one Protocol every provider implements, and the config each one is built from."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from ghostfill.model import GenerationParams, Prompt


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
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)


class Backend(Protocol):
    """A provider that streams the text to insert at the cursor.

    `stream` yields text deltas as they arrive and raises only `errors.BackendError`
    subclasses; cancelling the consuming task closes the HTTP stream.
    """

    config: BackendConfig

    @property
    def name(self) -> str: ...

    def stream(self, prompt: Prompt, params: GenerationParams) -> AsyncIterator[str]: ...

    async def models(self) -> list[str]: ...

    async def warm(self) -> None: ...
