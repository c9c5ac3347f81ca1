"""What the offline engine has learned from the workspace: one model per language group.

Each group (Python; JavaScript + TypeScript; C + C++; ...) has an n-gram model, a statement-
structure model, learned spacing, and the text of the tokens its model keeps. Every observed
file's tokens are kept zlib-compressed (about a byte per token) so a changed or deleted file
can be subtracted exactly.

Writers (`observe`, `forget`) are serialised by a lock and run on the indexer's worker thread;
readers (`group`) never take it. Memory is bounded by `max_contexts`: when the n-gram models
together hold more entries, each is pruned to its share of `PRUNE_TO * max_contexts`, token
texts the models no longer hold are dropped. (Not creating rare long contexts in the first
place was tried: it cost more time than the pruning it saved.)
"""

from __future__ import annotations

import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from ghostfill.engine.lexer import Family, lex
from ghostfill.engine.lexers import Lexers
from ghostfill.engine.ngram import NGramModel
from ghostfill.engine.prose import LINE_START, prose_lines
from ghostfill.engine.prose import ORDER as PROSE_ORDER
from ghostfill.engine.render import Spacing
from ghostfill.engine.structure import StructureModel
from ghostfill.engine.vocab import Texts, token_id, token_ids

PRUNE_TO = 0.4
"""Share of the budget left after pruning (headroom, so pruning stays infrequent)."""
SPACING_SAMPLE = 400_000
"""Raw tokens per language group that spacing is learned from (it saturates fast)."""
STRUCTURE_SAMPLE = 3_000_000
"""Tokens per language group the structure model counts (its few contexts saturate fast)."""
_SPACING_PER_FILE = 4000


SLICE_TOKENS = 2000
"""Tokens counted between two pauses of the indexing thread."""
C_SLICE = 16_384
"""Tokens per call of the C helpers (hashing, dict updates): each call holds the GIL."""
PAUSE_S = 0.0005
"""How long the indexing thread sleeps between slices (hands the GIL to a waiting request)."""
QUIET_S = 0.05
"""The indexing thread waits while a suggestion was asked for this recently..."""
MAX_WAIT_S = 0.5
"""...but for at most this long per pause, so typing without a break never stops learning."""


class Pause:
    """Where the indexing thread gives way: a short sleep at every slice (the GIL goes to a
    thread waiting for it), and, while suggestions are being asked for, a wait until they
    stop (`served` is called by each). A request then finds the thread asleep instead of
    taking turns with it for the GIL every switch interval (5 ms)."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self.last_request = float("-inf")
        self._serving = 0
        """The thread that asked last: it cannot be serving while it learns."""
        self.waited = 0.0
        """Seconds spent waiting for requests (for the benchmark and tests)."""

    def served(self) -> None:
        self.last_request = self._clock()
        self._serving = threading.get_ident()

    def __call__(self) -> None:
        self._sleep(PAUSE_S)
        if self._serving == threading.get_ident():
            return
        started = self._clock()
        while (since := self._clock() - self.last_request) < QUIET_S:
            waited = self._clock() - started
            if waited >= MAX_WAIT_S:
                break
            self._sleep(max(PAUSE_S, min(QUIET_S - since, MAX_WAIT_S - waited)))
        self.waited += self._clock() - started


def _count_in_slices(model: NGramModel, ids: list[int], pause: Callable[[], None]) -> None:
    """`model.add(ids)` in slices: the n-grams ending in each slice are those of the slice with
    the `order - 1` tokens before it, minus those lying wholly in those tokens."""
    overlap = model.order - 1
    for begin in range(0, len(ids), SLICE_TOKENS):
        end = begin + SLICE_TOKENS
        if begin:
            pause()
            model.add(ids[begin - overlap : end])
            model.remove(ids[begin - overlap : begin])
        else:
            model.add(ids[:end])


@dataclass(slots=True)
class Group:
    """The models of one language group."""

    family: Family
    model: NGramModel
    structure: StructureModel
    spacing: Spacing
    texts: Texts
    prose: NGramModel
    """Comments and docstrings, line by line (`engine.prose`)."""
    prose_texts: Texts
    learned: int = 0


@dataclass(frozen=True, slots=True)
class _File:
    group: str
    packed: bytes
    """The file's tokens joined by NUL, zlib-compressed."""
    structured: bool
    """The structure model counted this file."""
    prose: bytes
    """The file's prose tokens, packed the same way."""

    def tokens(self) -> list[str]:
        return _unpack(self.packed)

    def prose_tokens(self) -> list[str]:
        return _unpack(self.prose) if self.prose else []


def _pack(tokens: list[str]) -> bytes:
    return zlib.compress("\0".join(tokens).encode("utf-8", errors="surrogatepass"), 1)


def _unpack(packed: bytes) -> list[str]:
    return zlib.decompress(packed).decode("utf-8", errors="surrogatepass").split("\0")


class WorkspaceIndex:
    """Counts of every observed file, per language group, within a bounded number of entries."""

    def __init__(self, order: int, max_contexts: int, lexers: Lexers) -> None:
        self._order = order
        self._lexers = lexers
        self.max_contexts = max_contexts
        self._groups: dict[str, Group] = {}
        self._files: dict[str, _File] = {}
        self._tokens = 0
        self._lock = threading.Lock()
        self.pause = Pause()

    def group(self, language: str) -> Group | None:
        return self._groups.get(self._lexers.group(language))

    def observe(self, path: str, text: str, language: str) -> None:
        """Add a file's counts, replacing what an earlier version of it contributed.

        Runs on the indexer's worker thread, in slices of `SLICE_TOKENS` (lexed in pieces, C
        helpers called on at most `C_SLICE` tokens) with a `Pause` between them: the GIL goes
        to the event loop's thread at each, and while requests come in the thread waits, so a
        request waits for at most one slice, not for a whole file (a large one counts for
        100+ ms).
        """
        pause = self.pause
        family = self._lexers.family(language)
        tokens = lex(text, family, pause=pause)
        ids = _ids(tokens)
        pause()
        prose = prose_lines(text, family)[0]
        prose_ids = _ids(prose)
        pause()
        name = self._lexers.group(language)
        packed = _pack(tokens)
        packed_prose = _pack(prose) if prose else b""
        with self._lock:
            self._drop(path)
            group = self._groups.get(name)
            if group is None:
                group = self._groups[name] = Group(
                    family,
                    NGramModel(self._order),
                    StructureModel(family),
                    Spacing(family),
                    Texts(),
                    NGramModel(PROSE_ORDER),
                    Texts(),
                )
            _count_in_slices(group.model, ids, pause)
            if prose_ids:
                _count_in_slices(group.prose, prose_ids, pause)
                _add_texts(group.prose_texts, *_suggestible(prose_ids, prose))
            structured = group.structure.tokens < STRUCTURE_SAMPLE
            if structured:
                pause()
                group.structure.add(tokens)
            _add_texts(group.texts, ids, tokens)
            if group.learned < SPACING_SAMPLE:
                group.learned += _SPACING_PER_FILE
                group.spacing.observe(text, limit=_SPACING_PER_FILE)
            self._files[path] = _File(name, packed, structured, packed_prose)
            self._tokens += len(ids)
            self._prune()

    def forget(self, path: str) -> None:
        with self._lock:
            self._drop(path)

    def knows(self, token: str) -> bool:
        """Whether any group's model (code or prose) holds `token`."""
        found = token_id(token)
        spaced = token_id(" " + token)  # prose tokens keep the space before them
        return any(
            found in g.texts
            or found in g.model.unigram
            or found in g.prose.unigram
            or spaced in g.prose.unigram
            for g in self._groups.values()
        )

    def _drop(self, path: str) -> None:
        old = self._files.pop(path, None)
        if old is None:
            return
        group = self._groups[old.group]
        tokens = old.tokens()
        group.model.remove(token_ids(tokens))
        prose = old.prose_tokens()
        if prose:
            group.prose.remove(token_ids(prose))
        if old.structured:
            group.structure.remove(tokens)
        self._tokens -= len(tokens)

    def _prune(self) -> None:
        groups = list(self._groups.values())
        total = sum(g.model.contexts + g.prose.contexts for g in groups)
        if total <= self.max_contexts:
            return
        share = PRUNE_TO * self.max_contexts / total
        for group in groups:
            self.pause()
            group.model.prune(int(group.model.contexts * share))
            self.pause()
            group.texts.keep(group.model.unigram)
            self.pause()
            group.prose.prune(int(group.prose.contexts * share))
            group.prose_texts.keep(group.prose.unigram)

    def stats(self) -> dict[str, int]:
        groups = list(self._groups.values())
        return {
            "files": len(self._files),
            "tokens": self._tokens,
            "contexts": sum(g.model.contexts + g.prose.contexts for g in groups),
            "texts": sum(len(g.texts) for g in groups),
            "languages": len(groups),
            "stored_bytes": sum(len(f.packed) for f in list(self._files.values())),
        }


def _suggestible(ids: list[int], tokens: list[str]) -> tuple[list[int], list[str]]:
    """The ids and texts of the tokens a suggestion may contain (not the line markers)."""
    kept = [(i, t) for i, t in zip(ids, tokens, strict=True) if t != LINE_START]
    return [i for i, _ in kept], [t for _, t in kept]


def _ids(tokens: list[str]) -> list[int]:
    """`token_ids(tokens)`, `C_SLICE` tokens per call."""
    if len(tokens) <= C_SLICE:
        return token_ids(tokens)
    out: list[int] = []
    for i in range(0, len(tokens), C_SLICE):
        out += token_ids(tokens[i : i + C_SLICE])
    return out


def _add_texts(texts: Texts, ids: list[int], tokens: list[str]) -> None:
    for i in range(0, len(ids), C_SLICE):
        texts.add(ids[i : i + C_SLICE], tokens[i : i + C_SLICE])
