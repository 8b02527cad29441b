"""SharedLookups: one lookup per key per run, bounded in bytes, robust to cancelled callers."""

from __future__ import annotations

import asyncio

import pytest

from auditor.probes.shared import SharedLookups


def test_concurrent_callers_share_one_computation() -> None:
    calls = 0

    async def slow() -> str:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.01)
        return "answer"

    async def go() -> list[str]:
        shared = SharedLookups(1024)
        first = await asyncio.gather(*(shared.get("k", slow, len) for _ in range(10)))
        later = await shared.get("k", slow, len)
        return [*first, later]

    assert asyncio.run(go()) == ["answer"] * 11
    assert calls == 1


def test_a_cancelled_caller_does_not_cancel_the_lookup_others_wait_on() -> None:
    async def go() -> str:
        shared = SharedLookups(1024)
        release = asyncio.Event()

        async def lookup() -> str:
            await release.wait()
            return "done"

        impatient = asyncio.ensure_future(shared.get("k", lookup, len))
        patient = asyncio.ensure_future(shared.get("k", lookup, len))
        await asyncio.sleep(0)
        impatient.cancel()
        await asyncio.sleep(0)
        release.set()
        assert impatient.cancelled()
        return await patient

    assert asyncio.run(go()) == "done"


def test_failures_reach_every_caller_and_are_not_remembered() -> None:
    calls = 0

    async def broken() -> str:
        nonlocal calls
        calls += 1
        raise ValueError("boom")

    async def go() -> None:
        shared = SharedLookups(1024)
        for _ in range(2):
            with pytest.raises(ValueError, match="boom"):
                await shared.get("k", broken, len)
        assert len(shared) == 0

    asyncio.run(go())
    assert calls == 2


def test_least_recently_used_values_go_first_when_over_the_byte_cap() -> None:
    async def go() -> tuple[list[str], int]:
        shared = SharedLookups(capacity_bytes=10)
        computed: list[str] = []

        def value(text: str):  # type: ignore[no-untyped-def]
            async def compute() -> str:
                computed.append(text)
                return text

            return compute

        await shared.get("a", value("aaaa"), len)
        await shared.get("b", value("bbbb"), len)
        await shared.get("a", value("aaaa"), len)  # a is now the most recent
        await shared.get("c", value("cccc"), len)  # 12 bytes > 10: b goes
        await shared.get("a", value("aaaa"), len)
        await shared.get("b", value("bbbb"), len)  # computed again
        await shared.get("huge", value("x" * 11), len)  # over the whole cap: never kept
        return computed, shared.held_bytes

    computed, held = asyncio.run(go())
    assert computed == ["aaaa", "bbbb", "cccc", "bbbb", "x" * 11]
    assert held <= 10


def test_close_cancels_lookups_left_behind() -> None:
    async def go() -> bool:
        shared = SharedLookups(1024)
        forever = asyncio.Event()

        async def hang() -> str:
            await forever.wait()
            return "never"

        caller = asyncio.ensure_future(shared.get("k", hang, len))
        await asyncio.sleep(0)
        caller.cancel()
        await shared.close()
        return caller.cancelled()

    assert asyncio.run(go()) is True


def test_a_value_weighed_none_is_shared_while_in_flight_but_not_kept() -> None:
    calls = 0

    async def blip() -> str:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.01)
        return "503"

    async def go() -> None:
        shared = SharedLookups(1024)
        together = await asyncio.gather(*(shared.get("k", blip, lambda _: None) for _ in range(5)))
        assert together == ["503"] * 5
        await shared.get("k", blip, lambda _: None)
        assert len(shared) == 0

    asyncio.run(go())
    assert calls == 2


def test_a_failure_is_reused_for_its_time_to_live_then_asked_again() -> None:
    calls = 0

    async def failing() -> str:
        nonlocal calls
        calls += 1
        return "503"

    async def go() -> None:
        shared = SharedLookups(10_000, failure_ttl=0.2)
        for _ in range(3):  # a host failing on everything: asked once per 0.2 s, not per entry
            assert await shared.get("k", failing, lambda _: None) == "503"
        assert calls == 1
        await asyncio.sleep(0.25)
        await shared.get("k", failing, lambda _: None)
        assert calls == 2

    asyncio.run(go())


def test_a_known_value_is_handed_out_finished() -> None:
    """An entry asking for what the run already knows awaits nothing: no task, no turn of
    the event loop (most asks of a run)."""

    async def go() -> None:
        shared = SharedLookups(1024)

        async def compute() -> str:
            await asyncio.sleep(0)
            return "answer"

        first = shared.get("k", compute, len)
        assert not first.done()
        assert await first == "answer"
        tasks = len(asyncio.all_tasks())
        known = shared.get("k", compute, len)
        assert known.done() and known.result() == "answer"
        assert len(asyncio.all_tasks()) == tasks

    asyncio.run(go())
