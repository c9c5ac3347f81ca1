"""The n-gram model: proper distributions, exact add/remove, bounded memory."""

from __future__ import annotations

import random

import pytest
from ghostfill.engine.nested import Mixture, NestedModel
from ghostfill.engine.ngram import SMALL, WIDE, NGramModel, context_keys
from hypothesis import given, settings
from hypothesis import strategies as st


def corpus(seed: int, vocab: int, files: int = 4, length: int = 300) -> list[list[int]]:
    rng = random.Random(seed)
    return [[rng.randrange(vocab) for _ in range(length)] for _ in range(files)]


def sizes(model: NGramModel) -> list[int]:
    """Contexts per order and unigram entries (independent of how successors are stored)."""
    return [len(t) for t in model.tables] + [len(model.unigram), model.total]


def snapshot(model: NGramModel, docs: list[list[int]]) -> list[int]:
    """c(history, token) for many histories of every order that occur in `docs`."""
    return [
        model.count(doc[i - k : i], doc[i])
        for doc in docs
        for k in range(model.order)
        for i in range(k, len(doc), 7)
    ]


@pytest.mark.parametrize("vocab", [5, 60])  # few successors per context, and many (wide)
def test_probabilities_sum_to_one_over_the_vocabulary(vocab: int) -> None:
    model = NGramModel(4)
    for doc in corpus(1, vocab):
        model.add(doc)
    for history in ([], [0], [1, 2], [3, 4, 1], [9999]):
        total = sum(model.prob(history, w) for w in range(vocab))
        assert total == pytest.approx(1.0)


def test_mixture_is_a_distribution_too() -> None:
    a, b = NGramModel(4), NGramModel(6)
    docs = corpus(2, 8)
    a.add(docs[0])
    b.add(docs[1])
    mix = NestedModel([a, b]).mixture(docs[2][:20])
    assert isinstance(mix, Mixture) and len(mix.views) == 2
    assert sum(mix.prob(w) for w in range(8)) == pytest.approx(1.0)


@pytest.mark.parametrize("vocab", [4, 80])
def test_remove_undoes_add_exactly(vocab: int) -> None:
    model = NGramModel(5)
    docs = corpus(3, vocab)
    for doc in docs:
        model.add(doc)
    before = snapshot(model, docs)
    shape = sizes(model)
    extra = corpus(4, vocab, files=1, length=500)[0]
    model.add(extra)
    assert snapshot(model, docs) != before
    model.remove(extra)
    assert snapshot(model, docs) == before
    assert sizes(model) == shape


def test_remove_everything_leaves_an_empty_model() -> None:
    model = NGramModel(6)
    docs = corpus(5, 30)
    for doc in docs:
        model.add(doc)
    assert any(v == WIDE for t in model.tables for v in t.values())  # the wide path is covered
    for doc in docs:
        model.remove(doc)
    assert model.contexts == 0 and model.total == 0 and not model.unigram
    assert all(not w for w in model.wide)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.lists(st.integers(0, 2 * SMALL), min_size=0, max_size=60), max_size=5),
    st.integers(0, 4),
)
def test_any_file_can_be_removed_again(docs: list[list[int]], which: int) -> None:
    model = NGramModel(4)
    reference = NGramModel(4)
    for i, doc in enumerate(docs):
        model.add(doc)
        if i != which:
            reference.add(doc)
    if which < len(docs):
        model.remove(docs[which])
    assert snapshot(model, docs) == snapshot(reference, docs)
    assert sizes(model) == sizes(reference)


def test_prune_bounds_contexts_and_keeps_frequent_ones() -> None:
    model = NGramModel(6)
    frequent = [1, 2, 3, 4, 5, 6] * 50
    model.add(frequent)
    for doc in corpus(6, 500, files=3, length=2000):
        model.add(doc)
    assert model.contexts > 5000
    model.prune(3000)
    assert model.contexts <= 3000
    assert model.count([1, 2, 3, 4, 5], 6) == 50  # the repeated 6-gram survives
    assert sum(model.prob([2, 3, 4, 5], w) for w in range(500)) == pytest.approx(1.0)


def test_unseen_history_backs_off_to_unigrams() -> None:
    model = NGramModel(3)
    model.add([1, 1, 1, 2])
    view = model.view(context_keys([7, 8], 3))
    assert view.hits == 1  # only the unigram level
    assert view.prob(1) == pytest.approx(0.75)
    assert view.successors(4) == []


def test_successors_come_from_the_longest_contexts() -> None:
    model = NGramModel(4)
    model.add([5, 6, 7, 9] + [1, 6, 7, 8] * 3)
    view = model.view(context_keys([5, 6, 7], 4))
    assert view.successors(3)[0] == 9  # the trigram context 5 6 7 was followed by 9
    assert 8 in view.successors(3)
