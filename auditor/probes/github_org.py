"""Probe: is the spec, docs or homepage hosted under a government GitHub organisation?

Which organisations are governmental comes from a list (GitHub's government
list format); without one loaded, a GitHub-hosted URL is ``unknown``, not a
guess either way.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from auditor.model import Finding, Outcome
from auditor.probes.context import EntryContext

PROBE = "github_org"
CHECK = "government_github_org"


def github_org_of(url: str) -> str | None:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    segments = [s for s in parts.path.split("/") if s]
    if host in {"github.com", "www.github.com", "raw.githubusercontent.com"} and segments:
        return segments[0].lower()
    if host.endswith(".github.io"):
        return host.removesuffix(".github.io")
    return None


async def probe(ctx: EntryContext) -> list[Finding]:
    entry = ctx.entry
    urls = {f: u for f in ("spec_url", "docs_url", "homepage_url") if (u := getattr(entry, f))}
    orgs = {f: org for f, u in urls.items() if (org := github_org_of(u))}
    if not orgs:
        message = "no spec, docs or homepage URL on GitHub"
        return [Finding(CHECK, Outcome.FAIL, message, PROBE, None, {"urls": urls})]
    findings = []
    for field, org in orgs.items():
        message = f"GitHub organisation {org!r} ({field}): no government organisation list loaded"
        findings.append(
            Finding(
                CHECK, Outcome.UNKNOWN, message, PROBE, urls[field], {"org": org, "field": field}
            )
        )
    return findings
