"""A loopback fixture farm for benchmarks: one aiohttp server process, many host names.

Runs in its own process so the client under test does not share its event
loop or its core. ``latency`` is injected per request (asyncio.sleep), so the
network floor of a run is computable.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import socket
from collections.abc import Iterator
from contextlib import contextmanager


def _serve(
    port: int,
    latency: float,
    routes: dict[str, tuple[int, bytes, str]],
    ready: object,
    counter: object = None,
) -> None:
    from aiohttp import web

    async def handle(request: web.Request) -> web.Response:
        if counter is not None:
            with counter.get_lock():  # type: ignore[attr-defined]
                counter.value += 1  # type: ignore[attr-defined]
        if latency:
            await asyncio.sleep(latency)
        status, body, ctype = routes.get(request.path, (200, b'{"ok": true}', "application/json"))
        if request.method == "HEAD":
            return web.Response(status=status, content_type=ctype.split(";")[0])
        return web.Response(status=status, body=body, content_type=ctype.split(";")[0])

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)

    async def main() -> None:
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", port, backlog=4096)
        await site.start()
        ready.set()  # type: ignore[attr-defined]
        await asyncio.Event().wait()

    asyncio.run(main())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def farm(
    latency: float = 0.0,
    routes: dict[str, tuple[int, bytes, str]] | None = None,
    counter: object = None,
) -> Iterator[int]:
    """Start the farm; yields its port. Any host name can be pointed at it.

    ``counter``, a ``multiprocessing.Value('i')`` from the spawn context, counts
    the requests the farm answered.
    """
    port = free_port()
    ctx = multiprocessing.get_context("spawn")
    ready = ctx.Event()
    process = ctx.Process(
        target=_serve, args=(port, latency, routes or {}, ready, counter), daemon=True
    )
    process.start()
    if not ready.wait(30):
        process.kill()
        raise RuntimeError("benchmark farm did not start")
    try:
        yield port
    finally:
        process.kill()
        process.join(5)
