"""One audit run: verify entries concurrently, score each as it finishes.

Results stream out as entries finish (an async iterator), so a caller can
store or print them without holding the whole catalog's findings, and a run
that is killed keeps whatever was already handed on.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass

from auditor.context import AuditSettings
from auditor.methodology.engine import assess
from auditor.methodology.model import Methodology
from auditor.model import Assessment, Entry, Finding
from auditor.net.fetcher import Fetcher
from auditor.probes.context import RunContext
from auditor.probes.domains import DomainList, DomainMatcher, builtin_gov_suffixes
from auditor.verifier import verify_entry


@dataclass(frozen=True, slots=True)
class AuditResult:
    entry: Entry
    findings: tuple[Finding, ...]
    assessment: Assessment


async def audit_entries(
    entries: Iterable[Entry],
    settings: AuditSettings,
    methodology: Methodology,
    domain_lists: tuple[DomainList, ...] = (),
) -> AsyncIterator[AuditResult]:
    """Yield one result per entry, in completion order."""
    matcher = DomainMatcher((builtin_gov_suffixes(), *domain_lists))
    executor = (
        concurrent.futures.ProcessPoolExecutor(settings.spec_workers)
        if settings.spec_workers > 0
        else None
    )
    window = max(1, settings.limits.concurrency)
    try:
        async with Fetcher(settings) as fetcher:
            run = RunContext(settings, fetcher, matcher, executor)

            async def one(entry: Entry) -> AuditResult:
                findings = tuple(await verify_entry(entry, run))
                return AuditResult(entry, findings, assess(entry.id, findings, methodology))

            pending: set[asyncio.Task[AuditResult]] = set()
            for entry in entries:
                pending.add(asyncio.ensure_future(one(entry)))
                if len(pending) >= window:
                    done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                    for task in done:
                        yield task.result()
            while pending:
                done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    yield task.result()
    finally:
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)


def run_audit(
    entries: list[Entry],
    settings: AuditSettings,
    methodology: Methodology,
    on_result: Callable[[AuditResult], None] | None = None,
) -> list[AuditResult]:
    """Synchronous wrapper for the CLI and tests: results in catalog order."""

    async def collect() -> list[AuditResult]:
        results = []
        async for result in audit_entries(entries, settings, methodology):
            if on_result is not None:
                on_result(result)
            results.append(result)
        return results

    order = {entry.id: i for i, entry in enumerate(entries)}
    return sorted(asyncio.run(collect()), key=lambda r: order.get(r.entry.id, len(order)))
