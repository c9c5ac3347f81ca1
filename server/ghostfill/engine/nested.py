"""Mix the workspace, file and cache models by their confidence (SLP-Core's InverseMixModel).

Each n-gram model reports, for the current history, a probability per token and a confidence
1 - 2^-hits (hits = orders whose context it has seen). Models are weighted by 1 / (1 - conf),
capped at 1000, times a per-model boost, so a model that has seen a longer context dominates:
the file model wins on its own idioms, the cache on what was just typed, the workspace model
on common code.
"""

from __future__ import annotations

from collections.abc import Sequence

from ghostfill.engine.ngram import NGramModel, View

_MAX_WEIGHT = 1000.0


class Mixture:
    """Several models' views of one history, mixed by inverse uncertainty."""

    __slots__ = ("views", "weights")

    def __init__(self, views: Sequence[View], boosts: Sequence[float]) -> None:
        self.views: list[View] = []
        self.weights: list[float] = []
        for view, boost in zip(views, boosts, strict=True):
            if not view.hits:
                continue
            self.views.append(view)
            self.weights.append(boost * min(_MAX_WEIGHT, 1.0 / (1.0 - view.confidence)))

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
    """The models consulted for one suggestion, each with a weight boost."""

    __slots__ = ("boosts", "models", "order")

    def __init__(self, parts: Sequence[tuple[NGramModel | None, float]]) -> None:
        kept = [(m, b) for m, b in parts if m is not None and m.total]
        self.models = [m for m, _ in kept]
        self.boosts = [b for _, b in kept]
        self.order = max((m.order for m in self.models), default=1)

    def mixture(self, history: Sequence[int]) -> Mixture:
        keys: dict[tuple[type, int], list[int]] = {}
        views = []
        for model in self.models:
            kind = (type(model), model.order)
            found = keys.get(kind)
            if found is None:
                found = keys[kind] = model.keys(history)
            views.append(model.view(found))
        return Mixture(views, self.boosts)
