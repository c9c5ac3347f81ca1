"""Neovim 0.12 (inline ghost text) and Neovim 0.7 (completion fallback), headless, for real."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.clients.conftest import FIGURES, HERE, EditorWorld, median_ms, read_events

pytestmark = pytest.mark.client

SUGGESTION = "_from_fake = 42"
RUNS = 10


def run_nvim12(
    nvim12: Path, world: EditorWorld, sample: Path, driver: str = "nvim12_driver.lua", **env: str
) -> list[dict]:
    """Neovim 0.12 on `sample` with the `ghostfill setup neovim` snippet and `driver` (-S);
    the driver's JSON-line events, after checking it finished cleanly."""
    snippet = world.snippet("neovim", "neovim.lua")
    result = world.root / "events.jsonl"
    argv = [str(nvim12), "--headless", "--clean", "-n", "-u", str(snippet)]
    argv += ["-S", str(HERE / driver)]
    proc = world.run(argv, extra_env={"GF_FILE": str(sample), "GF_RESULT": str(result), **env})
    events = read_events(result)
    done = events[-1] if events else {}
    assert proc.returncode == 0 and done.get("code") == 0, (
        f"nvim exit {proc.returncode}: {done.get('why')}\nevents: {events}\n"
        f"stderr: {proc.stderr[-2000:]}\n{world.diagnostics()}"
    )
    return events


def test_neovim12_ghost_text_is_shown_and_tab_accepts_it(nvim12: Path, world: EditorWorld) -> None:
    sample = world.file("sample.py", "import os\n\n")
    events = run_nvim12(nvim12, world, sample, GF_MODE="latency", GF_RUNS=str(RUNS), GF_TYPE="v%d")
    attached = next(e for e in events if e["event"] == "attached")
    assert attached["inline"] is True  # the server advertises inlineCompletionProvider
    runs = [e for e in events if e["event"] == "run"]
    assert len(runs) == RUNS
    for run in runs:
        typed = run["typed"]
        # the extmark shows what follows the typed text; <Tab> (the snippet's mapping) inserts it
        assert run["ghost"] == [SUGGESTION], run
        assert run["accepted"][0] == typed + SUGGESTION, run
    # with no suggestion showing, <Tab> stays a normal Tab (python ftplugin: 4 spaces)
    fallback = next(e for e in events if e["event"] == "tab_fallback")
    assert fallback["lines_added"] == 1 and fallback["line"].strip() == "", fallback
    assert fallback["line"] in ("\t", "    "), fallback
    # Neovim sends an edit typed after a pause at once and asks 200 ms later: the server
    # gathers the context in that wait, and the request reuses it
    assert "context gathered ahead at " in world.server_logs(), world.diagnostics()
    times = [float(r["ghost_ms"]) for r in runs]
    FIGURES.append(
        f"Neovim 0.12 keypress -> ghost text: median {median_ms(times):.0f} ms over {RUNS} runs "
        f"(min {min(times):.0f}, max {max(times):.0f}; includes Neovim's fixed 200 ms debounce)"
    )


BODY = "total = 0\n    for value in values:\n        total += value\n    return total"


@pytest.mark.fake(BODY, ttft_ms=20, tokens_per_s=40, chars_per_token=4)
def test_neovim12_completion_ready_shows_the_longer_suggestion(
    nvim12: Path, world: EditorWorld
) -> None:
    """A slow multi-line stream into an empty function body: the server answers with the first
    line, streams on and caches the block, then sends ghostfill/completionReady; the snippet's
    handler re-requests and the whole block appears with no further keypress."""
    sample = world.file("sample.py", "import os\n\n\ndef add_all(values):\n")
    events = run_nvim12(nvim12, world, sample, GF_MODE="ready", GF_TYPE="")
    first = next(e for e in events if e["event"] == "first")
    full = next(e for e in events if e["event"] == "full")
    assert [e for e in events if e["event"] == "completionReady"], events
    assert full["requests"] > full["requests_before"]  # the handler asked again
    assert len(full["ghost"]) > len(first["ghost"])
    done = events[-1]
    assert done["buffer"][-4:] == [
        "    total = 0",
        "    for value in values:",
        "        total += value",
        "    return total",
    ], done
    FIGURES.append(
        f"Neovim 0.12 completionReady: first ghost line after {first['ghost_ms']:.0f} ms, "
        f"whole {len(full['ghost'])}-line block after {full['ghost_ms']:.0f} ms (one keypress)"
    )


@pytest.fixture(params=["0.7", "0.12"], ids=["nvim0.7-start_client", "nvim0.12-vim.lsp.start"])
def legacy_nvim(request: pytest.FixtureRequest) -> Path:
    """The legacy snippet's two paths: vim.lsp.start_client (0.7) and vim.lsp.start (0.8+)."""
    name = "nvim_legacy" if request.param == "0.7" else "nvim12"
    return request.getfixturevalue(name)


def test_neovim_legacy_completion_returns_the_suggestion(
    legacy_nvim: Path, world: EditorWorld
) -> None:
    snippet = world.snippet("neovim-legacy", "neovim-legacy.lua")
    # text before the word: 0.7's omnifunc filters and replaces from the word start only
    sample = world.file("sample.py", "import os\n\nresult = v")
    result = world.root / "events.jsonl"
    argv = [str(legacy_nvim), "--headless", "--clean", "-n", "-u", str(snippet)]
    argv += ["-S", str(HERE / "nvim07_driver.lua")]
    proc = world.run(argv, extra_env={"GF_FILE": str(sample), "GF_RESULT": str(result)})
    events = read_events(result)
    done = events[-1] if events else {}
    assert proc.returncode == 0 and done.get("code") == 0, (
        f"nvim exit {proc.returncode}: {done.get('why')}\nevents: {events}\n"
        f"stderr: {proc.stderr[-2000:]}\n{world.diagnostics()}"
    )
    attached = next(e for e in events if e["event"] == "attached")
    assert attached["name"] == "ghostfill"
    assert attached["omnifunc"] == "v:lua.vim.lsp.omnifunc"  # set by the snippet's on_attach
    completion = next(e for e in events if e["event"] == "completion")
    (item,) = completion["items"]
    assert "ghostfill" in item["detail"]
    assert item["label"].startswith("v" + SUGGESTION.split()[0]), item
    assert item["textEdit"]["newText"] == "v" + SUGGESTION
    omni = next(e for e in events if e["event"] == "omnifunc")
    # 0.7 shows the whole newText; 0.11+ shows it up to the first space and applies the
    # item's textEdit on CompleteDone (vim.lsp.completion, which the snippet enables)
    (word,) = [i["word"] for i in omni["items"]]
    assert word in ("v" + SUGGESTION, ("v" + SUGGESTION).split()[0]), omni
    assert done["buffer"][-1] == "result = v" + SUGGESTION  # <C-x><C-o> then <C-y> inserted it
    FIGURES.append(
        f"Neovim {nvim_version(events)} (legacy snippet) textDocument/completion round trip "
        f"{completion['ms']:.0f} ms; omnifunc items after {omni['ms']:.0f} ms"
    )


def nvim_version(events: list[dict]) -> str:
    v = next(e for e in events if e["event"] == "attached")["version"]
    return f"{v['major']}.{v['minor']}.{v['patch']}"


def test_neovim12_feedback_reaches_the_local_stats(nvim12: Path, world: EditorWorld) -> None:
    """<Tab> runs the item's ghostfill.didAccept command, <M-Right> takes one word and sends
    didPartiallyAcceptCompletion, :GhostfillStats shows them; `ghostfill stats --json` reads
    the same database (the world's XDG_DATA_HOME)."""
    import json
    import sys

    sample = world.file("sample.py", "import os\n\n")
    snippet = world.snippet("neovim", "neovim.lua")
    result = world.root / "events.jsonl"
    argv = [str(nvim12), "--headless", "--clean", "-n", "-u", str(snippet)]
    argv += ["-S", str(HERE / "nvim12_feedback_driver.lua")]
    # in-process server: its stats land in this world's XDG_DATA_HOME (a daemon started by an
    # earlier world would keep that world's)
    env = {"GF_FILE": str(sample), "GF_RESULT": str(result), "GHOSTFILL_NO_DAEMON": "1"}
    proc = world.run(argv, extra_env=env)
    events = read_events(result)
    assert proc.returncode == 0 and events and events[-1].get("code") == 0, (
        f"nvim exit {proc.returncode}: {events}\n{proc.stderr[-2000:]}\n{world.diagnostics()}"
    )
    by = {e["event"]: e for e in events}
    assert by["accepted"]["line"] == "v1" + SUGGESTION
    assert by["partial"]["line"] == "v2_from_fake"
    text = "\n".join(by["stats"]["lines"])
    assert "accepted 1  partially accepted 1" in text, text
    stats = world.run([sys.executable, "-m", "ghostfill", "stats", "--json"])
    data = json.loads(stats.stdout)
    assert (data["accepted"], data["partial"]) == (1, 1)
    assert data["shown"] >= 2  # Neovim reports no "shown": served suggestions count
