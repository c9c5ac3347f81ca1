"""Offline rules: rename propagation within the binding's scope, repeated edits, and silence on
noise (a fresh statement, a comment, an unrelated change)."""

from __future__ import annotations

from tests.unit.nextedit.typing_helpers import Editor

SOURCE = """count = 3


def total(items, count):
    result = 0
    for item in items:
        result += item * count
    return result + count


def other(count):
    return count.real + f(count=1)
"""


def test_renaming_a_parameter_renames_its_uses_in_the_function_only() -> None:
    ed = Editor()
    ed.open(SOURCE)
    ed.rename_at(3, 17, "count", "factor")
    expected = (
        SOURCE.replace("item * count", "item * factor")
        .replace("result + count", "result + factor")
        .replace("items, count", "items, factor")
    )
    assert ed.predicted_text(3, 23) == expected


def test_renaming_by_backspacing_gives_the_same_answer() -> None:
    ed = Editor()
    ed.open(SOURCE)
    ed.backspace_and_type(6, 25, "count", "factor")
    text = ed.predicted_text(6, 31)
    assert text.count("factor") == 3 and "def other(count):" in text


def test_a_module_name_renames_across_the_file_but_not_attributes_or_keywords() -> None:
    src = "limit = 1\nprint(limit)\n\n\ndef f(x):\n    return x.limit + limit + g(limit=2)\n"
    ed = Editor()
    ed.open(src)
    ed.rename_at(0, 0, "limit", "cap")
    assert ed.predicted_text(0, 3) == (
        "cap = 1\nprint(cap)\n\n\ndef f(x):\n    return x.limit + cap + g(limit=2)\n"
    )


def test_a_shadowing_local_keeps_its_name() -> None:
    src = "n = 1\nprint(n)\n\n\ndef f():\n    n = 2\n    return n\n"
    ed = Editor()
    ed.open(src)
    ed.rename_at(0, 0, "n", "size")
    assert ed.predicted_text(0, 4) == (
        "size = 1\nprint(size)\n\n\ndef f():\n    n = 2\n    return n\n"
    )


def test_pointing_at_another_existing_name_is_not_a_rename() -> None:
    src = "def f(a, b):\n    x = a\n    return a + b\n"
    ed = Editor()
    ed.open(src)
    ed.rename_at(1, 8, "a", "b")
    assert ed.predict(1, 9) == []


def test_javascript_rename() -> None:
    src = "function f(items) {\n  const n = items.length;\n  return items[n - 1];\n}\n"
    ed = Editor()
    ed.open(src, "t.js")
    ed.rename_at(0, 11, "items", "list")
    assert ed.predicted_text(0, 15) == (
        "function f(list) {\n  const n = list.length;\n  return list[n - 1];\n}\n"
    )


def test_the_same_change_on_two_sibling_lines_is_offered_on_the_next() -> None:
    src = "print 'a'\nprint 'b'\nprint 'c'\nprint 'd'\n"
    ed = Editor()
    ed.open(src)
    ed.change(0, 5, 0, 6, "(")
    ed.change(1, 5, 1, 6, "(")
    assert ed.predicted_text(1, 6) == "print('a'\nprint('b'\nprint('c'\nprint 'd'\n"


def test_a_repeated_insertion_at_the_line_start() -> None:
    src = "    a = 1\n    b = 2\n    c = 3\n"
    ed = Editor()
    ed.open(src)
    ed.type(0, 4, "self.")
    ed.type(1, 4, "self.")
    assert ed.predicted_text(1, 9) == "    self.a = 1\n    self.b = 2\n    self.c = 3\n"


def test_no_edit_after_typing_a_fresh_statement() -> None:
    ed = Editor()
    ed.open(SOURCE)
    ed.type(4, 14, "\n        scale = count * 2")
    assert ed.predict(5, 25) == []


def test_no_edit_after_typing_a_comment() -> None:
    ed = Editor()
    ed.open(SOURCE)
    ed.type(5, 26, "  # count the items")
    assert ed.predict(5, 45) == []


def test_no_edit_after_typing_a_new_name_on_an_empty_line() -> None:
    ed = Editor()
    ed.open("def f(count):\n    \n    return count\n")
    ed.type(1, 4, "count")
    assert ed.predict(1, 9) == []


def test_no_rules_for_a_language_without_next_edit_data() -> None:
    ed = Editor()
    ed.open('fn main() { let a = 1; println!("{}", a); }\n', "t.rs")
    ed.rename_at(0, 16, "a", "b")
    assert ed.predict(0, 17) == []


def test_a_rename_outside_the_window_is_not_offered() -> None:
    body = "".join(f"    print(value, {i})\n" for i in range(30))
    src = f"def f(value):\n{body}"
    ed = Editor(window_lines=5)
    ed.open(src)
    ed.rename_at(0, 6, "value", "v")
    assert ed.predict(0, 7) == []
    ed.window_lines = 40
    ed.next_edits.changed(ed.doc.uri)
    assert len(ed.predict(0, 7)) == 30


def test_answers_are_cached_per_version() -> None:
    ed = Editor()
    ed.open(SOURCE)
    ed.rename_at(3, 17, "count", "factor")
    first = ed.next_edits.predict(ed.doc, ed.doc.position(0))
    assert ed.next_edits.predict(ed.doc, ed.doc.position(0)) is first
    ed.type(3, 23, "s")
    again = ed.next_edits.predict(ed.doc, ed.doc.position(0))
    assert again is not first and {e.text for e in again.edits} == {"factors"}


async def test_typing_cancels_a_pending_prediction() -> None:
    import asyncio

    ed = Editor()
    ed.open(SOURCE)
    ed.rename_at(3, 17, "count", "factor")
    pending = asyncio.ensure_future(ed.next_edits.suggest(ed.doc, ed.doc.position(0)))
    await asyncio.sleep(0)  # the prediction is queued behind notifications already read
    ed.type(3, 23, "s")
    found = await pending
    assert found.empty and ed.next_edits.stats()["cancelled"] == 1
    fresh = await ed.next_edits.suggest(ed.doc, ed.doc.position(0))
    assert {e.text for e in fresh.edits} == {"factors"}
