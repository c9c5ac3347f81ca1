"""Typed settings, parsed once at the edge.

The client sends the `ghostfill` section (camelCase keys) as initializationOptions and again via
`workspace/configuration` whenever it changes. `parse` never raises: a bad group is replaced by
its defaults and reported in `problems`, so one typo cannot take completions down.
Each field's docstring is the text of the README settings table and of the extension's
package.json.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import cattrs
from cattrs.gen import make_dict_structure_fn

Provider = Literal[
    "offline",
    "cerebras",
    "groq",
    "openai",
    "openrouter",
    "ollama",
    "llamacpp",
    "vllm",
    "codestral",
    "deepseek",
    "anthropic",
    "openai-compatible",
]
DEFAULT_EXCLUDES: tuple[str, ...] = (".env*", "*.pem", "*.key", "id_*", "*.p12", "*.pfx", ".netrc")
LOOPBACK: tuple[str, ...] = ("localhost", "127.0.0.1", "::1")


@dataclass(frozen=True, kw_only=True)
class BackendSettings:
    provider: Provider = "offline"
    """Where completions come from: a preset name, `openai-compatible`, or `offline`."""
    model: str = ""
    """Model id; empty picks the preset's default."""
    baseUrl: str = ""
    """API base URL; empty uses the preset's."""
    apiKeyEnv: str = ""
    """Environment variable holding the API key; empty uses the preset's (e.g. CEREBRAS_API_KEY)."""
    template: str = "auto"
    """Prompt kind: `auto` (from the model name), `chat`, or a FIM family (qwen, deepseek, ...)."""
    maxTokens: int = 128
    """Upper bound on generated tokens per request."""
    temperature: float = 0.0
    """Sampling temperature."""
    timeoutMs: int = 4000
    """Deadline for the first line; past it the offline engine answers."""
    headers: dict[str, str] = field(default_factory=dict)
    """Extra HTTP headers sent to the backend."""
    hedge: Literal["off", "offline"] = "off"
    """Race the backend against the offline engine; the first valid answer wins."""
    maxTokensPerHour: int = 0
    """Spend guard: past this many tokens (prompt + completion, all windows) in the last hour, serve offline; 0 = no cap."""
    maxCostPerDay: float = 0.0
    """Spend guard: past this estimated cost in USD today (local time), serve offline; 0 = no cap."""
    wire: Literal["auto", "chat", "completions", "responses"] = "auto"
    """OpenAI-style API: `auto` (codex models use the Responses API, the rest chat or raw FIM; a chat 400 asking for /v1/responses switches over), `chat`, `completions` (raw FIM), `responses`."""
    transport: Literal["auto", "http", "websocket"] = "auto"
    """Responses API transport: `auto` (WebSocket where the provider serves it, e.g. OpenAI), `http` (SSE), `websocket` (one persistent socket; HTTP if the upgrade is refused)."""


@dataclass(frozen=True, kw_only=True)
class CompletionSettings:
    enable: bool = True
    """Turn ghost text on or off without restarting."""
    languages: tuple[str, ...] = ()
    """Language ids to complete in; empty means all."""
    debounceMs: int = 15
    """Upper bound of the adaptive debounce; 0 turns debouncing off. Cache hits never wait."""
    multiline: Literal["auto", "always", "never"] = "auto"
    """`auto`: a block after an opener or in an empty body, otherwise the rest of the line."""
    maxLines: int = 8
    """Longest multi-line suggestion, in lines."""
    lookaheadLines: int = -1
    """Lines a single-line suggestion streams past the shown one, so Enter and the next line come from the cache; -1 picks it from the backend's measured speed (2 until measured, up to 8), 0 turns it off."""


@dataclass(frozen=True, kw_only=True)
class ContextSettings:
    budgetTokens: int = 2000
    """Token budget for context snippets (definitions, neighbours, edits)."""
    windowTokens: int = 1500
    """Token budget for the code before and after the cursor."""
    suffixShare: float = -1.0
    """Share of windowTokens after the cursor (0-0.5); -1 picks it for the backend: 0.05 for llama.cpp, whose /infill puts the typed text before the code after the cursor, so its prompt cache evaluates that code again on every keystroke; 0.25 otherwise."""
    neighbourFiles: bool = True
    """Include similar snippets from open and recently used files."""
    symbols: bool = True
    """Include definitions of identifiers used near the cursor."""
    recentEdits: bool = True
    """Include the user's recent edits."""
    workspaceOnly: bool = True
    """Never read files outside the workspace folders into context."""
    grammarPaths: tuple[str, ...] = ()
    """Extra folders of language folders (grammars/<lang>/ layout); a folder named like a built-in language replaces it."""


@dataclass(frozen=True, kw_only=True)
class OfflineSettings:
    enable: bool = True
    """Serve suggestions from the built-in offline engine when no backend is set or it fails."""
    minConfidence: float = 0.1
    """Offline engine threshold: lower gives more suggestions, higher gives fewer wrong ones."""
    maxFiles: int = 10000
    """Most workspace files to index."""
    maxFileKb: int = 512
    """Larger files are not indexed."""


@dataclass(frozen=True, kw_only=True)
class PrivacySettings:
    exclude: tuple[str, ...] = ()
    """Extra gitignore-style globs never read into prompts or the index (added to the defaults)."""

    @property
    def globs(self) -> tuple[str, ...]:
        return DEFAULT_EXCLUDES + self.exclude


@dataclass(frozen=True, kw_only=True)
class NetworkSettings:
    proxy: str = ""
    """Proxy URL for backend requests (http://, https://, socks5://); empty uses HTTPS_PROXY / HTTP_PROXY / ALL_PROXY; `direct` ignores them."""
    noProxy: tuple[str, ...] = LOOPBACK
    """Hosts reached without the proxy (added to NO_PROXY): names, `.domain` suffixes, IPs, CIDR blocks, `*`."""
    caBundle: str = ""
    """PEM file of extra root certificates to trust (your company's TLS-inspection CA), on top of the OS trust store and certifi."""
    systemTrust: bool = True
    """Trust the operating system's certificate store (with certifi's bundle); false trusts certifi, SSL_CERT_FILE and caBundle only."""


@dataclass(frozen=True, kw_only=True)
class StatsSettings:
    enable: bool = True
    """Record shown/accepted suggestions, latency, tokens and cost in a local SQLite file (nothing leaves the machine); false writes nothing."""


@dataclass(frozen=True, kw_only=True)
class NextEditSettings:
    enable: bool = True
    """Answer `textDocument/copilotInlineEdit` with next-edit suggestions (rename propagation, repeated edits)."""
    windowLines: int = 50
    """Suggested edits lie within this many lines above and below the cursor (a rename is offered only when all its occurrences do)."""
    history: int = 16
    """Edits remembered per document (typing along one place counts as one edit)."""
    useBackend: bool = False
    """Also ask the completion backend for next edits when the offline rules have none: the model rewrites the lines around the cursor from your recent edits (one request per prediction; OpenAI-style APIs, llama.cpp, Ollama)."""
    format: Literal["auto", "chat", "zeta", "sweep", "mercury"] = "auto"
    """Next-edit prompt format: `auto` (from the model id and base URL: Mercury Edit, Zeta and Sweep next-edit models get their own, others `chat`), `chat`, `zeta`, `sweep`, `mercury` (Inception's /v1/edit/completions)."""
    model: str = ""
    """Model id for next edits; empty uses `backend.model`."""
    timeoutMs: int = 0
    """Deadline for the first byte of a next-edit answer; 0 uses `backend.timeoutMs`."""


@dataclass(frozen=True, kw_only=True)
class DaemonSettings:
    enable: bool = True
    """Serve this window from the per-user ghostfill daemon shared by all windows; false gives the window its own server process. Changing it restarts the server."""
    idleTimeoutMinutes: int = 10
    """The daemon exits after this many minutes without any window connected."""


@dataclass(frozen=True, kw_only=True)
class Settings:
    backend: BackendSettings = field(default_factory=BackendSettings)
    completion: CompletionSettings = field(default_factory=CompletionSettings)
    context: ContextSettings = field(default_factory=ContextSettings)
    offline: OfflineSettings = field(default_factory=OfflineSettings)
    privacy: PrivacySettings = field(default_factory=PrivacySettings)
    network: NetworkSettings = field(default_factory=NetworkSettings)
    stats: StatsSettings = field(default_factory=StatsSettings)
    nextEdit: NextEditSettings = field(default_factory=NextEditSettings)
    daemon: DaemonSettings = field(default_factory=DaemonSettings)
    logLevel: Literal["error", "warning", "info", "debug"] = "info"
    """How much the server logs to the editor's output panel (`"debug"` adds lines per backend stream: its size and first token, the prompt tokens the provider reused from its cache, the stage timings)."""


@dataclass(frozen=True)
class ParsedSettings:
    settings: Settings
    problems: tuple[str, ...]


def _converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=False)

    def strict_int(value: object, _: type) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"expected an integer, got {value!r}")
        return value

    def strict_float(value: object, _: type) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"expected a number, got {value!r}")
        return float(value)

    def strict_str(value: object, _: type) -> str:
        if not isinstance(value, str):
            raise ValueError(f"expected a string, got {value!r}")
        return value

    def strict_bool(value: object, _: type) -> bool:
        if not isinstance(value, bool):
            raise ValueError(f"expected true or false, got {value!r}")
        return value

    conv.register_structure_hook(int, strict_int)
    conv.register_structure_hook(float, strict_float)
    conv.register_structure_hook(str, strict_str)
    conv.register_structure_hook(bool, strict_bool)

    def strict_strings(value: object, _: type) -> tuple[str, ...]:
        if isinstance(value, str) or not isinstance(value, list | tuple):
            raise ValueError(f"expected a list of strings, got {value!r}")
        return tuple(strict_str(v, str) for v in value)

    conv.register_structure_hook_func(lambda t: t == tuple[str, ...], strict_strings)
    conv.register_structure_hook_factory(
        dataclasses.is_dataclass,
        lambda cl: make_dict_structure_fn(cl, conv, _cattrs_forbid_extra_keys=False),
    )
    return conv


_SNAKE = re.compile(r"(?<!^)(?=[A-Z])")


def _unknown_keys(cls: type, raw: Mapping[str, Any], path: str) -> list[str]:
    names = {f.name: f for f in dataclasses.fields(cls)}
    found: list[str] = []
    for key, value in raw.items():
        fld = names.get(key)
        if fld is None:
            found.append(f"{path}{key}")
        elif (
            isinstance(value, Mapping)
            and isinstance(fld.type, str)
            and fld.type.endswith("Settings")
        ):
            found += _unknown_keys(_GROUPS[key], value, f"{path}{key}.")
    return found


_GROUPS: dict[str, type] = {
    "backend": BackendSettings,
    "completion": CompletionSettings,
    "context": ContextSettings,
    "offline": OfflineSettings,
    "privacy": PrivacySettings,
    "network": NetworkSettings,
    "stats": StatsSettings,
    "nextEdit": NextEditSettings,
    "daemon": DaemonSettings,
}


def parse(raw: object) -> ParsedSettings:
    """Structure the client's `ghostfill` section; bad groups fall back to their defaults."""
    if raw is None:
        return ParsedSettings(Settings(), ())
    if not isinstance(raw, Mapping):
        return ParsedSettings(Settings(), (f"ghostfill settings must be an object, got {raw!r}",))
    conv = _converter()
    problems: list[str] = [
        f"unknown setting ghostfill.{k}" for k in _unknown_keys(Settings, raw, "")
    ]
    groups: dict[str, Any] = {}
    for name, cls in _GROUPS.items():
        value = raw.get(name)
        if value is None:
            continue
        try:
            groups[name] = conv.structure(value, cls)
        except (cattrs.BaseValidationError, ValueError, TypeError) as exc:
            problems += _describe(exc, f"ghostfill.{name}")
    level = raw.get("logLevel", "info")
    if level not in ("error", "warning", "info", "debug"):
        problems.append(f"ghostfill.logLevel: expected error|warning|info|debug, got {level!r}")
        level = "info"
    return ParsedSettings(Settings(**groups, logLevel=level), tuple(problems))


def _describe(exc: BaseException, root: str) -> list[str]:
    if isinstance(exc, cattrs.BaseValidationError):
        return [
            line.replace(" @ $", f" at {root}").replace("$", root)
            for line in cattrs.transform_error(exc, path=root)
        ]
    return [f"{root}: {exc}"]


NETWORK_FLAGS = ("proxy", "ca_bundle")
"""Flags that go to the network group; every other flag is a backend setting."""


def with_overrides(settings: Settings, **flags: Any) -> Settings:
    """Apply CLI flags (snake or camel case) over the backend group (`--proxy` and
    `--ca-bundle` over the network group); None means not given."""
    settings = with_network(settings, proxy=flags.get("proxy"), ca_bundle=flags.get("ca_bundle"))
    given = {_camel(k): v for k, v in flags.items() if v is not None and k not in NETWORK_FLAGS}
    if not given:
        return settings
    return dataclasses.replace(settings, backend=dataclasses.replace(settings.backend, **given))


def with_network(settings: Settings, *, proxy: str | None, ca_bundle: str | None) -> Settings:
    """Apply `--proxy` / `--ca-bundle` over the network group; None means not given."""
    if proxy is None and ca_bundle is None:
        return settings
    network = settings.network
    if proxy is not None:
        network = dataclasses.replace(network, proxy=proxy)
    if ca_bundle is not None:
        network = dataclasses.replace(network, caBundle=ca_bundle)
    return dataclasses.replace(settings, network=network)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)
