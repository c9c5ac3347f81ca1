"""ghostfill's own LSP messages, typed.

attrs classes (de)serialised by the connection's converter, which is lsprotocol's (with
pygls' hooks): field names go out in camelCase as LSP's do, except where a field names its
wire key itself (`wire("rss_mb")`). Unlike lsprotocol's types, every field is always sent
(a `null` stays `null`: the VS Code extension tests `latencyMs !== null`).

Server -> client: `ghostfill/completionReady` (ask again, the cache has more) and
`ghostfill/status` (idle / busy / error / offline, for a status bar).
Client -> server: `ghostfill/setApiKey` (from the editor's secret storage), the requests
`ghostfill/models` (the backend's model list) and `ghostfill/debugStats` (the counts a long
session must keep bounded; tests and the soak benchmark read them).
"""

from __future__ import annotations

from typing import Any

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override
from lsprotocol import types

COMPLETION_READY = "ghostfill/completionReady"
STATUS = "ghostfill/status"
SET_API_KEY = "ghostfill/setApiKey"
MODELS = "ghostfill/models"
DEBUG_STATS = "ghostfill/debugStats"


def wire(name: str) -> Any:
    """A field whose JSON key is `name` exactly (not the camelCase of the field name)."""
    return attrs.field(metadata={"wire": name})


@attrs.define
class CompletionReadyParams:
    """A stream finished with more than was shown: re-trigger inline completion."""

    uri: str
    version: int
    position: types.Position


@attrs.define
class StatusParams:
    state: str
    """idle, busy, error or offline (the offline engine answered for a failed backend)."""
    backend: str
    """The backend's name, or "offline"."""
    model: str
    latency_ms: float | None = None
    """Time to the first token of the last backend stream."""
    message: str | None = None


@attrs.define
class SetApiKeyParams:
    api_key: str | None = None
    """None or "" forgets the key the editor sent before."""


@attrs.define
class ModelsResult:
    models: list[str]
    error: str | None = None


@attrs.define
class DebugStats:
    """One connection's counts (and the process's: tasks, memory, descriptors)."""

    tasks: int
    background: int
    continuations: int
    documents: int
    pending_requests: int
    reparse_timers: int
    backend_calls: int
    prefetches: int
    """Continuations asked for ahead of the user (the last cached line reached)."""
    context_reused: int
    """Requests whose snippets and scopes were reused from the previous one."""
    context_ahead: int
    """Contexts gathered after an edit, before any request asked for them."""
    offline: dict[str, int]
    """The workspace's offline model (files, tokens, ...)."""
    next_edit: dict[str, int]
    """Next-edit predictions served and accepted."""
    symbols: dict[str, int]
    """The workspace's symbol index (files, definitions, pending)."""
    index_runs: int
    """How many times the workspace's folders were walked in this process."""
    pacing: list[dict[str, Any]]
    """Measured speed per backend (what deadlines are sized to)."""
    http_active: int
    http_idle: int
    sessions: int
    """LSP connections this process serves."""
    workspaces: int
    """Workspace states (index, offline model) this process holds."""
    rss_mb: float = wire("rss_mb")
    open_fds: int = wire("open_fds")
    connections: int = wire("connections")
    """Open sockets of the process."""
    cpu_ms: float = wire("cpu_ms")
    """CPU time the process used so far, every thread (benchmarks on a busy machine)."""


@attrs.define
class SetApiKeyNotification:
    params: SetApiKeyParams | None = None
    method: str = SET_API_KEY
    jsonrpc: str = "2.0"


@attrs.define
class ParamlessRequest:
    """`ghostfill/models` and `ghostfill/debugStats`: requests without params."""

    id: int | str
    method: str
    params: None = None
    jsonrpc: str = "2.0"


INCOMING: dict[str, type] = {
    SET_API_KEY: SetApiKeyNotification,
    MODELS: ParamlessRequest,
    DEBUG_STATS: ParamlessRequest,
}
"""Message types pygls structures incoming ghostfill/* messages into."""

_TYPES = (
    CompletionReadyParams,
    StatusParams,
    SetApiKeyParams,
    ModelsResult,
    DebugStats,
    SetApiKeyNotification,
    ParamlessRequest,
)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def register(converter: cattrs.Converter) -> cattrs.Converter:
    """Teach `converter` (lsprotocol's) the messages above; returns it."""
    for cls in _TYPES:
        names = {
            a.name: override(rename=a.metadata.get("wire", _camel(a.name)), omit_if_default=False)
            for a in attrs.fields(cls)
        }
        unstructure: Any = make_dict_unstructure_fn  # typed for its keyword flags, not names
        structure: Any = make_dict_structure_fn
        converter.register_unstructure_hook(cls, unstructure(cls, converter, **names))
        converter.register_structure_hook(cls, structure(cls, converter, **names))
    return converter
