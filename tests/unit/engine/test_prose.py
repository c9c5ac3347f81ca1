"""Comments and docstrings are completed from the prose the workspace and the file hold."""

from __future__ import annotations

from ghostfill.engine import OfflineEngine
from ghostfill.engine.lexers import Lexers
from ghostfill.engine.prose import LINE_START, cursor_tokens, prose_lines
from ghostfill.model import CompletionContext
from ghostfill.settings import OfflineSettings

MODULE = '''# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.


def load(key):
    """Load the value stored under the key.

    :param key: the name the value was stored under
    """
    return key  # the key is the value here
'''


def ctx(text: str, suffix: str = "\n", path: str = "/ws/new.py") -> CompletionContext:
    return CompletionContext(
        uri="file://" + path,
        path=path,
        language="python",
        prefix=text,
        suffix=suffix,
        line_prefix=text.rsplit("\n", 1)[-1],
        line_suffix="",
    )


def engine() -> OfflineEngine:
    found = OfflineEngine(OfflineSettings(minConfidence=0.05))
    for i in range(3):
        found.observe(f"/ws/m{i}.py", MODULE.replace("load", f"load{i}"), "python")
    return found


def test_prose_lines_keep_spaces_and_skip_code() -> None:
    tokens, lines = prose_lines(MODULE, Lexers().family("python"))
    assert tokens[:4] == [LINE_START, "#", " Licensed", " under"]
    assert "return" not in tokens and " return" not in tokens
    assert lines[0] == 0 and lines[tokens.index("param")] == 7


def test_a_licence_header_is_completed_from_the_workspace() -> None:
    got = engine().suggest(ctx("# Licensed under the Apa"))
    assert got is not None and got.text == 'che License, Version 2.0 (the "License");'


def test_a_docstring_line_is_completed() -> None:
    got = engine().suggest(ctx('def save(key):\n    """Save.\n\n    :param key: the na'))
    assert got is not None and got.text == "me the value was stored under"


def test_spaces_typed_after_a_word_are_not_doubled() -> None:
    assert cursor_tokens("    # you may not ", Lexers().family("python")) == (
        [LINE_START, "#", " you", " may", " not"],
        " ",
    )
    got = engine().suggest(ctx("# you may not "))
    assert got is not None and got.text == "use this file except in compliance with the License."


def test_the_line_being_typed_never_teaches_its_own_rest() -> None:
    fresh = OfflineEngine(OfflineSettings(minConfidence=0.01))
    text = "x = 1\n# zebra quokka marmot\ny = 2\n"
    fresh.suggest(ctx("x = 1", text[5:], "/ws/z.py"))  # the snapshot holds the whole line
    second = ctx("x = 1\n# zebra quo", "\ny = 2\n", "/ws/z.py")
    assert fresh.suggest(second) is None


def test_secrets_in_comments_are_known_to_the_index() -> None:
    found = OfflineEngine(OfflineSettings())
    found.observe("/ws/a.py", "x = 1  # token csk-canary123\n", "python")
    assert found.knows("csk")
