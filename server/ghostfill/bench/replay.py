"""Keystroke replay: type real files through the real server against a fake streaming backend.

For each chosen file, a few regions of consecutive lines are removed and typed back one
keystroke at a time, from the end of the line above: Enter (the line break plus the next
line's indentation, as an editor's auto-indent inserts it), a pause, the line's characters,
and so on. Each keystroke sends `didChange` and a completion request like
VS Code: `textDocument/inlineCompletion` for ghostfill, `textDocument/completion` for
tabby-agent (which has no inline completion), and `$/cancelRequest` for the previous request
when it is still pending. The fake backend is an oracle: its reply is the file's true text
after the cursor, found by locating the prompt's prefix in the file, streamed at `--ttft-ms`
and `--tokens-per-s` (ghostfill: an OpenAI-style `/v1/completions` FIM stream; tabby-agent: a
fake Tabby server, whose completion endpoint answers whole).

Printed per configuration: time to ghost text (keystroke → non-empty item, counted when it
arrives before the next keystroke) p50/p90/p99, its ratio to the backend's first-line time
(ttft + the first line's tokens at tokens/s), the same for answers that needed a new backend
request, backend calls per keystroke, cache hit rate (shown without a new backend request),
bytes sent to the backend, and how often the shown text agrees with the file.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import functools
import math
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
import zlib
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lsprotocol import types

from ghostfill.bench.driver import ServerUnderTest, percentile
from ghostfill.documents.languages import LanguageRegistry
from ghostfill.fakes.openai import FakeProvider
from ghostfill.fakes.tabby import FakeTabby

MODEL = "qwen2.5-coder-fake"
"""A FIM model name: ghostfill sends `/v1/completions` with Qwen's FIM prompt."""
CHARS_PER_TOKEN = 4
ORACLE_MAX_CHARS = 512
"""What the oracle model generates at most: maxTokens (128) x 4 characters."""
ORACLE_MAX_LINES = 10
TABBY_MAX_CHARS = 256
"""Tabby's server stops at 64 tokens by default (max_decoding_tokens)."""
TAIL = 200
"""Characters of the prompt's prefix looked up in the file to find the cursor."""
SKIP_DIRS = {".git", ".venv", "node_modules", "__pycache__", ".cache", "dist", "build"}
TABBY_CLI = Path("tabby/node_modules/tabby-agent/dist/cli.js")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", type=Path, help="a source file or a folder to pick files from")
    parser.add_argument("--ttft-ms", type=float, default=150.0, help="backend time to first token")
    parser.add_argument("--tokens-per-s", type=float, default=1000.0, help="backend speed")
    parser.add_argument("--files", type=int, default=3, help="files to pick from PATH")
    parser.add_argument("--regions", type=int, default=2, help="regions typed per file")
    parser.add_argument("--region-lines", type=int, default=3, help="lines per region")
    parser.add_argument(
        "--keystroke-ms",
        type=float,
        default=150.0,
        help="median time between keystrokes (log-normal, sigma 0.5: 10%% are under 0.53x)",
    )
    parser.add_argument(
        "--pause-ms", type=float, default=600.0, help="pause after each Enter (reading)"
    )
    parser.add_argument(
        "--debounce-ms",
        type=int,
        nargs="+",
        default=None,
        metavar="MS",
        help="ghostfill completion.debounceMs values to run (default: the setting's default)",
    )
    parser.add_argument(
        "--peer",
        choices=["tabby"],
        action="append",
        default=[],
        help="also replay against a peer (tabby: scripts/install-bench-peers.sh)",
    )
    parser.add_argument(
        "--tabby-debounce",
        nargs="+",
        default=["adaptive", "0"],
        metavar="MODE",
        help="tabby-agent debounce runs: `adaptive` (its default) and/or fixed intervals in ms",
    )
    parser.add_argument(
        "--wrong",
        type=float,
        default=0.0,
        metavar="RATE",
        help="share of replies that go wrong somewhere in their first line (0: a perfect oracle)",
    )
    parser.add_argument("--no-ghostfill", action="store_true", help="run only the peers")
    parser.add_argument("--repeat", type=int, default=1, help="run every configuration N times")
    parser.add_argument("--seed", type=int, default=7)


# -- the typing plan ----------------------------------------------------------------------


@dataclass(frozen=True)
class Keystroke:
    text: str
    """What the keystroke inserts (one character, or a line break plus indentation)."""
    line: int
    character: int
    """Where it is inserted (LSP position, UTF-16), which is the cursor before it."""
    offset: int
    """The cursor's offset in the original file after the keystroke."""
    wait_s: float
    """Time since the previous keystroke."""


@dataclass(frozen=True)
class Region:
    path: Path
    language: str
    original: str
    start_text: str
    """The document when the region starts: without the region's lines."""
    keys: tuple[Keystroke, ...]


def u16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def indentation(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def plan_region(
    path: Path, language: str, text: str, first: int, count: int, rng: random.Random, args: Any
) -> Region:
    """The region's lines are removed; typing starts at the end of the line above with Enter
    (a line break plus the next line's indentation), then a pause (reading the ghost text),
    then the line's characters; and so on for each line of the region."""
    lines = text.split("\n")
    region = lines[first : first + count]
    start = "\n".join([*lines[:first], *lines[first + count :]])
    offset = sum(len(line) + 1 for line in lines[: first - 1]) + len(lines[first - 1])
    row, col = first - 1, u16(lines[first - 1])
    keys: list[Keystroke] = []

    def gap() -> float:
        return float(args.keystroke_ms) * rng.lognormvariate(0.0, 0.5) / 1000

    for line in region:
        indent = indentation(line)
        offset += 1 + len(indent)
        keys.append(Keystroke("\n" + indent, row, col, offset, gap()))
        row, col = row + 1, u16(indent)
        wait = float(args.pause_ms) / 1000
        for ch in line[len(indent) :]:
            offset += len(ch)
            keys.append(Keystroke(ch, row, col, offset, wait))
            col += u16(ch)
            wait = gap()
    return Region(path, language, text, start, tuple(keys))


def good_start(lines: list[str], first: int, count: int) -> bool:
    chunk = lines[first : first + count]
    return (
        len(chunk) == count
        and all(8 <= len(line.strip()) and len(line) <= 100 for line in chunk)
        and not chunk[0].lstrip().startswith(("#", "//", '"', "'", "*", "@"))
    )


def pick_files(path: Path, n: int, rng: random.Random) -> list[tuple[Path, str]]:
    registry = LanguageRegistry()
    if path.is_file():
        spec = registry.detect(str(path))
        return [(path, spec.name if spec else "text")]
    found: list[tuple[Path, str]] = []
    for root, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
        for name in sorted(files):
            file = Path(root) / name
            spec = registry.detect(str(file))
            if spec is None:
                continue
            try:
                lines = file.read_text(encoding="utf-8").count("\n")
            except (OSError, UnicodeDecodeError):
                continue
            if 40 <= lines <= 3000:
                found.append((file, spec.name))
    return sorted(rng.sample(found, min(n, len(found))))


def plan(args: Any) -> list[Region]:
    rng = random.Random(args.seed)
    regions: list[Region] = []
    for path, language in pick_files(args.path, args.files, rng):
        text = path.read_text(encoding="utf-8")
        lines = text.split("\n")
        starts = [i for i in range(5, len(lines)) if good_start(lines, i, args.region_lines)]
        chosen: list[int] = []
        for i in rng.sample(starts, len(starts)):
            if all(abs(i - j) > args.region_lines + 2 for j in chosen):
                chosen.append(i)
            if len(chosen) == args.regions:
                break
        for first in sorted(chosen):
            regions.append(plan_region(path, language, text, first, args.region_lines, rng, args))
    return regions


# -- the oracle -----------------------------------------------------------------------------


class Oracle:
    """Knows the file being typed and where the replay's cursor is in it.

    With `wrong` > 0 that share of replies (chosen by a hash of the prompt, so every run and
    every client gets the same ones) is right only up to a random point of its first line,
    then wrong: typing past that point needs a new request, as with a real model.
    """

    def __init__(self, wrong: float = 0.0, seed: int = 0) -> None:
        self.text = ""
        self.cursor = 0
        self.wrong = wrong
        self.seed = seed

    def spoil(self, prefix: str, reply: str) -> str:
        if self.wrong <= 0:
            return reply
        rng = random.Random(zlib.crc32(f"{self.seed}:{prefix[-TAIL:]}".encode()))
        if rng.random() >= self.wrong:
            return reply
        line = reply.split("\n", 1)[0]
        at = rng.randrange(len(line) + 1)
        return reply[:at] + "wrong_guess" + reply[at:]

    def locate(self, prefix: str) -> int | None:
        """Offset in the file where `prefix` ends (the occurrence nearest the replay's cursor)."""
        tail = prefix[-TAIL:]
        if not tail:
            return 0
        best: int | None = None
        at = self.text.find(tail)
        while at != -1:
            end = at + len(tail)
            if best is None or abs(end - self.cursor) < abs(best - self.cursor):
                best = end
            at = self.text.find(tail, at + 1)
        return best

    def continuation(self, prefix: str) -> str:
        """The true text after the cursor, as a perfect model with maxTokens 128 would write."""
        at = self.locate(prefix)
        if at is None:
            return ""
        rest = self.text[at : at + ORACLE_MAX_CHARS]
        return self.spoil(prefix, "\n".join(rest.split("\n")[:ORACLE_MAX_LINES]))

    def tabby_continuation(self, prefix: str) -> str:
        """What a Tabby server would return: up to 64 tokens, stopping at the next line that
        starts in column 0 (Tabby's top-level stop words)."""
        at = self.locate(prefix)
        if at is None:
            return ""
        lines = self.text[at : at + TABBY_MAX_CHARS].split("\n")
        kept = [lines[0]]
        for line in lines[1:]:
            if line[:1].strip() and line[:1] not in ")]}":
                break
            kept.append(line)
        return self.spoil(prefix, "\n".join(kept))

    def fim_reply(self, body: dict[str, Any]) -> str:
        prompt = str(body.get("prompt", ""))
        if "<|fim_prefix|>" not in prompt:
            return ""
        prefix = prompt.rsplit("<|fim_prefix|>", 1)[1].split("<|fim_suffix|>", 1)[0]
        return self.continuation(prefix)

    def tabby_reply(self, body: dict[str, Any]) -> str:
        segments = body.get("segments") or {}
        return self.tabby_continuation(str(segments.get("prefix", "")))


def first_line_chars(reply: str) -> int:
    """Characters up to the end of the first line with something on it."""
    at = 0
    for line in reply.split("\n"):
        at += len(line) + 1
        if line.strip():
            return min(at, len(reply))
    return len(reply)


def first_line_ms(reply: str, ttft_ms: float, tokens_per_s: float) -> float:
    tokens = math.ceil(first_line_chars(reply) / CHARS_PER_TOKEN)
    return ttft_ms + (tokens / tokens_per_s * 1000 if tokens_per_s else 0.0)


# -- one run ---------------------------------------------------------------------------------


@dataclass
class Sent:
    key: Keystroke
    at: float
    next_at: float = math.inf
    answered_at: float | None = None
    text: str = ""
    cancelled: bool = False


@dataclass
class BackendCall:
    at: float
    reply: str
    size: int


@dataclass
class Run:
    label: str
    sent: list[Sent] = field(default_factory=list)
    calls: list[BackendCall] = field(default_factory=list)
    truth: dict[int, str] = field(default_factory=dict)


class Client:
    """Sends keystrokes and requests to one server, VS Code style."""

    def __init__(self, server: ServerUnderTest, method: str) -> None:
        self.server = server
        self.method = method
        self.version = 1

    def replace(self, uri: str, text: str) -> None:
        self.version += 1
        self.server.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=self.version),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )

    def type(self, uri: str, key: Keystroke) -> None:
        self.version += 1
        self.server.insert(uri, self.version, key.line, key.character, key.text)

    def request(self, uri: str, line: int, character: int) -> tuple[str, asyncio.Future[Any]]:
        msg_id = str(uuid.uuid4())
        doc = types.TextDocumentIdentifier(uri=uri)
        pos = types.Position(line=line, character=character)
        params: Any
        if self.method == types.TEXT_DOCUMENT_INLINE_COMPLETION:
            params = types.InlineCompletionParams(
                text_document=doc,
                position=pos,
                context=types.InlineCompletionContext(
                    trigger_kind=types.InlineCompletionTriggerKind.Automatic
                ),
            )
        else:
            params = types.CompletionParams(
                text_document=doc,
                position=pos,
                context=types.CompletionContext(trigger_kind=types.CompletionTriggerKind.Invoked),
            )
        future = asyncio.ensure_future(
            self.server.client.protocol.send_request_async(self.method, params, msg_id=msg_id)
        )
        return msg_id, future

    def cancel(self, msg_id: str) -> None:
        self.server.client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id=msg_id))


def suggestion(result: Any, line_prefix: str) -> str:
    """The ghost text of an inline or completion result (without the line's own text)."""
    items: Sequence[Any] = []
    if isinstance(result, types.InlineCompletionList | types.CompletionList):
        items = result.items
    elif isinstance(result, list):
        items = result
    if not items:
        return ""
    item = items[0]
    if isinstance(item, types.InlineCompletionItem):
        text = item.insert_text if isinstance(item.insert_text, str) else item.insert_text.value
        return text[len(line_prefix) :] if text.startswith(line_prefix) else text
    edit = getattr(item, "text_edit", None)
    if isinstance(edit, types.TextEdit):
        start = edit.range.start.character
        head = line_prefix[start:] if start < len(line_prefix) else ""
        new = edit.new_text
        return new[len(head) :] if head and new.startswith(head) else new
    return str(getattr(item, "insert_text", None) or item.label)


async def warm_up(client: Client, regions: Sequence[Region], oracle: Oracle) -> None:
    """Open each file and ask once at its first line, as an editor does when a file is shown,
    so one-time costs (connections, caches, parsers) are not charged to the first keystroke.
    Nothing from here is counted."""
    for region in {r.path: r for r in regions}.values():
        oracle.text, oracle.cursor = region.original, 0
        client.server.open(region.path.as_uri(), region.start_text, region.language)
        _, future = client.request(region.path.as_uri(), 0, 0)
        try:
            await asyncio.wait_for(future, 5.0)
        except Exception:
            pass
    await asyncio.sleep(0.5)


async def replay(client: Client, regions: Sequence[Region], oracle: Oracle, run: Run) -> None:
    loop = asyncio.get_running_loop()
    await warm_up(client, regions, oracle)
    tmp_uris: dict[Path, str] = {}
    for region in regions:
        uri = tmp_uris.setdefault(region.path, region.path.as_uri())
        oracle.text = region.original
        client.replace(uri, region.start_text)
        await asyncio.sleep(1.0)
        lines = region.start_text.split("\n")
        pending: tuple[str, Sent, asyncio.Future[Any]] | None = None
        due = loop.time()
        for key in region.keys:
            due += key.wait_s
            await asyncio.sleep(max(due - loop.time(), 0))
            now = time.perf_counter()
            if pending is not None:
                msg_id, sent, future = pending
                sent.next_at = now
                if not future.done():
                    sent.cancelled = True
                    client.cancel(msg_id)
            client.type(uri, key)
            oracle.cursor = key.offset
            row, line_prefix = _apply(lines, key)
            character = u16(line_prefix)
            sent = Sent(key, time.perf_counter())
            run.sent.append(sent)
            run.truth[id(sent)] = region.original[key.offset : key.offset + ORACLE_MAX_CHARS]
            msg_id, future = client.request(uri, row, character)
            future.add_done_callback(_recorder(sent, line_prefix))
            pending = (msg_id, sent, future)
        if pending is not None:
            try:
                await asyncio.wait_for(asyncio.shield(pending[2]), 5.0)
            except Exception:
                pass
        await asyncio.sleep(0.3)


def _apply(lines: list[str], key: Keystroke) -> tuple[int, str]:
    """Apply a keystroke to the replay's copy of the document; (cursor row, line prefix)."""
    line = lines[key.line]
    cut = _index(line, key.character)
    head, nl, rest = key.text.partition("\n")
    if not nl:
        lines[key.line] = line[:cut] + key.text + line[cut:]
        return key.line, lines[key.line][: cut + len(key.text)]
    lines[key.line : key.line + 1] = [line[:cut] + head, rest + line[cut:]]
    return key.line + 1, rest


def _index(line: str, character: int) -> int:
    """Index in `line` of UTF-16 column `character`."""
    count = 0
    for i, ch in enumerate(line):
        if count >= character:
            return i
        count += 2 if ord(ch) > 0xFFFF else 1
    return len(line)


def _recorder(sent: Sent, line_prefix: str) -> Callable[[asyncio.Future[Any]], None]:
    def done(future: asyncio.Future[Any]) -> None:
        if future.cancelled() or future.exception() is not None:
            return
        sent.answered_at = time.perf_counter()
        sent.text = suggestion(future.result(), line_prefix)

    return done


# -- running each configuration -------------------------------------------------------------


class Recording:
    """Wraps a fake's reply function, remembering each reply and when it was asked for."""

    def __init__(self, make: Callable[[dict[str, Any]], str]) -> None:
        self.make = make
        self.replies: dict[int, tuple[float, str]] = {}

    def __call__(self, body: dict[str, Any]) -> str:
        at = time.perf_counter()
        text = self.make(body)
        self.replies[id(body)] = (at, text)
        return text

    def call(self, body: dict[str, Any], size: int) -> BackendCall:
        at, text = self.replies.get(id(body), (math.inf, ""))
        return BackendCall(at, text, size)


def workspace_copy(regions: Sequence[Region], root: Path) -> list[Region]:
    """Copies of the files in a temporary workspace (ghostfill reads only workspace files)."""
    copies: dict[Path, Path] = {}
    out: list[Region] = []
    for region in regions:
        if region.path not in copies:
            target = root / f"{len(copies)}_{region.path.name}"
            shutil.copyfile(region.path, target)
            copies[region.path] = target
        out.append(
            Region(
                copies[region.path],
                region.language,
                region.original,
                region.start_text,
                region.keys,
            )
        )
    return out


async def run_ghostfill(regions: Sequence[Region], args: Any, debounce: int | None) -> Run:
    oracle = Oracle(args.wrong, args.seed)
    label = "ghostfill" + (f", debounce {debounce} ms" if debounce is not None else ", default")
    run = Run(label)
    reply = Recording(oracle.fim_reply)
    with (
        tempfile.TemporaryDirectory() as tmp,
        FakeProvider(
            reply, ttft_ms=args.ttft_ms, tokens_per_s=args.tokens_per_s, models=(MODEL,)
        ) as fake,
    ):
        root = Path(tmp)
        local = workspace_copy(regions, root)
        options: dict[str, Any] = {
            "backend": {"provider": "openai-compatible", "baseUrl": fake.base_url, "model": MODEL},
            "offline": {"enable": False},
        }
        if debounce is not None:
            options["completion"] = {"debounceMs": debounce}
        server = ServerUnderTest([sys.executable, "-m", "ghostfill", "serve"])
        await server.start(options, root)
        try:
            await replay(Client(server, types.TEXT_DOCUMENT_INLINE_COMPLETION), local, oracle, run)
        finally:
            await server.stop()
        run.calls = [
            reply.call(r.body, int(r.headers.get("Content-Length", 0) or 0))
            for r in fake.completion_requests()
        ]
    return run


def tabby_cli() -> Path | None:
    found = os.environ.get("GHOSTFILL_TABBY_AGENT")
    if found:
        return Path(found)
    cache = os.environ.get("GHOSTFILL_CACHE") or Path(
        os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache", "ghostfill"
    )
    cli = Path(cache) / TABBY_CLI
    return cli if cli.is_file() else None


async def run_tabby(regions: Sequence[Region], args: Any, debounce: str) -> Run:
    cli = tabby_cli()
    if cli is None or shutil.which("node") is None:
        raise SystemExit("tabby-agent not found: run scripts/install-bench-peers.sh")
    oracle = Oracle(args.wrong, args.seed)
    run = Run(f"tabby-agent 1.5.0, debounce {debounce}" + ("" if debounce == "adaptive" else " ms"))
    reply = Recording(oracle.tabby_reply)
    with (
        tempfile.TemporaryDirectory() as tmp,
        FakeTabby(reply, ttft_ms=args.ttft_ms, tokens_per_s=args.tokens_per_s) as fake,
    ):
        home = Path(tmp) / "home"
        config = home / ".tabby-client" / "agent"
        config.mkdir(parents=True)
        toml = (
            f'[server]\nendpoint = "{fake.endpoint}"\ntoken = "fake-token"\n'
            "[anonymousUsageTracking]\ndisable = true\n"
        )
        if debounce != "adaptive":
            toml += f'[completion.debounce]\nmode = "fixed"\ninterval = {int(debounce)}\n'
        (config / "config.toml").write_text(toml, encoding="utf-8")
        root = Path(tmp) / "ws"
        root.mkdir()
        local = workspace_copy(regions, root)
        env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config")}
        server = ServerUnderTest(["node", str(cli), "--lsp", "--stdio"], env=env)
        await server.start({}, root)
        try:
            await asyncio.sleep(1.0)  # the agent checks the server's health first
            await replay(Client(server, types.TEXT_DOCUMENT_COMPLETION), local, oracle, run)
        finally:
            await server.stop()
        run.calls = [reply.call(r.body, r.size) for r in fake.completion_requests()]
    return run


# -- figures ----------------------------------------------------------------------------------


@dataclass
class Figures:
    label: str
    keystrokes: int
    shown: int
    ghost_ms: list[float]
    fresh_ms: list[float]
    fresh_ratio: list[float]
    first_line_ms: float
    calls: int
    cache_hits: int
    bytes_sent: int
    agree: int


def figures(run: Run, ttft_ms: float, tokens_per_s: float) -> Figures:
    began = min((s.at for s in run.sent), default=0.0)
    calls = sorted((c for c in run.calls if c.at >= began), key=lambda c: c.at)
    times = [c.at for c in calls]
    ghost: list[float] = []
    fresh: list[float] = []
    ratio: list[float] = []
    hits = agree = 0
    for sent in run.sent:
        if sent.answered_at is None or not sent.text.strip() or sent.answered_at > sent.next_at:
            continue
        ms = (sent.answered_at - sent.at) * 1000
        ghost.append(ms)
        lo = bisect.bisect_left(times, sent.at)
        hi = bisect.bisect_right(times, sent.answered_at)
        if hi > lo:
            fresh.append(ms)
            ratio.append(ms / first_line_ms(calls[hi - 1].reply, ttft_ms, tokens_per_s))
        else:
            hits += 1
        if run.truth.get(id(sent), "").startswith(sent.text.rstrip()):
            agree += 1
    replies = [c.reply for c in calls if c.reply.strip()]
    mean_first = (
        statistics.fmean(first_line_ms(r, ttft_ms, tokens_per_s) for r in replies)
        if replies
        else ttft_ms
    )
    return Figures(
        run.label,
        len(run.sent),
        len(ghost),
        ghost,
        fresh,
        ratio,
        mean_first,
        len(calls),
        hits,
        sum(c.size for c in calls),
        agree,
    )


def merge(parts: Sequence[Figures]) -> Figures:
    first = parts[0]
    return Figures(
        first.label,
        sum(p.keystrokes for p in parts),
        sum(p.shown for p in parts),
        [m for p in parts for m in p.ghost_ms],
        [m for p in parts for m in p.fresh_ms],
        [r for p in parts for r in p.fresh_ratio],
        statistics.fmean(p.first_line_ms for p in parts),
        sum(p.calls for p in parts),
        sum(p.cache_hits for p in parts),
        sum(p.bytes_sent for p in parts),
        sum(p.agree for p in parts),
    )


HEADER = (
    f"{'configuration':<34} {'keys':>5} {'shown':>6} {'p50':>7} {'p90':>7} {'p99':>7} "
    f"{'x1st p50':>8} {'fresh p50':>9} {'x1st':>5} {'calls/key':>9} {'cache':>6} "
    f"{'KB/key':>7} {'agree':>6}"
)


def row(f: Figures) -> str:
    def pct(v: float) -> str:
        return f"{v:.0f}" if not math.isnan(v) else "-"

    p50 = percentile(f.ghost_ms, 0.5)
    fresh_ratio = percentile(f.fresh_ratio, 0.5)
    return (
        f"{f.label:<34} {f.keystrokes:>5} {f.shown / max(f.keystrokes, 1):>6.0%} "
        f"{pct(p50):>7} {pct(percentile(f.ghost_ms, 0.9)):>7} "
        f"{pct(percentile(f.ghost_ms, 0.99)):>7} "
        f"{p50 / f.first_line_ms if f.ghost_ms else float('nan'):>8.2f} "
        f"{pct(percentile(f.fresh_ms, 0.5)):>9} "
        f"{fresh_ratio:>5.2f} {f.calls / max(f.keystrokes, 1):>9.3f} "
        f"{f.cache_hits / max(f.shown, 1):>6.0%} "
        f"{f.bytes_sent / 1024 / max(f.keystrokes, 1):>7.2f} {f.agree / max(f.shown, 1):>6.0%}"
    )


LEGEND = """\
keys: keystrokes typed; shown: keystrokes that got non-empty ghost text before the next one;
p50/p90/p99: ms from keystroke to that ghost text; x1st p50: p50 / the backend's mean
first-line time (ttft + first line's tokens / tokens-per-s, {first:.0f} ms here); fresh p50 / x1st:
the same for answers that needed a new backend request (per-request ratio, median);
calls/key: backend requests per keystroke; cache: shown without a new backend request;
KB/key: request bytes sent to the backend per keystroke; agree: shown first line matches the file."""


async def measure(args: Any) -> int:
    regions = plan(args)
    if not regions:
        print(f"no files with typeable regions under {args.path}", file=sys.stderr)
        return 2
    keys = sum(len(r.keys) for r in regions)
    files = len({r.path for r in regions})
    print(
        f"replay: {files} files, {len(regions)} regions, {keys} keystrokes; "
        f"backend ttft {args.ttft_ms:.0f} ms, {args.tokens_per_s:.0f} tokens/s, "
        f"{args.wrong:.0%} of replies wrong; "
        f"typing {args.keystroke_ms:.0f} ms/key (median), {args.pause_ms:.0f} ms pause after Enter; "
        f"load {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    configs: list[Callable[[], Coroutine[Any, Any, Run]]] = []
    if not args.no_ghostfill:
        for d in args.debounce_ms or [None]:
            configs.append(functools.partial(run_ghostfill, regions, args, d))
    if "tabby" in args.peer:
        for mode in args.tabby_debounce:
            configs.append(functools.partial(run_tabby, regions, args, mode))
    results: dict[int, list[Figures]] = {}
    for rep in range(max(args.repeat, 1)):
        for i, make in enumerate(configs):
            run = await make()
            fig = figures(run, args.ttft_ms, args.tokens_per_s)
            results.setdefault(i, []).append(fig)
            if args.repeat > 1:
                print(f"  run {rep + 1}: {row(fig)}", flush=True)
    merged = [merge(results[i]) for i in sorted(results)]
    print(HEADER)
    for f in merged:
        print(row(f))
    first = statistics.fmean(f.first_line_ms for f in merged)
    print(LEGEND.format(first=first))
    return 0


def run(args: argparse.Namespace) -> int:
    return asyncio.run(measure(args))
