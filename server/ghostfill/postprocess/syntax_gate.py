"""The syntax gate: keep the longest run of whole lines that adds no syntax errors.

The code around the cursor is parsed with tree-sitter with the suggestion in place. When that
parse has no ERROR or MISSING node at all, the suggestion passes: one parse per answer, the
usual case. Otherwise the code is also parsed as it is (prefix + suffix), and when the
suggestion adds problems it is cut back line by line until it adds none (possibly to
nothing), one parse per try. Only a
local region is parsed: from the last top-level line at or above the cursor (a line starting
in column 0 that does not continue a statement, like `else` or `}`) to the next one below,
capped at `MAX_BEFORE` / `MAX_AFTER` lines, so the cost does not grow with the file.
"""

from __future__ import annotations

from ghostfill.documents.syntax import Grammar, SyntaxTree, parse_once
from ghostfill.postprocess.base import FilterContext

MAX_BEFORE = 80
"""Most lines parsed above the cursor's line."""
MAX_AFTER = 40
"""Most lines parsed below the cursor's line."""

CONTINUATIONS = frozenset(
    (
        "else",
        "elif",
        "elsif",
        "except",
        "finally",
        "catch",
        "case",
        "default",
        "end",
        "then",
        "do",
        "done",
        "fi",
        "esac",
        "rescue",
        "ensure",
        "when",
        "until",
        "where",
    )
)


def starts_top_level(line: str) -> bool:
    """A line in column 0 that begins a statement of its own (not a closer or continuation)."""
    if not line or not (line[0].isalpha() or line[0] in "_@$"):
        return False
    word = line.split(None, 1)[0].rstrip(":;{(")
    return word not in CONTINUATIONS


def region(prefix: str, suffix: str) -> tuple[str, str]:
    """The part of `prefix` and `suffix` that the gate parses around the cursor."""
    above = prefix.split("\n")
    first = max(0, len(above) - 1 - MAX_BEFORE)
    for i in range(len(above) - 1, first - 1, -1):
        if starts_top_level(above[i]):
            first = i
            break
    below = suffix.split("\n")
    last = min(len(below), 1 + MAX_AFTER)
    for j in range(1, last):
        if starts_top_level(below[j]):
            last = j
            break
    return "\n".join(above[first:]), "\n".join(below[:last])


class Gate:
    """Parses the region with a candidate in the middle and compares its problems (ERROR and
    MISSING nodes) with the region's own.

    A candidate passes when it has no more problems than the region alone, and no more
    problems touching the inserted text than touched the cursor before: so completing a
    half-typed statement (whose ERROR ends at the cursor) passes, and leaving a bracket open
    where nothing was broken does not.
    """

    def __init__(self, grammar: Grammar, prefix: str, suffix: str) -> None:
        self.grammar = grammar
        self.before, self.after = region(prefix, suffix)
        self.cursor = len(self.before.encode("utf-8", errors="surrogatepass"))
        self.parses = 0
        self._base: tuple[int, int] | None = None

    @property
    def base(self) -> tuple[int, int]:
        """(problems, problems at the cursor) of the region as it is (computed once)."""
        if self._base is None:
            tree = self._parse("")
            self._base = (tree.problems(), tree.problems(self.cursor, self.cursor))
        return self._base

    def _parse(self, middle: str) -> SyntaxTree:
        self.parses += 1
        data = (self.before + middle + self.after).encode("utf-8", errors="surrogatepass")
        return parse_once(self.grammar, data)

    def passes(self, middle: str) -> bool:
        tree = self._parse(middle)
        problems = tree.problems()
        if problems == 0:
            return True  # nothing can be worse than the code alone: no need to parse it
        total, at_cursor = self.base
        if problems > total:
            return False
        end = self.cursor + len(middle.encode("utf-8", errors="surrogatepass"))
        return tree.problems(self.cursor, end) <= at_cursor

    def cut(self, text: str) -> str:
        if self.passes(text):
            return text
        lines = text.split("\n")
        for k in range(len(lines) - 1, 0, -1):
            if not lines[k - 1].strip():
                continue  # the same code as the shorter cut, which is tried next
            candidate = "\n".join(lines[:k])
            if self.passes(candidate):
                return candidate
        return ""


def syntax_gate(text: str, ctx: FilterContext) -> str:
    """The final filter; without a grammar for the language everything passes."""
    gate = _gate(ctx)
    if gate is None or not text.strip():
        return text
    return gate.cut(text)


def _gate(ctx: FilterContext) -> Gate | None:
    if ctx.grammar is None:
        return None
    gate = ctx.memo.get("syntax_gate")
    if not isinstance(gate, Gate):
        gate = ctx.memo["syntax_gate"] = Gate(ctx.grammar, ctx.prefix, ctx.suffix)
    return gate
