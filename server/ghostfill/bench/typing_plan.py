"""The typing plan of the keystroke replay: regions of real files, removed and typed back.

For each chosen file, a few regions of consecutive lines are removed and typed back one
keystroke at a time, from the end of the line above: Enter (the line break plus the next
line's indentation, as an editor's auto-indent inserts it, one keystroke), a pause, the
line's characters, and so on.
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ghostfill.documents.languages import LanguageRegistry

SKIP_DIRS = {
    ".git", ".venv", "node_modules", "__pycache__", ".cache", "dist", "build",
    "site-packages", "dist-packages",
}  # fmt: skip


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
        jitter = float(getattr(args, "jitter", 0.5))
        return float(args.keystroke_ms) * rng.lognormvariate(0.0, jitter) / 1000

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
    return limit(regions, int(getattr(args, "keystrokes", 0) or 0))


def limit(regions: list[Region], keystrokes: int) -> list[Region]:
    """The regions cut to `keystrokes` keystrokes in all (0: no limit)."""
    if keystrokes <= 0:
        return regions
    out: list[Region] = []
    left = keystrokes
    for region in regions:
        if left <= 0:
            break
        out.append(replace(region, keys=region.keys[:left]))
        left -= len(out[-1].keys)
    return out
