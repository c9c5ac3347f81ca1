"""What the offline engine has learned from the workspace: one model per language group.

Each group (Python; JavaScript + TypeScript; C + C++; ...) has an n-gram model, a statement-
structure model and learned spacing. Every observed file's token ids are kept zlib-compressed
(≈1 byte per token) so a changed or deleted file can be subtracted exactly.

Writers (`observe`, `forget`) are serialised by a lock and run on the indexer's worker thread;
readers (`group`) never take it. Memory is bounded by `max_contexts`: when the models together
hold more contexts, each is pruned to its share of `PRUNE_TO * max_contexts`.
"""

from __future__ import annotations

import threading
import zlib
from array import array
from dataclasses import dataclass

from ghostfill.engine.lexer import family_for, lex, model_group
from ghostfill.engine.ngram import NGramModel
from ghostfill.engine.render import Spacing
from ghostfill.engine.structure import StructureModel
from ghostfill.engine.vocab import Overlay, Vocabulary

PRUNE_TO = 0.6
"""Share of the context budget left after pruning (headroom, so pruning stays infrequent)."""
SPACING_SAMPLE = 400_000
"""Raw tokens per language group that spacing is learned from (it saturates fast)."""
_SPACING_PER_FILE = 4000


@dataclass(slots=True)
class Group:
    """The models of one language group."""

    model: NGramModel
    structure: StructureModel
    spacing: Spacing
    learned: int = 0


@dataclass(frozen=True, slots=True)
class _File:
    group: str
    packed: bytes
    """zlib of the file's token ids (array 'I')."""

    def ids(self) -> array[int]:
        return array("I", zlib.decompress(self.packed))


class WorkspaceIndex:
    """Counts of every observed file, per language group, with a bounded number of contexts."""

    def __init__(self, vocab: Vocabulary, overlay: Overlay, order: int, max_contexts: int) -> None:
        self.vocab = vocab
        self._overlay = overlay
        self._order = order
        self.max_contexts = max_contexts
        self._groups: dict[str, Group] = {}
        self._files: dict[str, _File] = {}
        self._tokens = 0
        self._lock = threading.Lock()

    def group(self, language: str) -> Group | None:
        return self._groups.get(model_group(language))

    def observe(self, path: str, text: str, language: str) -> None:
        """Add a file's counts, replacing what an earlier version of it contributed."""
        family = family_for(language)
        name = model_group(language)
        tokens = lex(text, family)
        with self._lock:
            self._drop(path)
            ids = self.vocab.ids(tokens)
            group = self._groups.get(name)
            if group is None:
                group = Group(
                    NGramModel(self._order),
                    StructureModel(family, self._overlay.text),
                    Spacing(family),
                )
                self._groups[name] = group
            group.model.add(ids)
            group.structure.add(ids)
            if group.learned < SPACING_SAMPLE:
                group.learned += _SPACING_PER_FILE
                group.spacing.observe(text, limit=_SPACING_PER_FILE)
            self._files[path] = _File(name, zlib.compress(array("I", ids).tobytes(), 1))
            self._tokens += len(ids)
            self._prune()

    def forget(self, path: str) -> None:
        with self._lock:
            self._drop(path)

    def _drop(self, path: str) -> None:
        old = self._files.pop(path, None)
        if old is None:
            return
        ids = old.ids()
        group = self._groups[old.group]
        group.model.remove(ids)
        group.structure.remove(ids)
        self._tokens -= len(ids)

    def _prune(self) -> None:
        models = [g.model for g in self._groups.values()]
        total = sum(m.contexts for m in models)
        if total <= self.max_contexts:
            return
        share = PRUNE_TO * self.max_contexts / total
        for model in models:
            model.prune(int(model.contexts * share))

    def stats(self) -> dict[str, int]:
        groups = list(self._groups.values())
        return {
            "files": len(self._files),
            "tokens": self._tokens,
            "contexts": sum(g.model.contexts for g in groups),
            "vocabulary": len(self.vocab),
            "languages": len(groups),
            "stored_bytes": sum(len(f.packed) for f in list(self._files.values())),
        }
