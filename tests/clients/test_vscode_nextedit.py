"""Real VS Code next edits: the packaged extension's decorations, the real server's rename
propagation, Tab / jump / Esc, and the feedback in the local stats.

Same harness as test_vscode.py (code-server in headless Chromium via playwright-core, the .vsix
built with `npm run package`). The fake backend answers nothing and the offline engine is off,
so no inline ghost text takes Tab: what shows is the next edit alone.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ghostfill.fakes.openai import FakeProvider

from tests.clients.conftest import FIGURES
from tests.clients.test_vscode import (
    CHROMIUM,
    PLAYWRIGHT,
    ROOT,
    CodeServer,
    _tools,  # noqa: F401  (module fixture: skips without code-server)
    _workspace,
    vsix,  # noqa: F401  (module fixture: the packaged extension)
)

pytestmark = pytest.mark.client

DRIVER = Path(__file__).parent / "vscode" / "nextedit.js"
SCREENSHOT = ROOT / "docs" / "images" / "vscode-next-edit.png"
CALC = '''def scale(count, factor):
    total = count * factor
    return total + count


def shift(offset, values):
    """Add offset to every value."""
    shifted = []
    for value in values:
        shifted.append(value + offset)
    # The uses of `offset` are far apart:
    # renaming the last one offers the others
    # with a jump to them first.
    #
    #
    #
    #
    return shifted, offset
'''


@pytest.fixture(scope="module")
def silent() -> Iterator[FakeProvider]:
    """A backend that never suggests anything inline."""
    with FakeProvider("") as provider:
        yield provider


def test_next_edit_rename_is_shown_applied_jumped_and_dismissed(
    vsix: Path,  # noqa: F811
    silent: FakeProvider,
    tmp_path: Path,
    server_mode: str,
) -> None:
    cs = CodeServer(tmp_path)
    cs.install(vsix)
    extra: dict[str, Any] = {
        "ghostfill.server.pythonPath": sys.executable,
        "ghostfill.offline.enable": False,
    }
    ws = _workspace(tmp_path, silent, extra)
    calc = ws / "calc.py"
    calc.write_text(CALC)
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    config = {
        "url": "",
        "playwright": str(PLAYWRIGHT),
        "chromium": CHROMIUM,
        "file": "calc.py",
        "path": str(calc),
        "startupTimeoutMs": 60000,
        "screenshot": str(SCREENSHOT),
        "failureShot": str(tmp_path / "failure.png"),
    }
    try:
        config["url"] = cs.start(ws)
        (tmp_path / "driver.json").write_text(json.dumps(config))
        proc = subprocess.run(
            ["node", str(DRIVER), str(tmp_path / "driver.json")],
            capture_output=True,
            text=True,
            timeout=240,
            env={**os.environ, "HOME": str(tmp_path / "home")},
        )
    finally:
        cs.stop()
    print(proc.stdout)
    print(proc.stderr, file=sys.stderr)
    log = cs.extension_log()
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")), None)
    assert line, f"driver gave no result (rc {proc.returncode})\n{log[-3000:]}"
    result = json.loads(line[len("RESULT ") :])
    assert "error" not in result, f"{result.get('error')}\n{log[-4000:]}"

    # 1. Near: the old name struck at the two other uses, the new one after it; Tab applied it.
    near = result["near"]
    assert near["struck"] == ["count", "count"] and near["inserted"] == ["items", "items"]
    assert near["hints"] == []
    assert result["nearText"] == CALC.replace("count", "items")

    # 2. Far: a jump hint at the cursor; Tab moved to the nearest edit (line 10), Tab applied.
    far = result["far"]
    assert far["hints"] and "line 10" in far["hints"][0], far
    assert far["struck"] == ["offset", "offset"] and far["inserted"] == ["delta", "delta"]
    assert (result["farLineBefore"], result["farLineAfterJump"]) == (18, 10)
    renamed = CALC.replace("count", "items").replace("(offset,", "(delta,")
    renamed = renamed.replace("value + offset", "value + delta").replace(", offset\n", ", delta\n")
    assert result["farText"] == renamed

    # 3. Esc dismissed it: nothing applied, and moving the cursor does not bring it back;
    # then Tab with nothing shown indents as usual.
    assert result["dismissShown"]["inserted"] == ["weight"]
    assert result["afterEscMoved"] == {"inserted": [], "struck": [], "hints": []}
    dismissed = renamed.replace("    total = items * factor", "        total = items * weight")
    assert result["dismissText"] == dismissed

    # The feedback went to the local stats: three predictions shown, two taken, one turned down.
    edits = cs.local_stats()["nextEdits"]
    assert edits["accepted"] == 2 and edits["dismissed"] == 1, edits
    assert edits["shown"] >= 3 and edits["served"] >= edits["shown"], edits
    FIGURES.append(
        f"VS Code next edit ({server_mode}): decorations {near['ms']} ms after the last keypress "
        f"(near rename), {far['ms']} ms (far, with the jump hint); 75 ms of it is the "
        "extension's debounce"
    )
