"""The cycle collector's timing: held through startup, frozen when startup settled, run in
the pauses between requests (young collections; full ones when due), its time counted.
Each test puts the process's collector back as it was."""

from __future__ import annotations

import asyncio
import gc
import weakref
from collections.abc import Iterator

import pytest
from ghostfill.lifecycle.collector import YOUNG_THRESHOLD, Collector


class Node:
    """An object in a reference cycle: only the cycle collector frees it."""

    def __init__(self) -> None:
        self.me = self


def cycle() -> weakref.ref[Node]:
    return weakref.ref(Node())


@pytest.fixture
def restored() -> Iterator[list[Collector]]:
    made: list[Collector] = []
    enabled, threshold = gc.isenabled(), gc.get_threshold()
    try:
        yield made
    finally:
        for collector in made:
            collector.uninstall()
        gc.unfreeze()
        gc.set_threshold(*threshold)
        if enabled:
            gc.enable()
        gc.collect()


def installed(made: list[Collector], **kwargs: float) -> Collector:
    collector = Collector(**kwargs).install()
    made.append(collector)
    return collector


def test_startup_is_held_then_frozen_when_settled(restored: list[Collector]) -> None:
    collector = installed(restored)
    assert not gc.isenabled()
    assert gc.get_threshold()[0] == YOUNG_THRESHOLD
    startup = cycle()
    gc.collect(0)  # an explicit collection still works: only the automatic ones wait
    assert startup() is None
    collector.settled()
    assert gc.isenabled()
    assert gc.get_freeze_count() > 0  # frozen: the collections that follow do not walk it


def test_uninstall_puts_the_collector_back(restored: list[Collector]) -> None:
    threshold = gc.get_threshold()
    collector = installed(restored)
    collector.settled()
    collector.uninstall()
    assert gc.isenabled()
    assert gc.get_threshold() == threshold
    assert gc.get_freeze_count() == 0
    assert collector._observe not in gc.callbacks


async def test_a_request_before_settled_ends_the_hold(restored: list[Collector]) -> None:
    collector = installed(restored, quiet_s=60)
    collector.request()
    assert gc.isenabled()
    assert gc.get_freeze_count() > 0  # what startup built was frozen first


async def test_a_pause_collects_what_was_left_since(restored: list[Collector]) -> None:
    collector = installed(restored, quiet_s=0.05, full_growth=100.0, full_after_s=1e9)
    collector.settled()
    collector.collect()  # the first one is full (nothing was collected since startup)
    gc.disable()  # only the pause may collect here
    young = cycle()
    collector.request()
    collector.request()  # a second request does not arm a second timer
    await asyncio.sleep(0.01)
    assert young() is not None  # not yet: the pause has not lasted
    for _ in range(100):
        await asyncio.sleep(0.02)
        if young() is None:
            break
    assert young() is None
    assert collector.collections["young"] == 1


def test_frozen_garbage_waits_for_a_full_collection(restored: list[Collector]) -> None:
    collector = installed(restored, full_growth=100.0, full_after_s=1e9)
    collector.settled()
    collector.collect()  # full: what startup froze was walked once
    frozen = cycle()
    gc.freeze()  # as a pause freezes what survived it
    collector.collect()
    assert frozen() is not None  # a young collection does not walk frozen objects
    collector.full_after_s = 0.0  # now a full collection is due
    collector.collect()
    assert frozen() is None
    assert collector.collections == {"young": 1, "full": 2}


def test_growth_of_what_is_frozen_makes_a_full_collection_due(
    restored: list[Collector],
) -> None:
    collector = installed(restored, full_growth=0.25, full_after_s=1e9)
    collector.settled()
    collector.collect()
    kept = [[i] for i in range(gc.get_freeze_count())]  # doubles what will be frozen
    gc.freeze()
    collector.collect()
    assert collector.collections == {"young": 0, "full": 2}
    del kept


def test_time_in_collections_is_counted(restored: list[Collector]) -> None:
    collector = installed(restored)
    collector.settled()
    before = collector.paused()
    gc.collect()
    assert collector.paused() > before
