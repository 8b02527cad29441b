"""Facts that belong to a site, not to an entry: looked up once per run.

A catalog often lists many APIs of one publisher: they share a gateway, a
home page and a documentation portal. ``/.well-known/security.txt``,
``/llms.txt``, ``/.well-known/mcp.json`` and those pages say the same thing
for every entry that points at them, so a run asks once and every entry
cites the same observation. That halves the requests of a typical catalog
and spares the publisher's servers the repetition.

Two entries asking at the same time share one request (single flight), and
an entry that runs out of time stops waiting without cancelling the request
the others wait on. Finished results are kept in a least-recently-used map
bounded in bytes (``Limits.shared_cache_bytes``), so a catalog of a million
sites costs no more memory than one of a hundred.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

T = TypeVar("T")
FAILURE_BYTES = 2048
"""What a remembered failure is counted as (its facts, no body)."""


class SharedLookups:
    """Single-flight, byte-bounded memo of a run's site-level lookups."""

    def __init__(self, capacity_bytes: int, failure_ttl: float = 0.0) -> None:
        self._capacity = max(0, capacity_bytes)
        self._failure_ttl = max(0.0, failure_ttl)
        self._done: OrderedDict[str, tuple[Any, int, float | None]] = OrderedDict()
        self._held = 0
        self._inflight: dict[str, asyncio.Task[Any]] = {}

    @property
    def held_bytes(self) -> int:
        return self._held

    def __len__(self) -> int:
        return len(self._done)

    def get(
        self,
        key: str,
        factory: Callable[[], Awaitable[T]],
        weight: Callable[[T], int | None],
    ) -> asyncio.Future[T]:
        """The value for ``key``, computing it with ``factory`` if no one has yet.

        ``weight`` estimates the bytes a value holds, or None for a passing
        failure (a timeout, a 503): that one is kept ``failure_ttl`` seconds only,
        so a host failing on everything is not asked again by every entry while
        a blip is not cited all run long. A value heavier than the whole
        capacity is handed out but not kept.

        A future rather than a coroutine: a value already known is handed out as a
        finished future, which an entry awaits without a task of its own or a turn
        of the event loop (most asks in a run: every entry of a site after its first).
        """
        if key in self._done:
            value: T
            value, size, expires = self._done[key]
            if expires is None or time.monotonic() < expires:
                self._done.move_to_end(key)
                known: asyncio.Future[T] = asyncio.get_running_loop().create_future()
                known.set_result(value)
                return known
            del self._done[key]
            self._held -= size
        task = self._inflight.get(key)
        if task is None:
            task = asyncio.ensure_future(factory())
            self._inflight[key] = task
            task.add_done_callback(lambda done: self._settle(key, done, weight))
        # shield: a caller that is cancelled (its entry ran out of time) stops
        # waiting; the lookup goes on for the entries still waiting on it.
        return asyncio.shield(task)

    def _settle(
        self, key: str, task: asyncio.Task[Any], weight: Callable[[Any], int | None]
    ) -> None:
        self._inflight.pop(key, None)
        if task.cancelled() or task.exception() is not None:
            return  # not remembered: the next entry asks again
        value = task.result()
        measured = weight(value)
        expires = None
        if measured is None:
            if not self._failure_ttl:
                return
            measured, expires = FAILURE_BYTES, time.monotonic() + self._failure_ttl
        size = max(1, measured)
        if size > self._capacity:
            return
        self._done[key] = (value, size, expires)
        self._held += size
        while self._held > self._capacity:
            _, (_, dropped, _) = self._done.popitem(last=False)
            self._held -= dropped

    async def close(self) -> None:
        """Cancel lookups no entry waits for any more (the run is over)."""
        tasks = list(self._inflight.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
