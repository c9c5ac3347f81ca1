"""Emacs + eglot in batch mode, for real: completion-at-point gets ghostfill's suggestion."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.clients.conftest import FIGURES, HERE, EditorWorld, read_events

pytestmark = pytest.mark.client

SUGGESTION = "_from_fake = 42"


def test_emacs_eglot_completion_at_point_inserts_the_suggestion(
    emacs: Path, world: EditorWorld
) -> None:
    snippet = world.snippet("emacs", "ghostfill-setup.el")
    sample = world.file("sample.py", "import os\n\nv")
    result = world.root / "events.jsonl"
    argv = [str(emacs), "-Q", "--batch", "-l", str(snippet), "-l", str(HERE / "emacs_driver.el")]
    proc = world.run(argv, extra_env={"GF_FILE": str(sample), "GF_RESULT": str(result)})
    events = read_events(result)
    done = events[-1] if events else {}
    assert proc.returncode == 0 and done.get("code") == 0, (
        f"emacs exit {proc.returncode}: {done.get('why')}\nevents: {events}\n"
        f"stderr: {proc.stderr[-3000:]}\n{world.diagnostics()}"
    )
    attached = next(e for e in events if e["event"] == "attached")
    assert attached["contact"] == '("ghostfill" "serve")'  # the snippet's eglot-server-programs
    assert "ghostfill" in attached["server"]
    capf = next(e for e in events if e["event"] == "capf")
    assert capf["candidates"] == ["v" + SUGGESTION]
    cap = next(e for e in events if e["event"] == "completion-at-point")
    assert cap["line"] == "v" + SUGGESTION
    FIGURES.append(
        f"Emacs 28 + eglot: connect {attached['ms']:.0f} ms, completion-at-point "
        f"candidates {capf['ms']:.0f} ms"
    )
