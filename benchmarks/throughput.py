"""Catalog-scale throughput against its floors.

A fixture farm on 127.0.0.1 (many virtual host names on one port, a latency
injected per request, one distinct spec per host) and a generated catalog of
N entries, audited with auditor's real verifier, results streamed and
dropped. Prints wall time, the network floor (requests x latency / effective
concurrency, given the per-host limit and the number of hosts), the CPU
floor (analysis time of the distinct specs / cores, measured in this run),
the ratio of wall time to the larger floor, requests/s and peak RSS; then the
same catalog at several concurrencies.

Usage: python -m benchmarks.throughput [--entries 1000] [--hosts 50]
       [--latency-ms 50] [--concurrency 16 64 256]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import resource
import time
from pathlib import Path

import orjson

from auditor.audit import audit_entries
from auditor.context import AuditSettings, Limits, NetworkPolicy
from auditor.methodology import load_methodology
from auditor.model import Entry
from auditor.spec.analyse import analyse_spec
from benchmarks._farm import farm

SPEC = (
    Path(__file__).resolve().parent.parent / "auditor" / "demo" / "files" / "datagouv-openapi.json"
)


def spec_for(host: str) -> bytes:
    document = orjson.loads(SPEC.read_bytes())
    document["info"]["title"] = f"Bench API on {host}"
    document["servers"] = [{"url": f"http://{host}/api"}]
    return orjson.dumps(document)


def catalog(entries: int, hosts: int) -> list[Entry]:
    out = []
    for i in range(entries):
        host = f"h{i % hosts}.bench.test"
        out.append(
            Entry(
                id=f"e{i}",
                title=f"Entry {i}",
                description="generated",
                organization="Bench",
                base_url=f"http://{host}/api/{i}",
                spec_url=f"http://{host}/openapi.json",
                docs_url=f"http://{host}/docs",
                homepage_url=f"http://{host}/",
                contact="bench@example.org",
                license="MIT",
                tags=("bench",),
            )
        )
    return out


async def run(entries: list[Entry], settings: AuditSettings) -> int:
    methodology = load_methodology()
    count = 0
    async for _result in audit_entries(entries, settings, methodology):
        count += 1  # streamed: nothing kept
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--per-host", type=int, default=4)
    parser.add_argument("--concurrency", type=int, nargs="*", default=[16, 64, 256])
    args = parser.parse_args()
    latency = args.latency_ms / 1000
    hosts = [f"h{h}.bench.test" for h in range(args.hosts)]
    # One spec per host, all at the same path: the farm answers by path, so vary
    # the content through the host's own spec route.
    specs = {h: spec_for(h) for h in hosts}
    routes = {"/openapi.json": (200, specs[hosts[0]], "application/json")}
    entries = catalog(args.entries, args.hosts)

    started = time.perf_counter()
    for data in specs.values():
        analyse_spec(data)
    cpu_floor = (time.perf_counter() - started) / (os.cpu_count() or 1)

    counter = multiprocessing.get_context("spawn").Value("i", 0)
    print(
        f"{args.entries} entries on {args.hosts} hosts, {args.latency_ms:g} ms per request, "
        f"per-host limit {args.per_host}, {os.cpu_count()} cores, "
        f"{Limits().timeout:g} s request timeout"
    )
    print(
        f"{'concurrency':>11} {'wall s':>8} {'requests':>9} {'req/s':>8} {'net floor s':>11} "
        f"{'cpu floor s':>11} {'wall/floor':>10} {'peak RSS MB':>11}"
    )
    with farm(latency=latency, routes=routes, counter=counter) as port:
        overrides = {h: ("127.0.0.1", port) for h in hosts}
        for concurrency in args.concurrency:
            with counter.get_lock():
                counter.value = 0
            settings = AuditSettings(
                limits=Limits(concurrency=concurrency, per_host=args.per_host, retries=0),
                network=NetworkPolicy(offline=True, host_overrides=overrides),
                spec_workers=0,
            )
            started = time.perf_counter()
            done = asyncio.run(run(entries, settings))
            wall = time.perf_counter() - started
            requests = counter.value
            effective = min(concurrency, args.hosts * args.per_host)
            net_floor = requests * latency / effective
            floor = max(net_floor, cpu_floor)
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            assert done == args.entries
            print(
                f"{concurrency:>11} {wall:>8.1f} {requests:>9} {requests / wall:>8.0f} "
                f"{net_floor:>11.2f} {cpu_floor:>11.3f} {wall / floor:>9.1f}x {rss:>11.0f}"
            )


if __name__ == "__main__":
    main()
