"""The peers the replay runs beside ghostfill, installed on demand from npm into a cache folder.

Each peer is pinned: tabby-agent 1.5.0 (the only version on npm), GitHub Copilot's language
server 1.539.0. `npm install --prefix ~/.cache/ghostfill/peers/<name>` keeps them out of the
checkout and out of the global node_modules; nothing is installed unless `bench compare`
(or `bench replay --peer`) asks for the peer, and never in the default test run.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lsprotocol import types

from ghostfill.bench.driver import ServerUnderTest
from ghostfill.bench.keystrokes import Client, Recording, Run, replay, workspace_copy
from ghostfill.bench.oracle import Oracle
from ghostfill.bench.typing_plan import Region
from ghostfill.fakes.tabby import FakeTabby


@dataclass(frozen=True)
class Peer:
    name: str
    package: str
    version: str
    entry: str
    """The script node runs, relative to the package folder."""

    @property
    def folder(self) -> Path:
        return peers_dir() / self.name

    @property
    def script(self) -> Path:
        return self.folder / "node_modules" / self.package / self.entry


TABBY = Peer("tabby", "tabby-agent", "1.5.0", "dist/cli.js")
COPILOT = Peer("copilot", "@github/copilot-language-server", "1.539.0", "dist/language-server.js")


def peers_dir() -> Path:
    cache = os.environ.get("GHOSTFILL_CACHE") or Path(
        os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache", "ghostfill"
    )
    return Path(cache) / "peers"


def installed_version(peer: Peer) -> str | None:
    manifest = peer.folder / "node_modules" / peer.package / "package.json"
    try:
        import json

        return str(json.loads(manifest.read_text(encoding="utf-8")).get("version"))
    except (OSError, ValueError):
        return None


def ensure(peer: Peer) -> Path:
    """The peer's entry script, installing the pinned version first when it is missing."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        raise PeerMissing(f"{peer.name}: node and npm are needed (apt-get install nodejs npm)")
    if installed_version(peer) != peer.version or not peer.script.is_file():
        print(f"installing {peer.package}@{peer.version} into {peer.folder}", file=sys.stderr)
        peer.folder.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            [
                "npm",
                "install",
                "--prefix",
                str(peer.folder),
                "--no-audit",
                "--no-fund",
                "--loglevel=error",
                f"{peer.package}@{peer.version}",
            ],
            check=False,
        )
        if done.returncode != 0 or not peer.script.is_file():
            raise PeerMissing(f"{peer.name}: npm install {peer.package}@{peer.version} failed")
    return peer.script


class PeerMissing(RuntimeError):
    """A peer that could not be installed or started; the reason is the message."""


def tabby_cli() -> Path:
    found = os.environ.get("GHOSTFILL_TABBY_AGENT")
    return Path(found) if found else ensure(TABBY)


async def run_tabby(regions: list[Region], args: Any, debounce: str) -> Run:
    """tabby-agent over stdio (`textDocument/completion` only), its server a fake Tabby."""
    cli = tabby_cli()
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
        run.startup_ms = server.startup_ms
        try:
            await asyncio.sleep(1.0)  # the agent checks the server's health first
            await replay(Client(server, types.TEXT_DOCUMENT_COMPLETION), local, oracle, run)
            run.rss_mb = server.rss()
        finally:
            await server.stop()
        run.calls = [reply.call(r.body, r.size) for r in fake.completion_requests()]
    return run
