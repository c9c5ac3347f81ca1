"""Frozen value types passed between the pipeline's stages.

Positions inside the server are (line, UTF-16 character) as LSP sends them, or byte offsets
into the UTF-8 text once `documents.syntax` has converted them. Stages never pass dicts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from ghostfill.backends.usage import Meter
    from ghostfill.documents.languages import LanguageSpec

Source = Literal["backend", "offline", "cache"]


@dataclass(frozen=True, slots=True)
class Position:
    """An LSP position: zero-based line and UTF-16 code-unit column."""

    line: int
    character: int


@dataclass(frozen=True, slots=True)
class Snippet:
    """A piece of code from somewhere other than the cursor window, offered to the prompt."""

    path: str
    text: str
    kind: str  # "definition" | "neighbour" | "edit" | "import"
    score: float = 0.0
    start_line: int = 0


@dataclass(frozen=True, slots=True)
class CompletionContext:
    """Everything the prompt stage needs to know about the cursor, gathered once."""

    uri: str
    path: str
    language: str
    prefix: str
    suffix: str
    line_prefix: str
    line_suffix: str
    scopes: tuple[str, ...] = ()
    snippets: tuple[Snippet, ...] = ()
    multiline: bool = False
    indent: str = ""
    workspace: str = ""
    comment: str = "#"
    """The language's line comment token, for context rendered as comments in FIM prompts."""
    language_name: str = ""
    """The language as the prompt names it (its `prompt_name`, else `language`)."""
    spec: LanguageSpec | None = field(default=None, compare=False, repr=False)
    """The language's data from its grammar folder (None: a file type without one)."""
    names: frozenset[str] = field(default=frozenset(), compare=False, repr=False)
    """Identifiers in scope at the cursor (parameters, locals, imports, module names)."""
    members: frozenset[str] = field(default=frozenset(), compare=False, repr=False)
    """After `receiver.` at the cursor: what the member may be (empty: unknown)."""


@dataclass(frozen=True, slots=True)
class ChatMessage:
    role: Literal["system", "user", "assistant"]
    content: str


@dataclass(frozen=True, slots=True)
class Prompt:
    """A rendered request in every shape a backend may want.

    `fim` is the raw fill-in-the-middle text for `/completions`-style endpoints (None when no
    template applies); `messages` is the chat hole-filling prompt; `prefix`/`suffix`/`extra`
    feed native FIM endpoints (Ollama `suffix`, llama.cpp `/infill`, Codestral, DeepSeek).
    """

    prefix: str
    suffix: str
    messages: tuple[ChatMessage, ...]
    fim: str | None = None
    extra: tuple[Snippet, ...] = ()
    stop: tuple[str, ...] = ()
    strip: tuple[str, ...] = ()
    language: str = ""
    path: str = ""
    continuation: str = ""
    """The prompt as plain text to continue (context first, the code before the cursor last),
    for servers that can neither fill in the middle nor chat well (llama.cpp `/completion`
    with a model without FIM tokens)."""


@dataclass(frozen=True, slots=True)
class GenerationParams:
    """Per-request knobs a backend forwards to the provider."""

    max_tokens: int = 128
    temperature: float = 0.0
    stop: tuple[str, ...] = ()
    multiline: bool = False
    extra: dict[str, object] = field(default_factory=dict)
    """Model-family request fields from prompt.templates.MODEL_QUIRKS (e.g. reasoning_effort)."""
    first_event_s: float | None = None
    """How long this request may wait for the first streamed event (None: the backend's
    configured timeout). The lifecycle sizes it to the backend's measured speed, so a slow
    local model evaluating a long prompt is not hung up on."""
    meter: Meter | None = field(default=None, compare=False)
    """Where the backend records what the response says it cost (tokens, cache reuse, times)."""


@dataclass(frozen=True, slots=True)
class Completion:
    """A suggestion for the text after the cursor, and where it came from."""

    text: str
    source: Source
    backend: str = ""
    complete: bool = True
    elapsed_ms: float = 0.0
    notes: tuple[str, ...] = field(default=())
