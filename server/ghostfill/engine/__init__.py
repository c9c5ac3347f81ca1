"""The offline engine: ghost text from n-gram models of the workspace, no network, no weights.

A nested cache model in the manner of Hellendoorn & Devanbu (FSE 2017) and SLP-Core:

- a workspace model per language group (`index.WorkspaceIndex`), counted from every indexed
  file, pruned to `max_contexts` so memory stays bounded;
- a model of the open file, kept in step with its edits (`cache.FileModels`);
- a cache model of the last few hundred tokens before the cursor;

mixed by confidence (`nested.Mixture`), re-weighted by statement structure (`structure`) and
searched by `decoder.Decoder`; `complete` turns the tokens into the inserted text with the
spacing `render` learned from the workspace. Tokens come from `lexer`.

Token ids are hashes of the token text (`vocab`), so there is no vocabulary to share or grow.

Threading: `observe`/`forget` run on the indexer's worker thread and are serialised by a lock;
`suggest` runs on the event loop, never takes that lock and never writes shared state. It
relies on single dict and array operations being atomic, as they are in CPython with the GIL.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from types import MappingProxyType

from ghostfill.engine.cache import FileModel, FileModels, cache_model
from ghostfill.engine.complete import Suggestion, complete_block, complete_line, in_empty_body
from ghostfill.engine.decoder import DecodeOptions, Decoder
from ghostfill.engine.hints import NameHints
from ghostfill.engine.index import Group, WorkspaceIndex
from ghostfill.engine.lexer import NEWLINE, SPECIAL, Family, lex_cursor, resume_point
from ghostfill.engine.lexers import Lexers
from ghostfill.engine.nested import NestedModel
from ghostfill.engine.prose import complete_prose
from ghostfill.engine.render import Spacing
from ghostfill.engine.vocab import Texts, token_id, token_ids
from ghostfill.model import Completion, CompletionContext
from ghostfill.settings import OfflineSettings

__all__ = ["OfflineEngine"]

log = logging.getLogger(__name__)

_SPECIAL_TEXTS = MappingProxyType({token_id(t): t for t in SPECIAL})
_LINE_END = MappingProxyType({token_id(NEWLINE): NEWLINE})

ORDER = 8
"""n-gram order of the file and cache models (long contexts pay off within one file)."""
WORKSPACE_ORDER = 6
"""n-gram order of the workspace models."""
MAX_CONTEXTS = 400_000
"""Workspace model entries kept over all languages (≈130 bytes each) before the rarest go."""
TAIL_CHARS = 3000
"""Characters before the cursor lexed for the history and the cache model."""


class OfflineEngine:
    """Learns from workspace files and suggests the rest of the line in a few milliseconds."""

    def __init__(
        self,
        settings: OfflineSettings,
        *,
        order: int = ORDER,
        workspace_order: int = WORKSPACE_ORDER,
        max_contexts: int = MAX_CONTEXTS,
        lexers: Lexers | None = None,
    ) -> None:
        self._settings = settings
        self._order = order
        self._lexers = lexers if lexers is not None else Lexers()
        self._index = WorkspaceIndex(workspace_order, max_contexts, self._lexers)
        self._files = FileModels(order)

    def configure(self, settings: OfflineSettings) -> None:
        """Apply changed settings; they take effect on the next suggestion."""
        self._settings = settings

    def observe(self, path: str, text: str, language: str) -> None:
        """Add a file's counts, replacing what an earlier version of it contributed. Nothing
        while disabled: a disabled engine costs no CPU (the session indexes the workspace
        for it again when it is turned on)."""
        if not self._settings.enable:
            return
        self._index.observe(path, text, language)

    def forget(self, path: str) -> None:
        """Remove a deleted (or newly excluded) file's counts."""
        self._index.forget(path)

    async def prepare(self, path: str, text: str, language: str) -> None:
        """Count a just-opened file's own model in slices, yielding to the event loop between
        them, so the first suggestion in it needs no counting (nothing when disabled)."""
        if not self._settings.enable:
            return
        for _ in self._files.preparing(path, self._lexers.family(language), text):
            await asyncio.sleep(0)

    def suggest(
        self,
        ctx: CompletionContext,
        *,
        max_lines: int = 1,
        settings: OfflineSettings | None = None,
    ) -> Completion | None:
        """The rest of the line (or a short block) after the cursor, or None when unsure.

        A block (up to `max_lines` lines) is offered only on an empty line right below a
        block opener; elsewhere the rest of the line, or its confident start (noted
        "partial-line"). `ctx.prefix`/`ctx.suffix` should be the whole text before and after
        the cursor: only their tail and a window around the cursor are read, and a stable
        text is what lets the file model be reused while the user types along a line. The
        note "confidence=..." is the suggestion's estimated chance of being right.
        """
        settings = settings or self._settings  # a connection's own (one engine, many editors)
        if not settings.enable:
            return None
        self._index.pause.served()  # learning waits while suggestions are asked for
        started = time.perf_counter()
        try:
            found = self._suggest(ctx, max_lines, settings.minConfidence)
        except (RuntimeError, ValueError, IndexError, KeyError):
            # Readers take no lock: a table the indexing thread changed in the middle of a
            # read costs this one suggestion, never the request.
            log.debug(
                "workspace model changed during the suggestion; none this time", exc_info=True
            )
            return None
        self._index.pause.served()
        if found is None or not found.text.strip():
            return None
        notes = [f"confidence={found.confidence:.2f}"]
        if not found.whole:
            notes.append("partial-line")
        return Completion(
            text=found.text,
            source="offline",
            backend="offline",
            elapsed_ms=(time.perf_counter() - started) * 1000,
            notes=tuple(notes),
        )

    def _suggest(self, ctx: CompletionContext, max_lines: int, floor: float) -> Suggestion | None:
        family = self._lexers.family(ctx.language)
        tail = _tail(ctx.prefix, family)
        cursor = lex_cursor(tail[0], family, at_file_start=tail[1]) if tail else None
        local = self._files.get(ctx.path, family, ctx.prefix + ctx.suffix, len(ctx.prefix))
        group = self._index.group(ctx.language)
        if cursor is None:  # inside a comment or a long string
            return self._prose(ctx, family, local, group, floor)
        history = token_ids(cursor.tokens)
        recent = dict(zip(history, cursor.tokens, strict=True))
        text_of = _texts(local.texts, recent, group.texts if group else None)
        nested = NestedModel(
            [group.model if group else None, local.model, cache_model(history, self._order)]
        )
        decoder = Decoder(
            nested,
            text_of,
            DecodeOptions(min_confidence=floor),
            group.structure if group else None,
            (family.brackets, family.closers),
            NameHints.of(ctx.names, ctx.members),
            family,
        )
        spacing = group.spacing if group else Spacing(family)
        if max_lines > 1 and not cursor.partial and in_empty_body(ctx, cursor, family):
            return complete_block(decoder, history, ctx, spacing, text_of, max_lines)
        partial_ids = token_ids(local.words_with_prefix(cursor.partial)) if cursor.partial else []
        stop = self._stop_id(ctx.line_suffix, family)
        return complete_line(decoder, history, cursor, ctx, spacing, text_of, partial_ids, stop)

    def _prose(
        self,
        ctx: CompletionContext,
        family: Family,
        local: FileModel,
        group: Group | None,
        floor: float,
    ) -> Suggestion | None:
        """The rest of a comment or docstring line, from the prose models."""
        if ctx.line_suffix.strip():
            return None  # completing prose in the middle of a line would rewrite it
        prose = local.prose
        workspace = group.prose_texts if group is not None else None
        text_of = _texts(prose.texts if prose else {}, {}, workspace, specials=False)
        models = [group.prose if group else None, prose.model if prose else None]
        words = prose.words_with_prefix if prose else _no_words
        return complete_prose(models, text_of, words, ctx.line_prefix, family, floor)

    def _stop_id(self, line_suffix: str, family: Family) -> int | None:
        """Id of the first token after the cursor: reaching it ends the suggestion."""
        if not line_suffix.strip():
            return None
        raws = [t for t in family.findall(line_suffix) if t[0] != "\n"]
        return token_id(raws[0]) if raws else None

    def knows(self, token: str) -> bool:
        """Whether any observed file held `token` (privacy tests: secrets must never)."""
        return self._index.knows(token)

    def stats(self) -> dict[str, int]:
        """Figures for logs and the benchmark: files, tokens, contexts (model entries), token
        texts kept, languages, stored_bytes (the compressed tokens kept for re-counting)."""
        return self._index.stats()


def _texts(
    local: dict[int, str],
    recent: dict[int, str],
    workspace: Texts | None,
    *,
    specials: bool = True,
) -> Callable[[int], str | None]:
    """id → text from the file, the lines just typed, then the workspace (and the line ends,
    indents and other special tokens, with `specials`; prose only needs its line end)."""
    special = _SPECIAL_TEXTS if specials else _LINE_END

    def text_of(token: int) -> str | None:
        found = local.get(token) or recent.get(token) or special.get(token)
        if found is None and workspace is not None:
            found = workspace.get(token)
        return found

    return text_of


def _no_words(prefix: str) -> list[str]:
    return []


def _tail(prefix: str, family: Family) -> tuple[str, bool] | None:
    """About `TAIL_CHARS` of the prefix, from a line break outside multi-line strings, and
    whether that is the whole prefix. None: the cursor is inside such a string or comment."""
    if len(prefix) <= TAIL_CHARS:
        return prefix, True
    start = resume_point(prefix, len(prefix) - TAIL_CHARS, family)
    if start >= len(prefix):
        return None
    return prefix[start:], False
