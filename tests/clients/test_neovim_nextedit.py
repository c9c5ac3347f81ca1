"""Neovim 0.12 next edits, headless, for real: the extmark renderer of `ghostfill setup neovim`
against the real server's rename propagation (shown, applied, jumped to, dismissed) and the
feedback in the local stats."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.clients.conftest import FIGURES, EditorWorld
from tests.clients.test_neovim import run_nvim12
from tests.clients.test_vscode_nextedit import CALC

pytestmark = pytest.mark.client


def test_neovim12_next_edit_rename_is_shown_applied_jumped_and_dismissed(
    nvim12: Path, world: EditorWorld, server_mode: str
) -> None:
    sample = world.file("calc.py", CALC)
    events = run_nvim12(nvim12, world, sample, "nvim12_nextedit_driver.lua")
    by = {e["event"]: e for e in events}

    near = by["near"]  # the two other uses: old name struck, new name inline after it
    assert near["struck"] == ["count", "count"] and near["inserted"] == ["items", "items"]
    assert near["hints"] == []
    assert "\n".join(by["near_applied"]["buffer"]) + "\n" == CALC.replace("count", "items")

    far = by["far"]  # renamed on line 18; the nearest other use is line 10: jump first
    assert far["struck"] == ["offset", "offset"] and far["inserted"] == ["delta", "delta"]
    assert len(far["hints"]) == 1 and "jump to the next edit (line 10)" in far["hints"][0]
    assert (far["cursor"], by["jumped"]["cursor"]) == (18, 10)
    renamed = CALC.replace("count", "items").replace("(offset,", "(delta,")
    renamed = renamed.replace("value + offset", "value + delta").replace(", offset\n", ", delta\n")
    assert "\n".join(by["far_applied"]["buffer"]) + "\n" == renamed

    assert "weight" in by["dismiss_shown"]["inserted"]  # then <Esc>: gone, and stays gone
    after = by["after_esc_moved"]
    assert after["shown"] == {"inserted": [], "struck": [], "hints": []}
    assert after["line2"] == "    total = items * weight"
    assert sample.read_text() == renamed.replace("items * factor", "items * weight")

    text = "\n".join(by["stats"]["lines"])  # :GhostfillStats
    assert "next edits: shown" in text and "accepted 2  dismissed 1" in text, text
    stats = world.run([sys.executable, "-m", "ghostfill", "stats", "--json"])
    edits = json.loads(stats.stdout)["nextEdits"]
    assert edits["accepted"] == 2 and edits["dismissed"] == 1, edits
    assert edits["shown"] >= 3, edits
    FIGURES.append(
        f"Neovim 0.12 next edit ({server_mode}): extmarks {near['ms']:.0f} ms after <Esc> "
        f"(near rename), {far['ms']:.0f} ms (far, with the jump hint); 75 ms of it is the "
        "snippet's debounce"
    )
