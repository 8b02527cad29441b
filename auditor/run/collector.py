"""The garbage collector's pace while an audit runs.

A run keeps what it makes: every entry's findings, their facts and the
result stay alive until the run ends (the store, the report, the gate read
them), a few hundred container objects an entry. CPython's default pace (a
young collection every 700 allocations, an old one every 100 young ones)
then spends its time scanning those survivors again and again, and every full
collection walks everything the process loaded before the run too (modules,
official domain lists, the methodology, parsed templates). Measured on a warm
re-run of 500 entries (``benchmarks/rerun.py``'s workload, ``gc.callbacks``):
0.13 CPU s a run, 13 % of its CPU, went to the collector; paced as below,
0.04 s.

Objects are still freed by reference counting the moment the last reference
goes; only reference cycles wait longer for a collection. That is the price:
at 10,000 entries, 256 in flight, ``--workers 2 --store``
(``benchmarks/throughput.py``), the three processes' peak RSS went from 445
to 462 MiB (482 with young collections every 50,000 allocations, for no
further gain in CPU), and their CPU from 3.69 to 3.32 ms an entry.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

RUN_THRESHOLD = 10_000
"""Allocations between young collections during a run (CPython's default: 700)."""


@contextmanager
def run_collector() -> Iterator[None]:
    """Within the block: objects that existed before it are frozen out of collections
    (``gc.freeze``) and young collections come every ``RUN_THRESHOLD`` allocations.
    Both are undone when the block is left.

    The collector is the process's, not the run's: a block entered while another is
    open (two runs in one process) changes nothing and undoes nothing, so the block
    that changed the setting is the one that restores what the process had.
    """
    before = gc.get_threshold()
    if before[0] == RUN_THRESHOLD:  # another run's block is open: it owns the setting
        yield
        return
    gc.freeze()
    gc.set_threshold(RUN_THRESHOLD, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()
