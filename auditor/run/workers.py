"""Auditing in N processes on this machine: ``auditor audit --workers N``.

One event loop is one core: at a few hundred requests in flight the run's own
CPU (probes, scoring, HTTP parsing) is what binds, and a 2-core machine sits
at 50 %. Here the catalog is cut into parts of whole hosts
(``balanced_parts``, the split ``--shard`` and Dask use), and each part is
audited by the ordinary async verifier in a process of its own. Every host
is audited by one process only, so the per-host politeness limit holds as
in one loop; the run's ``concurrency`` is shared out between the parts.

Workers never write the store. With ``--store`` each opens it read-only
(SQLite WAL: readers never block the writer) for what a store lends a run:
the ETags and stored documents of conditional spec fetches, stored analyses,
earlier findings for windowed signals. Results go back to the parent over a
pipe, a few at a time (at most ``SEND_SECONDS`` after they finish), with the
spec documents and analyses the store does not hold yet; the parent, the
only writer, records them in its commit window (``auditor/store/batch.py``).

A worker that sees its parent gone stops; a worker that dies makes the run
fail with a message (the store keeps what was recorded; ``--resume``
finishes it).
"""

from __future__ import annotations

import asyncio
import math
import multiprocessing
import os
import resource
import time
from collections.abc import Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection, wait
from typing import Any

from auditor.context import AuditSettings
from auditor.errors import AuditorError
from auditor.methodology.model import Methodology
from auditor.model import AuditResult, Entry, Finding
from auditor.run.collector import run_collector
from auditor.run.peak_rss import peak_rss_mib
from auditor.run.process_start import StartMethod, let_go, start_method
from auditor.run.recording import OnResult
from auditor.scale.shard import balanced_parts
from auditor.spec.analyse import SpecReport
from auditor.spec.report_cache import ReportCache
from auditor.store.db import Store
from auditor.store.runs import RunInfo
from auditor.store.session import RecordingRun, earlier_findings, windowed_checks

SEND_SECONDS = 0.05
"""A worker sends what finished at least this often: results wait little for the commit window."""
SEND_MAX = 64
"""Or as soon as it holds this many results."""
WATCH_SECONDS = 1.0
"""How often a worker checks that its parent is still there."""
SPEC_THREADS = 1
"""Analyses a worker runs at once. A worker is one core's worth of work (the analyses hold
the GIL): more threads only hold more documents parsed at once. Measured at 3,000 entries,
256 in flight, ``--workers 2``: the two workers' peak RSS 883 MiB with six threads (the
thread-pool default on 2 cores), 437 MiB with one, the run no slower (``ru_maxrss`` then, which
counts what the parent held when it spawned them: the ratio is what holds)."""
REPORT_CACHE_BYTES = 32 * 1024 * 1024
"""A worker's analyses held at most (``auditor/spec/report_cache.py``): each goes to the
parent once made, so a worker keeps only what its next entries are likely to cite again."""
PARENT_REPORT_BYTES = 16 * 1024 * 1024
"""The recording parent's analyses held at most: each is stored with the first result citing
it, right after it arrives. Unbounded, a 10,000-entry run held all 300 of its analyses."""


class WorkerFailed(AuditorError):
    """A worker process stopped before finishing its part."""


@dataclass(frozen=True, slots=True)
class WorkerStats:
    """What one worker process spent (the benchmarks print it)."""

    part: int
    pid: int
    entries: int
    cpu_seconds: float
    peak_rss_mib: float
    """``VmHWM``: a forked worker's counts the pages it shares with its parent (copy-on-write)."""
    not_modified: int = 0
    """Spec fetches answered 304 and served from the store."""


@dataclass(frozen=True, slots=True)
class _Loan:
    """What the recording store lends a worker: where it is, and the run being recorded."""

    path: str
    run: RunInfo
    checks: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Job:
    part: int
    entries: tuple[Entry, ...]
    settings: AuditSettings
    methodology: Methodology
    loan: _Loan | None
    inherited: tuple[int, ...] = ()
    """What a forked worker lets go of first: the read ends of the result pipes, its own and
    the earlier workers' (else, its parent killed, a send blocks for good once the pipe is
    full: the pipe never breaks while the worker itself holds a read end)."""


@dataclass(frozen=True, slots=True)
class _Done:
    """One finished entry, with what the parent's store needs that it may not hold."""

    result: AuditResult
    spec_url: str | None = None
    body: bytes | None = None
    report: SpecReport | None = None


class _StoreHistory:
    """A worker's ``RunHistory``: the store read-only, downloads kept for the parent."""

    def __init__(self, store: Store, loan: _Loan) -> None:
        from auditor.store.snapshots import SnapshotLibrary, StoredReports

        self._store = store
        self._loan = loan
        self.library = SnapshotLibrary(store)
        self.new_reports: dict[str, SpecReport] = {}
        self._reports = StoredReports(self.library.load_report, self._made, REPORT_CACHE_BYTES)
        self.bodies: dict[str, bytes] = {}
        self._sent: set[str] = set()  # documents (sha256) already sent to the parent

    def _made(self, report: SpecReport, document: bytes | None = None) -> None:
        self.new_reports[report.sha256] = report  # its document goes as keep_spec kept it

    def stored_specs(self) -> Any:
        return self.library

    def keep_spec(self, url: str, body: bytes) -> None:
        self.bodies[url] = body

    def spec_cache(self) -> ReportCache:
        return self._reports

    def previous_findings(self, entry: Entry) -> Sequence[Finding]:
        return earlier_findings(self._store, entry.id, self._loan.run, self._loan.checks)

    def done(self, result: AuditResult) -> _Done:
        """The result, with the document and analysis its snapshot needs, if the store lacks them."""
        from auditor.store.lending import stored_bodies
        from auditor.store.records import spec_sha256

        fetched = next((f for f in result.findings if f.check == "spec.fetched"), None)
        url = fetched.subject if fetched is not None else result.entry.spec_url
        body = self.bodies.pop(url, None) if url else None
        sha = spec_sha256(result.findings)
        if sha is None:
            return _Done(result)
        report = self.new_reports.pop(sha, None)
        if body is not None and (sha in self._sent or stored_bodies(self._store, [sha])):
            body = None  # the parent has it, or the store does: not worth the pipe
        if body is not None:
            self._sent.add(sha)
        return _Done(result, url, body, report)


class _PlainHistory:
    """A worker's ``RunHistory`` without a store: only its bounded analysis cache."""

    def __init__(self) -> None:
        self._reports = ReportCache(REPORT_CACHE_BYTES)

    def stored_specs(self) -> None:
        return None

    def keep_spec(self, url: str, body: bytes) -> None:
        """Nothing records the documents: not kept."""

    def spec_cache(self) -> ReportCache:
        return self._reports

    def previous_findings(self, entry: Entry) -> Sequence[Finding]:
        return ()


def _stats(part: int, entries: int, not_modified: int) -> WorkerStats:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime
    return WorkerStats(part, os.getpid(), entries, cpu, peak_rss_mib(), not_modified)


async def _audit_part(job: _Job, out: Connection) -> tuple[int, int]:
    from auditor.run.loop import audit_entries
    from auditor.store.stored_facts import with_json_facts

    parent = os.getppid()

    async def watch() -> None:
        while True:
            await asyncio.sleep(WATCH_SECONDS)
            if os.getppid() != parent:  # the parent is gone (killed): nobody records this
                os._exit(3)

    store = Store.open(job.loan.path) if job.loan is not None else None
    history = _StoreHistory(store, job.loan) if store is not None and job.loan else None
    pending: list[_Done] = []
    sent_at = time.monotonic()

    def send() -> None:
        nonlocal sent_at
        if pending:
            out.send(("results", list(pending)))
            pending.clear()
        sent_at = time.monotonic()

    async def flush() -> None:
        while True:
            await asyncio.sleep(SEND_SECONDS)
            if time.monotonic() - sent_at >= SEND_SECONDS:
                send()

    tasks = [asyncio.ensure_future(watch()), asyncio.ensure_future(flush())]
    count = 0
    try:
        async for result in audit_entries(
            job.entries, job.settings, job.methodology, history=history or _PlainHistory()
        ):
            result = with_json_facts(result)  # what crosses the pipe: see there
            pending.append(history.done(result) if history is not None else _Done(result))
            count += 1
            if len(pending) >= SEND_MAX:
                send()
        send()
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if store is not None:
            store.close()
    return count, history.library.not_modified if history is not None else 0


def _worker(job: _Job, out: Connection) -> None:
    """A worker process's main: audit the part, send results, then its stats."""
    for descriptor in job.inherited:
        let_go(descriptor)
    try:
        count, not_modified = asyncio.run(_audit_part(job, out))
        out.send(("done", _stats(job.part, count, not_modified)))
    except KeyboardInterrupt:  # Ctrl-C reaches the whole process group: the parent says it
        pass
    except BaseException as exc:
        with suppress(OSError):
            out.send(("failed", f"{type(exc).__name__}: {exc}"))
        raise SystemExit(1) from None
    finally:
        out.close()


def _part_settings(settings: AuditSettings, parts: int) -> AuditSettings:
    """A part's share of the run's limits (requests in flight, the site-document cache);
    analysis in the worker's own thread, one at a time (the workers are the run's use of the
    cores: no pool of pools)."""
    limits = settings.limits
    share = max(1, math.ceil(limits.concurrency / parts))
    cache = math.ceil(limits.shared_cache_bytes / parts)
    return replace(
        settings,
        limits=replace(limits, concurrency=share, shared_cache_bytes=cache),
        spec_workers=0,
        spec_threads=SPEC_THREADS,
    )


class ProcessExecutor:
    """``auditor audit --workers N``: an ``Executor`` (``auditor/run/recording.py``)."""

    def __init__(self, workers: int, *, start: StartMethod | None = None) -> None:
        self.workers = max(1, workers)
        self.start = start
        """``fork`` or ``spawn``; None: ``start_method()`` when the workers start."""
        self.stats: list[WorkerStats] = []
        """Each worker's CPU and memory, from the last call."""
        self.started_with: StartMethod | None = None
        """How the last call's workers started."""

    def __call__(
        self,
        entries: list[Entry],
        settings: AuditSettings,
        methodology: Methodology,
        *,
        run: RecordingRun | None,
        on_result: OnResult,
    ) -> list[AuditResult]:
        results = []
        for result in self.stream(entries, settings, methodology, run=run):
            on_result(result)
            results.append(result)
        order = {entry.id: i for i, entry in enumerate(entries)}
        return sorted(results, key=lambda r: order.get(r.entry.id, len(order)))

    def stream(
        self,
        entries: Sequence[Entry],
        settings: AuditSettings,
        methodology: Methodology,
        *,
        run: RecordingRun | None,
    ) -> Iterator[AuditResult]:
        """Results as workers send them; with ``run``, its commit window is open meanwhile and
        each result's document and analysis are handed to it before the result is yielded."""
        self.stats = []
        if run is not None:
            run.hold_analyses(PARENT_REPORT_BYTES)
        parts = balanced_parts(entries, self.workers)
        if not parts:
            return
        loan = None
        if run is not None:
            loan = _Loan(str(run.store.path), run.run, windowed_checks(methodology))
        part_settings = _part_settings(settings, len(parts))
        if self.start == "fork" and run is not None:
            raise ValueError("workers recording a store are spawned: see start_method")
        self.started_with = self.start or start_method(recording=run is not None)
        forked = self.started_with == "fork"
        context = (
            multiprocessing.get_context("fork") if forked else multiprocessing.get_context("spawn")
        )
        readers: dict[Connection, tuple[int, Any]] = {}
        try:
            for number, part in enumerate(parts, 1):
                reader, writer = context.Pipe(duplex=False)
                inherited = (reader.fileno(), *(r.fileno() for r in readers)) if forked else ()
                job = _Job(number, tuple(part), part_settings, methodology, loan, inherited)
                process = context.Process(
                    target=_worker, args=(job, writer), name=f"auditor-worker-{number}"
                )
                process.start()
                writer.close()
                readers[reader] = (number, process)
            with run_collector():  # the results received are kept: see there
                if run is None:
                    yield from self._receive(readers, None, 0.5)
                else:
                    with run.batched() as window:
                        yield from self._receive(readers, run, window.seconds / 4)
        finally:
            for reader, (_number, process) in readers.items():
                if process.is_alive():
                    process.terminate()
                process.join(10)
                reader.close()

    def _receive(
        self, readers: dict[Connection, tuple[int, Any]], run: RecordingRun | None, tick: float
    ) -> Iterator[AuditResult]:
        waiting = dict(readers)
        received = dict.fromkeys(readers.values(), 0)
        while waiting:
            for reader in wait(list(waiting), timeout=tick):
                assert isinstance(reader, Connection)
                number, process = waiting[reader]
                try:
                    kind, payload = reader.recv()
                except EOFError:
                    process.join(10)
                    del waiting[reader]
                    raise WorkerFailed(
                        f"worker {number} (pid {process.pid}) stopped with exit code "
                        f"{process.exitcode} after {received[(number, process)]} entries"
                    ) from None
                if kind == "done":
                    self.stats.append(payload)
                    if run is not None:
                        run.library.not_modified += payload.not_modified
                    del waiting[reader]
                elif kind == "failed":
                    del waiting[reader]
                    raise WorkerFailed(f"worker {number} (pid {process.pid}) failed: {payload}")
                else:
                    for done in payload:
                        received[(number, process)] += 1
                        if run is not None:
                            self._lend_back(run, done)
                        yield done.result
            if run is not None:
                run.commit_if_due()

    @staticmethod
    def _lend_back(run: RecordingRun, done: _Done) -> None:
        """What a worker downloaded or analysed, where the run's recording looks for it."""
        if done.body is not None and done.spec_url:
            run.keep_spec(done.spec_url, done.body)  # first: a new analysis packs its document
        if done.report is not None:
            run.spec_cache()[done.report.sha256] = done.report
