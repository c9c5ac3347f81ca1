"""A model rewrite of the region at the cursor: the prompt in a format, the answer back to edits.

`build` renders the recent edits and the region (whole lines around the cursor) in one of the
formats of `formats.py`; `edits` turns the model's answer into the fewest, smallest
non-overlapping edits of the document as it read when the prompt was built. An answer equal to
the region, an answer a format reserves for "no edit", an empty, cut-off or unparseable
answer, and an answer that changes text the user just typed are all "no change".
"""

from __future__ import annotations

from dataclasses import dataclass

from ghostfill.documents.store import Document
from ghostfill.model import Position
from ghostfill.nextedit.diff import diff_edits
from ghostfill.nextedit.formats import RewriteFormat
from ghostfill.nextedit.model import Edit, Replacement, apply
from ghostfill.nextedit.window import RewriteWindow, region

CHARS_PER_TOKEN = 3
MAX_EDIT_LINES = 12
"""Lines of one edit shown in the history (each side); longer edits are cut."""


@dataclass(frozen=True, slots=True)
class RewritePrompt:
    """One next-edit request, ready for a wire: chat messages, or a raw prompt."""

    format: str
    wire: str
    prompt: str
    """The raw prompt (`completions`) or the user message (`chat`, `edit`)."""
    system: str
    stop: tuple[str, ...]
    max_tokens: int
    window: RewriteWindow
    """The region asked about, in the document as it read then."""
    version: int
    latest: tuple[int, int]
    """The byte span of the user's latest edit (its new text), which the answer must keep."""

    @property
    def max_chars(self) -> int:
        return self.max_tokens * CHARS_PER_TOKEN * 2


def build(
    fmt: RewriteFormat, doc: Document, history: list[Edit], cursor: Position
) -> RewritePrompt | None:
    """The prompt for the region around `cursor`; None when there is nothing to ask about (no
    edit, or the code holds one of the format's own markers)."""
    if not history:
        return None
    offset = doc.offset(cursor, strict=False)
    window = region(doc, offset, fmt.above, fmt.below)
    data = doc.data
    first, last = window.first_row, window.last_row
    ctx_first = max(first - fmt.context, 0)
    ctx_last = min(last + fmt.context, doc.line_count - 1)
    before = _text(data[doc.line_start(ctx_first) : window.start])
    after_start = min(window.end + 1, len(data))
    after = _text(data[after_start : doc.line_end(ctx_last)]) if ctx_last > last else ""
    after = after + "\n" if after else ""
    current = window.text
    cursor_at = len(data[window.start : offset].decode("utf-8", errors="replace"))
    with_cursor = current[:cursor_at] + fmt.cursor + current[cursor_at:]
    inside = [e for e in history if window.start <= e.start and e.end <= window.end]
    original = _text(
        apply(
            data[window.start : window.end],
            [
                Replacement(e.start - window.start, e.end - window.start, _text(e.old))
                for e in inside
            ],
        )
    )
    shown = " ".join((before, current, after))
    if any(marker in shown for marker in fmt.markers):
        return None
    values = {
        "history": _history(fmt, doc, history[-fmt.edits :]),
        "path": doc.path.lstrip("/"),
        "before": before,
        "after": after,
        "region": with_cursor,
        "current": current,
        "original": original,
        "start_of_file": fmt.start_of_file if ctx_first == 0 else "",
    }
    prompt = fmt.template.format_map(values)
    answer_chars = len(current) + (len(before) if fmt.reply_after else 0)
    latest = history[-1]
    return RewritePrompt(
        fmt.name,
        fmt.wire,
        prompt,
        fmt.system,
        fmt.stop,
        answer_chars // CHARS_PER_TOKEN + 64,
        window,
        doc.version,
        (latest.start, latest.end),
    )


def edits(fmt: RewriteFormat, request: RewritePrompt, answer: str) -> tuple[Replacement, ...]:
    """The edits the answer makes to the region; () for every kind of "no change"."""
    if len(answer) >= request.max_chars:
        return ()  # cut off: a partial region would delete the rest
    rewrite = parse(fmt, answer)
    if rewrite is None:
        return ()
    region_text = request.window.text
    if rewrite.rstrip("\n") == region_text.rstrip("\n"):
        return ()
    rewrite = rewrite.rstrip("\n") + "\n" * (len(region_text) - len(region_text.rstrip("\n")))
    found = diff_edits(request.window, rewrite)
    lo, hi = request.latest
    if any(e.start < hi and lo < e.end for e in found):
        return ()  # it would change what the user just typed
    return found


def parse(fmt: RewriteFormat, answer: str) -> str | None:
    """The region as the model rewrote it, or None for "no edit" and answers with no region."""
    text = answer
    if text.strip() in fmt.no_change or not text.strip():
        return None
    if fmt.reply_after:
        at = text.find(fmt.reply_after)
        if at >= 0:
            text = text[at + len(fmt.reply_after) :]
        elif fmt.wire == "completions" and "```" in text.split("\n", 1)[0]:
            return None  # the excerpt repeated without the region's start: no region
    if fmt.reply_before:
        text = text.split(fmt.reply_before, 1)[0]
    if fmt.fenced:
        text = _unfence(text)
    if fmt.cursor:
        text = text.replace(fmt.cursor, "")
    for marker in fmt.markers:
        if marker in text:
            return None
    return text.removeprefix("\n") if fmt.reply_after else text


def _unfence(text: str) -> str:
    """The inside of the first ``` block (its info string dropped); the text when unfenced."""
    start = text.find("```")
    if start < 0:
        return text
    body = text[start + 3 :]
    body = body.split("\n", 1)[1] if "\n" in body else ""
    end = body.rfind("```")
    if end >= 0:
        body = body[:end]
    return body


def _history(fmt: RewriteFormat, doc: Document, edits: list[Edit]) -> str:
    path = doc.path.lstrip("/")
    parts: list[str] = []
    for edit in edits:
        row, old, new = _lines(doc, edit)
        if old == new:
            continue
        if fmt.history == "sweep":
            parts.append(f"<|file_sep|>{path}.diff\noriginal:\n{_join(old)}updated:\n{_join(new)}")
            continue
        hunk = _hunk(row, old, new)
        if fmt.history == "zeta":
            parts.append(f'User edited "{path}":\n```diff\n{hunk}```\n')
        else:
            parts.append(f"--- {path}\n+++ {path}\n{hunk}")
    if fmt.history == "sweep":
        return "".join(parts)  # each section ends its own line; `original/` follows
    return "\n".join(parts).rstrip("\n")


def _lines(doc: Document, edit: Edit) -> tuple[int, list[str], list[str]]:
    """The whole lines the edit touched: first row, before and after (each cut to a limit)."""
    end = min(edit.end, len(doc.data))
    row = doc.point(edit.start)[0]
    last = doc.point(end)[0]
    lo, hi = doc.line_start(row), doc.line_end(last)
    data = doc.data
    new = _text(data[lo:hi]).split("\n")
    old = _text(data[lo : edit.start] + edit.old + data[end:hi]).split("\n")
    return row, old[:MAX_EDIT_LINES], new[:MAX_EDIT_LINES]


def _hunk(row: int, old: list[str], new: list[str]) -> str:
    head = f"@@ -{row + 1},{len(old)} +{row + 1},{len(new)} @@\n"
    return head + "".join(f"-{line}\n" for line in old) + "".join(f"+{line}\n" for line in new)


def _join(lines: list[str]) -> str:
    return "".join(f"{line}\n" for line in lines)


def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")
