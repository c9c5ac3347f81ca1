"""The syntax gate: keep the longest run of whole lines that adds no syntax errors.

The code around the cursor is parsed with tree-sitter with the suggestion in place. When that
parse has no ERROR or MISSING node at all, the suggestion passes: one parse per answer, the
usual case. Otherwise the code is also parsed as it is (prefix + suffix), and when the
suggestion adds problems it is cut back line by line until it adds none (possibly to
nothing), one parse per try. Only a local region is parsed, so the cost does not grow with
the file: from the last top-level line at or above the cursor (a line starting in column 0
that does not continue a statement, like `else` or `}`) to the next one below, capped at
`MAX_BEFORE` / `MAX_AFTER` lines. Deep in a long class or function there is no such line
within reach: the region then starts at the least indented statement within reach (the
enclosing `def`, say), ends where the code leaves that indentation, and is parsed dedented,
so that it reads as code of its own instead of as a run of indentation errors.

A parse with more than `MAX_PROBLEMS` problems away from the suggestion is of text the gate
cannot read as code (a window that starts inside a docstring or a comment block): the
suggestion passes unjudged,
as in a file without a grammar, instead of paying for a second parse of the same noise
(tree-sitter's error recovery makes such a parse several times slower than one of code).

The server prepares the gate while the provider thinks (`prepare`, one of the `PREPARERS`):
the region is parsed as it is before any answer, and each candidate is then an insertion
into that tree, re-parsed incrementally (about half a fresh parse). Without preparation the
region's own tree is parsed when first needed, and the later candidates of a cut use it too.
"""

from __future__ import annotations

from dataclasses import dataclass

from ghostfill.documents.syntax import Grammar, SyntaxTree, parse_once
from ghostfill.postprocess.base import FilterContext
from ghostfill.postprocess.line_limit import indent_width

MAX_BEFORE = 80
"""Most lines parsed above the cursor's line."""
MAX_AFTER = 40
"""Most lines parsed below the cursor's line."""
MAX_PROBLEMS = 12
"""More problems than this away from the suggestion: the region is not readable code."""

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


@dataclass(frozen=True, slots=True)
class Region:
    """The text the gate parses around the cursor, and the indentation taken off its lines."""

    before: str
    after: str
    indent: int = 0


def dedent(line: str, width: int) -> str:
    """`line` without up to `width` characters of its indentation."""
    return line[min(width, indent_width(line)) :]


def region(prefix: str, suffix: str) -> Region:
    """The part of `prefix` and `suffix` that the gate parses around the cursor."""
    above = prefix.split("\n")
    low = max(0, len(above) - 1 - MAX_BEFORE)
    first, least = low, None
    # the nearest top-level line; deep inside a block, the least indented statement in reach
    for i in range(len(above) - 1, low - 1, -1):
        width = indent_width(above[i])
        if (least is None or width < least) and starts_top_level(above[i][width:]):
            first, least = i, width
            if not width:
                break
    indent = least or 0
    below = suffix.split("\n")
    last = min(len(below), 1 + MAX_AFTER)
    for j in range(1, last):
        line = below[j]
        if not line.strip():
            continue
        width = indent_width(line)
        if width < indent or (width == indent and starts_top_level(line[width:])):
            last = j
            break
    if not indent:
        return Region("\n".join(above[first:]), "\n".join(below[:last]))
    before = "\n".join(dedent(line, indent) for line in above[first:])
    after = "\n".join([below[0], *(dedent(line, indent) for line in below[1:last])])
    return Region(before, after, indent)


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
        self.region = region(prefix, suffix)
        self.before, self.after = self.region.before, self.region.after
        self.cursor = len(self.before.encode("utf-8", errors="surrogatepass"))
        self._size = self.cursor + len(self.after.encode("utf-8", errors="surrogatepass"))
        self.parses = 0
        self.unjudged = False
        """The region did not read as code: the suggestion was let through unjudged."""
        self._base: tuple[int, int] | None = None
        self._base_tree: SyntaxTree | None = None
        self._compared = False
        """A candidate has been compared with the region as it is (its problems were few)."""

    def prepare(self) -> None:
        """Parse the region as it is, ahead of any candidate (while the provider thinks):
        then every candidate is parsed incrementally from it, and the comparison is ready."""
        _ = self.base

    @property
    def base(self) -> tuple[int, int]:
        """(problems, problems at the cursor) of the region as it is (computed once)."""
        if self._base is None:
            tree = self._base_tree = self._parse("")
            self._base = (tree.problems(), tree.problems(self.cursor, self.cursor))
        return self._base

    def _placed(self, middle: str) -> str:
        """`middle` as it stands in the region: its later lines dedented like the region's."""
        if not self.region.indent or "\n" not in middle:
            return middle
        head, *rest = middle.split("\n")
        return "\n".join([head, *(dedent(line, self.region.indent) for line in rest)])

    def _parse(self, middle: str) -> SyntaxTree:
        """The region with `middle` at the cursor: from the region's own tree when it is
        parsed (an insertion re-parsed incrementally), else afresh."""
        self.parses += 1
        data = (self.before + middle + self.after).encode("utf-8", errors="surrogatepass")
        if middle and self._base_tree is not None:
            return self._base_tree.inserted(data, self.cursor, len(data) - self._size)
        return parse_once(self.grammar, data)

    def passes(self, middle: str) -> bool:
        placed = self._placed(middle)
        tree = self._parse(placed)
        problems = tree.problems()
        if problems == 0:
            return True  # nothing can be worse than the code alone: no need to parse it
        end = self.cursor + len(placed.encode("utf-8", errors="surrogatepass"))
        touching = tree.problems(self.cursor, end)
        if problems - touching > MAX_PROBLEMS and not self._compared:
            self.unjudged = True  # the code around is what does not parse
            return True
        self._compared = True
        total, at_cursor = self.base
        return problems <= total and touching <= at_cursor

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


def prepare_gate(ctx: FilterContext) -> None:
    """While the provider thinks: the region and its parse as it is."""
    gate = _gate(ctx)
    if gate is not None:
        gate.prepare()


def _gate(ctx: FilterContext) -> Gate | None:
    if ctx.grammar is None:
        return None
    gate = ctx.memo.get("syntax_gate")
    if not isinstance(gate, Gate):
        gate = ctx.memo["syntax_gate"] = Gate(ctx.grammar, ctx.prefix, ctx.suffix)
    return gate
