"""`ghostfill complete FILE:LINE:COL`: one completion on the terminal, streamed as it arrives.

The same pipeline an editor gets, driven once: the offline engine first learns the file's
workspace (its git root, or `--workspace`), then the suggestion is printed: the first line
as soon as it exists, the rest of the block when the stream finishes.

stderr is the terminal's popup: each distinct problem once (what an editor shows in a
message), plus the backend's own notices (a model without fill-in-the-middle tokens, a
transport falling back), which an editor has in its log; nothing is said twice.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import time
from collections.abc import Coroutine, Mapping, Sequence
from pathlib import Path
from typing import Any

from ghostfill import logs
from ghostfill.app import build_shared
from ghostfill.errors import GhostfillError
from ghostfill.model import Position
from ghostfill.pipeline import Pipeline
from ghostfill.server.connection import context_engine, pipeline
from ghostfill.server.session import Session
from ghostfill.server.shared import Shared
from ghostfill.server.workspaces import IndexKey
from ghostfill.tasks import Tasks


class Terminal:
    """The pipeline's events for a terminal: problems go to stderr, nothing else is said."""

    def __init__(self) -> None:
        self.tasks = Tasks("completion")
        self.said: list[str] = []

    def spawn(self, coro: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        return self.tasks.spawn(coro)

    def ready(self, uri: str, version: int, position: Position) -> None:
        return

    def status(
        self, state: str, latency_ms: float | None = None, message: str | None = None
    ) -> None:
        return

    def problem(self, error: GhostfillError) -> None:
        self.say(error.user_message)

    def say(self, message: str) -> None:
        """One line on stderr, unless it was said already."""
        if message not in self.said:
            self.said.append(message)
            print(f"ghostfill: {message}", file=sys.stderr)


class BackendNotices(logging.Handler):
    """Warnings the backends log about themselves, said on the terminal (once each). The
    pipeline's own warning about a failed request is not one: that is `Terminal.problem`."""

    LOGGER = "ghostfill.backends"

    def __init__(self, terminal: Terminal, redact: logs.RedactingFilter) -> None:
        super().__init__(logging.WARNING)
        self.terminal = terminal
        self.addFilter(redact)

    def emit(self, record: logging.LogRecord) -> None:
        self.terminal.say(record.getMessage())


def parse_location(location: str) -> tuple[Path, int, int]:
    """FILE:LINE:COL with 1-based line and column (characters), as compilers print them."""
    try:
        file, line, col = location.rsplit(":", 2)
        return Path(file), int(line), int(col)
    except ValueError:
        raise SystemExit(f"ghostfill: expected FILE:LINE:COL (1-based), got {location!r}") from None


def utf16_column(line: str, column: int) -> int:
    return len(line[: column - 1].encode("utf-16-le")) // 2


def default_workspace(path: Path) -> Path:
    """The folder to learn from: the enclosing git root, else the file's folder."""
    for parent in [path.parent, *path.parent.parents]:
        if (parent / ".git").exists():
            return parent
    return path.parent


async def complete_once(
    overrides: Mapping[str, Any],
    as_json: bool,
    path: Path,
    root: Path,
    text: str,
    line_no: int,
    col: int,
    grammar_paths: Sequence[str] = (),
) -> int:
    shared = build_shared()  # the backend's tokens reach the local stats
    session = Session(shared, shared.connection_id(), overrides, grammar_paths=grammar_paths)
    shared.use_grammars(session.id, [*session.settings.context.grammarPaths, *grammar_paths])
    session.roots = [str(root)]
    terminal = Terminal()
    notices = BackendNotices(terminal, shared.redact)
    logging.getLogger(BackendNotices.LOGGER).addHandler(notices)
    try:
        return await _complete(shared, session, terminal, as_json, path, root, text, line_no, col)
    finally:
        logging.getLogger(BackendNotices.LOGGER).removeHandler(notices)


async def _complete(
    shared: Shared,
    session: Session,
    terminal: Terminal,
    as_json: bool,
    path: Path,
    root: Path,
    text: str,
    line_no: int,
    col: int,
) -> int:
    settings = session.settings
    try:
        session.backends.configure(settings, "")
        session.backends.build()
        if session.backends.error is not None:
            raise session.backends.error
    except GhostfillError as exc:
        terminal.say(exc.user_message)
        return 2
    if session.backend is not None:
        shared.redact.add(session.backend.config.api_key)  # never on the terminal either
    workspace = shared.workspaces.acquire(IndexKey.of(session.roots, settings, session.id))
    if settings.offline.enable or settings.context.symbols:
        await workspace.index()
    doc = session.documents.open(path.as_uri(), text, 1)
    context = context_engine(workspace)
    run = pipeline(session, workspace, context, terminal, terminal.spawn)
    line = text.split("\n")[line_no - 1]
    position = Position(line_no - 1, utf16_column(line, col))
    started = time.perf_counter()
    first = await run.complete(doc, position)
    if (first is None or first.source == "offline") and await streamed(run, doc.uri):
        # A slow model was still at work (an editor shows the offline suggestion meanwhile):
        # on a terminal, the model's answer is what was asked for.
        late = await run.complete(doc, position)
        if late is not None and late.source != "offline":
            first = late
    first_ms = (time.perf_counter() - started) * 1000
    shown = first.text if first else ""
    if not as_json:
        print(shown, end="", flush=True)
    if await streamed(run, doc.uri):
        more = await run.complete(doc, position)
        if more is not None and more.text.startswith(shown) and len(more.text) > len(shown):
            if not as_json:
                print(more.text[len(shown) :], end="", flush=True)
            shown = more.text
    terminal.tasks.cancel()  # background work such as keeping the connection warm
    await session.backends.close()
    await shared.close()
    if as_json:
        backend = first.backend if first else ""
        print(json.dumps({"text": shown, "ms": round(first_ms, 1), "backend": backend}))
    else:
        print()
    return 0 if shown else 1


async def streamed(pipeline: Pipeline, uri: str) -> bool:
    """Wait until the completion streams for `uri` have ended; False if none was running."""
    if not pipeline.continuations.running(uri):
        return False
    while pipeline.continuations.running(uri):  # noqa: ASYNC110 (a count, not an event)
        await asyncio.sleep(0.02)
    return True


def run_complete(
    location: str,
    *,
    overrides: Mapping[str, Any],
    workspace: str | None = None,
    as_json: bool = False,
    grammar_paths: Sequence[str] = (),
) -> int:
    """CLI entry: FILE:LINE:COL (1-based), backend flags as `overrides`, printed on stdout."""
    path, line_no, col = parse_location(location)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"ghostfill: cannot read {path}: {exc}", file=sys.stderr)
        return 2
    lines = text.split("\n")
    if not 1 <= line_no <= len(lines) or not 1 <= col <= len(lines[line_no - 1]) + 1:
        print(f"ghostfill: {path} has no position {line_no}:{col}", file=sys.stderr)
        return 2
    path = path.resolve()
    root = Path(workspace).resolve() if workspace else default_workspace(path)
    return asyncio.run(
        complete_once(overrides, as_json, path, root, text, line_no, col, grammar_paths)
    )
