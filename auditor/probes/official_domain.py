"""Probe: is the API served from an official government domain?

The base URL decides (the spec URL is reported separately as
``official_domain.spec_url``, not scored): a government API whose spec sits
on a CDN is still a government API.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from auditor.model import Finding, Outcome
from auditor.probes.context import EntryContext

PROBE = "official_domain"


def _finding(ctx: EntryContext, check: str, field: str, url: str) -> Finding:
    host = urlsplit(url).hostname
    if not host:
        return Finding(check, Outcome.ERROR, f"{field} has no host: {url}", PROBE, url)
    match = ctx.run.domains.match(host)
    facts = {
        "field": field,
        "host": match.host,
        "registrable_domain": match.registrable,
        "listed_as": match.listed,
        "list": match.list_name,
        "list_updated": match.list_updated,
    }
    if match.listed:
        message = f"official domain ({match.registrable}), list: {match.list_name}"
        return Finding(check, Outcome.PASS, message, PROBE, url, facts)
    shown = match.registrable or match.host
    message = f"{shown} is not on any official domain list ({field})"
    return Finding(check, Outcome.FAIL, message, PROBE, url, facts)


async def probe(ctx: EntryContext) -> list[Finding]:
    entry = ctx.entry
    findings = []
    primary = next(
        ((f, u) for f in ("base_url", "spec_url", "homepage_url") if (u := getattr(entry, f))),
        None,
    )
    if primary is None:
        findings.append(Finding("official_domain", Outcome.UNKNOWN, "no URL to check", PROBE, None))
    else:
        findings.append(_finding(ctx, "official_domain", *primary))
    if entry.spec_url and (primary is None or primary[0] != "spec_url"):
        findings.append(_finding(ctx, "official_domain.spec_url", "spec_url", entry.spec_url))
    return findings
