"""This process's peak resident memory, as the benchmarks and ``--workers`` report it.

``getrusage``'s ``ru_maxrss`` is not it on Linux: the kernel carries it over
through fork and exec, so a freshly spawned worker reports at least what its
parent held when it started it (a spawned child of a 300 MiB process reads
311 MiB with 14 MiB of its own). ``VmHWM`` in ``/proc/self/status`` is the
high-water mark of this process's own memory; elsewhere ``ru_maxrss`` is the
best there is.
"""

from __future__ import annotations

import resource
import sys
from pathlib import Path


def peak_rss_mib() -> float:
    """The most memory this process has held resident, in MiB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024
