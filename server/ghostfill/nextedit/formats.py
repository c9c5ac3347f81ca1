"""Next-edit prompt formats as data: how a model is asked to rewrite the region at the cursor.

Every format shows the model the user's recent edits (oldest first) and the current file around
the cursor with an editable region marked; the model answers with the region rewritten, and
the client diffs that against the region. Each format here is the one its model was trained
on or its API documents:

- `chat`: a generic instruction for any chat model (`/chat/completions`): recent edits as
  unified diffs, the file excerpt with the region between `<|region|>` and `<|/region|>`, the
  answer in one fenced block, `NO_CHANGE` when nothing follows.
- `zeta`: Zed's Zeta (open weights): a raw `### Instruction / ### User Edits / ### User
  Excerpt / ### Response` prompt on `/completions`; edits as `User edited "path":` diff
  blocks, the region between `<|editable_region_start|>` and `<|editable_region_end|>`, the
  cursor as `<|user_cursor_is_here|>`; the answer repeats the excerpt with the region
  rewritten (generation stops at the end marker).
- `sweep`: Sweep's next-edit models (open weights, Qwen2.5-Coder based): `<|file_sep|>`
  sections on `/completions`: each edit as `{path}.diff` with `original:` / `updated:`
  blocks, then `original/{path}` (the region before those edits), `current/{path}`, and
  `updated/{path}` for the model to fill; it stops at the next `<|file_sep|>`.
- `mercury`: Inception's Mercury Edit on its own endpoint `/edit/completions` (one user
  message): `<|recently_viewed_code_snippets|>`, `<|current_file_content|>` with the region in
  `<|code_to_edit|>` and the cursor as `<|cursor|>`, and `<|edit_diff_history|>` in unified
  diffs; the answer is the region in a fenced block, or `None` for no edit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Wire = Literal["chat", "completions", "edit"]
HistoryStyle = Literal["unified", "zeta", "sweep"]


@dataclass(frozen=True, slots=True)
class RewriteFormat:
    name: str
    wire: Wire
    """Where it is sent: `chat` (/chat/completions messages), `completions` (/completions raw
    prompt), `edit` (Mercury's /edit/completions, chat-shaped)."""
    template: str
    """The prompt (or the user message) with `{history}`, `{path}`, `{before}`, `{region}`
    (the region with the cursor marker), `{original}` (the region before the recent edits),
    `{current}` (the region as it is), `{after}` and `{start_of_file}`."""
    history: HistoryStyle
    cursor: str = ""
    """Marker put at the cursor inside `{region}` (and removed from the answer)."""
    system: str = ""
    start_of_file: str = ""
    """Put before the excerpt when it starts at the top of the file."""
    reply_after: str = ""
    """The answer's region starts after this marker (when it is there)."""
    reply_before: str = ""
    """... and ends before this one."""
    stop: tuple[str, ...] = ()
    fenced: bool = False
    """The answer may come in a ``` block; the fence is removed."""
    no_change: tuple[str, ...] = ()
    """Answers that mean "no edit" (compared stripped)."""
    above: int = 5
    below: int = 10
    """Lines of the editable region above and below the cursor's line."""
    context: int = 20
    """Lines of file shown above and below the region (not to be rewritten)."""
    edits: int = 6
    """Most recent edits shown."""
    markers: tuple[str, ...] = ()
    """Special strings that must not appear in the code shown (the prompt would be ambiguous);
    a request whose code contains one is not sent."""


CHAT_SYSTEM = (
    "You predict a programmer's next edit. You get their recent edits (unified diffs, oldest "
    "first) and an excerpt of the file they are editing, in which the lines between <|region|> "
    "and <|/region|> may be rewritten; <|cursor|> marks the cursor. Answer with the region "
    "rewritten with the next edit made: the same lines, in one ``` block, without the markers "
    "and nothing else. Continue what the recent edits started (rename the other occurrences of "
    "a renamed name, make the same change on similar lines, finish what was begun) and change "
    "nothing unrelated. If no edit follows from the recent edits, answer NO_CHANGE."
)
CHAT_USER = (
    "Recent edits:\n{history}\n\nFile {path}:\n```\n{before}<|region|>\n{region}\n<|/region|>\n"
    "{after}```"
)

ZETA_INSTRUCTION = (
    "### Instruction:\nYou are a code completion assistant and your task is to analyze user "
    "edits and then rewrite an excerpt that the user provides, suggesting the appropriate edits "
    "within the excerpt, taking into account the cursor location.\n\n"
)
ZETA_PROMPT = (
    ZETA_INSTRUCTION
    + "### User Edits:\n\n{history}\n\n### User Excerpt:\n\n```{path}\n{start_of_file}{before}"
    "<|editable_region_start|>\n{region}\n<|editable_region_end|>\n{after}```\n\n"
    "### Response:\n"
)

SWEEP_PROMPT = (
    "{history}<|file_sep|>original/{path}\n{original}\n<|file_sep|>current/{path}\n{current}\n"
    "<|file_sep|>updated/{path}\n"
)

MERCURY_CONTENT = (
    "<|recently_viewed_code_snippets|>\n\n<|/recently_viewed_code_snippets|>\n\n"
    "<|current_file_content|>\ncurrent_file_path: {path}\n{before}<|code_to_edit|>\n{region}\n"
    "<|/code_to_edit|>\n{after}<|/current_file_content|>\n\n"
    "<|edit_diff_history|>\n{history}\n<|/edit_diff_history|>"
)

FORMATS: dict[str, RewriteFormat] = {
    f.name: f
    for f in (
        RewriteFormat(
            "chat",
            wire="chat",
            template=CHAT_USER,
            system=CHAT_SYSTEM,
            history="unified",
            cursor="<|cursor|>",
            fenced=True,
            no_change=("NO_CHANGE",),
            markers=("<|region|>", "<|/region|>", "<|cursor|>"),
        ),
        RewriteFormat(
            "zeta",
            wire="completions",
            template=ZETA_PROMPT,
            history="zeta",
            cursor="<|user_cursor_is_here|>",
            start_of_file="<|start_of_file|>\n",
            reply_after="<|editable_region_start|>",
            reply_before="<|editable_region_end|>",
            stop=("<|editable_region_end|>",),
            context=3,
            markers=("<|editable_region_start|>", "<|editable_region_end|>"),
        ),
        RewriteFormat(
            "sweep",
            wire="completions",
            template=SWEEP_PROMPT,
            history="sweep",
            stop=("<|file_sep|>", "<|endoftext|>"),
            above=10,
            below=10,
            context=0,
            markers=("<|file_sep|>",),
        ),
        RewriteFormat(
            "mercury",
            wire="edit",
            template=MERCURY_CONTENT,
            history="unified",
            cursor="<|cursor|>",
            fenced=True,
            no_change=("None",),
            markers=("<|code_to_edit|>", "<|/code_to_edit|>", "<|cursor|>"),
        ),
    )
}

AUTO_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("mercury", re.compile(r"mercury-edit|inceptionlabs", re.IGNORECASE)),
    ("zeta", re.compile(r"\bzeta", re.IGNORECASE)),
    ("sweep", re.compile(r"sweep", re.IGNORECASE)),
)
"""`nextEdit.format: auto`: the first pattern found in the model id or the base URL picks the
format; anything else gets `chat`."""


def pick(setting: str, model: str, base_url: str) -> RewriteFormat:
    """The format for `nextEdit.format` (`auto`: from the model id and base URL)."""
    if setting in FORMATS:
        return FORMATS[setting]
    subject = f"{model} {base_url}"
    for name, pattern in AUTO_RULES:
        if pattern.search(subject):
            return FORMATS[name]
    return FORMATS["chat"]
