"""Secrets: a canary API key in the environment, canary values in `.env`, `*.pem`, `id_rsa`
and in source files that privacy globs exclude. None may appear in the logs (every level:
window/logMessage, stderr, --log-file), in messages to the user, in requests to the backend
(except the key in its Authorization header), in the offline index or in bench output.

Behaviour of `context.workspaceOnly` (on by default), as tested here: a file outside the
workspace folders never feeds the offline index or another file's context. When the user
edits such a file, it is completed from its own text (it is what they are typing), but never
with text from any other file outside the workspace. A file matching a privacy glob gets no
completion at all, wherever it is, and nothing is sent to the backend for it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from ghostfill.documents.languages import LanguageRegistry
from ghostfill.documents.privacy import PrivacyFilter
from ghostfill.documents.workspace import WorkspaceIndexer
from ghostfill.engine import OfflineEngine
from ghostfill.fakes.openai import FakeProvider, Fault
from ghostfill.settings import DEFAULT_EXCLUDES, OfflineSettings

from tests.e2e.rawrpc import RawServer, items

KEY = "csk-canary-k3y9f8e7d6c5b4a3210fedcba9876"
PLAIN_KEY = "hunter2-canary"
"""A key no pattern would recognise: only knowing the configured key can mask it."""
SECRETS = {
    ".env": "DB_PASSWORD=canary-dotenv-51f0c2\nCEREBRAS_API_KEY=canary-dotenv-key-77aa01\n",
    ".env.local": "SESSION_SECRET=canary-envlocal-6b2d90\n",
    "config/.env.production": "STRIPE_KEY=canary-envprod-3c8e14\n",
    "deploy/server.pem": "-----BEGIN PRIVATE KEY-----\ncanary-pem-a9d4e2f7\n-----END PRIVATE KEY-----\n",
    "keys/id_rsa": "-----BEGIN OPENSSH PRIVATE KEY-----\ncanary-idrsa-0e6b3f\n-----END OPENSSH PRIVATE KEY-----\n",
    # source files the indexer would learn from, were it not for the privacy globs
    ".env.py": 'DB_PASSWORD = "canary-envpy-c41d7a"\n' * 6,
    "id_tokens.py": 'DB_PASSWORD = "canary-idpy-f2a85b"\n' * 6,
    "secret_settings.py": 'DB_PASSWORD = "canary-custom-9e07d3"\n' * 6,  # privacy.exclude
}
PUBLIC = {
    "helpers.py": 'PUBLIC_SETTING = "visible_value"\n' * 6
    + "\n\ndef double(x):\n    return x * 2\n",
    "app.py": "from helpers import double\n\n\ndef run(items):\n    return [double(i) for i in items]\n",
}
OUTSIDE = {
    "other.py": "OUTSIDE_A = 'marker-outside-a-4411'\n",
    "third.py": "OUTSIDE_B = 'marker-outside-b-8822'\n",
}
MAIN = "from helpers import double\n\nDB_PASSWORD = \nPUBLIC_SETTING = \n\ndef total(xs):\n    \n"


def canaries() -> list[str]:
    """Every secret value: the keys and each `canary-...` token in the secret files."""
    found = [KEY, PLAIN_KEY]
    for text in SECRETS.values():
        for word in text.replace('"', " ").replace("=", " ").split():
            if word.startswith("canary-"):
                found.append(word)
    return found


def leaks(text: str) -> list[str]:
    return [c for c in canaries() if c in text]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    for name, text in {**SECRETS, **PUBLIC}.items():
        (ws / name).parent.mkdir(parents=True, exist_ok=True)
        (ws / name).write_text(text, encoding="utf-8")
    (tmp_path / "outside").mkdir()
    for name, text in OUTSIDE.items():
        (tmp_path / "outside" / name).write_text(text, encoding="utf-8")
    return ws


KEYS = [
    ("cerebras", "", "CEREBRAS_API_KEY", KEY),
    ("openai-compatible", "MY_LLM_TOKEN", "MY_LLM_TOKEN", PLAIN_KEY),
]


def wait(check: Any, what: str, server: RawServer) -> None:
    for _ in range(600):
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"gave up waiting for {what}; log: {server.logged()[-5:]}")


def ask(server: RawServer, uri: str, line: int, character: int) -> list[dict[str, Any]]:
    found = items(server.inline(uri, line, character))
    completion = server.call(
        "textDocument/completion",
        {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}},
    )
    return found + items(completion)


@pytest.mark.parametrize("provider,setting,env,key", KEYS, ids=["csk-key", "plain-key"])
def test_secrets_never_leave(
    tree: Path, tmp_path: Path, provider: str, setting: str, env: str, key: str
) -> None:
    with FakeProvider("return a + b", require_key=key) as fake:
        run_session(tree, tmp_path, fake, provider, setting, env, key)


def run_session(
    tree: Path, tmp_path: Path, fake: FakeProvider, provider: str, setting: str, env: str, key: str
) -> None:
    log_file, stderr = tmp_path / "server.log", tmp_path / "stderr.log"
    backend = {"provider": provider, "baseUrl": fake.base_url, "timeoutMs": 3000}
    if setting:
        backend.update(apiKeyEnv=setting, model="fake-coder")
    options = {
        "backend": backend,
        "completion": {"debounceMs": 0},
        "privacy": {"exclude": ["secret_*.py"]},
    }
    server = RawServer(
        ["--log-level", "debug", "--log-file", str(log_file)],
        env={env: key},
        options=options,
        stderr_path=stderr,
    )
    try:
        server.initialize(tree)
        wait(lambda: any("indexed" in m for m in server.logged()), "indexing", server)
        assert server.stats()["offline"]["files"] == len(PUBLIC)

        # The editor opens every secret file: no completion, no request to the backend.
        for name, text in SECRETS.items():
            uri = (tree / name).as_uri()
            server.open(uri, text, language="python" if name.endswith(".py") else "plaintext")
            before = len(fake.completion_requests())
            assert ask(server, uri, 0, 4) == [], name
            assert len(fake.completion_requests()) == before, name
            server.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
        server.notify(
            "workspace/didChangeWatchedFiles",
            {"changes": [{"uri": (tree / n).as_uri(), "type": 2} for n in SECRETS]},
        )

        # Outside the workspace: its own text only, never another outside file's.
        outside = tree.parent / "outside"
        for name, text in OUTSIDE.items():
            server.open((outside / name).as_uri(), text)
        before = len(fake.completion_requests())
        assert ask(server, (outside / "other.py").as_uri(), 1, 0) != []
        for request in fake.completion_requests()[before:]:
            body = json.dumps(request.body)
            assert "marker-outside-a-4411" in body and "marker-outside-b-8822" not in body

        # A workspace file with every secret file open beside it.
        main = tree / "main.py"
        server.open(main.as_uri(), MAIN)
        before = len(fake.completion_requests())
        assert ask(server, main.as_uri(), 6, 4) != []
        for request in fake.completion_requests()[before:]:
            body = json.dumps(request.body)
            assert "def total(xs)" in body
            assert "marker-outside" not in body, body

        # The backend fails (echoing the key, as some providers do): the offline engine
        # answers from what it learned, and the message to the user is scrubbed.
        echo = json.dumps({"error": {"message": f"Incorrect API key provided: {key}"}})
        fake.fault = Fault(status=401, body=echo)
        public = ask(server, main.as_uri(), 3, len("PUBLIC_SETTING = "))
        assert any(
            "visible_value" in (i.get("insertText") or i["textEdit"]["newText"]) for i in public
        )
        fake.fault = Fault(status=500, body=echo)
        secret = ask(server, main.as_uri(), 2, len("DB_PASSWORD = "))
        assert not leaks(json.dumps(secret)), secret
        server.call("ghostfill/models")
        server.notify("ghostfill/setApiKey", {"apiKey": key})
        server.call("ghostfill/debugStats")
        assert server.stats()["offline"]["files"] == len(PUBLIC)
        shown = server.shown()
        assert any("401" in m for m in shown), shown
    finally:
        code = server.stop()
    assert code == 0

    for request in fake.requests:
        assert not leaks(json.dumps(request.body)), request.path
        for name, value in request.headers.items():
            if name.lower() == "authorization":
                assert value == f"Bearer {key}"
            else:
                assert not leaks(value), name
    assert fake.completion_requests(), "the backend was never asked"
    notices = json.dumps(server.notifications)
    assert not leaks(notices)
    assert not leaks(stderr.read_text(errors="replace"))
    assert not leaks(log_file.read_text(errors="replace"))
    assert "DEBUG" in log_file.read_text(errors="replace")  # the most verbose level was on


def test_privacy_globs_keep_secret_files_out_of_the_index(tree: Path) -> None:
    """The same workspace, indexed in process: the public API sees only the public files."""
    import asyncio

    engine = OfflineEngine(OfflineSettings())
    privacy = PrivacyFilter((*DEFAULT_EXCLUDES, "secret_*.py"), (str(tree),), True)
    indexer = WorkspaceIndexer(LanguageRegistry(), [engine], privacy, 1000, 512 * 1024)
    count = asyncio.run(indexer.index([str(tree)]))
    assert count == len(PUBLIC)
    assert {Path(p).name for p in indexer.indexed} == set(PUBLIC)
    assert engine.stats()["files"] == len(PUBLIC)
    for name in SECRETS:
        asyncio.run(indexer.update(str(tree / name), None))
        asyncio.run(indexer.update(str(tree / name), SECRETS[name]))
    assert engine.stats()["files"] == len(PUBLIC)
    outside = tree.parent / "outside" / "other.py"
    asyncio.run(indexer.update(str(outside), None))
    assert engine.stats()["files"] == len(PUBLIC)


BENCHES = [
    ["offline", "TREE", "--cuts", "20"],
    ["context", "TREE", "--cuts", "20"],
    ["soak", "--keystrokes", "60", "--samples", "3"],
]


@pytest.mark.parametrize("bench", BENCHES, ids=[b[0] for b in BENCHES])
def test_bench_output_has_no_secrets(tree: Path, bench: list[str]) -> None:
    env = {**os.environ, "CEREBRAS_API_KEY": KEY, "MY_LLM_TOKEN": PLAIN_KEY}
    args = [str(tree) if a == "TREE" else a for a in bench]
    done = subprocess.run(
        [sys.executable, "-m", "ghostfill", "bench", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert not leaks(output), leaks(output)
