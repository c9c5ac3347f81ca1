"""render(context, model, template) -> Prompt: every shape at once, each cheap to build."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace
from types import MappingProxyType

from ghostfill.model import CompletionContext, Prompt, Snippet
from ghostfill.prompt import chat
from ghostfill.prompt.templates import FimTemplate, fim_template, quirks


def render(
    ctx: CompletionContext, *, model: str, template: str = "auto", comment: str = "#"
) -> Prompt:
    fim = fim_template(model, template)
    _, strip = quirks(model)
    path = display_path(ctx.path, ctx.workspace)
    context_text = _context_block(ctx, comment)
    fim_text = None
    stop: tuple[str, ...] = chat.STOP
    if fim is not None:
        pattern = fim.with_context if ctx.snippets and fim.with_context else fim.pattern
        context = _fim_context(ctx, fim, comment)
        fim_text = pattern.format(
            prefix=ctx.prefix,
            suffix=ctx.suffix,
            context=context,
            path=path,
            language=ctx.language_name or ctx.language,
        )
        stop = fim.stop
    return Prompt(
        prefix=ctx.prefix,
        suffix=ctx.suffix,
        messages=chat.messages(
            ctx.prefix,
            ctx.suffix,
            language=ctx.language_name or ctx.language,
            path=path,
            context=context_text,
            multiline=ctx.multiline,
        ),
        fim=fim_text,
        extra=ctx.snippets,
        stop=stop,
        strip=strip,
        language=ctx.language,
        path=ctx.path,
    )


LABELS: Mapping[str, str] = MappingProxyType(
    {"definition": "definition in", "neighbour": "similar code in", "edit": "edited in"}
)


def display_path(path: str, workspace: str) -> str:
    """A path as the prompt shows it: relative to the workspace folder when inside it."""
    if workspace and os.path.isabs(path):
        rel = os.path.relpath(path, workspace)
        if not rel.startswith(".."):
            return rel
    return path


def _label(s: Snippet, workspace: str) -> str:
    return f"{LABELS.get(s.kind, s.kind)} {display_path(s.path, workspace)}"


def _context_block(ctx: CompletionContext, comment: str) -> str:
    """Snippets (most relevant last, nearest the code) and enclosing scopes for chat models."""
    parts = [f"--- {_label(s, ctx.workspace)}\n{s.text}" for s in reversed(ctx.snippets)]
    if ctx.scopes:
        parts.append("--- enclosing scopes\n" + "\n".join(ctx.scopes))
    return "\n".join(parts)


def _fim_context(ctx: CompletionContext, fim: FimTemplate, comment: str) -> str:
    """Snippets for FIM models: in the family's file format, or as comments before the prefix."""
    return "".join(_fim_snippet(s, fim, comment, ctx.workspace) for s in reversed(ctx.snippets))


def _fim_snippet(s: Snippet, fim: FimTemplate, comment: str, workspace: str) -> str:
    commented = "\n".join(
        f"{comment} {line}".rstrip()
        for line in (f"{_label(s, workspace)}:\n" + s.text).splitlines()
    )
    path = display_path(s.path, workspace)
    return fim.file_header.format(path=path, text=s.text, comment=commented)


def as_chat(prompt: Prompt) -> Prompt:
    """The prompt as a chat hole-fill: no FIM text, and the chat answer's stop."""
    if prompt.fim is None and prompt.stop == chat.STOP:
        return prompt
    return replace(prompt, fim=None, stop=chat.STOP)


def as_native(prompt: Prompt) -> Prompt:
    """The prompt for a native FIM endpoint that builds the FIM text itself from prefix and
    suffix (Ollama `suffix`, llama.cpp `/infill`, Codestral, DeepSeek): the reply is the raw
    middle, and the server already stops at the model's end-of-middle token."""
    return replace(prompt, fim=prompt.fim or "", stop=())
