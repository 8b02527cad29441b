"""Where a warm re-run's CPU goes: a fixed workload, a per-run and a per-entry cost, a budget.

Issue 18 asks for a warm re-run at <= 1.5 ms of CPU an entry; a whole run's
spread (~5 %) hides any single part's gain, so this script measures the parts.
It serves ``rerun.py``'s farm (the same entries, hosts, latency and corpus
specs), records one cold run into a store, then times warm re-runs, each on
a fresh copy of that cold store (every warm run sees the same history):

- the CPU an entry of ``--runs`` warm runs (median, min, max);
- the same with the first ``--small`` entries only, giving what a run costs
  whatever its size and what each entry adds;
- one more warm run with thread-CPU timers around recording an entry,
  reusing an unchanged spec's findings, scoring, reading the window's earlier
  findings and committing, and a timing proxy on the store's connection
  (each statement's CPU), and the steps of each probe and of each fetch (the
  thread CPU between two of their waits); what is left is the event loop's
  own work and its callbacks, and the tasks a probe starts. The timers add a
  little to that run (a few hundred calls an entry).

    python -m benchmarks.warm_budget                  # 500 entries, 5 runs each
    AUDITOR_CORPUS=/path/to/shared/corpus python -m benchmarks.warm_budget --runs 9

Compare two commits by running it from each worktree, alternating, in the same
hour (the machine's pace drifts by more than a part's gain); for a commit older
than this script: ``PYTHONPATH=<its worktree> python <this checkout>/benchmarks/
warm_budget.py`` from its worktree.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from auditor.net.transport import HTTP_CLIENTS
from benchmarks._rerun_farm import CORPUS, add_nagle_flag, farm_kind, start_farm, write_farm
from benchmarks.rerun import copy_store, cpu_seconds, record_quietly

SQL_SPACE = re.compile(r"\s+")
COMMITTING = "committing (mostly within recording)"
FETCHING = "fetching: the fetcher and its HTTP transport, in the fetches' own tasks"


class _Timed:
    """Thread CPU and calls, by name."""

    def __init__(self) -> None:
        self.seconds: defaultdict[str, float] = defaultdict(float)
        self.calls: Counter[str] = Counter()

    def wrap(self, owner: Any, name: str, label: str) -> Callable[[], None]:
        """Time ``owner.name`` under ``label``; returns the undo."""
        real = getattr(owner, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.thread_time()
            try:
                return real(*args, **kwargs)
            finally:
                self.seconds[label] += time.thread_time() - started
                self.calls[label] += 1

        setattr(owner, name, timed)
        return lambda: setattr(owner, name, real)


class _TimedSteps:
    """An awaitable running ``coroutine`` and counting the thread CPU of its steps (what it
    does between two waits) under ``label``; what it waits for runs elsewhere and is not
    counted here (a task it awaits counts in that task's steps, if timed)."""

    def __init__(self, coroutine: Any, label: str, timed: _Timed) -> None:
        self._coroutine = coroutine
        self._label = label
        self._timed = timed

    def __await__(self) -> Generator[Any, Any, Any]:
        steps = self._coroutine.__await__()
        timed, label = self._timed, self._label
        timed.calls[label] += 1
        sent: Any = None
        thrown: BaseException | None = None
        while True:
            started = time.thread_time()
            try:
                waited = steps.throw(thrown) if thrown is not None else steps.send(sent)
            except StopIteration as done:
                return done.value
            finally:
                timed.seconds[label] += time.thread_time() - started
            try:
                sent, thrown = (yield waited), None
            except BaseException as exc:  # a cancellation, passed on to the coroutine
                sent, thrown = None, exc


class _TimedConnection:
    """The store's connection, each statement's CPU counted under its first words."""

    def __init__(self, connection: Any, timed: _Timed) -> None:
        self._connection = connection
        self._timed = timed

    def _run(self, how: str, sql: str, *args: Any) -> Any:
        label = "sql " + SQL_SPACE.sub(" ", sql).strip()[:60]
        started = time.thread_time()
        try:
            return getattr(self._connection, how)(sql, *args)
        finally:
            self._timed.seconds[label] += time.thread_time() - started
            self._timed.calls[label] += 1

    def execute(self, sql: str, *args: Any) -> Any:
        return self._run("execute", sql, *args)

    def executemany(self, sql: str, rows: Any) -> Any:
        return self._run("executemany", sql, list(rows))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)


@contextmanager
def instrumented(timed: _Timed) -> Iterator[None]:
    """The warm run's parts timed (patched for the block, restored after)."""
    import auditor.probes as probes
    import auditor.run.loop as loop
    import auditor.run.spec_fetcher as spec_fetcher
    import auditor.store.batch as batch
    import auditor.store.db as db
    import auditor.store.session as session
    import auditor.store.snapshots as snapshots

    real_init = db.Store.__init__
    real_probes = dict(probes.PROBES)
    real_fetch = spec_fetcher.SpecKeepingFetcher.fetch

    def steps_of(probe: Any, label: str) -> Any:
        return lambda ctx: _TimedSteps(probe(ctx), label, timed)

    def fetch(self: Any, *args: Any, **kwargs: Any) -> Any:
        return _TimedSteps(real_fetch(self, *args, **kwargs), FETCHING, timed)

    def init(self: Any, *args: Any) -> None:
        real_init(self, *args)
        self.db = _TimedConnection(self.db, timed)

    undo = [
        timed.wrap(session.RecordingRun, "record", "recording an entry (all)"),
        timed.wrap(snapshots.SnapshotLibrary, "spec_findings", "reusing the spec's findings"),
        timed.wrap(loop, "assess", "scoring"),
        timed.wrap(session.RecordingRun, "previous_findings", "the window's earlier findings"),
        timed.wrap(batch.CommitWindow, "commit", COMMITTING),
    ]
    setattr(db.Store, "__init__", init)  # noqa: B010 - a benchmark probe
    setattr(spec_fetcher.SpecKeepingFetcher, "fetch", fetch)  # noqa: B010
    for name, probe in real_probes.items():
        probes.PROBES[name] = steps_of(probe, f"probe {name} (its own steps)")
    try:
        yield
    finally:
        setattr(db.Store, "__init__", real_init)  # noqa: B010
        setattr(spec_fetcher.SpecKeepingFetcher, "fetch", real_fetch)  # noqa: B010
        probes.PROBES.update(real_probes)
        for step in undo:
            step()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=500)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--runs", type=int, default=5, help="warm runs timed (median)")
    parser.add_argument("--small", type=int, default=20, help="entries of the small runs")
    parser.add_argument("--statements", type=int, default=12, help="statements listed")
    parser.add_argument("--http-client", choices=HTTP_CLIENTS, default=HTTP_CLIENTS[0])
    add_nagle_flag(parser)
    args = parser.parse_args()

    from auditor.catalog import load_sources
    from auditor.context import AuditSettings, Limits, NetworkPolicy
    from auditor.methodology import load_methodology
    from auditor.model import Entry
    from auditor.spec.validate import validator_id

    with tempfile.TemporaryDirectory(prefix="auditor-budget-") as tmp:
        folder = Path(tmp)
        catalog, names = write_farm(folder, args.entries, args.hosts)
        farm, port = start_farm(folder, args.latency_ms / 1000, nagle=args.nagle_farm)
        settings = AuditSettings(
            limits=Limits(timeout=30, concurrency=64, per_host=4),
            network=NetworkPolicy(host_overrides={n: ("127.0.0.1", port) for n in names}),
            http_client=args.http_client,
        )
        methodology = load_methodology()
        entries = asyncio.run(load_sources([str(catalog)], settings)).entries
        cold, warm = folder / "cold.db", folder / "warm.db"

        def run(store: Path, chosen: list[Entry]) -> tuple[float, float]:
            """(wall s, CPU s) of one recording run."""
            started, cpu = time.perf_counter(), cpu_seconds()
            results = record_quietly(store, catalog, chosen, settings, methodology)
            spent = time.perf_counter() - started, cpu_seconds() - cpu
            scored = sum(r.assessment.score is not None for r in results)
            if scored != len(chosen):
                raise SystemExit(f"only {scored} of {len(chosen)} entries scored: not comparable")
            return spent

        def warm_run(chosen: list[Entry]) -> tuple[float, float]:
            copy_store(cold, warm)
            return run(warm, chosen)

        run(cold, entries)
        print(
            f"{len(entries)} entries, {len(names)} hosts, {args.latency_ms:g} ms a request, "
            f"specs from {'the corpus' if CORPUS.is_dir() else 'fixtures grown to its sizes'}, "
            f"{validator_id()}, HTTP through {args.http_client}, farm "
            f"{farm_kind(args.nagle_farm)}"
        )
        small = entries[: args.small]
        whole_cpu, small_cpu, walls = [], [], []
        for _ in range(args.runs):  # alternated, so a drift of the machine hits both
            wall, cpu = warm_run(entries)
            whole_cpu.append(cpu)
            walls.append(wall)
            small_cpu.append(warm_run(small)[1])
        per_entry = [c / len(entries) * 1000 for c in whole_cpu]
        print(
            f"warm run: CPU {statistics.median(per_entry):.3f} ms an entry (median of "
            f"{args.runs}; {min(per_entry):.3f}-{max(per_entry):.3f}), wall "
            f"{statistics.median(walls):.2f} s; issue 18's goal <= 1.5 ms"
        )
        whole, little = statistics.median(whole_cpu), statistics.median(small_cpu)
        marginal = (whole - little) / (len(entries) - len(small))
        fixed = whole - marginal * len(entries)
        print(
            f"a warm run costs {fixed * 1000:.0f} ms whatever its size and {marginal * 1e6:.0f} us "
            f"an entry (runs of {len(small)} and {len(entries)} entries)"
        )

        timed = _Timed()
        with instrumented(timed):
            _wall, cpu = warm_run(entries)
        total = cpu / len(entries) * 1e6
        print(f"instrumented warm run: {total:.0f} us an entry; its parts, thread CPU an entry:")
        parts = [k for k in timed.seconds if not k.startswith("sql ")]
        accounted = 0.0
        for label in sorted(parts, key=lambda k: -timed.seconds[k]):
            spent = timed.seconds[label] / len(entries) * 1e6
            if label != COMMITTING:  # mostly inside recording, which counts it
                accounted += spent
            calls = timed.calls[label] / len(entries)
            print(f"  {spent:7.1f} us  {label} ({calls:.2f} calls an entry)")
        print(
            f"  {total - accounted:7.1f} us  the rest: the event loop and its callbacks (socket "
            "reads), tasks the probes start, each entry's own task, the run's start and end"
        )
        statements = [k for k in timed.seconds if k.startswith("sql ")]
        print(f"  the store's statements (all of them: {len(statements)} kinds), the costliest:")
        for label in sorted(statements, key=lambda k: -timed.seconds[k])[: args.statements]:
            spent = timed.seconds[label] / len(entries) * 1e6
            each = timed.seconds[label] / timed.calls[label] * 1e6
            print(f"  {spent:7.1f} us  {each:6.1f} us x {timed.calls[label]:>5}  {label[4:]}")
        farm.terminate()


if __name__ == "__main__":
    main()
