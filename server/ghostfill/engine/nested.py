"""Mix the workspace, file and cache models by their confidence (SLP-Core's InverseMixModel).

Each n-gram model reports, for the current history, a probability per token and a confidence
1 - 2^-hits (hits = orders whose context it has seen). Models are weighted by 1 / (1 - conf),
capped at 1000, so a model that has seen a longer context dominates: the file model wins on
its own idioms, the cache on what was just typed, the workspace model on common code. (Extra
per-model weights and a statement-head n-gram were tried and measured; neither helped.)
"""

from __future__ import annotations

from collections.abc import Sequence

from ghostfill.engine.ngram import NGramModel, View, context_keys

_MAX_WEIGHT = 1000.0


class Mixture:
    """Several models' views of one history, mixed by inverse uncertainty."""

    __slots__ = ("views", "weights")

    def __init__(self, views: Sequence[View]) -> None:
        self.views = [v for v in views if v.hits]
        self.weights = [min(_MAX_WEIGHT, 1.0 / (1.0 - v.confidence)) for v in self.views]

    def prob(self, token: int) -> float:
        num = 0.0
        den = 0.0
        for view, weight in zip(self.views, self.weights, strict=True):
            num += weight * view.prob(token)
            den += weight
        return num / den if den else 0.0

    def candidates(self, limit: int, orders: int = 2) -> list[int]:
        """Likely next tokens according to any of the models (no duplicates)."""
        seen: set[int] = set()
        out: list[int] = []
        for view in self.views:
            for w in view.successors(limit, orders):
                if w not in seen:
                    seen.add(w)
                    out.append(w)
        return out

    @property
    def hits(self) -> int:
        """The longest context any model has seen (0: no model knows anything here)."""
        return max((v.hits for v in self.views), default=0)


class NestedModel:
    """The models consulted for one suggestion (empty ones left out)."""

    __slots__ = ("models", "order")

    def __init__(self, models: Sequence[NGramModel | None]) -> None:
        self.models = [m for m in models if m is not None and m.total]
        self.order = max((m.order for m in self.models), default=1)

    def mixture(self, history: Sequence[int]) -> Mixture:
        keys = context_keys(history, self.order)  # shortest first: every model takes a prefix
        return Mixture([m.view(keys) for m in self.models])
