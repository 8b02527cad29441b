"""A loopback fixture farm for benchmarks: one aiohttp server process, many host names.

Runs in its own process so the client under test does not share its event
loop or its core. ``latency`` is injected per request (asyncio.sleep), so the
network floor of a run is computable; each host name can be given its own
latency or made to fail, and the farm counts what every host was asked, so a
benchmark can compute its floor from what was really requested.

``farm()`` serves fixed routes on one port (benchmarks/http_clients.py);
``catalog_farm()`` serves a generated catalog's sites on a few ports.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import socket
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

STATS_PATH = "/__farm/stats"
"""Answers (without latency, uncounted) what each host was asked since the last call."""

Routes = Mapping[str, tuple[int, bytes, str]]


@dataclass(frozen=True)
class Site:
    """How the farm answers one host name."""

    latency: float
    status: int = 200
    """Anything but 200 is answered to every request (a failing host)."""


@dataclass(frozen=True)
class FarmSpec:
    """What a catalog farm serves: sites by host name, spec files, pages."""

    sites: Mapping[str, Site]
    spec_dir: Path | None = None
    """``/specs/<name>`` is answered with the file ``spec_dir/<name>``."""
    pages: Mapping[str, bytes] = field(default_factory=dict)
    """Paths answered as HTML (``/`` and ``/docs``, say); a page other than ``/`` also
    answers the paths below it (``/docs/12``)."""


def _serve(
    ports: list[int],
    latency: float,
    routes: Routes,
    spec: FarmSpec | None,
    ready: Any,
    counter: Any,
) -> None:
    from aiohttp import web

    specs: dict[str, bytes] = {}
    if spec is not None and spec.spec_dir is not None:
        specs = {p.name: p.read_bytes() for p in spec.spec_dir.iterdir()}
    sites = dict(spec.sites) if spec is not None else {}
    pages = dict(spec.pages) if spec is not None else {}
    asked: Counter[str] = Counter()
    paths: Counter[str] = Counter()

    def answer(request: web.Request) -> tuple[int, bytes, str]:
        path = request.path
        if path in routes:
            return routes[path]
        if path.startswith("/specs/") and path[7:] in specs:
            return 200, specs[path[7:]], "application/json"
        if path in pages:
            return 200, pages[path], "text/html"
        below = "/" + path.split("/")[1]
        if below != "/" and below in pages:  # /docs/12 is answered with the page /docs
            return 200, pages[below], "text/html"
        if spec is None:
            return 200, b'{"ok": true}', "application/json"
        return 404, b"not here", "text/plain"

    async def handle(request: web.Request) -> web.Response:
        if request.path == STATS_PATH:
            cpu = time.process_time()  # the farm's CPU so far: the runs share the cores with it
            body = json.dumps({"hosts": dict(asked), "paths": dict(paths), "cpu": cpu}).encode()
            asked.clear()
            paths.clear()
            return web.Response(body=body, content_type="application/json")
        host = (request.host or "").rsplit(":", 1)[0]
        site = sites.get(host)
        asked[host] += 1
        kind = request.path.split("/")[1] if request.path.count("/") > 1 else ""
        paths[f"/{kind}/*" if kind in ("specs", "api", "docs") else request.path] += 1
        if counter is not None:
            with counter.get_lock():
                counter.value += 1
        wait = site.latency if site is not None else latency
        if wait:
            await asyncio.sleep(wait)
        if site is not None and site.status != 200:
            status, body, ctype = site.status, b"failing on purpose", "text/plain"
        else:
            status, body, ctype = answer(request)
        # aiohttp leaves the body out of a HEAD answer and keeps its Content-Length, so
        # the connection stays open as a real server's would.
        return web.Response(status=status, body=body, content_type=ctype)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)

    async def main() -> None:
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        for port in ports:
            await web.TCPSite(runner, "127.0.0.1", port, backlog=4096).start()
        ready.set()
        await asyncio.Event().wait()

    asyncio.run(main())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _process(
    ports: list[int], latency: float, routes: Routes, spec: FarmSpec | None, counter: Any
) -> Iterator[None]:
    ctx = multiprocessing.get_context("spawn")
    ready = ctx.Event()
    process = ctx.Process(
        target=_serve, args=(ports, latency, dict(routes), spec, ready, counter), daemon=True
    )
    process.start()
    if not ready.wait(60):
        process.kill()
        raise RuntimeError("benchmark farm did not start")
    try:
        yield
    finally:
        process.kill()
        process.join(5)


@contextmanager
def farm(
    latency: float = 0.0,
    routes: Routes | None = None,
    counter: Any = None,
) -> Iterator[int]:
    """Start the farm; yields its port. Any host name can be pointed at it.

    ``counter``, a ``multiprocessing.Value('i')`` from the spawn context, counts
    the requests the farm answered.
    """
    port = free_port()
    with _process([port], latency, routes or {}, None, counter):
        yield port


@dataclass(frozen=True)
class CatalogFarm:
    ports: tuple[int, ...]

    def stats(self) -> tuple[Counter[str], Counter[str]]:
        """(requests per host, requests per path) since the last call."""
        hosts, paths, _cpu = self.stats_and_cpu()
        return hosts, paths

    def stats_and_cpu(self) -> tuple[Counter[str], Counter[str], float]:
        """``stats`` and the farm process's CPU seconds so far (subtract two readings)."""
        url = f"http://127.0.0.1:{self.ports[0]}{STATS_PATH}"
        with urllib.request.urlopen(url, timeout=30) as response:
            data = json.loads(response.read())
        return Counter(data["hosts"]), Counter(data["paths"]), float(data.get("cpu", 0.0))


@contextmanager
def catalog_farm(spec: FarmSpec, ports: int = 4) -> Iterator[CatalogFarm]:
    """One process listening on ``ports`` ports, answering every site of ``spec``."""
    chosen: list[int] = []
    while len(chosen) < ports:
        port = free_port()
        if port not in chosen:
            chosen.append(port)
    with _process(chosen, 0.0, {}, spec, None):
        yield CatalogFarm(tuple(chosen))
