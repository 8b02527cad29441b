"""One audit run: verify entries concurrently, score each as it finishes.

Results stream out as entries finish (an async iterator), so a caller can
store or print them without holding the whole catalog's findings, and a run
that is killed keeps whatever was already handed on. Entries start a few per
host at a time (``auditor/run/admission.py``), so one crowded host neither fills
the run's slots nor eats its entries' time budgets in its queue.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from typing import Protocol

from auditor import checks
from auditor.context import AuditSettings
from auditor.evidence.domains import DomainList, DomainMatcher, builtin_domain_lists
from auditor.evidence.orgs import OrgList, OrgMatcher, builtin_github_orgs
from auditor.methodology.engine import assess
from auditor.methodology.model import Methodology
from auditor.model import AuditResult, Entry, Finding, Outcome
from auditor.net.fetcher import Fetcher
from auditor.probes.context import RunContext
from auditor.run.admission import HostAdmission
from auditor.run.collector import run_collector
from auditor.run.connectivity import settle_own_failures
from auditor.run.event_loop import run_for_value
from auditor.run.loop_lag import LagGate
from auditor.run.spec_fetcher import SpecKeepingFetcher, StoredSpecs
from auditor.run.verifier import verify_entry
from auditor.spec.pool import spec_pool
from auditor.spec.report_cache import ReportCache

LOOKAHEAD = 1024
"""Entries read ahead of the running ones at least, to find hosts with room."""


class RunHistory(Protocol):
    """What a store (auditor/store) lends a run; the loop works without one.

    ``previous_findings`` are the entry's earlier findings for signals that
    aggregate over a time window (availability): they are scored with the new
    findings but are not part of the result, so the engine never reads a store.
    """

    def stored_specs(self) -> StoredSpecs | None:
        """Stored spec documents for conditional fetches, or None."""

    def keep_spec(self, url: str, body: bytes) -> None:
        """Called with every spec document the run downloads."""

    def spec_cache(self) -> ReportCache: ...

    def previous_findings(self, entry: Entry) -> Sequence[Finding]: ...


async def audit_entries(
    entries: Iterable[Entry],
    settings: AuditSettings,
    methodology: Methodology,
    domain_lists: tuple[DomainList, ...] = (),
    history: RunHistory | None = None,
    github_org_lists: tuple[OrgList, ...] = (),
) -> AsyncIterator[AuditResult]:
    """Yield one result per entry, in completion order."""
    matcher = DomainMatcher((*builtin_domain_lists(), *settings.domain_lists, *domain_lists))
    orgs = OrgMatcher((builtin_github_orgs(), *settings.github_org_lists, *github_org_lists))
    # what the run loads above and keeps below, the collector need not scan again and again
    with run_collector():
        executor = spec_pool(settings)  # worker processes, started on first large spec
        window = max(1, settings.limits.concurrency)
        try:
            fetcher = (
                SpecKeepingFetcher(settings, history.keep_spec, history.stored_specs())
                if history is not None
                else Fetcher(settings)
            )
            async with fetcher:
                run = RunContext(settings, fetcher, matcher, executor, github_orgs=orgs)
                if history is not None:
                    run.spec_cache = history.spec_cache()
                    if isinstance(fetcher, SpecKeepingFetcher) and fetcher.lends_specs:
                        run.spec_loan = fetcher

                async def one(entry: Entry) -> AuditResult:
                    try:
                        # an exchange that never left this machine establishes nothing
                        findings = tuple(settle_own_failures(await verify_entry(entry, run)))
                        earlier = tuple(history.previous_findings(entry)) if history else ()
                        assessment = assess(entry.id, (*findings, *earlier), methodology)
                    except Exception as exc:  # one bad entry never stops a run
                        message = f"{entry.id}: internal error: {type(exc).__name__}: {exc}"
                        findings = (
                            Finding(checks.AUDITOR_INTERNAL.id, Outcome.ERROR, message, "audit"),
                        )
                        assessment = assess(entry.id, (), methodology)
                    return AuditResult(entry, findings, assessment)

                admission = HostAdmission(
                    entries, settings.limits.per_host, lookahead=max(LOOKAHEAD, 16 * window)
                )
                # Finished entries queue up here as they end: O(1) a result, where
                # asyncio.wait(FIRST_COMPLETED) would re-arm every running task each time.
                finished: asyncio.Queue[asyncio.Task[AuditResult]] = asyncio.Queue()
                running: set[asyncio.Task[AuditResult]] = set()
                gate = LagGate.for_limits(settings.limits)
                watcher = asyncio.ensure_future(gate.watch()) if gate.active else None
                try:
                    while True:
                        while len(running) < gate.limit and (entry := admission.next()) is not None:
                            task = asyncio.ensure_future(one(entry))
                            task.add_done_callback(finished.put_nowait)
                            running.add(task)
                        if not running:
                            break
                        task = await finished.get()
                        running.discard(task)
                        result = task.result()
                        admission.finished(result.entry)
                        yield result
                finally:
                    if watcher is not None:
                        watcher.cancel()
                    for task in running:  # the caller stopped early: leave nothing behind
                        task.cancel()
                    await asyncio.gather(*running, return_exceptions=True)
                    if watcher is not None:
                        await asyncio.gather(watcher, return_exceptions=True)
                    await run.shared.close()
        finally:
            if executor is not None:
                executor.shutdown(wait=False, cancel_futures=True)


def run_audit(
    entries: list[Entry],
    settings: AuditSettings,
    methodology: Methodology,
    on_result: Callable[[AuditResult], None] | None = None,
    history: RunHistory | None = None,
) -> list[AuditResult]:
    """Synchronous wrapper for the CLI and tests: results in catalog order.

    ``on_result`` runs as each entry finishes (the store commits it there).
    """

    async def collect() -> list[AuditResult]:
        results = []
        async for result in audit_entries(entries, settings, methodology, history=history):
            if on_result is not None:
                on_result(result)
            results.append(result)
        return results

    order = {entry.id: i for i, entry in enumerate(entries)}
    return sorted(run_for_value(collect()), key=lambda r: order.get(r.entry.id, len(order)))
