"""Paths as prompts show them: relative inside the workspace, whole outside it."""

from __future__ import annotations

import os

import pytest
from ghostfill.prompt.render import display_path

WS = os.path.join(os.sep, "home", "me", "proj")


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        (os.path.join(WS, "pkg", "a.py"), os.path.join("pkg", "a.py")),
        (os.path.join(WS, "a.py"), "a.py"),
        (os.path.join(WS + "2", "a.py"), os.path.join(WS + "2", "a.py")),  # a sibling folder
        (os.path.join(os.sep, "etc", "x.py"), os.path.join(os.sep, "etc", "x.py")),
        (os.path.join(WS, "sub", "..", "b.py"), "b.py"),  # not normalized: relpath's way
        ("relative.py", "relative.py"),
    ],
)
def test_inside_the_workspace_is_relative(path: str, shown: str) -> None:
    assert display_path(path, WS) == shown


def test_no_workspace_shows_the_whole_path() -> None:
    path = os.path.join(WS, "a.py")
    assert display_path(path, "") == path
