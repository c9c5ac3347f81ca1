"""The offline engine: ghost text from n-gram models of the workspace, no network, no weights.

A nested cache model in the manner of Hellendoorn & Devanbu (FSE 2017) and SLP-Core:

- a workspace model per language group, counted from every indexed file (`observe`), pruned to
  `max_contexts` so memory stays bounded;
- a local model of the current file around the cursor (`cache.LocalModels`);
- a cache model of the last few hundred tokens typed;

mixed by confidence (`nested.Mixture`) and searched by `decoder.Decoder` for the rest of the
line, or a short block after an opener. Tokens come from `lexer` and go back to text through
`render` with spacing learned from the workspace.

Threading: `observe`/`forget` run on the indexer's worker thread and are serialised by a lock;
`suggest` runs on the event loop, never takes that lock and never writes shared state (tokens
the workspace has not seen get ids from a private overlay). It relies on single dict operations
being atomic, as they are in CPython with the GIL.
"""

from __future__ import annotations

import array
import threading
import time
import zlib
from dataclasses import dataclass

from ghostfill.engine.cache import HEAD_ORDER, LocalModels, cache_model
from ghostfill.engine.decoder import Decoded, DecodeOptions, Decoder
from ghostfill.engine.lexer import (
    DEDENT,
    INDENT,
    NEWLINE,
    SPECIAL,
    CursorTokens,
    Family,
    family_for,
    lex,
    lex_cursor,
    model_group,
    resume_point,
)
from ghostfill.engine.nested import NestedModel
from ghostfill.engine.ngram import HeadModel, NGramModel
from ghostfill.engine.structure import StructureModel
from ghostfill.engine.render import Spacing, bracket_depth, render
from ghostfill.engine.vocab import DEDENT_ID, INDENT_ID, NEWLINE_ID, Overlay, Vocabulary
from ghostfill.model import Completion, CompletionContext
from ghostfill.settings import OfflineSettings

__all__ = ["OfflineEngine"]

ORDER = 6
WORKSPACE_ORDER = 6
MAX_CONTEXTS = 300_000
"""Workspace contexts kept over all languages (≈110 bytes each) before the rarest are pruned."""
BOOSTS = (1.0, 0.0, 1.0, 0.0, 1.0)
"""Mixture weight multipliers: workspace, workspace heads, file, file heads, cache."""
WORKSPACE_HEADS = False
PARTIAL_LINES = True
"""Offer the confident start of a line when no whole line is confident enough."""
STRUCTURE = 1.0
"""Weight (exponent) of the statement-structure model in decoding; 0 turns it off."""
PRUNE_TO = 0.6
"""Share of `MAX_CONTEXTS` left after pruning (headroom, so pruning stays infrequent)."""
TAIL_CHARS = 3000
"""Characters before the cursor that are lexed for the history and the cache model."""
SPACING_SAMPLE = 400_000
"""Raw tokens per language group that spacing is learned from (plenty; it saturates fast)."""


@dataclass(slots=True)
class _Group:
    model: NGramModel
    heads: HeadModel | None
    structure: StructureModel
    spacing: Spacing
    learned: int = 0


@dataclass(frozen=True, slots=True)
class _File:
    group: str
    packed: bytes
    """zlib of the file's token ids (array 'I'), so a change can subtract the old counts."""

    def ids(self) -> array.array[int]:
        return array.array("I", zlib.decompress(self.packed))


class OfflineEngine:
    """Learns from workspace files and suggests the rest of the line in a few milliseconds."""

    def __init__(
        self,
        settings: OfflineSettings,
        *,
        order: int = ORDER,
        workspace_order: int = WORKSPACE_ORDER,
        max_contexts: int = MAX_CONTEXTS,
    ) -> None:
        self._settings = settings
        self._order = order
        self._workspace_order = workspace_order
        self._max_contexts = max_contexts
        self._vocab = Vocabulary()
        self._overlay = Overlay(self._vocab)
        self._groups: dict[str, _Group] = {}
        self._files: dict[str, _File] = {}
        self._tokens = 0
        self._locals = LocalModels(self._overlay, order)
        self._lock = threading.Lock()

    def configure(self, settings: OfflineSettings) -> None:
        """Apply changed settings; the threshold takes effect on the next suggestion."""
        self._settings = settings

    # ---- learning (indexer thread) --------------------------------------------------------

    def observe(self, path: str, text: str, language: str) -> None:
        """Add a file's counts, replacing what an earlier version of it contributed."""
        family = family_for(language)
        group_name = model_group(language)
        tokens = lex(text, family)
        with self._lock:
            self._drop(path)
            ids = self._vocab.ids(tokens)
            group = self._groups.get(group_name)
            if group is None:
                heads = HeadModel(HEAD_ORDER) if WORKSPACE_HEADS else None
                group = self._groups[group_name] = _Group(
                    NGramModel(self._workspace_order),
                    heads,
                    StructureModel(family, self._overlay.text),
                    Spacing(family),
                )
            group.model.add(ids)
            if group.heads is not None:
                group.heads.add(ids)
            group.structure.add(ids)
            if group.learned < SPACING_SAMPLE:
                group.learned += 4000
                group.spacing.observe(text, limit=4000)
            packed = zlib.compress(array.array("I", ids).tobytes(), 1)
            self._files[path] = _File(group_name, packed)
            self._tokens += len(ids)
            self._prune()

    def forget(self, path: str) -> None:
        """Remove a deleted (or newly excluded) file's counts."""
        with self._lock:
            self._drop(path)

    def _drop(self, path: str) -> None:
        old = self._files.pop(path, None)
        if old is None:
            return
        ids = old.ids()
        group = self._groups[old.group]
        group.model.remove(ids)
        if group.heads is not None:
            group.heads.remove(ids)
        group.structure.remove(ids)
        self._tokens -= len(ids)

    def _prune(self) -> None:
        models = [m for g in self._groups.values() for m in (g.model, g.heads) if m is not None]
        total = sum(m.contexts for m in models)
        if total <= self._max_contexts:
            return
        share = PRUNE_TO * self._max_contexts / total
        for model in models:
            model.prune(int(model.contexts * share))

    # ---- suggesting (event loop) ----------------------------------------------------------

    def suggest(self, ctx: CompletionContext, *, max_lines: int = 1) -> Completion | None:
        """The rest of the line (or a short block) after the cursor, or None when unsure."""
        settings = self._settings
        if not settings.enable:
            return None
        started = time.perf_counter()
        family = family_for(ctx.language)
        tail = _tail(ctx.prefix, family)
        if tail is None:
            return None
        cursor = lex_cursor(tail[0], family, at_file_start=tail[1])
        if cursor is None:
            return None
        block = max_lines > 1 and not cursor.partial and _in_empty_body(ctx, cursor, family)
        local = self._locals.get(
            ctx.path, family, ctx.prefix, ctx.suffix, ctx.line_prefix, ctx.line_suffix
        )
        history = self._overlay.ids(cursor.tokens)
        group = self._groups.get(model_group(ctx.language))
        nested = NestedModel(
            [
                (group.model if group else None, BOOSTS[0]),
                (group.heads if group else None, BOOSTS[1]),
                (local.model, BOOSTS[2]),
                (local.heads, BOOSTS[3]),
                (cache_model(history, self._order), BOOSTS[4]),
            ]
        )
        decoder = Decoder(
            nested,
            self._overlay.text,
            DecodeOptions(
                min_confidence=settings.minConfidence,
                structure=STRUCTURE,
                partial_lines=PARTIAL_LINES,
            ),
            group.structure if group else None,
            self._vocab.known,
        )
        spacing = group.spacing if group else Spacing(family)
        if block:
            text, confidence = self._block(decoder, history, ctx, spacing, max_lines)
        else:
            text, confidence = self._line(
                decoder, history, cursor, ctx, spacing, local.words_with_prefix
            )
        if not text or not text.strip():
            return None
        elapsed = (time.perf_counter() - started) * 1000
        return Completion(
            text=text,
            source="offline",
            backend="offline",
            elapsed_ms=elapsed,
            notes=(f"confidence={confidence:.2f}",),
        )

    def _line(
        self,
        decoder: Decoder,
        history: list[int],
        cursor: CursorTokens,
        ctx: CompletionContext,
        spacing: Spacing,
        words: object,
    ) -> tuple[str, float]:
        text_of = self._overlay.text
        start: list[tuple[float, int]] = []
        if cursor.partial:
            assert callable(words)
            extra = self._overlay.ids(words(cursor.partial))
            start = decoder.complete_partial(history, cursor.partial, extra)
            if not start:
                return "", 0.0
        stop = self._stop_id(ctx.line_suffix, family_for(ctx.language))
        decoded = decoder.line(history, start=start, stop=stop)
        if decoded is None or not decoded.tokens:
            return "", 0.0
        texts = [text_of(t) for t in decoded.tokens]
        family = spacing.family
        before = cursor.tokens[-2:]
        if cursor.partial:
            head = texts[0][len(cursor.partial) :]
            if cursor.in_string:
                quote = texts[0][-1]
                if ctx.line_suffix.startswith(quote):
                    return head[:-1], decoded.probability
            depth = bracket_depth([*cursor.tokens, texts[0]], family)
            text = head + render(texts[1:], [*before, texts[0]], spacing, depth=depth)
        else:
            depth = bracket_depth(cursor.tokens, family)
            text = render(texts, before, spacing, depth=depth)
            if ctx.line_prefix and ctx.line_prefix[-1] in " \t":
                text = text.lstrip(" \t")
        return _trim_suffix(text, ctx.line_suffix), decoded.probability

    def _block(
        self,
        decoder: Decoder,
        history: list[int],
        ctx: CompletionContext,
        spacing: Spacing,
        max_lines: int,
    ) -> tuple[str, float]:
        history = list(history)
        while history and history[-1] in (INDENT_ID, DEDENT_ID):
            history.pop()
        history.append(INDENT_ID)
        opener_indent = _opener_indent(ctx.prefix[: len(ctx.prefix) - len(ctx.line_prefix)])
        unit = _indent_unit(ctx.line_prefix, opener_indent)
        body = opener_indent + unit
        lines: list[Decoded] = []
        depth = 0
        confidence = 1.0
        for _ in range(max_lines):
            decoded = decoder.line(history, allow_structure=bool(lines))
            if decoded is None or not decoded.tokens or not decoded.complete:
                break
            shift = sum(
                1 if t == INDENT_ID else -1 if t == DEDENT_ID else 0 for t in decoded.tokens
            )
            if depth + shift < 0 or (lines and decoded.tokens == lines[-1].tokens):
                break
            depth += shift
            lines.append(decoded)
            confidence = min(confidence, decoded.probability)
            history.extend(decoded.tokens)
            history.append(NEWLINE_ID)
        if not lines:
            return "", 0.0
        text_of = self._overlay.text
        tokens: list[str] = []
        for i, line in enumerate(lines):
            if i:
                tokens.append(NEWLINE)
            tokens.extend(text_of(t) for t in line.tokens)
        first_prefix = body[len(ctx.line_prefix) :] if body.startswith(ctx.line_prefix) else ""
        return first_prefix + render(tokens, [], spacing, indent_unit=unit, indent=body), confidence

    def _stop_id(self, line_suffix: str, family: Family) -> int | None:
        if not line_suffix.strip():
            return None
        raws = [t for t in family.findall(line_suffix) if t[0] != "\n"]
        if not raws:
            return None
        return self._vocab.known(raws[0])

    # ---- figures --------------------------------------------------------------------------

    def stats(self) -> dict[str, int]:
        """Counts for logs and the benchmark: files, tokens, contexts, vocabulary."""
        return {
            "files": len(self._files),
            "tokens": self._tokens,
            "contexts": sum(
                m.contexts for g in self._groups.values() for m in (g.model, g.heads) if m
            ),
            "vocabulary": len(self._vocab),
            "languages": len(self._groups),
        }


def _tail(prefix: str, family: Family) -> tuple[str, bool] | None:
    """About `TAIL_CHARS` of the prefix, from a line break outside multi-line strings, and
    whether that is the whole prefix. None: the cursor is inside such a string or comment."""
    if len(prefix) <= TAIL_CHARS:
        return prefix, True
    start = resume_point(prefix, len(prefix) - TAIL_CHARS, family)
    if start >= len(prefix):
        return None
    return prefix[start:], False


def _in_empty_body(ctx: CompletionContext, cursor: CursorTokens, family: Family) -> bool:
    """The cursor is alone on its line, right below a line ending with a block opener."""
    if ctx.line_prefix.strip() or ctx.line_suffix.strip():
        return False
    tokens = cursor.tokens
    i = len(tokens) - 1
    while i >= 0 and tokens[i] in (NEWLINE, INDENT, DEDENT):
        i -= 1
    return i >= 0 and tokens[i] not in SPECIAL and tokens[i] in family.openers


def _opener_indent(before_line: str) -> str:
    lines = before_line.rstrip("\n").rsplit("\n", 8)
    for line in reversed(lines):
        if line.strip():
            return line[: len(line) - len(line.lstrip())]
    return ""


def _indent_unit(line_prefix: str, opener_indent: str) -> str:
    if len(line_prefix) > len(opener_indent) and line_prefix.startswith(opener_indent):
        return line_prefix[len(opener_indent) :]
    return "\t" if opener_indent.startswith("\t") else "    "


def _trim_suffix(text: str, line_suffix: str) -> str:
    """Never repeat what is already after the cursor."""
    after = line_suffix.strip()
    if after and text.rstrip().endswith(after):
        return text.rstrip()[: -len(after)].rstrip()
    return text
