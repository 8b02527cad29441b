"""Probe: fetch the spec, detect its format, validate it, inventory and summarise it.

The analysis runs once per distinct content (sha256) per run, and not at all
when the optional on-disk cache (``AuditSettings.spec_cache_dir``) already
holds it. Large specs go to the run's worker processes: validation is CPU
work and must not stall the event loop; small ones (milliseconds of work)
run in a thread, sparing the inter-process copy, unless the analysis asks for
a process (a regular expression to match against a value, see
``spec/values.py``).

The analysis is bounded by the entry's budget (``Limits.entry_timeout``): it
stops itself ``margin`` before the entry's end (``spec.valid`` unknown, the
cause named), and a worker still busy a half margin later is killed; a thread
is no longer waited for (it is a daemon: it never holds the process's exit).

Findings: ``spec.fetched``, and those made from the analysis
(``probes/spec_findings.py``): ``spec.format_known``, ``spec.valid``, and for a
readable OpenAPI/Swagger document ``spec.inventory``, ``spec.examples`` and
``spec.quality`` (names the renderer and methodology rely on).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from auditor import checks
from auditor.model import Finding, Outcome
from auditor.net.fetcher import Purpose
from auditor.net.observation import AUDITOR_SIDE
from auditor.probes.context import EntryContext
from auditor.probes.spec_findings import FORMAT_KNOWN, PROBE, VALID
from auditor.spec.analyse import (
    NEEDS_PROCESS,
    OVER_BUDGET,
    SpecReport,
    analyse_spec,
    analyse_until,
)
from auditor.spec.cache import DiskCache
from auditor.spec.pool import SpecPool, TaskTimeout
from auditor.spec.threads import SpecThreads
from auditor.spec.validate import validator_id

FETCHED = checks.SPEC_FETCHED.id
POOL_MIN_BYTES = 256 * 1024
"""Smaller specs are analysed in a thread: their few milliseconds cost less than the IPC."""
HASH_IN_THREAD_BYTES = 256 * 1024
"""Larger documents are hashed in a thread (hashlib releases the GIL): ~0.25 ms of the event
loop a 256 KB document, against ~50 µs to hand it over; every downloaded spec is hashed."""
MARGIN_SHARE, MARGIN_MIN, MARGIN_MAX = 0.1, 0.5, 2.0
"""The analysis stops this share of the entry budget (0.5 to 2 s) before the entry's end,
so that its findings are in before the verifier gives up on the probe, even with a few
analysis threads sharing the GIL with the event loop."""


def _failed_report(data: bytes, digest: str, why: str) -> SpecReport:
    """Stands in when the analysis itself could not run: everything about the spec is unknown."""
    extra = {"analysis_failed": True}
    return SpecReport(digest, len(data), note=why, validator=validator_id(), extra=extra)


async def _bounded(
    executor: concurrent.futures.Executor, give_up: float, work: partial[SpecReport]
) -> SpecReport:
    """``work`` on ``executor``, no longer awaited at ``give_up`` (loop time).

    A SpecPool kills its worker then (``TaskTimeout``); a thread is left to stop by itself
    (``TimeoutError``): it is a daemon, it never holds the exit."""
    seconds = max(0.0, give_up - asyncio.get_running_loop().time())
    if isinstance(executor, SpecPool):
        future = executor.submit_within(seconds, work)
        seconds += 0.1  # the kill comes first, and says so
    else:
        future = executor.submit(work)
    return await asyncio.wait_for(asyncio.wrap_future(future), seconds)


async def _run(ctx: EntryContext, data: bytes, ends: float) -> SpecReport:
    """The analysis within the entry's budget (``ends``, loop time): it stops itself
    ``margin`` before the end; a worker still on it half a margin before the end is killed,
    a thread is given up a fifth of a margin before (its stop needs the GIL, which the
    event loop and other analyses share)."""
    limits = ctx.settings.limits
    margin = min(MARGIN_MAX, max(MARGIN_MIN, MARGIN_SHARE * limits.entry_timeout))
    stop = time.time() + (ends - asyncio.get_running_loop().time()) - margin
    kill, give_up = ends - margin / 2, ends - margin / 5
    executor = ctx.run.spec_executor
    own = None
    if executor is None:  # a RunContext built without one: daemon threads all the same
        executor = own = SpecThreads()
    pool = executor if isinstance(executor, SpecPool) else None
    work = partial(
        analyse_until, analyse_spec, stop, data, limits.max_yaml_nodes, limits.max_json_depth
    )
    try:
        if pool is not None and len(data) >= POOL_MIN_BYTES:
            return await _bounded(pool, kill, work)
        # in a thread, no regular expression is matched against a value: the analysis
        # stops and asks for a worker process instead, which can be killed
        threads = pool.threads if pool is not None else executor
        report = await _bounded(threads, give_up, partial(work, pool is not None))
        if pool is None or not report.extra.get(NEEDS_PROCESS):
            return report
        return await _bounded(pool, kill, work)
    finally:
        if own is not None:
            own.shutdown(wait=False)


async def _compute(ctx: EntryContext, data: bytes, digest: str, ends: float) -> SpecReport:
    settings = ctx.settings
    disk = DiskCache(settings.spec_cache_dir, settings.limits) if settings.spec_cache_dir else None
    if disk is not None:
        cached = await asyncio.to_thread(disk.get, digest)
        if cached is not None:
            return cached
    try:
        report = await _run(ctx, data, ends)
    except TaskTimeout as exc:  # the worker was killed
        return _failed_report(data, digest, f"analysis failed: spec analysis stopped: {exc}")
    except TimeoutError:  # a thread that did not stop by itself: no longer waited for
        why = "analysis failed: spec analysis did not stop within the entry's budget"
        return _failed_report(data, digest, why)
    except Exception as exc:  # a worker died, the pool is gone, or the task could not be sent
        return _failed_report(data, digest, f"analysis failed: {type(exc).__name__}: {exc}")
    if disk is not None and not report.extra.get(OVER_BUDGET):
        await asyncio.to_thread(disk.put, report)
    return report


async def _digest(data: bytes) -> str:
    if len(data) >= HASH_IN_THREAD_BYTES:
        return await asyncio.to_thread(lambda: hashlib.sha256(data).hexdigest())
    return hashlib.sha256(data).hexdigest()


async def _analyse(ctx: EntryContext, data: bytes, digest: str, ends: float) -> SpecReport:
    run = ctx.run
    if digest in run.spec_cache:
        known = run.spec_cache[digest]
        if known.validator == validator_id():
            return known
    if digest not in run.spec_inflight:
        run.spec_inflight[digest] = asyncio.ensure_future(_compute(ctx, data, digest, ends))
    report = await asyncio.shield(run.spec_inflight[digest])
    run.spec_cache.made(digest, report, data)
    run.spec_inflight.pop(digest, None)
    return report


@dataclass(frozen=True, slots=True)
class ReusedSpec:
    """Stands for the analysis of a document whose findings were reused from the store
    (``auditor/store/spec_reuse.py``): what other probes read of an analysis."""

    license: dict[str, Any] | None


def _reused(findings: list[Finding]) -> ReusedSpec:
    valid = next((f for f in findings if f.check == VALID), None)
    license = valid.facts.get("license") if valid is not None else None
    return ReusedSpec(license if isinstance(license, dict) else None)


async def _load(ctx: EntryContext) -> tuple[bytes | None, Finding, list[Finding] | None]:
    """The document and its ``spec.fetched`` finding; or, for a 304 whose stored document
    yielded findings that stand for a new analysis's, those findings (and no document)."""
    entry = ctx.entry
    cap = ctx.settings.limits.max_spec_bytes
    if entry.local_spec:
        path = Path(entry.local_spec)
        try:
            size = path.stat().st_size
            if size > cap:
                msg = f"spec file {path} is {size:,} bytes, over the {cap:,}-byte cap"
                return None, Finding(FETCHED, Outcome.FAIL, msg, PROBE, str(path)), None
            data = path.read_bytes()
        except OSError as exc:
            msg = f"cannot read spec file {path}: {exc.strerror or exc}"
            return None, Finding(FETCHED, Outcome.ERROR, msg, PROBE, str(path)), None
        msg = f"read spec file {path} ({len(data):,} bytes)"
        facts = {"bytes": len(data)}
        return data, Finding(FETCHED, Outcome.PASS, msg, PROBE, str(path), facts), None
    assert entry.spec_url is not None
    obs = await ctx.fetch(entry.spec_url, purpose=Purpose.SPEC)
    loan = ctx.run.spec_loan
    reused = None
    if loan is not None and (sha := loan.stood_in(obs)) is not None:
        reused = loan.spec_findings(entry.id, obs.url, sha)
        if reused is None:  # analyse the stored document after all: read it
            obs = await loan.document(obs)
    facts = obs.facts()
    if reused is not None or (obs.body is not None and obs.status is not None and obs.status < 400):
        msg = f"fetched spec ({obs.size:,} bytes, HTTP {obs.status})"
        return obs.body, Finding(FETCHED, Outcome.PASS, msg, PROBE, obs.url, facts), reused
    not_measured = {"refused", "bad_url", *AUDITOR_SIDE}  # policy, or the auditor's network
    outcome = Outcome.UNKNOWN if obs.error_class in not_measured else Outcome.FAIL
    msg = f"could not fetch spec: {obs.describe()}"
    return None, Finding(FETCHED, outcome, msg, PROBE, obs.url, facts), None


async def spec_report(
    ctx: EntryContext,
) -> tuple[SpecReport | ReusedSpec | None, list[Finding]]:
    """The entry's spec analysis, computed once per entry (other probes await it).

    With a store lent, an unchanged document (a 304, or a download the store
    already holds) yields the findings it yielded last time when they stand for a
    new analysis's (``auditor/store/spec_reuse.py``): then a ``ReusedSpec`` stands
    for the analysis, which is neither parsed back nor made again."""

    ends = asyncio.get_running_loop().time() + ctx.settings.limits.entry_timeout

    async def compute() -> tuple[SpecReport | ReusedSpec | None, list[Finding]]:
        entry = ctx.entry
        if not entry.spec_url and not entry.local_spec:
            msg = "no spec URL declared"
            return None, [Finding(FORMAT_KNOWN, Outcome.FAIL, msg, PROBE)]
        data, fetched, reused = await _load(ctx)
        if reused is not None:
            return _reused(reused), [fetched, *reused]
        if data is None:
            unknown = Finding(
                FORMAT_KNOWN,
                Outcome.UNKNOWN,
                f"spec not analysed: {fetched.message}",
                PROBE,
                fetched.subject,
            )
            return None, [fetched, unknown]
        digest = await _digest(data)
        loan = ctx.run.spec_loan
        if loan is not None and not entry.local_spec and fetched.subject is not None:
            reused = loan.spec_findings(entry.id, fetched.subject, digest)
            if reused is not None:  # downloaded again, but the same document as last time
                return _reused(reused), [fetched, *reused]
        report = await _analyse(ctx, data, digest, ends)
        spec_url = fetched.subject if not entry.local_spec else entry.spec_url
        made = ctx.run.spec_findings.findings(report, fetched.subject, spec_url, ctx.run.spec_cache)
        return report, [fetched, *made]

    result: tuple[SpecReport | ReusedSpec | None, list[Finding]] = await ctx.once("spec", compute)
    return result


async def probe(ctx: EntryContext) -> list[Finding]:
    _, findings = await spec_report(ctx)
    return findings
