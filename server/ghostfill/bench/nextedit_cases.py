"""Next-edit cases from real Python files, with answers the rules never computed.

Rename: a function's parameter or local (Python's own `symtable` says which, `ast` where it
occurs) that no nested scope mentions and that only occurs as a plain name in the function (the
token count must equal the `ast` count: no keyword arguments or other spellings); one occurrence
is renamed by typing (select and type over it, or backspace it and type), and the answer is
every other occurrence renamed, nothing else. Repeat: three adjacent lines at one indentation;
the first two are commented out (the language's comment marker typed at the indentation), or
an attribute or method name all three use once (`x.append(`) is changed on the first two (an
API migration); the answer is the same on the third.
Noise: a fresh statement typed on a new line of a function, or a comment typed at the end of a
line; the answer is no edit.
"""

from __future__ import annotations

import ast
import io
import random
import re
import symtable
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ghostfill.documents.languages import LanguageRegistry
from ghostfill.documents.store import Document, DocumentStore, TextChange
from ghostfill.documents.syntax import Grammars, byte_to_utf16
from ghostfill.model import Position
from ghostfill.nextedit.model import Prediction, apply
from ghostfill.nextedit.predict import NextEdits

NEW_NAMES = (
    "amount",
    "entry",
    "target",
    "payload",
    "handle",
    "record",
    "subject",
    "option",
    "element",
    "counter",
    "bucket",
    "cursor",
    "marker",
    "source",
    "member",
    "ticket",
    "vessel",
    "widget",
)


@dataclass
class Case:
    kind: str
    path: str
    text: str
    changes: list[TextChange] = field(default_factory=list)
    cursor: Position = field(default_factory=lambda: Position(0, 0))
    expected: str | None = None
    """The text after the predicted edits; None: no edit is the right answer."""
    wanted: frozenset[tuple[int, int, str]] = frozenset()
    """The right edits as (start byte, end byte, text) in the edited document."""


class _Typist:
    """LSP changes for typing into `text` (kept current), in UTF-16 columns."""

    def __init__(self, text: str) -> None:
        self.lines = text.split("\n")
        self.changes: list[TextChange] = []

    def col(self, row: int, byte: int) -> int:
        return byte_to_utf16(self.lines[row].encode(), byte)

    def replace(self, row: int, a: int, b: int, text: str) -> None:
        """Replace UTF-16 columns a..b of `row` (one line) with `text` (no newline)."""
        self.changes.append(TextChange(text, Position(row, a), Position(row, b)))
        line = self.lines[row]
        units = line.encode("utf-16-le")
        self.lines[row] = (
            units[: a * 2].decode("utf-16-le") + text + units[b * 2 :].decode("utf-16-le")
        )

    def type(self, row: int, col: int, text: str) -> Position:
        for ch in text:
            self.replace(row, col, col, ch)
            col += 1
        return Position(row, col)

    def new_line_after(self, row: int, text: str) -> Position:
        end = len(self.lines[row].encode("utf-16-le")) // 2
        self.changes.append(TextChange("\n", Position(row, end), Position(row, end)))
        self.lines.insert(row + 1, "")
        return self.type(row + 1, 0, text)


def rename_cases(path: str, text: str, rng: random.Random) -> Iterator[Case]:
    try:
        tree = ast.parse(text)
        table = symtable.symtable(text, path, "exec")
    except (SyntaxError, ValueError, RecursionError):
        return
    tables = _function_tables(table)
    data = text.encode()
    starts = _line_starts(data)
    for fn in ast.walk(tree):
        if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        st = tables.get((fn.name, fn.lineno))
        if st is None:
            continue
        nested = {s.get_name() for child in _descendants(st) for s in child.get_symbols()}
        for sym in st.get_symbols():
            name = sym.get_name()
            if name in nested or not (sym.is_parameter() or sym.is_assigned()):
                continue
            if sym.is_global() or sym.is_nonlocal() or sym.is_imported() or name == "self":
                continue
            spots = _occurrences(fn, name, starts)
            if len(spots) < 2 or _token_count(text, fn, name) != len(spots):
                continue
            new = next((n for n in rng.sample(NEW_NAMES, len(NEW_NAMES)) if n not in text), None)
            if new is None:
                continue
            yield _rename(path, text, data, spots, name, new, rng)


def _rename(
    path: str, text: str, data: bytes, spots: list[int], old: str, new: str, rng: random.Random
) -> Case:
    at = rng.choice(spots)
    expected = data
    for s in sorted(spots, reverse=True):
        expected = expected[:s] + new.encode() + expected[s + len(old.encode()) :]
    typist = _Typist(text)
    row = data.count(b"\n", 0, at)
    col = typist.col(row, at - (data.rfind(b"\n", 0, at) + 1))
    width = len(old.encode("utf-16-le")) // 2
    if rng.random() < 0.5:  # select the name and type over it
        typist.replace(row, col, col + width, new[0])
        cursor = typist.type(row, col + 1, new[1:])
    else:  # backspace it, then type
        for i in range(width, 0, -1):
            typist.replace(row, col + i - 1, col + i, "")
        cursor = typist.type(row, col, new)
    delta = len(new.encode()) - len(old.encode())
    size = len(old.encode())
    wanted = frozenset(
        (s + delta if s > at else s, (s + delta if s > at else s) + size, new)
        for s in spots
        if s != at
    )
    return Case("rename", path, text, typist.changes, cursor, expected.decode(), wanted)


def _function_tables(table: symtable.SymbolTable) -> dict[tuple[str, int], symtable.SymbolTable]:
    out: dict[tuple[str, int], symtable.SymbolTable] = {}
    for child in _descendants(table):
        if child.get_type() == "function":
            out[(child.get_name(), child.get_lineno())] = child
    return out


def _descendants(table: symtable.SymbolTable) -> Iterator[symtable.SymbolTable]:
    for child in table.get_children():
        yield child
        yield from _descendants(child)


def _occurrences(fn: ast.AST, name: str, starts: list[int]) -> list[int]:
    """Byte offsets of `name` as a parameter or a plain name in `fn` (nested scopes excluded)."""
    out: list[int] = []
    args = fn.args if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef) else None
    if args is not None:
        for a in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
            if a is not None and a.arg == name:
                out.append(starts[a.lineno - 1] + a.col_offset)
    body = fn.body if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef) else []
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            continue
        if isinstance(node, ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp):
            continue
        if isinstance(node, ast.Name) and node.id == name:
            out.append(starts[node.lineno - 1] + node.col_offset)
        stack.extend(ast.iter_child_nodes(node))
    return sorted(set(out))


def _token_count(text: str, fn: ast.AST, name: str) -> int:
    """NAME tokens spelled `name` on the function's lines (attributes after `.` excluded)."""
    lines = text.split("\n")
    first, last = getattr(fn, "lineno", 1), getattr(fn, "end_lineno", None) or len(lines)
    decorators = getattr(fn, "decorator_list", [])
    if decorators:
        first = min(first, *(d.lineno for d in decorators))
    source = "\n".join(lines[first - 1 : last]) + "\n"
    count, after_dot = 0, False
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.NAME and tok.string == name and not after_dot:
                count += 1
            after_dot = tok.type == tokenize.OP and tok.string == "."
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return -1
    return count


def _line_starts(data: bytes) -> list[int]:
    starts = [0]
    i = data.find(b"\n")
    while i != -1:
        starts.append(i + 1)
        i = data.find(b"\n", i + 1)
    return starts


def repeat_cases(path: str, text: str, rng: random.Random, comment: str) -> Iterator[Case]:
    lines = text.split("\n")
    for row in range(len(lines) - 2):
        trio = lines[row : row + 3]
        indents = {len(line) - len(line.lstrip()) for line in trio}
        if len(indents) != 1 or any(not line.strip() for line in trio):
            continue
        if any(line.lstrip().startswith(comment) for line in trio) or not trio[0].isascii():
            continue
        indent = indents.pop()
        if rng.random() < 0.5:
            yield _repeat(path, text, row, [indent] * 3, "", f"{comment} ", "comment out")
            continue
        shared = _shared_name(trio)
        if shared is not None:
            cols = [_attribute_at(line, shared) for line in trio]
            new = f"{shared}_v2"
            yield _repeat(path, text, row, cols, shared, new, "attribute on each line")


def _repeat(path: str, text: str, row: int, cols: list[int], old: str, new: str, what: str) -> Case:
    lines = text.split("\n")
    typist = _Typist(text)
    cursor = Position(row, 0)
    for i in range(2):
        col = cols[i]
        if old:
            typist.replace(row + i, col, col + len(old), new[0])
            cursor = typist.type(row + i, col + 1, new[1:])
        else:
            cursor = typist.type(row + i, col, new)
    third = sum(len(line.encode()) + 1 for line in typist.lines[: row + 2]) + cols[2]
    wanted = frozenset({(third, third + len(old), new)})
    for i in range(3):
        line = lines[row + i]
        lines[row + i] = line[: cols[i]] + new + line[cols[i] + len(old) :]
    expected = "\n".join(lines)
    return Case(f"repeat ({what})", path, text, typist.changes, cursor, expected, wanted)


def _attribute_at(line: str, name: str) -> int:
    found = re.search(rf"\.{name}\b", line)
    assert found is not None
    return found.start() + 1


def _shared_name(trio: list[str]) -> str | None:
    """An attribute or method name (after a `.`) each line uses exactly once."""
    words = [set(re.findall(r"\.([A-Za-z_]\w{3,})\b", line)) for line in trio]
    common = sorted(words[0] & words[1] & words[2])
    once = [w for w in common if all(len(re.findall(rf"\b{w}\b", line)) == 1 for line in trio)]
    return once[0] if once else None


def noise_cases(path: str, text: str, rng: random.Random, comment: str) -> Iterator[Case]:
    lines = text.split("\n")
    for row, line in enumerate(lines[:-1]):
        body = line.strip()
        if not body or not line.startswith((" ", "\t")) or body.endswith((":", "\\", ",", "(")):
            continue
        if not line.isascii() or rng.random() < 0.9:
            continue
        indent = line[: len(line) - len(line.lstrip())]
        names = [w for w in _words(body) if w not in ("self", "return", "if", "for")]
        typist = _Typist(text)
        if rng.random() < 0.5 and names:
            statement = f"{indent}checked_{names[0]} = len({names[0]})"
            cursor = typist.new_line_after(row, statement)
            yield Case("noise (fresh statement)", path, text, typist.changes, cursor)
        else:
            end = len(line)
            cursor = typist.type(row, end, f"  {comment} keep {names[0] if names else 'this'}")
            yield Case("noise (comment)", path, text, typist.changes, cursor)


def _words(text: str) -> list[str]:
    return re.findall(r"\b[A-Za-z_]\w*\b", text)


_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@", re.MULTILINE)


def history_cases(repo: str, commits: int, rng: random.Random) -> Iterator[Case]:
    """From a git repository's last `commits` commits: in each changed Python file with two or
    more hunks, the first k hunks are made (each one change, as a paste would send it) and the
    answer is the file with hunk k+1 made too (k picked at random)."""
    import subprocess

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", "-C", repo, *args], capture_output=True, text=True, check=False
        )
        return done.stdout if done.returncode == 0 else ""

    for sha in git("log", "--no-merges", f"-n{commits}", "--format=%H").split():
        for path in git("diff", "--name-only", f"{sha}^", sha, "--", "*.py").split():
            before = git("show", f"{sha}^:{path}")
            diff = git("diff", "-U0", f"{sha}^", sha, "--", path)
            hunks = _hunks(diff)
            if not before or len(hunks) < 2 or "\r" in before:
                continue
            k = rng.randrange(1, len(hunks))
            yield _history_case(f"{repo}/{path}@{sha[:8]}", before, hunks, k)


def _hunks(diff: str) -> list[tuple[int, int, list[str]]]:
    """(first old line, old line count, new lines) per hunk, in order."""
    out: list[tuple[int, int, list[str]]] = []
    for found in _HUNK.finditer(diff):
        start, count = int(found[1]), int(found[2] or "1")
        body = diff[found.end() + 1 :].split("\n@@", 1)[0].split("\n")
        new = [line[1:] for line in body if line.startswith("+")]
        first = start - 1 if count else start  # a pure insertion goes after line `start`
        out.append((first, count, new))
    return out


def _history_case(name: str, text: str, hunks: list[tuple[int, int, list[str]]], k: int) -> Case:
    lines = text.split("\n")
    changes: list[TextChange] = []
    shift = 0
    cursor = Position(0, 0)
    expected = ""
    for i, (first, count, new) in enumerate(hunks[: k + 1]):
        row = first + shift
        if i == k:
            expected = "\n".join(lines[:row] + new + lines[row + count :])
            break
        body = "".join(line + "\n" for line in new)
        changes.append(TextChange(body, Position(row, 0), Position(row + count, 0)))
        lines[row : row + count] = new
        shift += len(new) - count
        cursor = Position(row + len(new), 0)
    return Case("git history (next hunk)", name, text, changes, cursor, expected)


def score(doc: Document, prediction: Prediction, case: Case) -> str:
    """exact | partial | wrong | missed for a case with an answer; quiet | false positive."""
    got = {(e.start, e.end, e.text) for e in prediction.edits}
    if case.expected is None:
        return "false positive" if got else "quiet"
    if not got:
        return "missed"
    if apply(doc.data, prediction.edits).decode() == case.expected:
        return "exact"  # the right text (the edits may be smaller than the case's own)
    return "partial" if got < case.wanted else "wrong"


def open_case(
    registry: LanguageRegistry, grammars: Grammars, next_edits: NextEdits, case: Case
) -> Document:
    """The case's file opened in a store fed to `next_edits`, with its typing sent."""
    store = DocumentStore(registry, grammars, next_edits)
    uri = Path(case.path).as_uri()
    uri = uri if uri.endswith(".py") else f"{uri}.py"
    doc = store.open(uri, case.text, 1, "python")
    for version, change in enumerate(case.changes, start=2):
        store.change(uri, version, [change])
    return doc
