"""The hole-filling chat prompt for chat-only models (Cerebras, Groq, OpenAI, Anthropic).

A `{{FILL_HERE}}` hole and `<COMPLETION>` answer tags (Continue's default, after
VictorTaelin's AI-scripts), with short few-shots; stop at `</COMPLETION>`. The cleanup of
fences, tags and echoed prefix is in postprocess/chat_cleanup.py.
"""

from __future__ import annotations

from ghostfill.model import ChatMessage

HOLE = "{{FILL_HERE}}"
STOP = ("</COMPLETION>",)

SYSTEM = (
    "You are a HOLE FILLER inside a code editor. You get a file with one hole marked "
    f"{HOLE}. Reply with exactly the text that replaces the hole, inside <COMPLETION></COMPLETION> "
    "tags, with correct indentation. Never repeat code that is already before or after the hole. "
    "No explanations, no markdown fences. If the hole should stay empty, reply <COMPLETION></COMPLETION>."
)

EXAMPLES: tuple[tuple[str, str], ...] = (
    (
        "function sum_evens(lim) {\n  var sum = 0;\n  for (var i = 0; i < lim; ++i) {\n"
        f"    {HOLE}\n  }}\n  return sum;\n}}",
        "if (i % 2 === 0) {\n      sum += i;\n    }",
    ),
    (
        "def total(xs):\n    result = 0\n    for x in xs:\n" + f"        {HOLE}\n    return result",
        "result += x",
    ),
    (f"def area(r):\n    return 3.14159 * {HOLE}\n", "r ** 2"),
)


def messages(
    prefix: str, suffix: str, *, language: str, path: str, context: str, multiline: bool
) -> tuple[ChatMessage, ...]:
    shots: list[ChatMessage] = []
    for query, answer in EXAMPLES:
        shots.append(ChatMessage("user", f"<QUERY>\n{query}\n</QUERY>"))
        shots.append(ChatMessage("assistant", f"<COMPLETION>{answer}</COMPLETION>"))
    scope = "one or more lines" if multiline else "the rest of the current line only"
    header = f"<CONTEXT>\n{context}\n</CONTEXT>\n" if context else ""
    query = (
        f'{header}<QUERY path="{path}" language="{language}">\n{prefix}{HOLE}{suffix}\n</QUERY>\n'
        f"TASK: Fill the {HOLE} hole with {scope}. Answer only with the completion."
    )
    return (ChatMessage("system", SYSTEM), *shots, ChatMessage("user", query))
