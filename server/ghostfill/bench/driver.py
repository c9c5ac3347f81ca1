"""Drive a real `ghostfill serve` process over stdio, as an editor would, and time it.

A server under test never touches the user's own state: it runs with a private data directory
(`XDG_DATA_HOME`: its local stats database is a throwaway one, so benchmark suggestions never
count in `ghostfill stats` or the spend guard), and unless the caller chose a socket directory
it also gets a private runtime and state directory, so a relayed `ghostfill serve` starts (and
`stop()` stops) a daemon of its own instead of joining the user's.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pygls.protocol import default_converter


def percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summary(values: Sequence[float]) -> str:
    return (
        f"p50 {percentile(values, 0.5):.2f}  p90 {percentile(values, 0.9):.2f}  "
        f"p99 {percentile(values, 0.99):.2f}  mean {statistics.fmean(values) if values else float('nan'):.2f}"
    )


def rss_mb(pid: int) -> float:
    """Resident memory of a process from /proc (Linux), in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def cpu_ms(pid: int) -> float:
    """User + system CPU time a process has used (Linux /proc), in ms: load-independent."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and its descendants (a Node server's workers), in MB."""
    total = rss_mb(pid)
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                total += tree_rss_mb(int(child))
    except OSError:
        pass
    return total


class ServerUnderTest:
    """A spawned server plus a pygls client, with the ghostfill notifications recorded."""

    def __init__(
        self, command: Sequence[str] | None = None, env: dict[str, str] | None = None
    ) -> None:
        self.command = list(command or [sys.executable, "-m", "ghostfill", "serve"])
        self.home = Path(tempfile.mkdtemp(prefix="gfbench-"))  # short: a socket path is short
        """This server's private directories (removed by `stop`)."""
        self.env = private_env(self.home, env)
        self.converter: Any = default_converter()  # type: ignore[no-untyped-call]
        """The client's (un)structure hooks (`warm_client` builds the inline ones early)."""
        self.client = LanguageClient("ghostfill-bench", "1", converter_factory=self._converter)
        self.ready: list[Any] = []
        self.ready_at: list[float] = []
        """When each completionReady arrived (time.perf_counter)."""
        self.client.feature("ghostfill/completionReady")(lambda params: self._ready(params))
        self.statuses = 0
        self.client.feature("ghostfill/status")(lambda params: self._status())
        self.client.feature(types.WINDOW_LOG_MESSAGE)(lambda params: None)
        self.client.feature(types.WINDOW_SHOW_MESSAGE)(lambda params: None)
        self.client.feature(types.WINDOW_WORK_DONE_PROGRESS_CREATE)(lambda params: None)
        self.progress: list[Any] = []
        self.client.feature(types.PROGRESS)(lambda params: self.progress.append(params))
        self.options: dict[str, Any] = {}
        self.client.feature(types.WORKSPACE_CONFIGURATION)(lambda params: [self.options])
        self.startup_ms = 0.0
        self.spawned_at = 0.0

    @property
    def pid(self) -> int:
        server = getattr(self.client, "_server", None)
        return int(server.pid) if server is not None else os.getpid()

    def _ready(self, params: Any) -> None:
        self.ready.append(params)
        self.ready_at.append(time.perf_counter())

    def _status(self) -> None:
        self.statuses += 1

    def rss(self) -> float:
        return tree_rss_mb(self.pid)

    def capabilities(self) -> types.ClientCapabilities:
        return types.ClientCapabilities(
            text_document=types.TextDocumentClientCapabilities(
                inline_completion=types.InlineCompletionClientCapabilities()
            ),
            workspace=types.WorkspaceClientCapabilities(configuration=True),
        )

    async def start(self, options: dict[str, Any], root: Path | None = None) -> None:
        self.options = options
        started = self.spawned_at = time.perf_counter()
        await self.client.start_io(*self.command, env=self.env)
        caps = self.capabilities()
        folders = [types.WorkspaceFolder(uri=root.as_uri(), name=root.name)] if root else None
        await self.client.initialize_async(
            types.InitializeParams(
                capabilities=caps,
                initialization_options=options,
                workspace_folders=folders,
                process_id=os.getpid(),
            )
        )
        self.startup_ms = (time.perf_counter() - started) * 1000
        self.client.initialized(types.InitializedParams())

    def open(self, uri: str, text: str, language: str) -> None:
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                types.TextDocumentItem(uri=uri, language_id=language, version=1, text=text)
            )
        )

    def insert(self, uri: str, version: int, line: int, character: int, text: str) -> None:
        at = types.Position(line=line, character=character)
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[
                    types.TextDocumentContentChangePartial(
                        range=types.Range(start=at, end=at), text=text
                    )
                ],
            )
        )

    def _converter(self) -> Any:
        return self.converter

    def warm_client(self) -> None:
        """The client's first encoding of an inline request and decoding of its answer
        (~6 ms of cattrs code generation here, which an editor's own client pays once and
        which is not the server's), done now instead of inside a timed first request."""
        request = types.InlineCompletionRequest(id=0, params=_inline_params("file:///x.py", 0, 0))
        self.converter.unstructure(request)
        where = {"line": 0, "character": 0}
        item = {
            "insertText": "x",
            "range": {"start": where, "end": where},
            "command": {"title": "t", "command": "c", "arguments": ["a"]},
        }
        answer = {"jsonrpc": "2.0", "id": 0, "result": {"items": [item]}}
        self.converter.structure(answer, types.InlineCompletionResponse)

    async def inline(self, uri: str, line: int, character: int) -> str:
        result = await self.client.text_document_inline_completion_async(
            _inline_params(uri, line, character)
        )
        if isinstance(result, types.InlineCompletionList) and result.items:
            text = result.items[0].insert_text
            return text if isinstance(text, str) else text.value
        return ""

    @property
    def stats_path(self) -> Path:
        """Where this server keeps its local stats (never the user's database)."""
        return self.home / "data" / "ghostfill" / "stats.db"

    async def stop(self) -> None:
        try:
            await asyncio.wait_for(self.client.shutdown_async(None), 5)
            self.client.exit(None)
        finally:
            await self.client.stop()  # type: ignore[no-untyped-call]
            await asyncio.to_thread(self._forget_home)

    def _forget_home(self) -> None:
        """Stop the private daemon this server may have started, then remove its directories."""
        if self.env.get("XDG_RUNTIME_DIR", "").startswith(str(self.home)):
            from ghostfill.daemon.commands import query
            from ghostfill.daemon.paths import locations

            query(locations(self.env), "stop")
        shutil.rmtree(self.home, ignore_errors=True)


def private_env(home: Path, env: dict[str, str] | None = None) -> dict[str, str]:
    """`env` (default: ours) with a private `XDG_DATA_HOME` under `home`, and a private socket
    and state directory unless `env` names its own `XDG_RUNTIME_DIR`."""
    out = dict(os.environ if env is None else env)
    out["XDG_DATA_HOME"] = str(home / "data")
    if out.get("XDG_RUNTIME_DIR") == os.environ.get("XDG_RUNTIME_DIR"):
        (home / "run").mkdir(mode=0o700)
        out["XDG_RUNTIME_DIR"] = str(home / "run")
        out["XDG_STATE_HOME"] = str(home / "state")
    return out


def _inline_params(uri: str, line: int, character: int) -> types.InlineCompletionParams:
    return types.InlineCompletionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=types.Position(line=line, character=character),
        context=types.InlineCompletionContext(
            trigger_kind=types.InlineCompletionTriggerKind.Automatic
        ),
    )
