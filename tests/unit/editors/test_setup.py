"""`ghostfill setup EDITOR`: every editor renders, unknown names fail, snippets are well-formed."""

from __future__ import annotations

import json
import re
import tomllib

import pytest
from ghostfill import cli
from ghostfill.editors import ALIASES, SNIPPETS, editor_names, render_setup


def _strip_line_comments(text: str) -> str:
    """Sublime's and Zed's settings files allow `//` comment lines; json does not."""
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//"))


@pytest.mark.parametrize("editor", list(SNIPPETS))
def test_every_editor_renders_with_the_server_command(editor: str) -> None:
    text = render_setup(editor)
    assert text.strip()
    assert "ghostfill" in text
    if editor != "vscode":  # VS Code's extension starts the server itself
        assert re.search(r"""["']serve["']""", text), text


@pytest.mark.parametrize("alias", list(ALIASES))
def test_aliases_render_their_editor(alias: str) -> None:
    assert render_setup(alias) == render_setup(ALIASES[alias])
    assert render_setup(alias.upper()) == render_setup(alias)


def test_unknown_editor_names_the_choices() -> None:
    with pytest.raises(KeyError) as err:
        render_setup("notepad")
    message = err.value.args[0]
    assert message.startswith("unknown editor notepad; choose from ")
    for name in editor_names():
        assert name in message


def test_cli_prints_the_snippet(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["setup", "helix"]) == 0
    assert capsys.readouterr().out == render_setup("helix") + "\n"


def test_cli_unknown_editor_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["setup", "notepad"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "unknown editor notepad" in captured.err


def test_helix_is_languages_toml() -> None:
    data = tomllib.loads(render_setup("helix"))
    server = data["language-server"]["ghostfill"]
    assert server["command"] == "ghostfill"
    assert server["args"] == ["serve"]
    assert isinstance(server["config"], dict)
    languages = data["language"]
    assert {lang["name"] for lang in languages} >= {"python", "rust", "go", "typescript"}
    for lang in languages:
        assert "ghostfill" in lang["language-servers"], lang["name"]


def test_sublime_is_lsp_client_settings() -> None:
    data = json.loads(_strip_line_comments(render_setup("sublime")))
    client = data["clients"]["ghostfill"]
    assert client["command"] == ["ghostfill", "serve"]
    assert "source.python" in client["selector"]
    assert client["enabled"] is True


def test_zed_is_settings_json_and_says_its_limits() -> None:
    text = render_setup("zed")
    data = json.loads(_strip_line_comments(text))
    binary = data["lsp"]["ghostfill"]["binary"]
    assert [binary["path"], *binary["arguments"]] == ["ghostfill", "serve"]
    assert all("ghostfill" in lang["language_servers"] for lang in data["languages"].values())
    assert "extension" in text and "inline completion" in text


def test_neovim_uses_native_inline_completion() -> None:
    text = render_setup("neovim")
    assert "vim.lsp.config('ghostfill'" in text
    assert "cmd = { 'ghostfill', 'serve' }" in text
    assert "vim.lsp.enable('ghostfill')" in text
    assert "vim.lsp.inline_completion.enable()" in text
    assert "vim.lsp.inline_completion.get()" in text
    assert "['ghostfill/completionReady']" in text


def test_neovim_legacy_covers_07_to_011() -> None:
    text = render_setup("neovim-legacy")
    assert "vim.lsp.start_client" in text and "vim.lsp.start(" in text
    assert "v:lua.vim.lsp.omnifunc" in text
    assert "nvim-cmp" in text


def test_emacs_has_eglot_and_lsp_mode() -> None:
    text = render_setup("emacs")
    assert "eglot-server-programs" in text and '("ghostfill" "serve")' in text
    assert (
        "lsp-register-client" in text and '(lsp-stdio-connection \'("ghostfill" "serve"))' in text
    )
    assert text.count("(") == text.count(")")  # comments hold balanced examples too


def test_lua_snippets_balance_their_brackets() -> None:
    # Full syntax is checked by tests/clients, where real Neovim 0.12 and 0.7 load them.
    for editor in ("neovim", "neovim-legacy"):
        code = "\n".join(line.split("--", 1)[0] for line in render_setup(editor).splitlines())
        for open_, close in ("()", "{}", "[]"):
            assert code.count(open_) == code.count(close), (editor, open_)


def test_vscode_points_at_the_extension() -> None:
    text = render_setup("vscode")
    assert "client-extension" in text
    assert "--install-extension" in text
