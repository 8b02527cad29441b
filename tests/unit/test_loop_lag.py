"""LagGate: fewer entries admitted while the event loop runs late, back up once it does not."""

from __future__ import annotations

import asyncio
import itertools
import time

from auditor.context import Limits
from auditor.run.loop_lag import DECREASE, LAG_INTERVAL, LagGate


def test_a_late_loop_lowers_the_limit_at_each_look_down_to_the_floor() -> None:
    gate = LagGate(window=256, target=0.02, floor=16)
    gate.observe(0.5)
    assert gate.lag > 0.02 and gate.limit == int(256 * DECREASE)
    limits = []
    for _ in range(200):
        gate.observe(0.5)
        limits.append(gate.limit)
    assert limits == sorted(limits, reverse=True)  # down, never up, while late
    assert limits[-1] == 16 and min(limits) == 16
    assert limits.index(16) < 150  # multiplicatively: 256 -> 16 in ~140 looks (1.4 s)


def test_the_limit_comes_back_up_one_entry_a_look_once_the_loop_is_on_time() -> None:
    gate = LagGate(window=32, target=0.02, floor=8)
    for _ in range(100):
        gate.observe(1.0)
    assert gate.limit == 8
    ups = []
    for _ in range(60):
        gate.observe(0.0)  # the smoothed lag decays below the target, then the limit rises
        ups.append(gate.limit)
    assert gate.lag < 0.02
    rising = [b - a for a, b in itertools.pairwise(ups) if b != a]
    assert rising and set(rising) == {1}
    assert gate.limit == 32


def test_turned_off_the_limit_is_the_window_whatever_the_lag() -> None:
    gate = LagGate(window=16, target=0.0, floor=4)
    gate.observe(10.0)
    assert not gate.active and gate.limit == 16
    # a window no larger than the floor has nothing to give up either
    small = LagGate(window=4, target=0.02, floor=8)
    small.observe(10.0)
    assert not small.active and small.limit == 4


def test_watch_sees_a_loop_held_up() -> None:
    async def main() -> float:
        gate = LagGate(window=64, target=0.02, floor=8)
        watching = asyncio.ensure_future(gate.watch())
        await asyncio.sleep(3 * LAG_INTERVAL)
        calm = gate.lag
        for _ in range(5):
            time.sleep(0.2)  # a callback that holds the loop: the timer fires ~0.2 s late
            await asyncio.sleep(LAG_INTERVAL)
        watching.cancel()
        assert calm < 0.05, calm  # an idle loop is not late (a loaded machine, a little)
        return gate.lag

    assert asyncio.run(main()) > 0.02


def test_the_floor_is_two_per_host_or_a_sixteenth_of_the_window() -> None:
    assert LagGate.for_limits(Limits(concurrency=64, per_host=4)).floor == 8
    assert LagGate.for_limits(Limits(concurrency=512, per_host=4)).floor == 32
