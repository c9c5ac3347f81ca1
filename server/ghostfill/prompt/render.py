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
        continuation=_continuation(ctx, comment, path),
    )


LABELS: Mapping[str, str] = MappingProxyType(
    {"definition": "definition in", "neighbour": "similar code in", "edit": "edited in"}
)
STABLE_ORDER: Mapping[str, int] = MappingProxyType(
    {"definition": 0, "import": 1, "neighbour": 2, "edit": 3}
)
"""Snippets go into prompts by kind, the ones likeliest to change between keystrokes last."""


def stable(snippets: tuple[Snippet, ...]) -> list[Snippet]:
    """Snippets in a cache-stable order: by kind, then file and line, never by score (scores
    move with the cursor, and a reordered context would make a server's prompt cache miss
    everything after it)."""
    return sorted(snippets, key=lambda s: (STABLE_ORDER.get(s.kind, 9), s.path, s.start_line))


def display_path(path: str, workspace: str) -> str:
    """A path as the prompt shows it: relative to the workspace folder when inside it."""
    n, sep = len(workspace), os.sep
    tail = path[n:]
    if workspace and path.startswith(workspace) and tail[:1] == sep and sep + "." not in tail:
        return tail[1:]  # the usual, normalized case, without relpath (~20 calls a request)
    if workspace and os.path.isabs(path):
        rel = os.path.relpath(path, workspace)
        if not rel.startswith(".."):
            return rel
    return path


def _label(s: Snippet, workspace: str) -> str:
    return f"{LABELS.get(s.kind, s.kind)} {display_path(s.path, workspace)}"


def _context_block(ctx: CompletionContext, comment: str) -> str:
    """Snippets (in a cache-stable order) and enclosing scopes for chat models."""
    parts = [f"--- {_label(s, ctx.workspace)}\n{s.text}" for s in stable(ctx.snippets)]
    if ctx.scopes:
        parts.append("--- enclosing scopes\n" + "\n".join(ctx.scopes))
    return "\n".join(parts)


def _fim_context(ctx: CompletionContext, fim: FimTemplate, comment: str) -> str:
    """Snippets for FIM models: in the family's file format, or as comments before the prefix
    (in a cache-stable order)."""
    return "".join(_fim_snippet(s, fim, comment, ctx.workspace) for s in stable(ctx.snippets))


def _fim_snippet(s: Snippet, fim: FimTemplate, comment: str, workspace: str) -> str:
    commented = "\n".join(
        f"{comment} {line}".rstrip()
        for line in (f"{_label(s, workspace)}:\n" + s.text).splitlines()
    )
    path = display_path(s.path, workspace)
    return fim.file_header.format(path=path, text=s.text, comment=commented)


def _continuation(ctx: CompletionContext, comment: str, path: str) -> str:
    """Context snippets as files (each under a comment naming it), then the current file's
    code up to the cursor: a model that can only continue text sees the code after the cursor
    nowhere, but everything it continues from is in the order a prompt cache reuses."""
    parts = [
        f"{comment} {_label(s, ctx.workspace)}\n{s.text.rstrip()}\n\n" for s in stable(ctx.snippets)
    ]
    parts.append(f"{comment} {path}\n{ctx.prefix}")
    return "".join(parts)


def as_continuation(prompt: Prompt) -> Prompt:
    """The prompt as plain text to continue: the reply is the raw continuation, with no stop
    sent (the stream filters end it at the right line)."""
    return replace(prompt, fim=prompt.continuation, stop=())


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


def evaluated_text(prompt: Prompt) -> str:
    """A prepared prompt as the server reads it, in order: the chat messages, the raw FIM or
    continuation text, or what a native FIM endpoint assembles (context, prefix, suffix).
    For estimating its size and what a prompt cache can reuse of it."""
    if prompt.fim is None:
        return "\n".join(m.content for m in prompt.messages)
    if prompt.fim:
        return prompt.fim
    return "".join(s.text for s in prompt.extra) + prompt.prefix + prompt.suffix
