"""Retry-After parsing, back-off with jitter, and the host gate's limits."""

from __future__ import annotations

import asyncio
import random
import time
from email.utils import formatdate

import pytest

from auditor.net.politeness import HostGate, backoff, parse_retry_after


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("0", 0.0),
        ("5", 5.0),
        ("  120 ", 120.0),
        ("1.5", 1.5),
        ("-3", 0.0),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),  # in the past: now
        (None, None),
        ("", None),
        ("soon", None),
        ("nan", None),
    ],
)
def test_parse_retry_after(value: str | None, seconds: float | None) -> None:
    assert parse_retry_after(value) == seconds


def test_parse_retry_after_future_date() -> None:
    parsed = parse_retry_after(formatdate(time.time() + 60, usegmt=True))
    assert parsed is not None and 58 <= parsed <= 61


def test_backoff_doubles_with_jitter_and_is_capped() -> None:
    rng = random.Random(7)
    for attempt, nominal in [(1, 0.25), (2, 0.5), (3, 1.0), (4, 2.0)]:
        delays = [backoff(attempt, 0.25, 5.0, rng) for _ in range(200)]
        assert min(delays) >= nominal * 0.5 and max(delays) <= nominal * 1.5
        assert max(delays) - min(delays) > nominal * 0.5  # jitter really spreads them
    assert all(backoff(20, 0.25, 5.0, rng) <= 7.5 for _ in range(50))


async def _peak(gate: HostGate, hosts: list[str]) -> dict[str, int]:
    in_flight: dict[str, int] = {}
    peak: dict[str, int] = {}

    async def one(host: str) -> None:
        async with gate.slot(host):
            for key in (host, "*"):
                in_flight[key] = in_flight.get(key, 0) + 1
                peak[key] = max(peak.get(key, 0), in_flight[key])
            await asyncio.sleep(0.01)
            for key in (host, "*"):
                in_flight[key] -= 1

    await asyncio.gather(*(one(h) for h in hosts))
    return peak


def test_gate_holds_the_per_host_limit() -> None:
    peak = asyncio.run(_peak(HostGate(concurrency=64, per_host=3), ["a"] * 40 + ["b"] * 40))
    assert peak["a"] == 3 and peak["b"] == 3 and peak["*"] == 6


def test_gate_holds_the_global_limit() -> None:
    hosts = [f"h{i}" for i in range(20)] * 3
    peak = asyncio.run(_peak(HostGate(concurrency=5, per_host=4), hosts))
    assert peak["*"] == 5


def test_gate_forgets_idle_hosts() -> None:
    gate = HostGate(concurrency=4, per_host=2)
    asyncio.run(_peak(gate, [f"h{i}" for i in range(100)]))
    assert gate._hosts == {} and gate._users == {}


def test_cool_down_holds_new_requests_to_that_host_only() -> None:
    async def go() -> tuple[float, float]:
        gate = HostGate(concurrency=4, per_host=2)
        gate.cool_down("busy", 0.3)
        started = time.monotonic()

        async def timed(host: str) -> float:
            async with gate.slot(host):
                return time.monotonic() - started

        busy, other = await asyncio.gather(timed("busy"), timed("other"))
        return busy, other

    busy, other = asyncio.run(go())
    assert busy >= 0.28
    assert other < busy


def test_a_request_cancelled_while_waiting_holds_no_slot() -> None:
    """Cancelled in the host's cool-down, in the host queue or in the global queue (holding
    its host slot): the gate forgets it, and every slot it held or waited for is free."""

    async def go() -> None:
        gate = HostGate(concurrency=1, per_host=2)
        gate.cool_down("cool", 5.0)
        release = asyncio.Event()

        async def hold(host: str) -> None:
            async with gate.slot(host):
                await release.wait()

        holder = asyncio.create_task(hold("a"))
        await asyncio.sleep(0.01)
        waiters = [asyncio.create_task(hold(h)) for h in ("cool", "a", "a", "b")]
        await asyncio.sleep(0.01)  # cool-down; global queue (with a's slot); a's queue; global
        assert gate._users == {"a": 3, "cool": 1, "b": 1} and gate._hosts["a"].locked()
        for waiter in waiters:
            waiter.cancel()
        await asyncio.gather(*waiters, return_exceptions=True)
        assert gate._users == {"a": 1}
        assert gate._hosts["a"]._value == 1  # the holder's slot taken, the other one free
        release.set()
        await holder
        assert gate._hosts == {} and gate._users == {}
        async with asyncio.timeout(1):  # the host slots and the one global slot are free
            for host in ("a", "b"):
                async with gate.slot(host):
                    assert gate._global.locked()
        assert not gate._global.locked()

    asyncio.run(go())
