"""How many entries may be in flight, given how late the event loop answers.

One event loop does every entry's HTTP exchanges and bookkeeping. Once it is
busy all the time, more entries in flight add no throughput: they lengthen the
queue of ready callbacks that every response waits in. Each request then takes
its server's time plus that wait, the latency a run records (``latency_ms``,
the timeouts) reads the auditor's backlog as the server's, and the host whose
entries take longest (a slow gateway listing many APIs) finishes last, alone,
each of its requests having waited in the queue. Measured on 10,000 entries at
256 in flight (docs/throughput.md): every other host was done after 23.6 s, the
five slow ones after 29.1 s, at two thirds of their pace until the queue
emptied.

``LagGate`` looks at the lag every 10 ms (how late its timer fires, smoothed):
while it is over ``Limits.loop_lag`` (20 ms) the number of entries the run
admits loses 2 % a look (down to ``floor``), once it is back under it gains one
entry a look: additive increase, multiplicative decrease, which settles rather
than swings (lowering it by one as each entry finished swung it between the
floor and ~100 every second, the loop idle at the bottom of each swing).
Entries already started run on. ``loop_lag=0`` turns it off (the run keeps
``concurrency`` entries in flight).
"""

from __future__ import annotations

import asyncio

from auditor.context import Limits

LAG_INTERVAL = 0.01
"""Seconds between two looks at the loop's lag."""
SMOOTHING = 0.3
"""Weight of the newest look in the smoothed lag."""
DECREASE = 0.98
"""The limit's share kept at each look over the target (halved in ~0.35 s of lag)."""


class LagGate:
    """The number of entries a run may have in flight now: ``limit``, read before each
    admission."""

    @classmethod
    def for_limits(cls, limits: Limits) -> LagGate:
        """The run's gate: ``concurrency`` entries at most, held to no fewer than two per
        host's worth or a sixteenth of ``concurrency``, whichever is more."""
        floor = max(2 * limits.per_host, limits.concurrency // 16)
        return cls(limits.concurrency, limits.loop_lag, floor)

    def __init__(self, window: int, target: float, floor: int) -> None:
        self.window = max(1, window)
        self.target = target
        self.floor = min(self.window, max(1, floor))
        self.limit = self.window
        self.lag = 0.0
        """Seconds the loop's timers fire late, smoothed."""

    @property
    def active(self) -> bool:
        return self.target > 0 and self.floor < self.window

    def observe(self, late: float) -> None:
        """One look: a timer fired ``late`` seconds after it was due. The limit moves at
        each look, not as each entry finishes (hundreds finish a second, and the lag
        answers a change only once the entries admitted meanwhile are under way)."""
        self.lag += SMOOTHING * (max(0.0, late) - self.lag)
        if not self.active:
            return
        if self.lag > self.target:
            self.limit = max(self.floor, int(self.limit * DECREASE))
        elif self.limit < self.window:
            self.limit += 1

    async def watch(self) -> None:
        """Look at the lag every ``LAG_INTERVAL`` until cancelled."""
        loop = asyncio.get_running_loop()
        while True:
            due = loop.time() + LAG_INTERVAL
            await asyncio.sleep(LAG_INTERVAL)
            self.observe(loop.time() - due)
