"""Rename propagation: one occurrence of a binding was renamed -> rename the others in its scope.

The latest edit must lie inside one name (a leaf of an identifier kind) and the name it replaced
must be a whole identifier too; typing a fresh name (nothing replaced) or an edit that spans more
than a name is not a rename. The scope is the innermost enclosing scope (the language's context
query) in which the old name is bound; a name bound nowhere around it is renamed in the file. A
new name that is already used in that scope means the user pointed the code at another name,
not a rename: no edit.
"""

from __future__ import annotations

from ghostfill.documents.store import Document
from ghostfill.documents.syntax import Leaf, SyntaxTree
from ghostfill.nextedit.language import NameRules
from ghostfill.nextedit.model import Edit, Replacement

SCOPE_QUERY = "context"


def propagate_rename(
    doc: Document, tree: SyntaxTree, rules: NameRules, edit: Edit
) -> tuple[Replacement, ...]:
    if not edit.new or b"\n" in edit.new or b"\n" in edit.old:
        return ()
    around = [
        leaf
        for leaf in tree.leaves(edit.start, edit.end)
        if leaf.start_byte <= edit.start and edit.end <= leaf.end_byte
    ]
    renamed = next((leaf for leaf in around if rules.is_name(leaf)), None)
    if renamed is None:
        return ()
    data = doc.data
    new_name = data[renamed.start_byte : renamed.end_byte]
    old_name = data[renamed.start_byte : edit.start] + edit.old + data[edit.end : renamed.end_byte]
    if old_name == new_name or not _identifier(rules, old_name):
        return ()
    found = _scope(tree, rules, renamed, old_name, data, edit.start)
    if found is None:
        return ()
    (lo, hi), names, olds = found
    shadows = _shadows(tree, rules, renamed, olds, lo, hi)
    inside = [n for n in olds if not any(a <= n.start_byte and n.end_byte <= b for a, b in shadows)]
    clash = any(_text(data, n) == new_name for n in names if n != renamed)
    if clash or not inside:
        return ()
    text = new_name.decode("utf-8", errors="replace")
    return tuple(Replacement(n.start_byte, n.end_byte, text) for n in inside)


def _scope(
    tree: SyntaxTree, rules: NameRules, renamed: Leaf, old: bytes, data: bytes, at: int
) -> tuple[tuple[int, int], list[Leaf], list[Leaf]] | None:
    """The innermost enclosing scope that binds the old name (the renamed leaf included), with
    the names in it and the other occurrences of the old name; the file when none does.

    Scopes are read from the inside out, so a local rename never walks the whole file."""
    spans = [
        (s.start_byte, s.end_byte)
        for m in tree.enclosing(SCOPE_QUERY, at, SCOPE_QUERY)
        if (s := m.first(SCOPE_QUERY)) is not None
    ]
    for lo, hi in [*reversed(spans), (0, len(data))]:
        names = [
            leaf
            for leaf in tree.leaves(lo, hi)
            if lo <= leaf.start_byte and leaf.end_byte <= hi and rules.is_name(leaf)
        ]
        olds = [n for n in names if n != renamed and _text(data, n) == old]
        if not olds:
            continue
        if rules.binds(renamed) or any(rules.binds(n) for n in olds) or (lo, hi) == (0, len(data)):
            return (lo, hi), names, olds
    return None


def _shadows(
    tree: SyntaxTree, rules: NameRules, renamed: Leaf, olds: list[Leaf], lo: int, hi: int
) -> list[tuple[int, int]]:
    """Scopes inside `lo..hi`, away from the renamed leaf, that bind the old name themselves."""
    spans = [
        (s.start_byte, s.end_byte)
        for m in tree.matches(SCOPE_QUERY, lo, hi)
        if (s := m.first(SCOPE_QUERY)) is not None and (s.start_byte, s.end_byte) != (lo, hi)
    ]
    out: list[tuple[int, int]] = []
    for b in (n for n in olds if rules.binds(n)):
        around = [
            (a, z)
            for a, z in spans
            if lo <= a
            and z <= hi
            and a <= b.start_byte
            and b.end_byte <= z
            and not (a <= renamed.start_byte and renamed.end_byte <= z)
        ]
        if around:
            out.append(min(around, key=lambda span: span[1] - span[0]))
    return out


def _text(data: bytes, leaf: Leaf) -> bytes:
    return data[leaf.start_byte : leaf.end_byte]


def _identifier(rules: NameRules, name: bytes) -> bool:
    try:
        return bool(rules.identifier.match(name.decode("utf-8")))
    except UnicodeDecodeError:
        return False
