"""How long one spec analysis may run, checked inside the loops that walk the document.

Why cooperative: an analysis in a thread cannot be killed, and one in a worker
process should end with a finding that names its cause, not with a dead
worker. So every walker (``$ref`` chains, the semantic pass, the inventory,
the quality and example summaries, the Swagger 2.0 rules, the YAML
conversion) calls ``tick()`` per node or item it visits; every
``CHECK_EVERY`` ticks the clock is read and ``OverBudget`` raised once the
deadline has passed. Walkers whose single step is expensive call ``check()``.

Work inside a C library (libyaml, jsonschema-rs, a backtracking ``re`` match
in a ``default`` check) cannot be interrupted this way; the run's worker
processes (``pool.py``) are killed for that.
"""

from __future__ import annotations

import math
import time

CHECK_EVERY = 64
"""Ticks between two reads of the clock (a tick costs ~60 ns, a read ~50 ns more)."""


class OverBudget(Exception):
    """The analysis ran past its deadline; ``stage`` says what it was doing."""

    def __init__(self, seconds: float, stage: str) -> None:
        super().__init__(f"spec analysis exceeded its {seconds:.3g}s budget ({stage})")
        self.seconds = seconds
        self.stage = stage

    def __reduce__(self) -> tuple[type[OverBudget], tuple[float, str]]:
        return OverBudget, (self.seconds, self.stage)  # crosses a process boundary intact


class Deadline:
    """The moment (``time.monotonic()``) an analysis must stop; ``None`` seconds: never."""

    __slots__ = ("_left", "at", "seconds", "stage")

    def __init__(self, seconds: float | None = None) -> None:
        self.seconds = seconds
        self.at = math.inf if seconds is None else time.monotonic() + max(0.0, seconds)
        self.stage = "parsing"
        """What the analysis is doing, for the message (set by ``analyse``)."""
        self._left = CHECK_EVERY

    @property
    def bounded(self) -> bool:
        return self.seconds is not None

    def tick(self) -> None:
        """One cheap unit of work done; reads the clock every ``CHECK_EVERY`` calls."""
        self._left -= 1
        if self._left <= 0:
            self._left = CHECK_EVERY
            self.check()

    def check(self) -> None:
        """Raise ``OverBudget`` if the deadline has passed."""
        if time.monotonic() >= self.at:
            assert self.seconds is not None  # an unbounded deadline is at +inf
            raise OverBudget(self.seconds, self.stage)
