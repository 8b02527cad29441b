"""run_for_value: a coroutine's value out of a fresh event loop, never formatted on the way."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Iterator

import pytest

from auditor.run.event_loop import run_for_value


class Counted:
    """A value that counts how often it is formatted."""

    def __init__(self) -> None:
        self.reprs = 0

    def __repr__(self) -> str:
        self.reprs += 1
        return "Counted()"


@pytest.fixture
def default_sigint() -> Iterator[None]:
    """SIGINT as a CLI process has it (an earlier test or library may have replaced it):
    only then does ``asyncio.run`` install its own handler and restore this one."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        if previous is not None:  # None: not set from Python, nothing to put back
            signal.signal(signal.SIGINT, previous)


@pytest.mark.usefixtures("default_sigint")
def test_the_value_comes_back_unformatted() -> None:
    values = [Counted() for _ in range(3)]

    async def results() -> list[Counted]:
        await asyncio.sleep(0)
        return values

    assert run_for_value(results()) is values
    assert [value.reprs for value in values] == [0, 0, 0]


@pytest.mark.usefixtures("default_sigint")
def test_asyncio_run_alone_formats_it_on_this_python() -> None:
    """Why the helper exists; skipped where asyncio.run no longer formats its result."""
    values = [Counted()]

    async def results() -> list[Counted]:
        return values

    asyncio.run(results())
    if values[0].reprs == 0:
        pytest.skip("this Python's asyncio.run does not format the main task's result")
    assert values[0].reprs > 0


def test_the_exception_comes_through() -> None:
    async def fails() -> None:
        raise LookupError("no such entry")

    with pytest.raises(LookupError, match="no such entry"):
        run_for_value(fails())
