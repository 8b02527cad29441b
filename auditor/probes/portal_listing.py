"""Probe: is the entry listed by an official portal (its catalog is an official one)?"""

from __future__ import annotations

from typing import Any

from auditor.model import Finding, Outcome
from auditor.probes.context import EntryContext

OFFICIAL_CATALOGS = {
    "api_gouv_fr": "api.gouv.fr, the French government's API catalog",
}
DATAGOUV_OFFICIAL_BADGES = frozenset({"public-service", "certified"})


async def probe(ctx: EntryContext) -> list[Finding]:
    entry = ctx.entry
    facts: dict[str, Any] = {"catalog": entry.catalog, "catalog_url": entry.catalog_url}
    if entry.catalog in OFFICIAL_CATALOGS:
        message = f"catalog: {entry.catalog} ({OFFICIAL_CATALOGS[entry.catalog]})"
        return [Finding("portal_listing", Outcome.PASS, message, "portal_listing", None, facts)]
    if entry.catalog == "datagouv":
        badges = set(entry.raw.get("organization_badges") or ())
        facts["organization_badges"] = sorted(badges)
        if badges & DATAGOUV_OFFICIAL_BADGES:
            message = f"catalog: datagouv, organisation badged {sorted(badges & DATAGOUV_OFFICIAL_BADGES)}"
            return [Finding("portal_listing", Outcome.PASS, message, "portal_listing", None, facts)]
        message = "catalog: datagouv, but the organisation has no public-service/certified badge"
        return [Finding("portal_listing", Outcome.FAIL, message, "portal_listing", None, facts)]
    message = f"catalog {entry.catalog!r} is not an official portal"
    return [Finding("portal_listing", Outcome.FAIL, message, "portal_listing", None, facts)]
