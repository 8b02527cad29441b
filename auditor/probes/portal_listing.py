"""Probe: is the entry listed by an official portal?

Two ways to pass, each with evidence a person can check:

* the entry came from an official catalog: ``Entry.catalog`` is
  ``api_gouv_fr``, or ``datagouv`` with an organisation badged
  ``public-service`` or ``certified``. Those ids are trusted because only the
  api.gouv.fr and data.gouv.fr sources, chosen by the user, may set them
  (``auditor.model.OFFICIAL_CATALOG_IDS``; a native file's
  ``catalog: api_gouv_fr`` is demoted to ``file`` by the catalog layer), and
  this probe accepts no other id, however it is spelled;
* the entry's ``catalog_url`` is a page of an official portal
  (``auditor/evidence/data/portals.yaml``) and that page, fetched here, links to the API's
  docs, homepage, base or spec URL from its own content (links in the site's
  header, navigation and footer, and links to the portal itself, do not
  count, so a record cannot borrow the portal's site-wide links).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from auditor import checks
from auditor.evidence.html_links import points_under
from auditor.evidence.portals import entry_badges, official_badges, portal_for
from auditor.model import OFFICIAL_CATALOG_IDS, Finding, Outcome
from auditor.probes.context import EntryContext
from auditor.probes.pages import page

PROBE = "portal_listing"
CHECK = checks.PORTAL_LISTING.id
CATALOG_NAMES = {
    "api_gouv_fr": "api.gouv.fr, the French government's API catalog",
    "datagouv": "data.gouv.fr, the French open data platform",
}
TARGET_FIELDS = ("docs_url", "homepage_url", "base_url", "spec_url")


def _finding(
    outcome: Outcome, message: str, facts: dict[str, Any], subject: str | None = None
) -> Finding:
    return Finding(CHECK, outcome, message, PROBE, subject, facts)


def _from_catalog(ctx: EntryContext, facts: dict[str, Any]) -> Finding | None:
    """A verdict from the entry's catalog id, or None when the catalog says nothing."""
    entry = ctx.entry
    if entry.catalog not in OFFICIAL_CATALOG_IDS or entry.catalog not in CATALOG_NAMES:
        return None
    if entry.catalog == "api_gouv_fr":
        portal = portal_for(entry.catalog_url)
        if entry.catalog_url and (portal is None or portal.catalog != "api_gouv_fr"):
            message = f"catalog: api_gouv_fr, but its catalog_url {entry.catalog_url} is not on api.gouv.fr"
            return _finding(Outcome.FAIL, message, facts, entry.catalog_url)
        where = f" ({entry.catalog_url})" if entry.catalog_url else ""
        message = f"catalog: api_gouv_fr ({CATALOG_NAMES['api_gouv_fr']}){where}"
        return _finding(Outcome.PASS, message, facts, entry.catalog_url)
    badges = entry_badges(entry)
    facts["organization_badges"] = badges
    official = official_badges(badges)
    if official:
        org = f" {entry.organization!r}" if entry.organization else ""
        message = f"catalog: datagouv, organisation{org} badged {', '.join(official)}"
        return _finding(Outcome.PASS, message, facts, entry.catalog_url)
    return None


async def _from_portal_page(ctx: EntryContext, facts: dict[str, Any]) -> Finding | None:
    entry = ctx.entry
    portal = portal_for(entry.catalog_url)
    if portal is None or entry.catalog_url is None:
        return None
    if not [s for s in urlsplit(entry.catalog_url).path.split("/") if s]:
        return None  # the portal's home page lists nothing in particular
    targets = {f: u for f in TARGET_FIELDS if (u := getattr(entry, f)) and portal_for(u) is None}
    facts["portal"] = portal.name
    listing = await page(ctx, entry.catalog_url)
    if not listing.read:
        outcome = Outcome.UNKNOWN if listing.unreachable else Outcome.FAIL
        message = f"could not read portal page {entry.catalog_url}: {listing.problem}"
        return _finding(outcome, message, facts, entry.catalog_url)
    for link in listing.links:
        if link.in_chrome or portal_for(link.url) is not None:
            continue
        for field, target in targets.items():
            if points_under(link.url, target):
                facts["link"] = {"href": link.href, "url": link.url, "line": link.line}
                message = (
                    f"portal page {link.where(entry.catalog_url)} ({portal.name}) "
                    f"links to the API's {field.removesuffix('_url')}: {link.url}"
                )
                return _finding(Outcome.PASS, message, facts, entry.catalog_url)
    shown = ", ".join(targets.values()) or "no URL of the entry"
    message = f"portal page {entry.catalog_url} ({portal.name}) does not link to {shown}"
    return _finding(Outcome.FAIL, message, facts, entry.catalog_url)


async def probe(ctx: EntryContext) -> list[Finding]:
    entry = ctx.entry
    facts: dict[str, Any] = {"catalog": entry.catalog, "catalog_url": entry.catalog_url}
    by_catalog = _from_catalog(ctx, facts)
    if by_catalog is not None and by_catalog.outcome is Outcome.PASS:
        return [by_catalog]
    by_page = await _from_portal_page(ctx, facts)
    if by_page is not None and by_page.outcome is not Outcome.FAIL:
        return [by_page]
    if by_catalog is not None:
        return [by_catalog]
    if by_page is not None:
        return [by_page]
    if entry.catalog == "datagouv":
        message = "catalog: datagouv, but the organisation has no public-service/certified badge"
    else:
        message = f"catalog {entry.catalog!r} is not an official portal, and no official portal page lists it"
    return [_finding(Outcome.FAIL, message, facts)]
