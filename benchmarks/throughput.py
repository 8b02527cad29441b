"""Catalog-scale throughput against its floors (issue 9).

A fixture farm on 127.0.0.1 (one process, a few ports, many virtual host
names through ``NetworkPolicy.host_overrides``, a latency injected on every
request, some hosts slow, some answering 500, some refusing connections)
serves a generated catalog of N entries, each pointing at one of a set of
distinct specs of realistic sizes (the APIs.guru specs of the real-world
corpus when ../shared/corpus is there, else fixture specs grown to the
corpus's size quartiles). The catalog is audited with auditor's real
verifier; results are streamed (and recorded with ``--store``), never held.

Each run happens in a fresh process, so its peak RSS is its own. Printed per
run: wall time; the network floor (the latency-seconds the farm served,
divided by the effective concurrency: min(concurrency, hosts x per-host), and
never below the busiest host's latency-seconds / per-host); the CPU floor
(the CPU time analysing each distinct spec takes, measured in this run, /
cores); wall / the larger floor; requests/s; the run's CPU (its own process:
the event loop; and with its children: ``--workers`` processes, spec analysis
pool) and that per entry; peak RSS (with ``--workers``, the parent's plus every
worker's, the workers spawned so that each peak is its own); store size;
entries per hour. The goal at 10k entries: wall <= 1.5x the larger floor,
RSS < 500 MB (issue 18: with and without ``--store``).

    python -m benchmarks.throughput                          # 1k entries, curve 16/64/256
    python -m benchmarks.throughput --entries 10000 --curve 64 256
    python -m benchmarks.throughput --entries 2000 --curve 256 --store --http-client httpx
    python -m benchmarks.throughput --entries 2000 --curve 256 --profile   # cProfile top 30
    AUDITOR_PROFILE_OUT=run.prof python -m benchmarks.throughput --profile  # and keep it
    python -m benchmarks.throughput --entries 10000 --curve 64 256 --workers 2   # both cores
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import platform
import queue
import random
import resource
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from auditor.net.transport import HTTP_CLIENTS
from benchmarks._farm import CatalogFarm, FarmSpec, Site, catalog_farm, free_port

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "apisguru"
DEMO_FILES = ROOT / "auditor" / "demo" / "files"
GROWN_SIZES = (561, 9_000, 27_594, 90_000, 400_000, 1_453_416)
"""Sizes (bytes) of the APIs.guru subset's quartiles and extremes, for specs grown from a fixture."""


@dataclass(frozen=True)
class Plan:
    """The catalog and the farm it runs against (picklable: sent to each run's process)."""

    entries: int
    hosts: tuple[str, ...]
    overrides: dict[str, tuple[str, int]]
    spec_names: tuple[str, ...]
    concurrency: int
    per_host: int
    http_client: str
    store: str | None
    profile: bool
    workers: int = 1


def base_documents() -> tuple[list[dict[str, Any]], str]:
    if CORPUS.is_dir():
        documents = []
        for line in (CORPUS / "subset_index.jsonl").read_text().splitlines():
            row = json.loads(line)
            documents.append(json.loads((CORPUS / "specs" / row["file"]).read_bytes()))
        return documents, "APIs.guru corpus"
    seed = json.loads((DEMO_FILES / "datagouv-openapi.json").read_bytes())
    documents = []
    for target in GROWN_SIZES:
        document = json.loads(json.dumps(seed))
        paths = document.setdefault("paths", {})
        template = next(iter(paths.values()))
        i = 0
        while len(json.dumps(document)) < target:
            paths[f"/grown{i}/{{id}}"] = template
            i += 1
        documents.append(document)
    return documents, "demo spec grown to corpus sizes"


def write_specs(folder: Path, count: int) -> tuple[list[str], str, list[int]]:
    """``count`` distinct spec files (a base document with its title numbered)."""
    documents, origin = base_documents()
    names, sizes = [], []
    for k in range(count):
        document = dict(documents[k % len(documents)])
        info = dict(document.get("info") or {})
        info["title"] = f"{info.get('title', 'API')} #{k}"
        document["info"] = info
        data = json.dumps(document).encode()
        name = f"s{k}.json"
        (folder / name).write_bytes(data)
        names.append(name)
        sizes.append(len(data))
    return names, origin, sizes


def _analyse_cpu_seconds(path: str) -> float:
    from auditor.spec.analyse import analyse_spec

    data = Path(path).read_bytes()
    started = time.process_time()
    analyse_spec(data)
    return time.process_time() - started


def cpu_floor(folder: Path, names: list[str]) -> tuple[float, float]:
    """(CPU seconds analysing every distinct spec once, that / cores), in worker processes."""
    cores = os.cpu_count() or 1
    with multiprocessing.get_context("spawn").Pool(cores) as pool:
        pool.map(_analyse_cpu_seconds, [str(folder / names[0])])  # warm the validators
        seconds = sum(pool.map(_analyse_cpu_seconds, [str(folder / n) for n in names]))
    return seconds, seconds / cores


def network_floor(
    hosts: dict[str, int], latency: dict[str, float], concurrency: int, per_host: int
) -> float:
    """The least wall time the requests the farm served can take under the run's limits."""
    seconds = {h: n * latency.get(h, 0.0) for h, n in hosts.items()}
    effective = min(concurrency, max(1, len(seconds)) * per_host)
    total = sum(seconds.values()) / effective
    busiest = max(seconds.values(), default=0.0) / per_host
    return max(total, busiest)


def catalog(plan: Plan) -> list[Any]:
    from auditor.model import Entry

    out = []
    for i in range(plan.entries):
        host = plan.hosts[i % len(plan.hosts)]
        origin = f"http://{host}"
        out.append(
            Entry(
                id=f"e{i}",
                title=f"Entry {i}",
                description="A generated catalog entry",
                organization=f"Org {i % 37}",
                base_url=f"{origin}/api/{i}",
                spec_url=f"{origin}/specs/{plan.spec_names[i % len(plan.spec_names)]}",
                docs_url=f"{origin}/docs/{i}",  # its own page; the home page is the site's
                homepage_url=f"{origin}/",
                contact="api@example.org",
                license="MIT",
                tags=("bench",),
            )
        )
    return out


def _settings(plan: Plan) -> Any:
    from auditor.context import AuditSettings, Limits, NetworkPolicy

    return AuditSettings(
        limits=Limits(concurrency=plan.concurrency, per_host=plan.per_host),
        network=NetworkPolicy(offline=True, host_overrides=plan.overrides),
        spec_workers=-1,
        http_client=plan.http_client,
    )


def store_size(path: Path) -> float:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 1e6


async def _audit(plan: Plan) -> tuple[int, float]:
    """Audit the catalog in this event loop, streaming; (results, store MB)."""
    from auditor.methodology import load_methodology
    from auditor.run.loop import audit_entries

    settings = _settings(plan)
    methodology = load_methodology()
    entries = catalog(plan)
    count = 0
    if plan.store is None:
        async for _result in audit_entries(entries, settings, methodology):
            count += 1  # streamed: nothing kept
        return count, 0.0
    from contextlib import AbstractAsyncContextManager, nullcontext

    from auditor.store.db import Store
    from auditor.store.session import RecordingRun

    path = Path(plan.store)
    with Store.open(path, write=True) as store:
        run = RecordingRun.start(store, ["benchmark"], methodology, entries)
        window: AbstractAsyncContextManager[Any] = nullcontext()
        try:  # what `auditor audit --store` does: a commit window (absent before issue 18)
            from auditor.run.recording import commit_window

            window = commit_window(run)
        except ImportError:
            pass
        async with window:
            async for result in audit_entries(entries, settings, methodology, history=run):
                run.record(result)
                count += 1
        run.finish()
    return count, store_size(path)


def _audit_in_workers(plan: Plan) -> tuple[int, float, float]:
    """Audit the catalog in ``plan.workers`` processes (``auditor audit --workers``), streaming;
    (results, store MB, the workers' peak RSS MiB added up)."""
    from auditor.methodology import load_methodology
    from auditor.run.workers import ProcessExecutor

    settings = _settings(plan)
    methodology = load_methodology()
    entries = catalog(plan)
    # spawned, not forked: a forked worker's peak RSS counts the pages it shares with its parent
    # (copy-on-write), so parent + workers would count them twice; spawned, each peak is its own
    executor = ProcessExecutor(plan.workers, start="spawn")
    count = 0
    if plan.store is None:
        for _result in executor.stream(entries, settings, methodology, run=None):
            count += 1
        return count, 0.0, sum(s.peak_rss_mib for s in executor.stats)
    from auditor.store.db import Store
    from auditor.store.session import RecordingRun

    path = Path(plan.store)
    with Store.open(path, write=True) as store:
        run = RecordingRun.start(store, ["benchmark"], methodology, entries)
        for result in executor.stream(entries, settings, methodology, run=run):
            run.record(result)
            count += 1
        run.finish()
    return count, store_size(path), sum(s.peak_rss_mib for s in executor.stats)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _one_run(plan: Plan, out: Any) -> None:
    """A run in its own process: (results, wall, peak RSS MiB, store MB, CPU s, all CPU s)."""
    from auditor.run.peak_rss import peak_rss_mib

    profiler = None
    if plan.profile:
        import cProfile

        profiler = cProfile.Profile(time.thread_time)  # the event loop's thread
        profiler.enable()
    started, cpu, children = time.perf_counter(), time.process_time(), _children_cpu()
    workers_rss = 0.0
    if plan.workers > 1:
        count, store_mb, workers_rss = _audit_in_workers(plan)
    else:
        count, store_mb = asyncio.run(_audit(plan))
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    total = cpu + _children_cpu() - children
    if profiler is not None:
        import pstats

        profiler.disable()
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(30)
        if os.environ.get("AUDITOR_PROFILE_OUT"):
            profiler.dump_stats(os.environ["AUDITOR_PROFILE_OUT"])
    peak = peak_rss_mib() + workers_rss  # this process's own, not what spawning it carried over
    out.put((count, wall, peak, store_mb, cpu, total))


def run_in_process(plan: Plan) -> tuple[int, float, float, float, float, float]:
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    process = ctx.Process(target=_one_run, args=(plan, out))
    process.start()
    while True:
        try:
            result: tuple[int, float, float, float, float, float] = out.get(timeout=5)
        except queue.Empty:
            if not process.is_alive():
                raise RuntimeError(f"the run failed (exit code {process.exitcode})") from None
            continue
        process.join()
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--hosts", type=int, default=100)
    parser.add_argument("--ports", type=int, default=4, help="ports the farm listens on")
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--specs", type=int, default=300, help="distinct spec documents")
    parser.add_argument("--per-host", type=int, default=4)
    parser.add_argument("--curve", type=int, nargs="+", default=[16, 64, 256])
    parser.add_argument("--slow", type=float, default=0.05, help="share of hosts 5x slower")
    parser.add_argument("--failing", type=float, default=0.05, help="share of hosts answering 500")
    parser.add_argument("--dead", type=float, default=0.01, help="share of hosts refusing")
    parser.add_argument("--http-client", choices=HTTP_CLIENTS, default=HTTP_CLIENTS[0])
    parser.add_argument("--store", action="store_true", help="record each run in a store")
    parser.add_argument("--profile", action="store_true", help="cProfile each run (slower)")
    parser.add_argument(
        "--workers", type=int, default=1, help="audit in N processes (auditor audit --workers)"
    )
    args = parser.parse_args()

    latency = args.latency_ms / 1000
    rng = random.Random(9)
    hosts = tuple(f"api{h}.bench{h % 7}.test" for h in range(args.hosts))
    kinds = ["slow"] * round(args.slow * args.hosts) + ["failing"] * round(
        args.failing * args.hosts
    )
    kinds += ["dead"] * round(args.dead * args.hosts)
    kinds += ["normal"] * (args.hosts - len(kinds))
    rng.shuffle(kinds)
    kind = dict(zip(hosts, kinds, strict=True))
    sites = {
        h: Site(latency * (5 if kind[h] == "slow" else 1), 500 if kind[h] == "failing" else 200)
        for h in hosts
        if kind[h] != "dead"
    }
    home = (DEMO_FILES / "datagouv-home.html").read_bytes()
    docs = (
        b"<!doctype html><html><body><h1>API docs</h1>"
        + b"<p>Reference.</p>" * 400
        + b"</body></html>"
    )
    cores = os.cpu_count() or 1

    with tempfile.TemporaryDirectory(prefix="auditor-throughput-") as tmp:
        folder = Path(tmp)
        spec_dir = folder / "specs"
        spec_dir.mkdir()
        names, origin, sizes = write_specs(spec_dir, args.specs)
        cpu_total, cpu_floor_s = cpu_floor(spec_dir, names)
        sizes.sort()
        print(
            f"{args.entries:,} entries on {args.hosts} hosts ({kinds.count('slow')} slow x5, "
            f"{kinds.count('failing')} failing, {kinds.count('dead')} refusing) over {args.ports} "
            f"ports; {args.latency_ms:g} ms per request; per-host limit {args.per_host}; "
            f"{len(names)} distinct specs ({origin}; median {sizes[len(sizes) // 2] / 1e3:.0f} KB, "
            f"max {sizes[-1] / 1e6:.1f} MB; analysing them all takes {cpu_total:.1f} CPU s); "
            f"http client {args.http_client}; workers {args.workers}; store "
            f"{'yes' if args.store else 'no'}; {cores} cores, Python {platform.python_version()}, "
            f"{datetime.now(UTC):%Y-%m-%d}; load average {os.getloadavg()[0]:.1f}"
        )
        spec = FarmSpec(sites=sites, spec_dir=spec_dir, pages={"/": home, "/docs": docs})
        header = (
            f"{'concurrency':>11} {'wall s':>8} {'requests':>9} {'req/s':>7} {'net floor':>9} "
            f"{'cpu floor':>9} {'wall/floor':>10} {'run CPU s':>9} {'ms/entry':>8} "
            f"{'all CPU s':>9} {'RSS MiB':>8} {'store MB':>8} {'entries/h':>10}"
        )
        goals = []
        with catalog_farm(spec, ports=args.ports) as farm:
            print(header)
            for concurrency in args.curve:
                row = one_row(args, farm, hosts, kind, names, concurrency, latency, folder)
                floor = max(row["net"], cpu_floor_s)
                print(
                    f"{concurrency:>11} {row['wall']:>8.1f} {row['requests']:>9,} "
                    f"{row['requests'] / row['wall']:>7,.0f} {row['net']:>9.1f} "
                    f"{cpu_floor_s:>9.1f} {row['wall'] / floor:>9.2f}x {row['cpu']:>9.1f} "
                    f"{row['cpu'] / args.entries * 1000:>8.2f} {row['all_cpu']:>9.1f} "
                    f"{row['rss']:>8.0f} {row['store']:>8.1f} "
                    f"{args.entries / row['wall'] * 3600:>10,.0f}",
                    flush=True,
                )
                ratio_ok, rss_ok = row["wall"] <= 1.5 * floor, row["rss"] < 500
                goals.append(
                    f"at {concurrency}: wall/floor {row['wall'] / floor:.2f}x (goal <= 1.5x: "
                    f"{'met' if ratio_ok else 'NOT met'}), peak RSS {row['rss']:.0f} MiB "
                    f"(goal < 500: {'met' if rss_ok else 'NOT met'}), CPU "
                    f"{row['all_cpu'] / args.entries * 1000:.2f} ms an entry in all processes"
                    f" (the farm serving them: {row['farm_cpu']:.1f} CPU s, "
                    f"{row['farm_cpu'] / args.entries * 1000:.2f} ms an entry)"
                )
            for line in goals:
                print(line)
            asked = row["paths"]
            top = ", ".join(f"{path} {n / args.entries:.2f}" for path, n in asked.most_common(8))
            print(f"requests per entry by path (last run): {top}")
        print(
            f"load average after the runs: {os.getloadavg()[0]:.1f} (other processes share the cores)"
        )
        print(
            "net floor: latency-seconds served / min(concurrency, hosts x per-host), or the "
            "busiest host's / per-host; cpu floor: spec analysis CPU s / cores. "
            "Dead hosts cost retries and back-off, which no floor counts."
        )


def one_row(
    args: argparse.Namespace,
    farm: CatalogFarm,
    hosts: tuple[str, ...],
    kind: dict[str, str],
    names: list[str],
    concurrency: int,
    latency: float,
    folder: Path,
) -> dict[str, Any]:
    dead_port = free_port()  # nothing listens there: connection refused
    overrides = {
        h: ("127.0.0.1", dead_port if kind[h] == "dead" else farm.ports[i % len(farm.ports)])
        for i, h in enumerate(hosts)
    }
    store = folder / f"audit-{concurrency}.db" if args.store else None
    plan = Plan(
        entries=args.entries,
        hosts=hosts,
        overrides=overrides,
        spec_names=tuple(names),
        concurrency=concurrency,
        per_host=args.per_host,
        http_client=args.http_client,
        store=str(store) if store else None,
        profile=args.profile,
        workers=args.workers,
    )
    _hosts, _paths, farm_cpu = farm.stats_and_cpu()  # resets the counters
    count, wall, rss, store_mb, cpu, all_cpu = run_in_process(plan)
    served, paths, farm_after = farm.stats_and_cpu()
    assert count == args.entries, f"{count} results for {args.entries} entries"
    per_host_latency = {h: latency * (5 if kind[h] == "slow" else 1) for h in hosts}
    net = network_floor(dict(served), per_host_latency, concurrency, args.per_host)
    return {
        "wall": wall,
        "requests": sum(served.values()),
        "net": net,
        "rss": rss,
        "store": store_mb,
        "cpu": cpu,
        "all_cpu": all_cpu,
        "paths": paths,
        "farm_cpu": farm_after - farm_cpu,
    }


if __name__ == "__main__":
    main()
