"""Auditing on a Dask cluster: ``auditor audit --executor dask --scheduler tcp://HOST:PORT``.

The catalog is cut into parts of whole hosts (``balanced_parts``), so one
host is only ever audited by one worker and the per-host politeness limit
holds across the cluster. Each part is one task: the worker runs the
ordinary async verifier for it in its own event loop and sends the results
back as frozen dataclasses (pickled). The client stores or prints results
part by part as parts finish (``as_completed``), so a large catalog streams
into the store and a killed client keeps what arrived.

Workers have no store. With ``--store``, each part carries what the store
would have lent a local run: every entry's earlier findings inside the
availability window (scores are those of a local run) and the stored
analysis of the spec document it had last time (an unchanged document is
not validated again); the worker sends back the spec documents the store
does not hold yet. Workers make no conditional requests (no ETag → 304):
each spec is downloaded again, which costs bandwidth, not validation.

``distributed`` is an optional extra (``pip install 'auditor[dask]'``),
imported only here and only when this executor runs.
"""

from __future__ import annotations

import hashlib
import os
import socket
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from auditor import __version__
from auditor.context import AuditSettings
from auditor.errors import AuditorError
from auditor.methodology.model import Methodology
from auditor.model import AuditResult, Entry, Finding
from auditor.run.event_loop import run_for_value
from auditor.run.loop import audit_entries
from auditor.run.recording import OnResult
from auditor.scale.shard import balanced_parts
from auditor.spec.analyse import SpecReport
from auditor.spec.report_cache import ReportCache
from auditor.store.records import spec_sha256
from auditor.store.session import RecordingRun
from auditor.store.stored_facts import with_json_facts

PARTS_PER_THREAD = 4
"""Parts per worker thread: enough that results stream in and a slow host does not leave
the other workers idle at the end, few enough that each part keeps its connections busy."""
CONNECT_TIMEOUT = 15.0


class DaskUnavailable(AuditorError):
    """The dask extra is not installed, or the scheduler cannot be used."""


@dataclass(frozen=True, slots=True)
class PartWork:
    """One task: the entries of some hosts, and what the store lends them."""

    number: int
    entries: tuple[Entry, ...]
    previous: Mapping[str, tuple[Finding, ...]] = field(default_factory=dict)
    reports: Mapping[str, SpecReport] = field(default_factory=dict)
    held: frozenset[str] = frozenset()
    """Spec documents (sha256) the store already keeps: not sent back."""
    send_bodies: bool = False


@dataclass(frozen=True, slots=True)
class PartOutcome:
    number: int
    results: tuple[AuditResult, ...]
    bodies: Mapping[str, bytes]
    """Spec URL -> the document downloaded for it, for documents the store lacks."""
    reports: Mapping[str, SpecReport]
    """Analyses made on the worker (sha256 -> report), for the store's snapshots."""
    worker: str
    seconds: float


class _PartHistory:
    """The ``RunHistory`` a worker gives the audit loop: what the client lent the part."""

    def __init__(self, work: PartWork) -> None:
        self._work = work
        self.cache = ReportCache()
        self.cache.update(work.reports)
        self.bodies: dict[str, bytes] = {}

    def stored_specs(self) -> None:
        return None

    def keep_spec(self, url: str, body: bytes) -> None:
        if self._work.send_bodies:
            self.bodies[url] = body

    def spec_cache(self) -> ReportCache:
        return self.cache

    def previous_findings(self, entry: Entry) -> Sequence[Finding]:
        return self._work.previous.get(entry.id, ())


def worker_version() -> str:
    """Run on every worker before any work is sent: they must run this auditor."""
    return __version__


def audit_part(work: PartWork, settings: AuditSettings, methodology: Methodology) -> PartOutcome:
    """The task a Dask worker runs: one part, in an event loop of its own.

    Spec validation stays in the worker's thread (``spec_workers=0``): a
    Dask worker is usually a daemon process, which may not start a process
    pool, and the cluster's parallelism is its workers (one per core).
    """
    started = time.perf_counter()
    settings = replace(settings, spec_workers=0)
    history = _PartHistory(work)

    async def collect() -> list[AuditResult]:
        return [
            result
            async for result in audit_entries(work.entries, settings, methodology, history=history)
        ]

    results = [with_json_facts(result) for result in run_for_value(collect())]
    bodies: dict[str, bytes] = {}
    reports: dict[str, SpecReport] = {}
    if work.send_bodies:
        for result in results:
            sha = spec_sha256(result.findings)
            if sha is None:
                continue
            if sha not in work.reports and sha in history.cache:
                reports[sha] = history.cache[sha]
            fetched = next((f for f in result.findings if f.check == "spec.fetched"), None)
            url = fetched.subject if fetched is not None else result.entry.spec_url
            body = history.bodies.get(url) if url else None
            held = sha in work.held
            if url and body is not None and not held and hashlib.sha256(body).hexdigest() == sha:
                bodies[url] = body  # the document the findings describe, and only that one
    worker = f"{socket.gethostname()}:{os.getpid()}"
    elapsed = time.perf_counter() - started
    return PartOutcome(work.number, tuple(results), bodies, reports, worker, elapsed)


def _distributed() -> Any:
    try:
        import distributed
    except ImportError as exc:
        raise DaskUnavailable(
            "--executor dask needs the dask extra: pip install 'auditor[dask]'"
        ) from exc
    return distributed


def _lend(run: RecordingRun | None, part: list[Entry], number: int) -> PartWork:
    """What the store lends one part (nothing without a store)."""
    if run is None:
        return PartWork(number, tuple(part))
    from auditor.store.lending import last_spec_sha256, stored_bodies

    previous = {entry.id: tuple(run.previous_findings(entry)) for entry in part}
    last = last_spec_sha256(run.store, (entry.id for entry in part))
    cache = run.spec_cache()
    reports = {sha: cache[sha] for sha in set(last.values()) if sha in cache}
    held = frozenset(stored_bodies(run.store, last.values()))
    return PartWork(number, tuple(part), previous, reports, held, send_bodies=True)


class DaskExecutor:
    """Sends parts of the catalog to the workers of a Dask scheduler; see the module docstring.

    ``scheduler`` None starts a LocalCluster on this machine (to try it out).
    """

    def __init__(self, scheduler: str | None, *, parts: int | None = None) -> None:
        self.scheduler = scheduler
        self.parts = parts
        self.workers: dict[str, str] = {}
        """Worker address -> auditor version, as checked before the run."""

    def __call__(
        self,
        entries: list[Entry],
        settings: AuditSettings,
        methodology: Methodology,
        *,
        run: RecordingRun | None,
        on_result: OnResult,
    ) -> list[AuditResult]:
        local = [e.id for e in entries if e.local_spec]
        if local:
            raise DaskUnavailable(
                f"{', '.join(local[:5])}: a spec file on this machine cannot be audited on "
                "Dask workers; audit local spec files without --executor dask"
            )
        if not entries:
            return []
        distributed = _distributed()
        cluster, client = self._connect(distributed)
        try:
            self._check_workers(client)
            threads = sum(client.nthreads().values()) or 1
            parts = balanced_parts(entries, self.parts or PARTS_PER_THREAD * threads)
            shared = client.scatter([settings, methodology], broadcast=True)
            token = uuid.uuid4().hex[:8]
            futures = {
                client.submit(
                    audit_part,
                    _lend(run, part, number),
                    *shared,
                    key=f"auditor-part-{number}-{token}",
                    pure=False,
                ): number
                for number, part in enumerate(parts, start=1)
            }
            return self._gather(distributed, futures, parts, entries, run, on_result)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()

    def _connect(self, distributed: Any) -> tuple[Any, Any]:
        cluster = None
        try:
            if self.scheduler is None:
                cluster = distributed.LocalCluster(dashboard_address=None)
                return cluster, distributed.Client(cluster)
            return None, distributed.Client(self.scheduler, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError, ValueError) as exc:
            if cluster is not None:
                cluster.close()
            raise DaskUnavailable(
                f"cannot reach the Dask scheduler at {self.scheduler}: {exc}"
            ) from exc

    def _check_workers(self, client: Any) -> None:
        try:
            versions: dict[str, str] = client.run(worker_version)
        except Exception as exc:  # a worker without auditor fails to unpickle the call
            raise DaskUnavailable(
                f"the Dask workers at {self.scheduler} cannot run auditor ({exc}); "
                f"install auditor {__version__} on every worker"
            ) from exc
        if not versions:
            raise DaskUnavailable(f"the Dask scheduler at {self.scheduler} has no workers")
        wrong = {address: v for address, v in versions.items() if v != __version__}
        if wrong:
            listed = ", ".join(f"{a} runs {v}" for a, v in sorted(wrong.items()))
            raise DaskUnavailable(
                f"Dask workers must run auditor {__version__} like this client: {listed}"
            )
        self.workers = versions

    @staticmethod
    def _gather(
        distributed: Any,
        futures: dict[Any, int],
        parts: list[list[Entry]],
        entries: list[Entry],
        run: RecordingRun | None,
        on_result: OnResult,
    ) -> list[AuditResult]:
        results: list[AuditResult] = []
        failed: list[str] = []
        for future in distributed.as_completed(list(futures)):
            number = futures[future]
            try:
                outcome: PartOutcome = future.result()
            except Exception as exc:  # a worker that died, or a bug: the other parts go on
                ids = [e.id for e in parts[number - 1]]
                failed.append(f"part {number} ({len(ids)} entries from {ids[0]}): {exc!r}")
                continue
            finally:
                future.release()
            if run is not None:
                for url, body in outcome.bodies.items():
                    run.library.keep_body(url, body)
                run.spec_cache().update(outcome.reports)
            for result in outcome.results:
                on_result(result)
                results.append(result)
        if failed:
            raise AuditorError(
                f"{len(failed)} of {len(parts)} Dask part(s) failed; the others were kept "
                "(with --store, --resume audits only what is missing): " + "; ".join(failed)
            )
        order = {entry.id: i for i, entry in enumerate(entries)}
        return sorted(results, key=lambda r: order.get(r.entry.id, len(order)))
