"""FIM templates render exactly as each model family's tokenizer defines them, and the family is
chosen from the model name (or forced by `backend.template`)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from ghostfill.model import CompletionContext, Snippet
from ghostfill.prompt.render import as_chat, as_native, render
from ghostfill.prompt.templates import FIM_TEMPLATES, fim_template, quirks, template_names

PREFIX = "def f(x):\n    "
SUFFIX = "\n    return y\n"
CTX = CompletionContext(
    uri="file:///ws/m.py",
    path="m.py",
    language="python",
    prefix=PREFIX,
    suffix=SUFFIX,
    line_prefix="    ",
    line_suffix="",
)
WITH_FILE = replace(CTX, snippets=(Snippet("util.py", "x = 1", "neighbour"),))

EXACT = {
    "qwen": "<|fim_prefix|>def f(x):\n    <|fim_suffix|>\n    return y\n<|fim_middle|>",
    "deepseek": "<｜fim▁begin｜>def f(x):\n    <｜fim▁hole｜>\n    return y\n<｜fim▁end｜>",
    "starcoder2": "<fim_prefix>def f(x):\n    <fim_suffix>\n    return y\n<fim_middle>",
    "starcoder": "<fim_prefix>def f(x):\n    <fim_suffix>\n    return y\n<fim_middle>",
    "codellama": "<PRE> def f(x):\n     <SUF>\n    return y\n <MID>",
    "codestral": "[SUFFIX]\n    return y\n[PREFIX]def f(x):\n    ",
    "codegemma": "<|fim_prefix|>def f(x):\n    <|fim_suffix|>\n    return y\n<|fim_middle|>",
    "seed-coder": "<[fim-suffix]>\n    return y\n<[fim-prefix]>def f(x):\n    <[fim-middle]>",
    "codegeex4": "<|user|>\n###PATH:m.py\n###LANGUAGE:python\n###MODE:BLOCK\n"
    "<|code_suffix|>\n    return y\n<|code_prefix|>def f(x):\n    <|code_middle|><|assistant|>\n",
}


def test_every_family_has_an_exact_expectation() -> None:
    assert sorted(EXACT) == sorted(t.family for t in FIM_TEMPLATES)
    assert template_names() == ["auto", "chat", *(t.family for t in FIM_TEMPLATES)]


@pytest.mark.parametrize("family", list(EXACT))
def test_template_renders_exactly(family: str) -> None:
    prompt = render(CTX, model="anything", template=family)
    assert prompt.fim == EXACT[family]
    template = fim_template("anything", family)
    assert template is not None and prompt.stop == template.stop
    assert prompt.prefix == PREFIX and prompt.suffix == SUFFIX


def test_deepseek_sentinels_are_the_fullwidth_characters() -> None:
    fim = EXACT["deepseek"]
    assert "\uff5c" in fim and "\u2581" in fim and "|" not in fim


def test_whitespace_at_the_cursor_is_kept() -> None:
    """CodeGemma's own example: a trailing space in the prefix and a leading newline in the
    suffix survive."""
    ctx = replace(CTX, prefix="import ", suffix="\nif __name__ == '__main__':\n   sys.exit(0)")
    assert render(ctx, model="codegemma:2b").fim == (
        "<|fim_prefix|>import <|fim_suffix|>\nif __name__ == '__main__':\n   sys.exit(0)<|fim_middle|>"
    )


def test_braces_in_code_are_not_format_fields() -> None:
    ctx = replace(CTX, prefix="d = {'a': {", suffix="}}\n")
    assert (
        render(ctx, model="qwen2.5-coder:1.5b").fim
        == "<|fim_prefix|>d = {'a': {<|fim_suffix|>}}\n<|fim_middle|>"
    )


@pytest.mark.parametrize(
    ("family", "fim"),
    [
        (
            "qwen",
            "<|file_sep|>util.py\nx = 1\n<|file_sep|>m.py\n"
            "<|fim_prefix|>def f(x):\n    <|fim_suffix|>\n    return y\n<|fim_middle|>",
        ),
        (
            "starcoder2",
            "<file_sep>util.py\nx = 1<file_sep><fim_prefix>m.py\ndef f(x):\n    "
            "<fim_suffix>\n    return y\n<fim_middle>",
        ),
        (
            "codestral",
            "[SUFFIX]\n    return y\n[PREFIX]+++++ util.py\nx = 1\n\n+++++ m.py\ndef f(x):\n    ",
        ),
        (
            "deepseek",
            "<｜fim▁begin｜># similar code in util.py:\n# x = 1\ndef f(x):\n    <｜fim▁hole｜>\n    return y\n<｜fim▁end｜>",
        ),
    ],
)
def test_repo_context(family: str, fim: str) -> None:
    prompt = render(WITH_FILE, model="x", template=family, comment="#")
    assert prompt.fim == fim
    assert prompt.extra == WITH_FILE.snippets


@pytest.mark.parametrize(
    ("model", "family"),
    [
        ("qwen2.5-coder:1.5b-base", "qwen"),
        ("Qwen/Qwen2.5-Coder-1.5B", "qwen"),
        ("Qwen/Qwen3-Coder-30B-A3B-Instruct", "qwen"),
        ("qwen-3-coder-480b", "qwen"),
        ("deepseek-coder-6.7b-base", "deepseek"),
        ("deepseek-coder-v2:16b", "deepseek"),
        ("codellama:7b-code", "codellama"),
        ("codestral-latest", "codestral"),
        ("mistralai/codestral-2508", "codestral"),
        ("starcoder2:3b", "starcoder2"),
        ("bigcode/starcoderbase-1b", "starcoder"),
        ("granite-code:3b", "starcoder"),
        ("stable-code:3b", "starcoder"),
        ("codegemma:2b", "codegemma"),
        ("ByteDance-Seed/Seed-Coder-8B-Base", "seed-coder"),
        ("codegeex4:9b", "codegeex4"),
    ],
)
def test_auto_choice_from_the_model_name(model: str, family: str) -> None:
    template = fim_template(model)
    assert template is not None and template.family == family


@pytest.mark.parametrize(
    "model",
    [
        "gpt-oss-120b",
        "llama-3.1-8b-instant",
        "claude-haiku-4-5",
        "gpt-4.1-nano",
        "deepseek-v4-flash",
        "qwen/qwen3-32b",
        "",
    ],
)
def test_chat_models_get_no_fim(model: str) -> None:
    assert fim_template(model) is None
    prompt = render(CTX, model=model)
    assert prompt.fim is None and prompt.stop == ("</COMPLETION>",)


def test_overrides() -> None:
    assert fim_template("qwen2.5-coder:7b", "chat") is None
    template = fim_template("mystery-model", "codellama")
    assert template is not None and template.family == "codellama"
    assert fim_template("qwen2.5-coder:7b", "no-such-family") is None
    assert fim_template("qwen2.5-coder:7b", "") is not None


def test_stop_tokens_per_family() -> None:
    stops = {t.family: t.stop for t in FIM_TEMPLATES}
    assert stops["qwen"] == (
        "<|endoftext|>",
        "<|fim_prefix|>",
        "<|fim_suffix|>",
        "<|fim_middle|>",
        "<|fim_pad|>",
        "<|repo_name|>",
        "<|file_sep|>",
        "<|im_start|>",
        "<|im_end|>",
    )
    assert stops["deepseek"][0] == "<｜end▁of▁sentence｜>"
    assert stops["codellama"] == ("<EOT>", "<PRE>", "<SUF>", "<MID>")
    assert stops["codestral"] == ("</s>", "[PREFIX]", "[SUFFIX]")
    assert "<|file_separator|>" in stops["codegemma"]
    assert "<|endoftext|>" in stops["starcoder2"] and "<file_sep>" in stops["starcoder2"]


def test_model_quirks_are_data() -> None:
    assert quirks("gpt-oss-120b") == ({"reasoning_effort": "low"}, ())
    assert quirks("openai/gpt-oss-20b")[0] == {"reasoning_effort": "low"}
    assert quirks("qwen-3-32b")[1] == ("<think>", "</think>")
    assert quirks("qwen3-coder:30b") == ({}, ())
    assert quirks("llama-3.1-8b-instant") == ({}, ())


def test_as_chat_and_as_native() -> None:
    fim = render(CTX, model="qwen2.5-coder:1.5b")
    chat = as_chat(fim)
    assert chat.fim is None and chat.stop == ("</COMPLETION>",) and chat.messages == fim.messages
    assert as_chat(chat) is chat
    native = as_native(render(CTX, model="deepseek-v4-flash"))
    assert native.fim == "" and native.stop == ()
    assert as_native(fim).fim == fim.fim
