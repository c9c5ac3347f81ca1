"""The file's `module.member` uses (the definition source's input), found and kept up to date."""

from __future__ import annotations

import random

import pytest
from ghostfill.context.member_uses import MAX_MEMBER_USES, MemberUses
from ghostfill.context.window import cursor_window
from ghostfill.documents.languages import LanguageRegistry
from ghostfill.documents.store import DocumentStore, TextChange
from ghostfill.documents.syntax import Grammars
from ghostfill.model import Position

GRAMMARS = Grammars(LanguageRegistry())


def _uses(text: str, row: int, modules: list[str], uses: MemberUses | None = None):  # type: ignore[no-untyped-def]
    store = DocumentStore(GRAMMARS.registry, GRAMMARS)
    doc = store.open("file:///w/a.py", text, 1)
    window = cursor_window(doc, row, 0, 2000, 0.25)
    return (uses or MemberUses())(doc, window, modules), store, doc


def test_counts_the_files_uses_of_each_module_outside_the_lines_near_the_cursor() -> None:
    lines = ["import os, os2, sys", "os.path.join(a)", "xos.getcwd()", "os2.walk(b)"]
    lines += ["pass"] * 20 + ["sys.argv", "os.path", "os . sep", "os.", "sys.exit(os.sep)"]
    found, _, _ = _uses("\n".join(lines) + "\n", row=14, modules=["os", "os2", "sys"])
    assert found == {
        ("os", "path"): 2,
        ("os2", "walk"): 1,  # not `os` followed by `2`
        ("sys", "argv"): 1,
        ("sys", "exit"): 1,
        ("os", "sep"): 1,  # inside the call; `os . sep` has spaces, `xos.` is another name
    }


def test_the_lines_around_the_cursor_are_left_to_the_near_names() -> None:
    lines = ["pass"] * 30
    lines[3], lines[15], lines[27] = "os.far_above", "os.near", "os.far_below"
    found, _, _ = _uses("\n".join(lines) + "\n", row=14, modules=["os"])
    assert found == {("os", "far_above"): 1, ("os", "far_below"): 1}


def test_at_most_so_many_uses_per_module() -> None:
    text = "".join(f"os.m{i}()\nsys.x()\n" for i in range(MAX_MEMBER_USES + 40))
    found, _, _ = _uses(text, row=0, modules=["os", "sys"])
    assert sum(n for (module, _), n in found.items() if module == "os") == MAX_MEMBER_USES
    assert found[("sys", "x")] == MAX_MEMBER_USES


def test_an_edit_elsewhere_is_seen_and_typing_near_the_cursor_is_not_counted() -> None:
    lines = ["pass"] * 30
    lines[2] = "os.a"
    uses = MemberUses()
    found, store, doc = _uses("\n".join(lines) + "\n", row=20, modules=["os"], uses=uses)
    assert found == {("os", "a"): 1}
    store.change(doc.uri, 2, [TextChange("os.b\n", Position(0, 0), Position(0, 0))])
    window = cursor_window(doc, 21, 0, 2000, 0.25)
    again = uses(doc, window, ["os"])
    assert again == {("os", "a"): 1, ("os", "b"): 1}
    store.change(doc.uri, 3, [TextChange("os.c", Position(21, 0), Position(21, 0))])
    assert uses(doc, cursor_window(doc, 21, 4, 2000, 0.25), ["os"]) == again


def _full(doc, modules):  # type: ignore[no-untyped-def]
    from ghostfill.context.member_uses import find_uses

    return {m: find_uses(doc.data, m) for m in modules}


SNIPPETS = ["os.", "path", "sys.exit(", "x", "\n", "\n    ", "os.sep\n", " ", "ys.", ".", "os"]


@pytest.mark.parametrize("seed", range(40))
def test_uses_moved_through_edits_are_the_uses_found_afresh(seed: int) -> None:
    """Random edits (typing, deleting across lines, typing right before or inside a use,
    more edits between two asks than the document keeps) against a fresh search each time."""
    rng = random.Random(seed)
    lines = [
        rng.choice(
            [
                "import os, sys",
                "os.path.join(a, b)",
                "x = sys.argv[1]",
                "pass",
                "    y = os.sep + os.getcwd()",
                "",
                "xos.name",
                "sys . exit",
            ]
        )
        for _ in range(60)
    ]
    store = DocumentStore(GRAMMARS.registry, GRAMMARS)
    doc = store.open("file:///w/a.py", "\n".join(lines) + "\n", 1)
    modules = ("os", "sys")
    uses = MemberUses()
    assert uses.uses(doc, modules) == _full(doc, modules)
    version = 1
    for _ in range(25):
        for _ in range(rng.choice([1, 1, 2, 5, 20, 70])):
            row = rng.randrange(doc.line_count)
            col = rng.randrange(len(doc.line(row)) + 1)
            start = Position(row, col)
            if rng.random() < 0.3:
                end_row = min(doc.line_count - 1, row + rng.choice([0, 0, 1, 2]))
                end_col = rng.randrange(len(doc.line(end_row)) + 1)
                end = Position(end_row, end_col) if (end_row, end_col) >= (row, col) else start
                text = rng.choice(["", *SNIPPETS])
            else:
                end, text = start, rng.choice(SNIPPETS)
            version += 1
            store.change(doc.uri, version, [TextChange(text, start, end)])
        assert uses.uses(doc, modules) == _full(doc, modules)


@pytest.mark.parametrize("seed", range(20))
def test_uses_kept_per_module_while_the_modules_asked_for_change(seed: int) -> None:
    """The window's imports change as it moves: each ask names other modules, with edits
    between the asks; every answer equals a fresh search, and a module asked again after
    others were asked is still right."""
    rng = random.Random(seed)
    lines = [
        rng.choice(["os.path.join(a)", "sys.argv", "re.sub(x)", "pass", ""]) for _ in range(80)
    ]
    store = DocumentStore(GRAMMARS.registry, GRAMMARS)
    doc = store.open("file:///w/a.py", "\n".join(lines) + "\n", 1)
    uses = MemberUses(max_modules=2)
    version = 1
    for _ in range(30):
        modules = rng.choice([("os", "sys"), ("sys",), ("re",), ("os", "re"), ("sys", "os")])
        assert uses.uses(doc, modules) == _full(doc, modules)
        for _ in range(rng.choice([0, 1, 3])):
            row = rng.randrange(doc.line_count)
            col = rng.randrange(len(doc.line(row)) + 1)
            version += 1
            text = rng.choice([*SNIPPETS, "re.", "sys.x\n"])
            store.change(
                doc.uri, version, [TextChange(text, Position(row, col), Position(row, col))]
            )


def whole_file_searches(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The modules searched for through the whole file from now on, in order."""
    import ghostfill.context.member_uses as member_uses

    whole: list[str] = []
    real = member_uses.find_uses

    def counting(data: bytes, module: str, lo: int = 0, hi: int | None = None):  # type: ignore[no-untyped-def]
        if lo == 0 and hi is None:
            whole.append(module)
        return real(data, module, lo, hi)

    monkeypatch.setattr(member_uses, "find_uses", counting)
    return whole


def test_a_module_asked_again_is_not_searched_through_the_whole_file_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    whole = whole_file_searches(monkeypatch)
    store = DocumentStore(GRAMMARS.registry, GRAMMARS)
    doc = store.open("file:///w/a.py", "os.sep\nsys.argv\n" * 50, 1)
    uses = MemberUses()
    uses.uses(doc, ("os",))
    uses.uses(doc, ("sys",))  # the window moved: other imports
    store.change(doc.uri, 2, [TextChange("os.name ", Position(3, 0), Position(3, 0))])
    found = uses.uses(doc, ("os", "sys"))
    assert whole == ["os", "sys"]  # once each, when first asked for
    assert found == _full(doc, ("os", "sys"))


def test_edits_since_a_revision_are_kept_until_there_are_too_many_or_the_text_is_replaced() -> None:
    from ghostfill.documents.store import EDIT_LOG

    store = DocumentStore(GRAMMARS.registry, GRAMMARS)
    doc = store.open("file:///w/a.py", "ab\ncd\n", 1)
    first = doc.revision
    store.change(doc.uri, 2, [TextChange("X", Position(1, 1), Position(1, 1))])
    assert doc.edits_since(first) == [(4, 4, 5)]
    assert doc.edits_since(doc.revision) == []
    for n in range(EDIT_LOG):
        store.change(doc.uri, 3 + n, [TextChange("y", Position(0, 0), Position(0, 0))])
    assert doc.edits_since(first) is None  # the oldest fell out
    assert len(doc.edits_since(doc.revision - EDIT_LOG) or []) == EDIT_LOG
    store.change(doc.uri, 99, [TextChange("new text\n", None, None)])
    assert doc.edits_since(doc.revision - 1) is None


def test_modules_asked_for_before_are_kept_while_there_is_room(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    whole = whole_file_searches(monkeypatch)
    store = DocumentStore(GRAMMARS.registry, GRAMMARS)
    doc = store.open("file:///w/a.py", "os.sep\nsys.argv\nre.sub\njson.dumps\n" * 20, 1)
    uses = MemberUses(max_modules=6)
    modules = ("os", "sys", "re", "json")
    for module in modules:
        uses.uses(doc, (module,))
    uses.uses(doc, modules)  # all four kept: six have room
    assert whole == list(modules)
