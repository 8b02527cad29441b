"""Probe: fetch the spec, detect its format, validate it.

The analysis runs once per distinct content (sha256) per run, in a worker
process when the run has a pool: validation of a large spec is CPU work and
must not stall the event loop.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import asdict
from functools import partial
from pathlib import Path

from auditor.model import Finding, Outcome
from auditor.probes.context import EntryContext
from auditor.spec.analyse import SpecReport, analyse_spec

PROBE = "spec_document"


async def _analyse(ctx: EntryContext, data: bytes) -> SpecReport:
    run = ctx.run
    digest = hashlib.sha256(data).hexdigest()
    if digest in run.spec_cache:
        return run.spec_cache[digest]
    if digest not in run.spec_inflight:
        limits = ctx.settings.limits
        work = partial(analyse_spec, data, limits.max_yaml_nodes, limits.max_json_depth)
        loop = asyncio.get_running_loop()
        run.spec_inflight[digest] = asyncio.ensure_future(
            loop.run_in_executor(run.spec_executor, work)
            if run.spec_executor is not None
            else asyncio.to_thread(work)
        )
    report = await asyncio.shield(run.spec_inflight[digest])
    run.spec_cache[digest] = report
    run.spec_inflight.pop(digest, None)
    return report


async def _load(ctx: EntryContext) -> tuple[bytes | None, Finding]:
    entry = ctx.entry
    cap = ctx.settings.limits.max_spec_bytes
    if entry.local_spec:
        path = Path(entry.local_spec)
        try:
            size = path.stat().st_size
            if size > cap:
                msg = f"spec file {path} is {size:,} bytes, over the {cap:,}-byte cap"
                return None, Finding("spec.fetched", Outcome.FAIL, msg, PROBE, str(path))
            data = path.read_bytes()
        except OSError as exc:
            msg = f"cannot read spec file {path}: {exc.strerror or exc}"
            return None, Finding("spec.fetched", Outcome.ERROR, msg, PROBE, str(path))
        msg = f"read spec file {path} ({len(data):,} bytes)"
        return data, Finding(
            "spec.fetched", Outcome.PASS, msg, PROBE, str(path), {"bytes": len(data)}
        )
    assert entry.spec_url is not None
    obs = await ctx.fetch(entry.spec_url, max_bytes=cap)
    facts = obs.facts()
    if obs.body is not None and obs.status is not None and obs.status < 400:
        msg = f"fetched spec ({obs.size:,} bytes, HTTP {obs.status})"
        return obs.body, Finding("spec.fetched", Outcome.PASS, msg, PROBE, obs.url, facts)
    outcome = Outcome.UNKNOWN if obs.error_class in {"refused", "bad_url"} else Outcome.FAIL
    msg = f"could not fetch spec: {obs.describe()}"
    return None, Finding("spec.fetched", outcome, msg, PROBE, obs.url, facts)


def report_findings(report: SpecReport, subject: str | None) -> list[Finding]:
    facts = asdict(report)
    facts["errors"] = list(report.errors)
    facts["servers"] = list(report.servers)
    if report.parse_error is not None:
        msg = f"not a readable spec: {report.parse_error}"
        return [
            Finding("spec.format_known", Outcome.FAIL, msg, PROBE, subject, facts),
            Finding("spec.valid", Outcome.FAIL, msg, PROBE, subject, facts),
        ]
    if report.format_known:
        fmt = Finding(
            "spec.format_known",
            Outcome.PASS,
            f"format: {report.format_label}",
            PROBE,
            subject,
            facts,
        )
    else:
        why = report.note or "format not recognised"
        fmt = Finding("spec.format_known", Outcome.FAIL, why, PROBE, subject, facts)
    if report.valid is True:
        valid = Finding(
            "spec.valid",
            Outcome.PASS,
            f"valid {report.format_label} ({report.validator})",
            PROBE,
            subject,
            facts,
        )
    elif report.valid is False:
        first = report.errors[0] if report.errors else "invalid"
        msg = f"invalid {report.format_label}: {len(report.errors)} error(s), first: {first}"
        valid = Finding("spec.valid", Outcome.FAIL, msg, PROBE, subject, facts)
    else:
        msg = f"not validated: {report.note or 'unsupported'}"
        valid = Finding("spec.valid", Outcome.UNKNOWN, msg, PROBE, subject, facts)
    return [fmt, valid]


async def spec_report(ctx: EntryContext) -> tuple[SpecReport | None, list[Finding]]:
    """The entry's spec analysis, computed once per entry (other probes await it)."""

    async def compute() -> tuple[SpecReport | None, list[Finding]]:
        entry = ctx.entry
        if not entry.spec_url and not entry.local_spec:
            msg = "no spec URL declared"
            return None, [Finding("spec.format_known", Outcome.FAIL, msg, PROBE)]
        data, fetched = await _load(ctx)
        if data is None:
            unknown = Finding(
                "spec.format_known",
                Outcome.UNKNOWN,
                f"spec not analysed: {fetched.message}",
                PROBE,
                fetched.subject,
            )
            return None, [fetched, unknown]
        report = await _analyse(ctx, data)
        return report, [fetched, *report_findings(report, fetched.subject)]

    result: tuple[SpecReport | None, list[Finding]] = await ctx.once("spec", compute)
    return result


async def probe(ctx: EntryContext) -> list[Finding]:
    _, findings = await spec_report(ctx)
    return findings
