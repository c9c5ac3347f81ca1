"""Search the mixed model for the rest of the line after the cursor.

A suggestion's confidence is the product of its tokens' probabilities (mixed, then re-weighted
by statement structure), the line break that ends it included: an estimate of the chance that
the suggestion is right. Decoding keeps the `beam` most probable partial lines and drops any
that fall below `min_confidence`. It returns the best one that reaches the end of the line (or
the token that starts the text already after the cursor); failing that, the longest start of a
line that stayed above the threshold; failing that, nothing rather than a guess.

A half-typed token at the cursor is completed first: candidates are the models' successors
and the file's own words that start with the typed text, renormalised among themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ghostfill.engine.hints import NameHints
from ghostfill.engine.lexer import Family
from ghostfill.engine.nested import NestedModel
from ghostfill.engine.structure import StructureModel
from ghostfill.engine.vocab import (
    BOS_ID,
    DEDENT_ID,
    INDENT_ID,
    NEWLINE_ID,
    NL_ID,
    STRING_ID,
    token_id,
)

_LINE_END_IDS = frozenset({NEWLINE_ID, NL_ID})
_NEVER = frozenset({BOS_ID, STRING_ID, INDENT_ID, DEDENT_ID})
_INDENTS = frozenset({INDENT_ID, DEDENT_ID})
_STATEMENT_IDS = frozenset({NEWLINE_ID, INDENT_ID, DEDENT_ID, BOS_ID})


@dataclass(frozen=True, slots=True)
class Decoded:
    tokens: tuple[int, ...]
    """Generated ids; the first completes the partial token when there was one."""
    probability: float
    complete: bool
    """The line ended (a line break, or the start of the text after the cursor)."""


@dataclass(frozen=True, slots=True)
class DecodeOptions:
    min_confidence: float = 0.35
    beam: int = 3
    max_tokens: int = 40
    candidates: int = 12
    """Successors taken from each model's two longest contexts per step."""
    structure: float = 1.0
    """Exponent of the statement-structure ratio (0 turns it off)."""
    partial_lines: bool = True
    """When no whole line is confident enough, offer the confident start of one."""


class Decoder:
    """Beam search over one mixed model.

    `text` gives a token id's text, or None for ids no model keeps a text for (those are
    never suggested).
    """

    def __init__(
        self,
        nested: NestedModel,
        text: Callable[[int], str | None],
        options: DecodeOptions,
        structure: StructureModel | None = None,
        brackets: tuple[str, str] = ("", ""),
        hints: NameHints | None = None,
        family: Family | None = None,
    ) -> None:
        self._nested = nested
        self._text = text
        self._options = options
        self._structure = structure if options.structure else None
        self._opens, self._closes = brackets
        """Bracket characters of the language (openers, closers): a statement cannot end
        (NEWLINE) while one it opened is still open."""
        self._open_before = 0
        self._hints = hints if hints and family is not None else None
        """Names in scope and members at the cursor (`engine.hints`), weighing identifiers."""
        self._family = family

    def complete_partial(
        self, history: Sequence[int], partial: str, extra: Sequence[int]
    ) -> list[tuple[float, int]]:
        """Tokens that extend the half-typed `partial`, with probabilities renormalised
        among them (best first)."""
        mix = self._nested.mixture(history)
        text = self._text
        seen: set[int] = set()
        scored: list[tuple[float, int]] = []
        for w in (*mix.candidates(256, orders=self._nested.order), *extra):
            if w in seen:
                continue
            seen.add(w)
            known = text(w)
            if known is not None and known.startswith(partial):
                p = mix.prob(w)
                if p > 0.0:
                    scored.append((p, w))
        if self._hints is not None and self._family is not None and scored:
            after = text(history[-1]) if history else None
            words = [text(w) or "" for _, w in scored]
            factors = self._hints.factors(after, [w for _, w in scored], words, self._family)
            if factors is not None:
                scored = [(p * f, w) for (p, w), f in zip(scored, factors, strict=True)]
        total = sum(p for p, _ in scored)
        if not total:
            return []
        scored.sort(reverse=True)
        return [(p / total, w) for p, w in scored[: self._options.beam]]

    def line(
        self,
        history: Sequence[int],
        *,
        start: Sequence[tuple[float, int]] = (),
        stop: int | None = None,
        allow_structure: bool = False,
    ) -> Decoded | None:
        """The most probable rest of the line above the threshold, or None.

        A whole line (ending in a line break, or at `stop`, the id of the first token already
        after the cursor) is preferred; failing that, with `partial_lines`, the longest start
        of one whose probability stays above the threshold (`complete` False). `start` seeds
        the beams with completions of a half-typed token; with `allow_structure`, INDENT/DEDENT
        may lead the line (block decoding).
        """
        opts = self._options
        floor = opts.min_confidence
        beams: list[tuple[float, tuple[int, ...]]] = []
        if start:
            beams = [(p, (w,)) for p, w in start if p >= floor]
            if not beams:
                return None
        else:
            beams = [(1.0, ())]
        finished: list[tuple[float, tuple[int, ...]]] = []
        held: dict[tuple[int, ...], float] = {gen: p for p, gen in beams}
        """Every beam held on the way, with its probability: where a partial line comes from."""
        base = list(history)
        self._open_before = self._depth(base, statement=True)
        for _ in range(opts.max_tokens):
            grown: list[tuple[float, tuple[int, ...]]] = []
            for prob, gen in beams:
                history = base + list(gen)
                self._expand(history, prob, gen, stop, allow_structure, finished, grown)
            if not grown:
                break
            grown.sort(reverse=True)
            beams = grown[: opts.beam]
            held.update((gen, p) for p, gen in beams)
            if finished and max(finished)[0] >= beams[0][0]:
                break  # extending a line only lowers its probability
        if finished:
            prob, gen = max(finished)
            return Decoded(gen, prob, True)
        if opts.partial_lines:
            prob, gen = _likeliest_start(held)
            if gen:
                return Decoded(gen, prob, False)
        return None

    def _depth(self, ids: Sequence[int], *, statement: bool = False) -> int:
        """Brackets opened minus closed in `ids` (back to the statement start if `statement`)."""
        if not self._opens:
            return 0
        return _depth_of(ids, self._text, self._opens, self._closes, statement)

    def _expand(
        self,
        history: list[int],
        prob: float,
        gen: tuple[int, ...],
        stop: int | None,
        allow_structure: bool,
        finished: list[tuple[float, tuple[int, ...]]],
        grown: list[tuple[float, tuple[int, ...]]],
    ) -> None:
        """Score the next tokens after one beam; file line ends in `finished`, rest in `grown`."""
        opts = self._options
        mix = self._nested.mixture(history)
        if not mix.views:
            return
        cands = mix.candidates(opts.candidates)
        if NEWLINE_ID not in cands:
            cands.append(NEWLINE_ID)
        structure = self._structure
        text = self._text
        key = structure.state(history, text) if structure is not None else None
        if structure is not None and key is not None:
            for literal in structure.likely(key):
                w = token_id(literal)
                if w not in cands:
                    cands.append(w)
        if stop is not None and stop not in cands:
            cands.append(stop)
        structural = allow_structure and all(t in (INDENT_ID, DEDENT_ID) for t in gen)
        texts = [text(w) for w in cands]
        kept = [
            (w, t)
            for w, t in zip(cands, texts, strict=True)
            if t is not None and (w not in _NEVER or (structural and w in _INDENTS))
        ]
        cands = [w for w, _ in kept]
        probs = [mix.prob(w) for w in cands]
        if structure is not None and key is not None:
            alpha = opts.structure
            probs = _reweigh(probs, [structure.ratio(key, t) ** alpha for _, t in kept])
        if self._hints is not None and self._family is not None and history:
            after = text(history[-1])
            factors = self._hints.factors(after, cands, [t for _, t in kept], self._family)
            if factors is not None:
                probs = _reweigh(probs, factors)
        floor = opts.min_confidence
        still_open = self._open_before + self._depth(gen) > 0
        for w, q in zip(cands, probs, strict=True):
            p = prob * q
            if p < floor:
                continue
            if w == NEWLINE_ID and still_open and w != stop:
                continue  # a bracket is still open: the statement cannot end here
            if w in _LINE_END_IDS or w == stop:
                finished.append((p, gen))
            else:
                grown.append((p, (*gen, w)))


def _likeliest_start(held: dict[tuple[int, ...], float]) -> tuple[float, tuple[int, ...]]:
    """From the empty line, follow the most probable next token among the beams held, as
    long as one was held: the start the beams agree on most, not the beam that survived
    longest (that one may have branched off at its first token with less probability)."""
    children: dict[tuple[int, ...], tuple[float, tuple[int, ...]]] = {}
    for gen, p in held.items():
        if gen:
            parent = gen[:-1]
            best = children.get(parent)
            if best is None or p > best[0]:
                children[parent] = (p, gen)
    node: tuple[int, ...] = ()
    prob = 1.0
    if node not in children:  # seeded with a half-typed token: start from the best seed
        seeds = [(p, gen) for gen, p in held.items() if len(gen) == 1]
        if not seeds:
            return 0.0, ()
        prob, node = max(seeds)
    while node in children:
        prob, node = children[node]
    return prob, node


def _depth_of(
    ids: Sequence[int], text: Callable[[int], str | None], opens: str, closes: str, statement: bool
) -> int:
    depth = 0
    for i in range(len(ids) - 1, -1, -1):
        t = text(ids[i])
        if t is None:
            continue
        if statement and ids[i] in _STATEMENT_IDS:
            break
        if t in opens:
            depth += 1
        elif t in closes:
            depth -= 1
    return depth


def _reweigh(probs: list[float], ratios: list[float]) -> list[float]:
    """Multiply by `ratios`, then rescale so the candidates keep their total mass."""
    adjusted = [p * r for p, r in zip(probs, ratios, strict=True)]
    total = sum(adjusted)
    if total <= 0.0:
        return probs
    scale = sum(probs) / total
    return [p * scale for p in adjusted]
