"""A fake next-edit model server on 127.0.0.1: OpenAI-style `/v1/chat/completions` and
`/v1/completions`, plus Inception's `/v1/edit/completions` (Mercury Edit: chat-shaped, answered
like a chat completion).

It reads the prompt the way each next-edit format lays it out (the region between the format's
own markers: `<|region|>` for the generic chat prompt, `<|editable_region_start|>` for Zeta,
`<|file_sep|>current/` for Sweep, `<|code_to_edit|>` for Mercury), asks `rewrite(region)` for
the region rewritten (None: no edit) and answers in that format's shape: a fenced block or
`NO_CHANGE` (chat), a fenced block or `None` (Mercury), the excerpt repeated with the region
rewritten (Zeta), the updated region (Sweep); a `stop` sequence in the request cuts the answer
where a real server would. `NextHunkOracle` is a `rewrite` that knows the file and the true
next edit: it answers the region as it reads with that edit made, when the edit lies inside it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ghostfill.fakes.openai import FakeProvider
from ghostfill.fakes.wire import RequestHandler

Rewrite = Callable[[str], str | None]

MARKS: dict[str, tuple[str, str, str]] = {
    "zeta": ("<|editable_region_start|>\n", "\n<|editable_region_end|>", "<|user_cursor_is_here|>"),
    "mercury": ("<|code_to_edit|>\n", "\n<|/code_to_edit|>", "<|cursor|>"),
    "chat": ("<|region|>\n", "\n<|/region|>", "<|cursor|>"),
}
"""Format -> (region start, region end, cursor marker) as the prompt carries them."""


def read_region(text: str) -> tuple[str, str] | None:
    """(format, region without the cursor marker) found in a next-edit prompt."""
    if "<|file_sep|>current/" in text:
        body = text.split("<|file_sep|>current/", 1)[1].split("\n", 1)[1]
        return "sweep", body.split("\n<|file_sep|>updated/", 1)[0]
    for name, (start, end, cursor) in MARKS.items():
        if start in text and end in text:
            return name, text.split(start, 1)[1].split(end, 1)[0].replace(cursor, "")
    return None


def answer(fmt: str, region: str, rewritten: str | None) -> str:
    """The model's answer in the format's shape."""
    if fmt == "chat":
        return "NO_CHANGE" if rewritten is None else f"```\n{rewritten}\n```"
    if fmt == "mercury":
        return "None" if rewritten is None else f"```\n{rewritten}\n```"
    new = region if rewritten is None else rewritten
    if fmt == "zeta":
        return f"```file\n<|editable_region_start|>\n{new}\n<|editable_region_end|>\n```"
    return f"{new}\n<|file_sep|>"


class FakeNextEdit(FakeProvider):
    def __init__(self, rewrite: Rewrite | None = None, **kw: Any) -> None:
        """`rewrite(region)`: the region rewritten, or None for no edit (default: no edit)."""
        self.rewrite: Rewrite = rewrite or (lambda _region: None)
        self.prompts: list[tuple[str, str]] = []
        """(format, region) of every next-edit prompt read."""
        super().__init__(self._reply, flavour="vllm", **kw)

    def handle(self, h: RequestHandler, method: str, path: str, body: dict[str, Any]) -> None:
        if method == "POST" and path == self.base_path + "/edit/completions":
            self._complete(h, True, body)
            return
        super().handle(h, method, path, body)

    def _reply(self, body: dict[str, Any]) -> str:
        messages = body.get("messages") or []
        text = str(body.get("prompt") or (messages[-1].get("content") if messages else ""))
        found = read_region(text)
        if found is None:
            return "pass"
        fmt, region = found
        with self.lock:
            self.prompts.append(found)
        reply = answer(fmt, region, self.rewrite(region))
        for stop in body.get("stop") or ():
            reply = reply.split(stop, 1)[0]
        return reply


@dataclass
class NextHunkOracle:
    """Knows the document as the model is asked about it (`current`) and as it reads with the
    true next edit made (`expected`)."""

    current: str = ""
    expected: str = ""

    def __call__(self, region: str) -> str | None:
        at = self.current.find(region)
        if at < 0 or self.current.find(region, at + 1) >= 0:
            return None  # not found, or not the one place
        before, after = self.current[:at], self.current[at + len(region) :]
        exp = self.expected
        if len(before) + len(after) > len(exp):
            return None
        if not (exp.startswith(before) and exp.endswith(after)):
            return None  # the next edit lies outside the region
        new = exp[len(before) : len(exp) - len(after)]
        return None if new == region else new
