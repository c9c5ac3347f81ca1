"""Ready-to-paste editor configurations, printed by `ghostfill setup EDITOR`.

Each snippet is a package data file in `snippets/`, printed verbatim: the real-editor tests in
tests/clients load these same files, so what a user copies is what CI ran.
"""

from __future__ import annotations

from importlib import resources

SNIPPETS: dict[str, str] = {
    "neovim": "neovim.lua",
    "neovim-legacy": "neovim-legacy.lua",
    "emacs": "emacs.el",
    "helix": "helix.toml",
    "sublime": "sublime.json",
    "zed": "zed.json",
    "vscode": "vscode.md",
}
"""Editor name -> snippet file, in the order `ghostfill setup` lists them."""

ALIASES: dict[str, str] = {
    "nvim": "neovim",
    "nvim-legacy": "neovim-legacy",
    "eglot": "emacs",
    "lsp-mode": "emacs",
    "hx": "helix",
    "sublime-text": "sublime",
    "code": "vscode",
    "vs-code": "vscode",
}


def editor_names() -> list[str]:
    return list(SNIPPETS)


def snippet_file(editor: str) -> str:
    """The snippet's file name for an editor name or alias (case-insensitive)."""
    key = editor.strip().lower()
    name = ALIASES.get(key, key)
    if name not in SNIPPETS:
        raise KeyError(f"unknown editor {editor}; choose from {', '.join(SNIPPETS)}")
    return SNIPPETS[name]


def render_setup(editor: str) -> str:
    """The configuration snippet for `editor`, exactly as shipped (no trailing newline)."""
    path = resources.files(__package__).joinpath("snippets", snippet_file(editor))
    return path.read_text(encoding="utf-8").rstrip("\n")
