"""Probe: do the API's own pages link back to its catalog entry or its publisher?

The docs page and the homepage (each fetched once, 2 MB cap, no link
followed) pass when one of their links points to:

* the catalog entry (``Entry.catalog_url``, or a page below it), or
* the publisher's official site: a host on an official domain list, under a
  registrable domain one of the entry's own URLs is official under, from a
  page on another registrable domain (docs hosted by a contractor linking to
  the ministry's site). Links within one domain are navigation, not a link
  back, and an official page's links to other government sites vouch for
  nothing about this API.

A page that could not be fetched makes the verdict unknown unless another
page already passed; a page that answered without such a link is a fail.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from auditor import checks
from auditor.evidence.html_links import Link, Page, points_under, same_site
from auditor.model import ENTRY_URL_FIELDS, Finding, Outcome
from auditor.probes.context import EntryContext
from auditor.probes.pages import page

PROBE = "reciprocal_link"
CHECK = checks.RECIPROCAL_LINK.id
PAGES = ("docs_url", "homepage_url")


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def publisher_domains(ctx: EntryContext) -> dict[str, str]:
    """Registrable domain -> the list that makes it official, over the entry's own URLs."""
    found: dict[str, str] = {}
    for field in ENTRY_URL_FIELDS:
        url = getattr(ctx.entry, field)
        host = _host(url) if url else ""
        if not host:
            continue
        match = ctx.run.domains.match(host)
        if match.listed and match.registrable:
            found.setdefault(match.registrable, match.list_name or "")
    return found


def _link_back(
    ctx: EntryContext, read: Page, publishers: dict[str, str]
) -> tuple[str, Link] | None:
    catalog_url = ctx.entry.catalog_url
    page_host = _host(read.observation.final_url or read.url)
    page_domain = ctx.run.domains.registrable(page_host) if page_host else None
    for link in read.links:
        if catalog_url and points_under(link.url, catalog_url):
            return f"the catalog entry {catalog_url}", link
    for link in read.links:
        host = _host(link.url)
        if not host or same_site(host, page_host):
            continue
        match = ctx.run.domains.match(host)
        if match.listed and match.registrable in publishers and match.registrable != page_domain:
            return (
                f"the publisher's official site ({match.registrable}, list: {match.list_name})",
                link,
            )
    return None


async def probe(ctx: EntryContext) -> list[Finding]:
    entry = ctx.entry
    urls = dict.fromkeys(u for f in PAGES if (u := getattr(entry, f)))
    publishers = publisher_domains(ctx)
    facts: dict[str, Any] = {
        "pages": list(urls),
        "catalog_url": entry.catalog_url,
        "publisher_domains": sorted(publishers),
    }
    if not urls:
        return [
            Finding(
                CHECK,
                Outcome.FAIL,
                "no docs or homepage URL to look for a link back",
                PROBE,
                None,
                facts,
            )
        ]
    if not entry.catalog_url and not publishers:
        message = "nothing to link back to: no catalog entry URL and no official publisher domain"
        return [Finding(CHECK, Outcome.FAIL, message, PROBE, None, facts)]
    unchecked: list[str] = []
    looked: list[str] = []
    for url in urls:
        read = await page(ctx, url)
        if not read.read:
            (unchecked if read.unreachable else looked).append(f"{url}: {read.problem}")
            continue
        found = _link_back(ctx, read, publishers)
        if found is not None:
            target, link = found
            facts["link"] = {
                "page": url,
                "href": link.href,
                "url": link.url,
                "line": link.line,
                "text": link.text,
            }
            message = f"{link.where(url)} links to {target}: {link.url}"
            return [Finding(CHECK, Outcome.PASS, message, PROBE, url, facts)]
        looked.append(f"{url}: {len(read.links)} links, none back")
    facts["looked"] = looked
    facts["unchecked"] = unchecked
    wanted = " or ".join(
        [f"the catalog entry {entry.catalog_url}"] * bool(entry.catalog_url)
        + [f"the publisher's site ({', '.join(sorted(publishers))})"] * bool(publishers)
    )
    if unchecked:
        message = "could not check: " + "; ".join(unchecked + looked)
        return [Finding(CHECK, Outcome.UNKNOWN, message, PROBE, None, facts)]
    message = f"no link back to {wanted}: " + "; ".join(looked)
    return [Finding(CHECK, Outcome.FAIL, message, PROBE, None, facts)]
