"""Probe: is the spec, docs or homepage hosted under a government GitHub organisation?

Which organisations are governmental comes from lists in GitHub's government
list format: a small built-in one (``data/gov-github-orgs.yaml``) plus any
the user loads (``--github-org-list``, ``github_org_lists`` in auditor.toml).
The evidence names the organisation, the URL, the list, its section and line.
"""

from __future__ import annotations

from typing import Any

from auditor import checks
from auditor.evidence.orgs import github_org_of
from auditor.model import Finding, Outcome
from auditor.probes.context import EntryContext

PROBE = "github_org"
CHECK = checks.GOVERNMENT_GITHUB_ORG.id
FIELDS = ("spec_url", "docs_url", "homepage_url")

__all__ = ["github_org_of", "probe"]


async def probe(ctx: EntryContext) -> list[Finding]:
    entry = ctx.entry
    matcher = ctx.run.github_orgs
    checked = [f"{lst.name} ({len(lst.orgs)} organisations)" for lst in matcher.lists]
    urls = {f: u for f in FIELDS if (u := getattr(entry, f))}
    orgs = {f: org for f, u in urls.items() if (org := github_org_of(u))}
    facts: dict[str, Any] = {"urls": urls, "orgs": orgs, "lists_checked": checked}
    if not orgs:
        message = "no spec, docs or homepage URL on GitHub"
        return [Finding(CHECK, Outcome.FAIL, message, PROBE, None, facts)]
    for field, org in orgs.items():
        match = matcher.match(org)
        if match is None:
            continue
        facts.update(
            org=org,
            field=field,
            list=match.list_name,
            list_updated=match.list_updated,
            section=match.section,
            list_line=match.line,
            list_source=match.source,
        )
        dated = f" ({match.list_updated})" if match.list_updated else ""
        section = f", section {match.section!r}" if match.section else ""
        line = f" line {match.line}" if match.line else ""
        message = (
            f"GitHub organisation {org!r} ({field} {urls[field]}) is a government "
            f"organisation, list: {match.list_name}{dated}{line}{section}"
        )
        return [Finding(CHECK, Outcome.PASS, message, PROBE, urls[field], facts)]
    named = ", ".join(f"{org!r} ({field})" for field, org in orgs.items())
    message = f"GitHub organisation {named} is not on the government lists ({', '.join(checked)})"
    return [Finding(CHECK, Outcome.FAIL, message, PROBE, next(iter(urls.values())), facts)]
