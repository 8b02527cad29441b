"""Probe: is the API served from an official government domain?

The base URL decides (the spec URL is reported separately as
``official_domain.spec_url``, not scored): a government API whose spec sits
on a CDN is still a government API. Matching is label-wise on the host (see
``domains.py``), against the built-in government suffixes and any list the
user loaded; the evidence names the list, its date and the line that matched.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from auditor import checks
from auditor.evidence.domains import DomainMatch
from auditor.evidence.vouched import own_record_match
from auditor.model import Finding, Outcome
from auditor.probes.context import EntryContext

PROBE = "official_domain"
CHECK = checks.OFFICIAL_DOMAIN.id
SPEC_URL_CHECK = checks.OFFICIAL_DOMAIN_SPEC_URL.id


def describe_match(match: DomainMatch) -> str:
    """``official domain (data.gouv.fr), list: gov-suffixes (2026-11-26) line 8: gouv.fr``.

    A vouched domain names the portal and its record; a convention its country,
    level and source.
    """
    dated = f" ({match.list_updated})" if match.list_updated else ""
    line = f" line {match.list_line}" if match.list_line else ""
    shown = match.registrable or match.host
    if match.listed and len(match.listed) > len(shown):
        shown = match.listed  # the list vouches for a host below the registrable domain
    if match.vouched_by:
        return (
            f"official domain ({shown}), vouched by {match.vouched_by} "
            f"(list: {match.list_name}{dated}): {match.list_record}"
        )
    record = f" ({match.list_record})" if match.list_record else ""
    return (
        f"official domain ({shown}), list: {match.list_name}{dated}{line}: {match.listed}{record}"
    )


def _match(ctx: EntryContext, host: str) -> DomainMatch:
    """The run's lists first (built-in suffixes and world conventions, loaded lists,
    domains official portals vouch for); else, for an entry read from an official
    catalog, what its own record vouches for (``auditor/evidence/vouched.py``)."""
    match = ctx.run.domains.match(host)
    if match.listed:
        return match
    return own_record_match(ctx.entry, host) or match


def _finding(ctx: EntryContext, check: str, field: str, url: str) -> Finding:
    try:
        host = urlsplit(url).hostname
    except ValueError:
        host = None
    if not host:
        return Finding(check, Outcome.ERROR, f"{field} has no host: {url}", PROBE, url)
    match = _match(ctx, host)
    facts = {
        "field": field,
        "host": match.host,
        "registrable_domain": match.registrable,
        "listed_as": match.listed,
        "list": match.list_name,
        "list_updated": match.list_updated,
        "list_line": match.list_line,
        "list_source": match.list_source,
        "lists_checked": [d.name for d in ctx.run.domains.lists],
    }
    if match.vouched_by:
        facts["vouched_by"] = match.vouched_by
    if match.list_record:
        facts["list_record"] = match.list_record
    if match.listed:
        return Finding(check, Outcome.PASS, describe_match(match), PROBE, url, facts)
    shown = match.registrable or match.host
    checked = ", ".join(d.name for d in ctx.run.domains.lists)
    message = f"{shown} ({field}) is not on any official domain list (checked: {checked})"
    return Finding(check, Outcome.FAIL, message, PROBE, url, facts)


async def probe(ctx: EntryContext) -> list[Finding]:
    entry = ctx.entry
    findings = []
    primary = next(
        ((f, u) for f in ("base_url", "spec_url", "homepage_url") if (u := getattr(entry, f))),
        None,
    )
    if primary is None:
        findings.append(Finding(CHECK, Outcome.UNKNOWN, "no URL to check", PROBE, None))
    else:
        findings.append(_finding(ctx, CHECK, *primary))
    if entry.spec_url and (primary is None or primary[0] != "spec_url"):
        findings.append(_finding(ctx, SPEC_URL_CHECK, "spec_url", entry.spec_url))
    return findings
