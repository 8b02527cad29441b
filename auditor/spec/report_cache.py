"""A run's spec analyses by sha256, optionally bounded in bytes (least recently used first).

The probes look an analysis up by the document's sha256 (``in``, then ``[]``)
and add the ones they make. One loop keeps every analysis of its run (the
store's recording reads each back when its entries are recorded). A
``--workers`` process need not: its analyses go to the parent as they are
made, so it keeps what fits in ``capacity`` bytes and analyses again the rare
document evicted and met again, rather than holding a whole catalog's
analyses per process (300 specs cost ~100 MB a worker before). Their parent,
which records them, needs each only until its snapshot is stored.
"""

from __future__ import annotations

import orjson

from auditor.spec.analyse import SpecReport

WEIGHT_FACTOR = 2
"""An analysis held in memory weighs about twice its JSON (measured with tracemalloc on
the corpus: 1.6-2.5x); a report's JSON is capped by the analysis (500 fields, 50 examples)."""


def report_weight(report: SpecReport) -> int:
    """Estimated bytes ``report`` holds: its JSON length x ``WEIGHT_FACTOR``."""
    try:
        size = len(orjson.dumps(report, default=str, option=orjson.OPT_NON_STR_KEYS))
    except TypeError:
        size = report.size
    return max(1, size) * WEIGHT_FACTOR


class ReportCache(dict[str, SpecReport]):
    """A dict of analyses; with ``capacity_bytes``, an LRU that never holds more than that."""

    def __init__(self, capacity_bytes: int | None = None) -> None:
        super().__init__()
        self._capacity = capacity_bytes
        self._weights: dict[str, int] = {}
        self.held_bytes = 0

    def __getitem__(self, key: str) -> SpecReport:
        report = dict.__getitem__(self, key)
        if self._capacity is not None:  # most recently used last
            dict.__delitem__(self, key)
            dict.__setitem__(self, key, report)
        return report

    def __setitem__(self, key: str, report: SpecReport) -> None:
        self.keep(key, report)

    def made(self, key: str, report: SpecReport, document: bytes) -> None:
        """``self[key] = report``, the run's analysis of ``document`` (whose sha256 is
        ``key``, as the spec probe computed it): a store keeps the document with it
        without hashing it again (``StoredReports``)."""
        self[key] = report

    def __delitem__(self, key: str) -> None:
        dict.__delitem__(self, key)
        self.held_bytes -= self._weights.pop(key, 0)

    def bound(self, capacity_bytes: int) -> None:
        """From now on hold at most ``capacity_bytes``, least recently used out first."""
        held = [(key, dict.__getitem__(self, key)) for key in self]  # oldest first
        self._capacity = capacity_bytes
        for key, report in held:  # weighed and kept again, in the same order
            self.keep(key, report)

    def keep(self, key: str, report: SpecReport) -> None:
        """Hold ``report`` (a bounded cache drops the least recently used ones to make room;
        a report heavier than the whole capacity is not held)."""
        if dict.__contains__(self, key):
            del self[key]
        if self._capacity is None:
            dict.__setitem__(self, key, report)
            return
        weight = report_weight(report)
        if weight > self._capacity:
            return
        dict.__setitem__(self, key, report)
        self._weights[key] = weight
        self.held_bytes += weight
        while self.held_bytes > self._capacity:
            del self[next(iter(self))]
