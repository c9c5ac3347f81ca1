"""The hole-filling chat prompt for chat-only models (Cerebras, Groq, OpenAI, Anthropic).

A `{{FILL_HERE}}` hole and `<COMPLETION>` answer tags (Continue's default, after
VictorTaelin's AI-scripts), with short few-shots; stop at `</COMPLETION>`. The cleanup of
fences, tags and echoed prefix is in postprocess/chat_cleanup.py.

The layout is cache-stable: what stays the same between keystrokes comes first (system text,
few-shots, context, then the code after the hole in `<AFTER_HOLE>`), and the code before the
cursor comes last, ending at the hole, so the text that changes while the user types is the
tail of the prompt (the way suffix-first FIM orders it). A server's prompt cache (llama.cpp,
vLLM, OpenAI) then reuses all but the last few tokens.
"""

from __future__ import annotations

from ghostfill.model import ChatMessage

HOLE = "{{FILL_HERE}}"
STOP = ("</COMPLETION>",)

SYSTEM = (
    "You are a HOLE FILLER inside a code editor. You get a file with one hole marked "
    f"{HOLE}; the code that follows the hole is given before it, in <AFTER_HOLE>. Reply with "
    "exactly the text that replaces the hole, inside <COMPLETION></COMPLETION> tags, with "
    "correct indentation. Never repeat code that is already before or after the hole. "
    "No explanations, no markdown fences. If the hole should stay empty, reply "
    "<COMPLETION></COMPLETION>."
)

EXAMPLES: tuple[tuple[str, str, str], ...] = (
    (
        "function sum_evens(lim) {\n  var sum = 0;\n  for (var i = 0; i < lim; ++i) {\n    ",
        "\n  }\n  return sum;\n}",
        "if (i % 2 === 0) {\n      sum += i;\n    }",
    ),
    (
        "def total(xs):\n    result = 0\n    for x in xs:\n        ",
        "\n    return result",
        "result += x",
    ),
    ("def area(r):\n    return 3.14159 * ", "\n", "r ** 2"),
)
"""(code before the hole, code after it, the completion)."""


def query(prefix: str, suffix: str, *, language: str = "", path: str = "") -> str:
    """The file with its hole: the code after the hole first, then the code before it."""
    after = f"<AFTER_HOLE>\n{suffix}\n</AFTER_HOLE>\n" if suffix.strip() else ""
    where = f' path="{path}" language="{language}"' if path or language else ""
    return f"{after}<QUERY{where}>\n{prefix}{HOLE}\n</QUERY>"


def messages(
    prefix: str, suffix: str, *, language: str, path: str, context: str, multiline: bool
) -> tuple[ChatMessage, ...]:
    shots: list[ChatMessage] = []
    for before, after, answer in EXAMPLES:
        shots.append(ChatMessage("user", query(before, after)))
        shots.append(ChatMessage("assistant", f"<COMPLETION>{answer}</COMPLETION>"))
    scope = "one or more lines" if multiline else "the rest of the current line only"
    header = f"<CONTEXT>\n{context}\n</CONTEXT>\n" if context else ""
    text = (
        f"{header}{query(prefix, suffix, language=language, path=path)}\n"
        f"TASK: Fill the {HOLE} hole with {scope}. Answer only with the completion."
    )
    return (ChatMessage("system", SYSTEM), *shots, ChatMessage("user", text))
