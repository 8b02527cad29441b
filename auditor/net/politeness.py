"""How hard a run may lean on the servers it audits: slots, back-off, cool-downs.

A catalog often lists dozens of APIs on one host (a ministry's gateway, a
platform). The run may have 64 requests in flight, but never more than
``per_host`` at any one host, and when a host answers 429/503 with
``Retry-After`` every request to that host waits, not only the one that was
told.

A host whose connections keep failing (refused, unreachable: ``UNREACHED_AFTER``
attempts in a row, whichever entries made them) is still tried once a URL, as
every entry's evidence needs, but no longer retried: retries ride out a blip,
and a host that refused every connection of the run so far is not having one.
A catalog with a dead gateway listing a hundred APIs would otherwise spend the
run in back-off waits, a few entries at a time.
"""

from __future__ import annotations

import asyncio
import random
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType


def parse_retry_after(value: str | None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delta or HTTP date), uncapped; None if absent."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    if seconds != seconds:  # NaN
        return None
    return max(seconds, 0.0)


def backoff(attempt: int, base: float, cap: float, rng: random.Random) -> float:
    """Exponential back-off with ±50% jitter before retry ``attempt`` (1 for the first)."""
    delay: float = min(cap, base * 2 ** (attempt - 1)) * rng.uniform(0.5, 1.5)
    return delay


UNREACHED_AFTER = 5
"""Failed connection attempts in a row to a host after which its failures are not retried."""


class HostGate:
    """The run's global and per-host concurrency limits, and per-host cool-downs."""

    def __init__(self, concurrency: int, per_host: int) -> None:
        self._global = asyncio.Semaphore(max(1, concurrency))
        self._per_host_limit = max(1, per_host)
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._users: dict[str, int] = {}
        self._not_before: dict[str, float] = {}
        self._unreached: dict[str, int] = {}  # hosts whose last connection attempts all failed

    def cool_down(self, host: str, seconds: float) -> None:
        """Hold new requests to ``host`` for ``seconds`` (the server asked us to wait)."""
        until = time.monotonic() + seconds
        self._not_before[host] = max(self._not_before.get(host, 0.0), until)

    def connected(self, host: str, reached: bool) -> int:
        """Note whether an attempt reached ``host``; the failed attempts in a row so far."""
        if reached:
            if self._unreached:
                self._unreached.pop(host, None)
            return 0
        count = self._unreached[host] = self._unreached.get(host, 0) + 1
        return count

    def slot(self, host: str) -> _Slot:
        """Wait for the host's cool-down, then a host slot, then a global slot (``async with``).

        The host slot is taken first so a request waiting on a busy host never
        holds one of the run's global slots.
        """
        return _Slot(self, host)

    def _enter(self, host: str) -> asyncio.Semaphore:
        semaphore = self._hosts.get(host)
        if semaphore is None:
            semaphore = self._hosts[host] = asyncio.Semaphore(self._per_host_limit)
        self._users[host] = self._users.get(host, 0) + 1
        return semaphore

    def _leave(self, host: str) -> None:
        self._users[host] -= 1
        if self._users[host] == 0:  # forget idle hosts: a run may see millions
            del self._users[host]
            del self._hosts[host]
            if self._not_before.get(host, 0.0) <= time.monotonic():
                self._not_before.pop(host, None)


class _Slot:
    """One request's place in a ``HostGate``: a class, not ``@asynccontextmanager``, because
    every request of a run takes one and a generator-based manager costs twice the CPU."""

    __slots__ = ("_gate", "_host", "_semaphore")

    def __init__(self, gate: HostGate, host: str) -> None:
        self._gate = gate
        self._host = host

    async def __aenter__(self) -> None:
        gate, host = self._gate, self._host
        semaphore = gate._enter(host)
        try:
            await semaphore.acquire()
            try:
                while (wait := gate._not_before.get(host, 0.0) - time.monotonic()) > 0:
                    await asyncio.sleep(wait)
                await gate._global.acquire()
            except BaseException:
                semaphore.release()
                raise
        except BaseException:  # cancelled while waiting: hold nothing, count nothing
            gate._leave(host)
            raise
        self._semaphore = semaphore

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._gate._global.release()
        self._semaphore.release()
        self._gate._leave(self._host)
