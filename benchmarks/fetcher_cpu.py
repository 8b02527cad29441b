"""The fetcher's own CPU per fetch, without a network: what auditor adds to its HTTP library.

An in-memory transport answers every request at once (200, five headers, a
13-byte body), so what is measured is the fetcher's policy alone: the URL
check, the host gate, the deadline, the caps, the body read and the
observation. Each round times the bare transport driven the same way, and
the difference is the fetcher's own CPU; far steadier on a shared machine
than a loopback benchmark (``benchmarks/http_clients.py``), whose figures it
explains.

Usage: python -m benchmarks.fetcher_cpu [--fetches 20000] [--rounds 5] [--concurrency 50]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from auditor.context import AuditSettings, Limits, NetworkPolicy
from auditor.net.fetcher import Fetcher
from auditor.net.transport import ResponseHead

HEADERS = (
    ("content-type", "application/json"),
    ("content-length", "13"),
    ("date", "Wed, 02 Dec 2026 17:00:00 GMT"),
    ("server", "Python/3.11 aiohttp/3.11"),
    ("etag", '"abc"'),
)


class _Exchange:
    def __init__(self, url: str) -> None:
        self.head = ResponseHead(200, url, HEADERS, "HTTP/1.1")

    async def raw_body(self) -> AsyncIterator[bytes]:
        yield b'{"ok": true}\n'


class InMemoryTransport:
    @asynccontextmanager
    async def exchange(
        self, method: str, url: str, headers: dict[str, str]
    ) -> AsyncIterator[_Exchange]:
        yield _Exchange(url)

    async def aclose(self) -> None:
        return None


async def _cpu(n: int, concurrency: int, one: Callable[[int], Awaitable[object]]) -> float:
    """CPU seconds (this thread) to run ``one`` n times, ``concurrency`` at once."""
    sem = asyncio.Semaphore(concurrency)

    async def task(i: int) -> None:
        async with sem:
            await one(i)

    started = time.thread_time()
    await asyncio.gather(*(task(i) for i in range(n)))
    return time.thread_time() - started


async def measure(fetches: int, rounds: int, concurrency: int) -> list[tuple[float, float]]:
    """Per round: (fetch µs, bare transport µs) per request."""
    transport = InMemoryTransport()
    settings = AuditSettings(
        limits=Limits(concurrency=concurrency, per_host=concurrency, retries=0),
        network=NetworkPolicy(allow_private=True),
    )

    async def bare(i: int, prefix: str) -> None:
        async with transport.exchange("GET", f"http://127.0.0.1:8080/{prefix}{i}", {}) as ex:
            async for _ in ex.raw_body():
                pass

    figures = []
    async with Fetcher(settings, transport=transport) as fetcher:
        await _cpu(1000, concurrency, lambda i: fetcher.fetch(f"http://127.0.0.1:8080/w{i}"))
        for r in range(rounds):  # distinct URLs every round: no cache answers for free
            base = await _cpu(fetches, concurrency, lambda i, r=r: bare(i, f"b{r}-"))
            full = await _cpu(
                fetches,
                concurrency,
                lambda i, r=r: fetcher.fetch(f"http://127.0.0.1:8080/f{r}-{i}"),
            )
            figures.append((full / fetches * 1e6, base / fetches * 1e6))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fetches", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=50)
    args = parser.parse_args()
    figures = asyncio.run(measure(args.fetches, args.rounds, args.concurrency))
    own = sorted(full - base for full, base in figures)
    for full, base in figures:
        print(
            f"fetch {full:6.1f} µs, bare transport {base:5.1f} µs, fetcher's own {full - base:5.1f} µs"
        )
    print(
        f"fetcher's own CPU per fetch: median {own[len(own) // 2]:.1f} µs "
        f"({own[0]:.1f}–{own[-1]:.1f}), {args.fetches:,} fetches × {args.rounds} rounds"
    )


if __name__ == "__main__":
    main()
