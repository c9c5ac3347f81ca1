"""FIM templates per model family, with their stop tokens, chosen from the model name.

Model quirks live here as data (`match` patterns, `body` extras, `strip` strings), never as
`if model == ...` branches in code. Each template uses the FIM tokens its family's tokenizer
defines, in the order its model card gives (prefix-suffix-middle unless noted).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class FimTemplate:
    family: str
    match: str
    """Regular expression matched (case-insensitively) against the model id."""
    pattern: str
    """Uses {prefix}, {suffix}, and optionally {context} (rendered repo/file context)."""
    stop: tuple[str, ...]
    file_header: str = "{comment}\n"
    """How one context snippet is rendered before the prefix: {path}, {text}, {comment}."""
    with_context: str = ""
    """The pattern when there are context snippets, if the family marks the current file
    differently then (Qwen's `<|file_sep|>{path}`, StarCoder2's, Codestral's `+++++ {path}`)."""


STARCODER_STOP: tuple[str, ...] = (
    "<|endoftext|>",
    "<fim_prefix>",
    "<fim_suffix>",
    "<fim_middle>",
    "<fim_pad>",
    "<file_sep>",
)
"""The StarCoder FIM tokens: StarCoder2 and the StarCoder-style families (SantaCoder, Granite
Code, StableCode) use the same ones, so the same stops end their middles."""


FIM_TEMPLATES: tuple[FimTemplate, ...] = (
    FimTemplate(
        "qwen",
        r"qwen.*coder|qwen3-coder|qwen2\.5-coder",
        "{context}<|fim_prefix|>{prefix}<|fim_suffix|>{suffix}<|fim_middle|>",
        (
            "<|endoftext|>",
            "<|fim_prefix|>",
            "<|fim_suffix|>",
            "<|fim_middle|>",
            "<|fim_pad|>",
            "<|repo_name|>",
            "<|file_sep|>",
            "<|im_start|>",
            "<|im_end|>",
        ),
        file_header="<|file_sep|>{path}\n{text}\n",
        with_context="{context}<|file_sep|>{path}\n"
        "<|fim_prefix|>{prefix}<|fim_suffix|>{suffix}<|fim_middle|>",
    ),
    FimTemplate(
        "deepseek",
        r"deepseek.*coder",
        "<｜fim▁begin｜>{context}{prefix}<｜fim▁hole｜>{suffix}<｜fim▁end｜>",
        ("<｜end▁of▁sentence｜>", "<｜fim▁begin｜>", "<｜fim▁hole｜>", "<｜fim▁end｜>", "<|EOT|>"),
    ),
    FimTemplate(
        "starcoder2",
        r"starcoder2",
        "{context}<fim_prefix>{prefix}<fim_suffix>{suffix}<fim_middle>",
        STARCODER_STOP,
        file_header="<file_sep>{path}\n{text}",
        with_context="{context}<file_sep><fim_prefix>{path}\n{prefix}<fim_suffix>{suffix}<fim_middle>",
    ),
    FimTemplate(
        "starcoder",
        r"starcoder|santacoder|granite.*code|granite-\d+b-code|stable-?code",
        "{context}<fim_prefix>{prefix}<fim_suffix>{suffix}<fim_middle>",
        STARCODER_STOP,
    ),
    FimTemplate(
        "codellama",
        r"codellama|code-llama",
        "<PRE> {context}{prefix} <SUF>{suffix} <MID>",
        ("<EOT>", "<PRE>", "<SUF>", "<MID>"),
    ),
    FimTemplate(
        "codestral",
        r"codestral",
        "[SUFFIX]{suffix}[PREFIX]{context}{prefix}",
        ("</s>", "[PREFIX]", "[SUFFIX]"),
        file_header="+++++ {path}\n{text}\n\n",
        with_context="[SUFFIX]{suffix}[PREFIX]{context}+++++ {path}\n{prefix}",
    ),
    FimTemplate(
        "codegemma",
        r"codegemma",
        "{context}<|fim_prefix|>{prefix}<|fim_suffix|>{suffix}<|fim_middle|>",
        (
            "<|file_separator|>",
            "<|fim_prefix|>",
            "<|fim_suffix|>",
            "<|fim_middle|>",
            "<end_of_turn>",
            "<eos>",
        ),
        file_header="{text}<|file_separator|>",
    ),
    FimTemplate(
        "seed-coder",
        r"seed-?coder",
        "<[fim-suffix]>{suffix}<[fim-prefix]>{context}{prefix}<[fim-middle]>",
        ("<[end▁of▁sentence]>", "<[fim-suffix]>", "<[fim-prefix]>", "<[fim-middle]>"),
    ),
    FimTemplate(
        "codegeex4",
        r"codegeex",
        "<|user|>\n###PATH:{path}\n###LANGUAGE:{language}\n###MODE:BLOCK\n"
        "<|code_suffix|>{suffix}<|code_prefix|>{context}{prefix}<|code_middle|><|assistant|>\n",
        (
            "<|user|>",
            "<|code_suffix|>",
            "<|code_prefix|>",
            "<|code_middle|>",
            "<|assistant|>",
            "<|endoftext|>",
        ),
    ),
)


@dataclass(frozen=True, slots=True)
class ModelQuirk:
    """Extra request fields or output clean-up some model families need."""

    match: str
    body: dict[str, object] = field(default_factory=dict)
    strip: tuple[str, ...] = ()


MODEL_QUIRKS: tuple[ModelQuirk, ...] = (
    # Reasoning models: keep thinking short, it is pure latency for ghost text.
    ModelQuirk(r"gpt-oss", body={"reasoning_effort": "low"}),
    ModelQuirk(r"qwen-?3(?!.*coder)|qwen3(?!.*coder)", body={}, strip=("<think>", "</think>")),
)


def fim_template(model: str, override: str = "auto") -> FimTemplate | None:
    """The template for `model`, or the family named by `override`; None means use chat."""
    if override == "chat":
        return None
    if override not in ("auto", ""):
        for t in FIM_TEMPLATES:
            if t.family == override:
                return t
        return None
    for t in FIM_TEMPLATES:
        if re.search(t.match, model, re.IGNORECASE):
            return t
    return None


def quirks(model: str) -> tuple[dict[str, object], tuple[str, ...]]:
    body: dict[str, object] = {}
    strip: tuple[str, ...] = ()
    for q in MODEL_QUIRKS:
        if re.search(q.match, model, re.IGNORECASE):
            body.update(q.body)
            strip += q.strip
    return body, strip


def template_names() -> list[str]:
    return ["auto", "chat", *(t.family for t in FIM_TEMPLATES)]
