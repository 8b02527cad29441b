"""How fast can each HTTP client do many small GETs on loopback, by concurrency?

Prints requests/s for httpx's default AsyncClient (the baseline), auditor's
Fetcher over each of its transports (address guard, caps, decoding, per-host
limit lifted to the concurrency), aiohttp, and httpx with the httpx-aiohttp
transport, all against one farm in another process, in the same run; then
each row's ratio to the baseline at the highest concurrency, and the client's
CPU time per request there (what a catalog run's single event loop pays).

Usage: python -m benchmarks.http_clients [--requests 2000] [--concurrency 1 50 200]
       python -m benchmarks.http_clients --clients aiohttp --requests 10000 --concurrency 50
       (only the rows naming aiohttp: the fetcher's own CPU per request against raw aiohttp,
       with enough requests for the CPU figure to settle; ratios are then to the first row)
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import importlib.util
import os
import platform
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import httpx

from auditor.context import AuditSettings, Limits, NetworkPolicy
from auditor.net.fetcher import Fetcher
from benchmarks._farm import farm

Runner = Callable[[str, int, int], Awaitable[float]]


async def _drive(n: int, concurrency: int, one: Callable[[int], Awaitable[object]]) -> float:
    sem = asyncio.Semaphore(concurrency)

    async def task(i: int) -> None:
        async with sem:
            await one(i)

    started = time.perf_counter()
    await asyncio.gather(*(task(i) for i in range(n)))
    return n / (time.perf_counter() - started)


async def run_httpx(base: str, n: int, c: int) -> float:
    limits = httpx.Limits(max_connections=c, max_keepalive_connections=c)
    async with httpx.AsyncClient(limits=limits) as client:
        return await _drive(n, c, lambda i: client.get(f"{base}/r{i}"))


async def run_fetcher(client: str, base: str, n: int, c: int) -> float:
    settings = AuditSettings(
        limits=Limits(concurrency=c, per_host=c, retries=0),
        network=NetworkPolicy(allow_private=True),
        http_client=client,
    )
    async with Fetcher(settings) as fetcher:
        return await _drive(n, c, lambda i: fetcher.fetch(f"{base}/r{i}"))


async def run_aiohttp(base: str, n: int, c: int) -> float:
    import aiohttp

    connector = aiohttp.TCPConnector(limit=c)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one(i: int) -> None:
            async with session.get(f"{base}/r{i}") as response:
                await response.read()

        return await _drive(n, c, one)


async def run_httpx_aiohttp(base: str, n: int, c: int) -> float:
    from httpx_aiohttp import AiohttpTransport

    transport = AiohttpTransport(limits=httpx.Limits(max_connections=c))
    async with httpx.AsyncClient(transport=transport) as client:
        return await _drive(n, c, lambda i: client.get(f"{base}/r{i}"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, nargs="*", default=[1, 50, 200])
    parser.add_argument(
        "--clients", nargs="*", help="only the rows whose name holds one of these words"
    )
    args = parser.parse_args()
    runners: dict[str, Runner] = {
        "httpx AsyncClient (baseline)": run_httpx,
        "auditor Fetcher over httpx": functools.partial(run_fetcher, "httpx"),
        "auditor Fetcher over aiohttp": functools.partial(run_fetcher, "aiohttp"),
        "auditor Fetcher over httptools": functools.partial(run_fetcher, "httptools"),
        "aiohttp ClientSession": run_aiohttp,
        "httpx + httpx-aiohttp": run_httpx_aiohttp,
    }
    if importlib.util.find_spec("httpx_aiohttp") is None:  # pip install httpx-aiohttp for the row
        del runners["httpx + httpx-aiohttp"]
    if args.clients:
        runners = {k: v for k, v in runners.items() if any(w in k for w in args.clients)}
    with farm() as port:
        base = f"http://127.0.0.1:{port}"
        print(
            f"{args.requests} GETs per cell, loopback farm in another process; req/s "
            f"({os.cpu_count()} cores, Python {platform.python_version()}, "
            f"{datetime.now(UTC):%Y-%m-%d})"
        )
        header = "client".ljust(32) + "".join(f"c={c}".rjust(12) for c in args.concurrency)
        print(header + "   ratio vs baseline at max c   client CPU per request at max c")
        baseline: float | None = None
        for name, runner in runners.items():
            figures = []
            for c in args.concurrency:
                cpu = time.process_time()  # this process only: the farm is another one
                figures.append(asyncio.run(runner(base, args.requests, c)))
            cpu_per_request = (time.process_time() - cpu) / args.requests
            if baseline is None:
                baseline = figures[-1]
            row = name.ljust(32) + "".join(f"{f:12,.0f}" for f in figures)
            print(row + f"   {figures[-1] / baseline:5.2f}x {cpu_per_request * 1e6:27,.0f} µs")


if __name__ == "__main__":
    main()
