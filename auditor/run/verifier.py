"""Run every probe on an entry and gather the findings; nothing here scores.

A probe that breaks yields an ``error`` finding naming the entry and the
probe; an entry that overruns its time budget keeps what finished and says
what did not. One bad entry never stops a run.
"""

from __future__ import annotations

import asyncio

from auditor import checks
from auditor.model import Entry, Finding, Outcome
from auditor.probes import OFFLINE_PROBES, PROBES, Probe
from auditor.probes.context import EntryContext, RunContext


async def _run_probe(name: str, probe: Probe, ctx: EntryContext) -> list[Finding]:
    try:
        return await probe(ctx)
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        message = f"{ctx.entry.id}: probe {name} failed: {type(exc).__name__}: {exc}"
        return [Finding(checks.PROBE_FAILED[name].id, Outcome.ERROR, message, name)]


async def verify_entry(entry: Entry, run: RunContext) -> list[Finding]:
    ctx = EntryContext(entry, run)
    tasks = {
        name: asyncio.ensure_future(_run_probe(name, probe, ctx))
        for name, probe in PROBES.items()
        if name not in OFFLINE_PROBES
    }
    # meanwhile, the probes that only read the entry and the run's lists, in this task
    offline = {name: await _run_probe(name, PROBES[name], ctx) for name in OFFLINE_PROBES}
    try:
        done, pending = await asyncio.wait(
            tasks.values(), timeout=run.settings.limits.entry_timeout
        )
    except asyncio.CancelledError:
        # the run is stopping (Ctrl-C, a caller that stopped reading): the probes stop with
        # it, before the fetcher they use is closed
        for task in tasks.values():
            task.cancel()
        ctx.cancel_pending()
        await asyncio.gather(*tasks.values(), return_exceptions=True)
        raise
    findings: list[Finding] = []
    for name in PROBES:  # in the registry's order, however they ran
        probing = tasks.get(name)
        if probing is None:
            findings.extend(offline[name])
        elif probing in done:
            findings.extend(probing.result())
        else:
            probing.cancel()
            message = (
                f"{entry.id}: probe {name} did not finish within the "
                f"{run.settings.limits.entry_timeout:g}s entry budget"
            )
            findings.append(Finding(checks.PROBE_FAILED[name].id, Outcome.ERROR, message, name))
    if pending:
        ctx.cancel_pending()
        await asyncio.gather(*pending, return_exceptions=True)
    return findings
