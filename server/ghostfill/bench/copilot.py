"""GitHub Copilot's language server in the replay, against a local fake with no account.

It signs in with a token-shaped `GH_COPILOT_TOKEN` and `GH_COPILOT_API_URL` /
`GH_COPILOT_SERVER_URL` pointing at `fakes.copilot.FakeCopilot`, which it reaches over HTTPS
(`fakes.tls.TlsFront`, a certificate from a throwaway CA given in `NODE_EXTRA_CA_CERTS`). Its
completion delay is an experiment variable (`copilotcompletionsdelay`, 200 ms by default),
which the fake's experiment document sets when a delay is asked for.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path
from typing import Any

from lsprotocol import types

from ghostfill.bench.driver import ServerUnderTest
from ghostfill.bench.keystrokes import Client, Recording, Run, replay, workspace_copy
from ghostfill.bench.oracle import Oracle, honour_stops
from ghostfill.bench.peers import COPILOT, PeerMissing, ensure
from ghostfill.bench.typing_plan import Region
from ghostfill.fakes.copilot import FakeCopilot
from ghostfill.fakes.tls import TlsFront

STATUS_NOTIFICATIONS = ("didChangeStatus", "didChangeStatus/v2", "statusNotification")
"""Copilot's own notifications, answered so the client does not warn about each one."""
TOKEN = "gho_" + "ghostfillbench" * 3
INIT = {
    "editorInfo": {"name": "vscode", "version": "1.100.0"},
    "editorPluginInfo": {"name": "ghostfill-bench", "version": "1.0.0"},
}


def copilot_reply(oracle: Oracle) -> Any:
    def reply(body: dict[str, Any]) -> str:
        return honour_stops(oracle.continuation(str(body.get("prompt", ""))), body)

    return reply


async def run_copilot(regions: list[Region], args: Any, delay: int | None) -> Run:
    script = ensure(COPILOT)
    try:
        import trustme
    except ImportError as exc:
        raise PeerMissing(
            "copilot: the fake's certificate needs trustme (pip install trustme)"
        ) from exc
    oracle = Oracle(args.wrong, args.seed)
    label = "Copilot LS 1.539.0, " + ("default" if delay is None else f"delay {delay}")
    run = Run(label)
    reply = Recording(copilot_reply(oracle))
    parameters = {} if delay is None else {"copilotcompletionsdelay": delay}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        authority = trustme.CA()
        chain, ca_pem = root / "server.pem", root / "ca.pem"
        authority.issue_cert("127.0.0.1", "localhost").private_key_and_cert_chain_pem.write_to_path(
            str(chain)
        )
        authority.cert_pem.write_to_path(str(ca_pem))
        with (
            FakeCopilot(
                reply, ttft_ms=args.ttft_ms, tokens_per_s=args.tokens_per_s, parameters=parameters
            ) as fake,
            TlsFront(("127.0.0.1", fake.port), str(chain), str(chain)) as front,
        ):
            url = f"https://127.0.0.1:{front.port}"
            fake.public_url = url
            home = root / "home"
            home.mkdir()
            ws = root / "ws"
            ws.mkdir()
            local = workspace_copy(regions, ws)
            env = {
                **os.environ,
                "HOME": str(home),
                "XDG_CONFIG_HOME": str(home / ".config"),
                "NODE_EXTRA_CA_CERTS": str(ca_pem),
                "GH_COPILOT_TOKEN": TOKEN,
                "GH_COPILOT_API_URL": url,
                "GH_COPILOT_SERVER_URL": url,
            }
            server = ServerUnderTest(["node", str(script), "--stdio"], env=env)
            for method in STATUS_NOTIFICATIONS:
                server.client.feature(method)(lambda params: None)
            await server.start(INIT, ws)
            run.startup_ms = server.startup_ms
            try:
                await asyncio.sleep(2.0)  # sign-in, token and experiments
                await replay(
                    Client(server, types.TEXT_DOCUMENT_INLINE_COMPLETION), local, oracle, run
                )
                run.rss_mb = server.rss()
            finally:
                await server.stop()
            if fake.unknown:
                print(f"copilot fake: unknown paths {sorted(set(fake.unknown))}", flush=True)
            run.calls = [reply.call(r.body, r.size) for r in fake.completion_requests()]
    return run
