"""Speculation past the shown line: which cached text the user's typing still agrees with.

A single-line suggestion is answered at the end of its line, but the stream keeps going for
`completion.lookaheadLines` more lines, which stay in the continuation. When the user types
through the line, presses Enter and the editor inserts its own indentation, the next line is
served from the cache. The indentation the editor inserted may differ from the model's in
characters (tabs or spaces) or in depth; `follow` matches it by width, so that
`\\n\\t` typed against a model's `\\n    x = 1` still agrees (one tab = one indent unit), and
a shallower auto-indent is completed with the missing columns. What the user typed beyond
the indentation must match the model's text exactly; anything else disagrees, and nothing
that disagrees with the typed text is ever shown.

`visible` cuts what is left to what a request shows: the rest of the current line, or the
next line when the cursor ends a finished line, or (block mode) the first complete line
while streaming and the whole block once done.
"""

from __future__ import annotations

from dataclasses import dataclass

from ghostfill.postprocess.base import tidy

UNKNOWN_SPEED_LINES = 2
"""Lookahead lines before the backend's speed has been measured."""
TOKENS_PER_S_PER_LINE = 125.0
"""Automatic lookahead: one more line for every 125 tokens/s the backend streams at
(a line is about 10 tokens, so even the longest lookahead costs under 100 ms of streaming)."""
MAX_AUTO_LINES = 8
SPEED_WEIGHT = 0.3
"""Weight of the newest measurement in the backend's moving average speed."""


@dataclass(frozen=True, slots=True)
class Followed:
    rest: str
    """The cached text after what was typed (the current line re-indented as the editor did)."""
    waiting: bool = False
    """The typing ran past the text streamed so far, agreeing with all of it."""


def width(indent: str, tab: int) -> int:
    return sum(tab if ch == "\t" else 1 for ch in indent)


def _lead(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def _pad(typed_ws: str, model_ws: str, columns: int, tab: int) -> str:
    """The indentation still missing after the editor's `typed_ws`, in the editor's style."""
    if model_ws.startswith(typed_ws):
        return model_ws[len(typed_ws) :]
    if "\t" in typed_ws and columns % tab == 0:
        return "\t" * (columns // tab)
    return " " * columns


def follow(text: str, typed: str, tab: int = 4) -> Followed | None:
    """Where `typed` leaves the continuation `text`, or None when they disagree.

    Line breaks compare as one whatever their form (`\\r\\n` or `\\n`); the indentation at the
    start of each new line compares by width (a tab counts `tab` columns).
    """
    text = text.replace("\r\n", "\n")
    lines = typed.replace("\r\n", "\n").split("\n")
    pos = 0
    for i, line in enumerate(lines):
        last = i == len(lines) - 1
        if i > 0:
            if pos == len(text):
                return Followed("", waiting=True)
            if text[pos] != "\n":
                return None
            pos += 1
            end = text.find("\n", pos)
            complete = end != -1
            model = text[pos:] if end == -1 else text[pos:end]
            model_ws, typed_ws = _lead(model), _lead(line)
            settled = complete or len(model_ws) < len(model)
            have, want = width(typed_ws, tab), width(model_ws, tab)
            only_indent = last and typed_ws == line
            if not settled:  # the model's indentation is still streaming
                return Followed("", waiting=True) if only_indent or have >= want else None
            if only_indent:  # the editor's auto-indent, nothing typed after it yet
                if model_ws == model:  # a blank line: its indentation does not matter
                    return Followed(text[pos + len(model) :])
                if have > want:
                    return None
                pad = _pad(typed_ws, model_ws, want - have, tab)
                return Followed(pad + text[pos + len(model_ws) :])
            if have != want:
                return None
            pos += len(model_ws)
            line = line[len(typed_ws) :]
        if text.startswith(line, pos):
            pos += len(line)
            continue
        if line.startswith(text[pos:]) and (last or "\n" not in text[pos:]):
            return Followed("", waiting=True)
        return None
    return Followed(text[pos:])


def visible(
    rest: str, *, done: bool, multiline: bool, line_suffix: str, max_lines: int = 0
) -> str | None:
    """What a request shows of `rest` (the cached text after the cursor): "" when there is
    nothing to show, None while the first useful line is still streaming."""
    if multiline:
        if done:
            text = tidy(rest, line_suffix)
            if max_lines > 0:
                text = "\n".join(text.split("\n")[:max_lines])
            return text
        body = rest.lstrip("\n")
        if "\n" in body and body.split("\n", 1)[0].strip():
            return rest[: len(rest) - len(body) + body.index("\n")].rstrip()
        return None
    line, nl, more = rest.partition("\n")
    if line.strip():
        return line.rstrip() if nl or done else None
    if line_suffix.strip():
        return "" if nl or done else None
    if not nl:
        return "" if done else None
    rows = more.split("\n")
    at = len(line)
    for row in rows if done else rows[:-1]:
        at += 1 + len(row)
        if row.strip():  # the cursor ends its line: show the next line that says something
            return rest[len(line) : at].rstrip()
    return "" if done else None


class Lookahead:
    """Lines to stream past the shown one, from the setting or the backend's measured speed."""

    def __init__(self) -> None:
        self._speed: dict[str, float] = {}

    def measured(self, backend: str, chars: int, seconds: float, chars_per_token: int = 4) -> None:
        """A stream of `chars` characters took `seconds` from its first token to its end."""
        if chars < 32 or seconds <= 0.005:
            return  # too short to say anything about speed
        speed = chars / chars_per_token / seconds
        old = self._speed.get(backend)
        self._speed[backend] = speed if old is None else old + SPEED_WEIGHT * (speed - old)

    def speed(self, backend: str) -> float | None:
        return self._speed.get(backend)

    def lines(self, backend: str, setting: int) -> int:
        """`setting` when it is 0 or more; otherwise chosen from the backend's speed."""
        if setting >= 0:
            return setting
        speed = self._speed.get(backend)
        if speed is None:
            return UNKNOWN_SPEED_LINES
        return max(1, min(MAX_AUTO_LINES, int(speed / TOKENS_PER_S_PER_LINE)))
