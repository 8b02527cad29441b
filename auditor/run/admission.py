"""Which entries may start now: a few per host at a time, the rest wait their turn.

The run keeps ``concurrency`` entries in flight, and the fetcher never has
more than ``per_host`` requests at one host. Without admission, a catalog
that lists two hundred APIs on one ministry gateway fills every entry slot
with that gateway's entries: their requests queue behind its four request
slots, the other hosts sit idle, and the entries' time budget
(``entry_timeout``) runs out while they wait in line, so healthy APIs end as
"unknown". Here an entry starts only when its host has fewer than
``per_host`` entries running; the others wait, unstarted and uncharged,
while entries of other hosts take the free slots.

Waiting entries are pulled from the catalog lazily and at most ``lookahead``
of them are held, so a huge catalog never sits in memory whole.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from urllib.parse import urlsplit

from auditor.model import Entry


def host_of(entry: Entry) -> str:
    """The host an entry's requests mostly go to: its base URL's, else its spec URL's.

    An entry with neither (or unparsable ones) gets a key of its own: nothing to wait for.
    """
    for url in (entry.base_url, entry.spec_url):
        if not url:
            continue
        try:
            host = urlsplit(url.strip()).hostname
        except ValueError:
            continue
        if host:
            return host.lower().rstrip(".")
    return f"entry:{entry.id}"


class HostAdmission:
    """Hands out entries whose host has room; ``finished`` gives the room back."""

    def __init__(self, entries: Iterable[Entry], per_host: int, lookahead: int) -> None:
        self._source: Iterator[Entry] | None = iter(entries)
        self._per_host = max(1, per_host)
        self._lookahead = max(1, lookahead)
        self._running: dict[str, int] = {}
        self._waiting: dict[str, deque[Entry]] = {}
        self._held = 0
        self._ready: deque[Entry] = deque()

    @property
    def waiting(self) -> int:
        """Entries read from the catalog and not started yet."""
        return self._held + len(self._ready)

    def next(self) -> Entry | None:
        """An entry that may start now, or None (all hosts with entries left are busy,
        or the catalog is done)."""
        if self._ready:
            return self._ready.popleft()
        while self._source is not None and self._held < self._lookahead:
            entry = next(self._source, None)
            if entry is None:
                self._source = None
                break
            host = host_of(entry)
            if self._running.get(host, 0) < self._per_host:
                self._running[host] = self._running.get(host, 0) + 1
                return entry
            self._waiting.setdefault(host, deque()).append(entry)
            self._held += 1
        return None

    def finished(self, entry: Entry) -> None:
        """``entry`` is done: its host's next waiting entry becomes ready."""
        host = host_of(entry)
        queue = self._waiting.get(host)
        if queue:
            self._ready.append(queue.popleft())  # takes over the slot: running stays the same
            self._held -= 1
            if not queue:
                del self._waiting[host]
            return
        left = self._running.get(host, 1) - 1
        if left > 0:
            self._running[host] = left
        else:
            self._running.pop(host, None)
