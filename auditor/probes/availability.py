"""Probe: do the declared endpoints answer? One verification per run.

A verification succeeds when every declared API endpoint (base URL, spec URL)
answers without a 5xx within the timeout; 401/403 count as answering. A
policy refusal (private address, offline) is unknown, not down, and so is an
exchange that never left the auditing machine (its resolver gave no answer,
no route out): that is the auditor's network failing, not the API. The docs
page is reported too (not scored), from the one GET the page probes make.
"""

from __future__ import annotations

import asyncio

from auditor import checks
from auditor.model import Finding, Outcome
from auditor.net.fetcher import Purpose
from auditor.net.guard import url_problem
from auditor.net.observation import AUDITOR_SIDE, HttpObservation
from auditor.probes.context import EntryContext
from auditor.probes.pages import page

PROBE = "availability"
CERT_WARNING_DAYS = 14
NOT_MEASURED = frozenset({"refused", "bad_url", *AUDITOR_SIDE})
SCORED_ENDPOINTS = frozenset(checks.AVAILABILITY_ENDPOINTS[f].id for f in ("base_url", "spec_url"))
"""The endpoints whose answers make the verification (the docs page is only shown)."""


HEAD_REFUSED = frozenset({405, 501})
"""Statuses meaning "this server does not do HEAD": ask again with GET."""
HEAD_BROKEN = frozenset({"protocol", "reset"})
"""Some servers answer HEAD with garbage or hang up on it while GET works."""


async def head_or_get(ctx: EntryContext, url: str) -> HttpObservation:
    """HEAD where it is enough; GET when the server does not do HEAD."""
    observation = await ctx.fetch(url, method="HEAD")
    if observation.status in HEAD_REFUSED or observation.error_class in HEAD_BROKEN:
        observation = await ctx.fetch(url)
    return observation


async def docs_answer(ctx: EntryContext, url: str) -> HttpObservation:
    """The docs page's answer: the GET the page probes make anyway (one per run), no HEAD."""
    return (await page(ctx, url)).observation


def _endpoint_finding(field: str, obs: HttpObservation) -> Finding:
    if obs.error_class in NOT_MEASURED:
        outcome = Outcome.UNKNOWN
    else:
        outcome = Outcome.PASS if obs.answered else Outcome.FAIL
    return Finding(
        checks.AVAILABILITY_ENDPOINTS[field].id,
        outcome,
        f"{field}: {obs.describe()}",
        PROBE,
        obs.url,
        obs.facts(),
    )


def verification(endpoints: list[Finding], subject: str | None) -> Finding:
    """The verification from its endpoint findings: failed if a scored endpoint failed,
    succeeded if all of them answered, else not possible (unknown). The run loop asks
    this again when it finds, after the fact, that endpoint failures were its own."""
    scored = [f for f in endpoints if f.check in SCORED_ENDPOINTS]
    if any(f.outcome is Outcome.FAIL for f in scored):
        outcome = Outcome.FAIL
        message = "verification failed: " + "; ".join(
            f.message for f in scored if f.outcome is Outcome.FAIL
        )
    elif scored and all(f.outcome is Outcome.PASS for f in scored):
        outcome = Outcome.PASS
        message = "verification succeeded: " + "; ".join(f.message for f in scored)
    else:
        outcome = Outcome.UNKNOWN
        message = "verification not possible: " + "; ".join(f.message for f in scored)
    return Finding(checks.AVAILABILITY.id, outcome, message, PROBE, subject)


async def probe(ctx: EntryContext) -> list[Finding]:
    entry = ctx.entry
    endpoints = {}
    for field in ("base_url", "spec_url", "docs_url"):
        url = getattr(entry, field)
        if url and url_problem(url) is None:
            endpoints[field] = url
    if not endpoints.keys() & {"base_url", "spec_url"}:
        message = "no usable base URL or spec URL to verify"
        return [Finding(checks.AVAILABILITY.id, Outcome.UNKNOWN, message, PROBE)]
    tasks = {
        field: (
            ctx.fetch(url, purpose=Purpose.SPEC)
            if field == "spec_url"
            else docs_answer(ctx, url)
            if field == "docs_url"
            else head_or_get(ctx, url)
        )
        for field, url in endpoints.items()
    }
    observations = dict(zip(tasks, await asyncio.gather(*tasks.values()), strict=True))
    findings = [_endpoint_finding(f, o) for f, o in observations.items()]
    findings.append(verification(findings, entry.base_url or entry.spec_url))
    for field, obs in observations.items():
        if obs.cert_days_left is not None:
            ok = obs.cert_days_left >= CERT_WARNING_DAYS
            findings.append(
                Finding(
                    checks.TLS_CERTIFICATE_EXPIRY.id,
                    Outcome.PASS if ok else Outcome.FAIL,
                    f"{field}: TLS certificate expires in {obs.cert_days_left} days",
                    PROBE,
                    obs.url,
                    {"days_left": obs.cert_days_left, "tls_version": obs.tls_version},
                )
            )
    return findings
