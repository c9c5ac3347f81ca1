"""The workspace walker and indexer: what is read, what never is, and what the model learns."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from ghostfill.documents.languages import LanguageRegistry
from ghostfill.documents.privacy import PrivacyFilter
from ghostfill.documents.workspace import WorkspaceIndexer, workspace_files
from ghostfill.engine import OfflineEngine
from ghostfill.settings import DEFAULT_EXCLUDES, OfflineSettings

CANARY = "CANARY_SECRET_7f3a9c"
"""A made-up marker standing in for a secret: it must never reach any index."""

CODE = "def handler(request):\n    return respond(request, status=200)\n"


class Recorder:
    """A consumer that remembers what it was given."""

    def __init__(self) -> None:
        self.seen: dict[str, str] = {}
        self.forgotten: list[str] = []

    def observe(self, path: str, text: str, language: str) -> None:
        self.seen[path] = language

    def forget(self, path: str) -> None:
        self.forgotten.append(path)
        self.seen.pop(path, None)


def seen(recorder: Recorder, root: Path) -> set[str]:
    return {os.path.relpath(p, root) for p in recorder.seen}


def write(root: Path, rel: str, content: str | bytes) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    write(root, ".gitignore", "build/\n*.generated.py\n/top_only.py\n")
    write(root, "app/main.py", CODE)
    write(root, "app/util.js", "export const add = (a, b) => a + b\n")
    write(root, "app/.gitignore", "local_*.py\n!local_keep.py\n")
    write(root, "app/local_scratch.py", CODE)  # nested .gitignore
    write(root, "app/local_keep.py", CODE)  # re-included by the nested .gitignore
    write(root, "app/schema.generated.py", CODE)
    write(root, "top_only.py", CODE)  # anchored pattern: only at the root
    write(root, "app/top_only.py", CODE)
    write(root, "build/out.py", CODE)
    write(root, "node_modules/pkg/index.js", "module.exports = 1\n")
    write(root, ".venv/lib/site.py", CODE)
    write(root, "env2/pyvenv.cfg", "home = /usr/bin\n")
    write(root, "env2/lib/site.py", CODE)
    write(root, ".git/hooks/hook.py", CODE)
    write(root, "app/__pycache__/main.py", CODE)
    # Secrets: every one holds the canary, some even look like code.
    write(root, ".env", f"API_KEY={CANARY}\n")
    write(root, "config/.env.production.py", f"API_KEY = '{CANARY}'\n")
    write(root, "keys/id_rsa", f"-----BEGIN OPENSSH PRIVATE KEY-----\n{CANARY}\n")
    write(root, "keys/id_ed25519.py", f"KEY = '{CANARY}'\n")
    write(root, "certs/server.pem", f"-----BEGIN CERTIFICATE-----\n{CANARY}\n")
    write(root, "app/settings_secret.py", f"TOKEN = {CANARY!r}\n")  # a user glob
    write(root, "app/huge.py", "x = 1\n" * 40_000)
    write(root, "app/blob.py", b"x = 1\n\x00\x01\x02binary")
    write(root, "app/latin1.py", "name = 'caf\xe9'\n".encode("latin-1"))
    write(root, "notes.txt", CODE)
    os.symlink(root / "app" / "main.py", root / "app" / "link.py")
    return root


def make(root: Path, consumers: list[object], max_files: int = 100) -> WorkspaceIndexer:
    privacy = PrivacyFilter((*DEFAULT_EXCLUDES, "*_secret.py"), (str(root),))
    return WorkspaceIndexer(LanguageRegistry(), consumers, privacy, max_files, 64 * 1024)  # type: ignore[arg-type]


EXPECTED = {"app/main.py", "app/util.js", "app/local_keep.py", "app/top_only.py"}


async def test_index_reads_only_eligible_files(tree: Path) -> None:
    recorder = Recorder()
    progress: list[tuple[int, int]] = []
    indexed = await make(tree, [recorder]).index([str(tree)], lambda d, t: progress.append((d, t)))
    assert seen(recorder, tree) == EXPECTED
    assert indexed == len(EXPECTED)
    assert recorder.seen[str(tree / "app/util.js")] == "javascript"
    total = progress[0][1]  # candidates: the binary and Latin-1 files are only ruled out on reading
    assert progress[0] == (0, total) and progress[-1] == (total, total) and total >= len(EXPECTED)


async def test_secrets_never_enter_the_model(tree: Path) -> None:
    engine = OfflineEngine(OfflineSettings())
    await make(tree, [engine]).index([str(tree)])
    assert engine.stats()["files"] == len(EXPECTED)
    assert engine.knows("respond") and engine.knows("handler")
    for token in (CANARY, f"'{CANARY}'", repr(CANARY), "API_KEY", "TOKEN", "KEY"):
        assert not engine.knows(token), token


async def test_max_files_bounds_what_is_indexed(tree: Path) -> None:
    recorder = Recorder()
    progress: list[tuple[int, int]] = []
    indexer = make(tree, [recorder], max_files=2)
    assert await indexer.index([str(tree)], lambda d, t: progress.append((d, t))) == 2
    assert len(recorder.seen) == 2 and progress[-1][0] == progress[-1][1]
    await indexer.update(str(write(tree, "app/more.py", CODE)), CODE)
    assert len(recorder.seen) == 2  # a new file beyond the limit is not added


def test_walk_is_breadth_first(tree: Path) -> None:
    write(tree, "app/deep/er/deepest.py", CODE)
    privacy = PrivacyFilter(DEFAULT_EXCLUDES, (str(tree),))
    found = [
        os.path.relpath(p, tree)
        for p, _ in workspace_files([str(tree)], LanguageRegistry(), privacy, 100, 64 * 1024)
    ]
    assert found[-1] == "app/deep/er/deepest.py"
    assert found.index("app/main.py") < found.index("app/deep/er/deepest.py")


async def test_updates_follow_saves_and_deletes(tree: Path) -> None:
    recorder = Recorder()
    indexer = make(tree, [recorder])
    await indexer.index([str(tree)])
    new = write(tree, "app/new.py", CODE)
    await indexer.update(str(new), CODE)
    assert str(new) in recorder.seen
    new.unlink()
    await indexer.update(str(new), None)  # deleted
    assert str(new) not in recorder.seen and str(new) in recorder.forgotten

    await indexer.update(str(tree / "build/out.py"), CODE)  # ignored folder
    await indexer.update(str(tree / "app/local_scratch.py"), CODE)  # nested .gitignore
    await indexer.update(str(tree / "app/x_secret.py"), f"T = {CANARY!r}\n")  # privacy glob
    await indexer.update(str(tree / "node_modules/pkg/index.js"), "x = 1\n")
    assert seen(recorder, tree) == EXPECTED

    main = str(tree / "app/main.py")
    await indexer.update(main, "x = 1\n" * 40_000)  # grew past the size limit
    assert main not in recorder.seen and main in recorder.forgotten
    await indexer.update(main, None)  # a watched-file change: read from disk
    assert main in recorder.seen


async def test_a_failing_consumer_does_not_stop_the_others(tree: Path) -> None:
    class Broken:
        def observe(self, path: str, text: str, language: str) -> None:
            raise RuntimeError("boom")

        def forget(self, path: str) -> None:
            raise RuntimeError("boom")

    recorder = Recorder()
    await make(tree, [Broken(), recorder]).index([str(tree)])
    assert seen(recorder, tree) == EXPECTED


async def test_updates_honour_gitignore_before_any_walk(tree: Path) -> None:
    recorder = Recorder()
    indexer = make(tree, [recorder])  # the privacy filter's roots are the workspace folders
    await indexer.update(str(tree / "build/out.py"), CODE)
    await indexer.update(str(tree / "app/local_scratch.py"), CODE)
    await indexer.update(str(tree / "app/main.py"), CODE)
    assert seen(recorder, tree) == {"app/main.py"}
