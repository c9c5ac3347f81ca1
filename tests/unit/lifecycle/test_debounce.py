from __future__ import annotations

import asyncio

from ghostfill.lifecycle.debounce import Debouncer


def test_slow_typing_never_waits_and_bursts_keep_only_the_last() -> None:
    async def scenario() -> tuple[bool, bool, bool]:
        d = Debouncer()
        gen, gap = d.arrive("u")
        first = await d.settle("u", gen, gap, 20)  # first request: the gap is huge
        g1, gap1 = d.arrive("u")
        pending = asyncio.ensure_future(d.settle("u", g1, gap1, 20))
        g2, gap2 = d.arrive("u")
        last = await d.settle("u", g2, gap2, 20)
        return first, await pending, last

    assert asyncio.run(scenario()) == (True, False, True)
