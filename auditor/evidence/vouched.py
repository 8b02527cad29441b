"""Domains an official portal vouches for: the hosts it lists for a public producer.

Public agencies, regions and cities often run APIs on domains no naming rule
covers (``insee.fr``, ``francetravail.io``, ``grandlyon.com``). An official
portal that lists such a host for a public producer is evidence a person can
check: the portal, the record and the date go into the finding. Two portals:

* **api.gouv.fr** (a checkout of its repository): every API's
  ``external_site``, ``doc_tech_external`` and absolute ``doc_tech_link``, and
  every producer's ``site``, when the producer file exists and its ``type`` is
  not a company or an association (api.gouv.fr also lists Enedis or GRDF,
  typed "Entreprise de service public");
* **data.gouv.fr** (saved ``/api/1/organizations/`` or ``/api/1/dataservices/``
  pages): the ``url`` of organisations badged ``public-service`` or
  ``certified``, and the URLs of their dataservices (never contact points).

Each host vouches for its registrable domain unless it sits on a shared
platform (``platforms.py``). During a run, an entry read from an official
catalog vouches for its own hosts in the same way (``entry_vouch``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from auditor.catalog.apigouv import find_checkout, front_matter
from auditor.catalog.base import text_value
from auditor.catalog.datagouv import is_dataservice, is_page
from auditor.evidence.domains import DomainList, DomainMatch, DomainMatcher, normalise_host
from auditor.evidence.platforms import vouchable
from auditor.evidence.portals import entry_badges, official_badges
from auditor.model import OFFICIAL_CATALOG_IDS, Entry

APIGOUV = "api.gouv.fr"
DATAGOUV = "data.gouv.fr"
NOT_PUBLIC_PRODUCER = re.compile(r"entreprise|soci[ée]t[ée]|association|company", re.I)
APIGOUV_FIELDS = ("external_site", "doc_tech_external", "doc_tech_link")
DATAGOUV_FIELDS = (
    "base_api_url",
    "machine_documentation_url",
    "endpoint_description_url",
    "technical_documentation_url",
    "business_documentation_url",
)
ENTRY_FIELDS = ("base_url", "spec_url", "docs_url", "homepage_url")


class VouchError(ValueError):
    """A portal dump that cannot be read as such; the message says why."""


@dataclass(frozen=True, slots=True)
class Vouched:
    """A portal's vouched domains, and the hosts it mentioned that vouch for nothing."""

    domains: DomainList
    left_out: tuple[tuple[str, str], ...] = ()
    """(host or record, why) for every mention that was not used."""

    def summary(self) -> str | None:
        """One line for the user: how many mentions were left out, and the main reasons."""
        if not self.left_out:
            return None
        reasons: dict[str, int] = {}
        for _, why in self.left_out:
            reasons[why] = reasons.get(why, 0) + 1
        top = sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))[:4]
        shown = "; ".join(f"{count} {why}" for why, count in top)
        return (
            f"list {self.domains.name}: {len(self.domains.domains)} domains vouched by "
            f"{self.domains.vouched_by}; {len(self.left_out)} mentions left out ({shown})"
        )


@dataclass
class _Collector:
    portal: str
    records: dict[str, str] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    left_out: list[tuple[str, str]] = field(default_factory=list)

    def add(self, url: Any, record: str) -> None:
        text = text_value(url)
        if text is None or not text.startswith(("http://", "https://")):
            return  # relative links point at the portal itself
        found = vouchable(text)
        if found.domain is None:
            self.left_out.append((found.host or text, found.refused or "unusable"))
            return
        self.records.setdefault(found.domain, record)
        self.counts[found.domain] = self.counts.get(found.domain, 0) + 1

    def refuse(self, what: str, why: str) -> None:
        self.left_out.append((what, why))

    def result(self, name: str, updated: str | None, source: str | None) -> Vouched:
        records = {
            domain: record
            + (f" (+{self.counts[domain] - 1} more)" if self.counts[domain] > 1 else "")
            for domain, record in self.records.items()
        }
        domains = DomainList(
            name, updated, frozenset(records), source, {}, records, vouched_by=self.portal
        )
        return Vouched(domains, tuple(self.left_out))


def _file_date(paths: list[Path]) -> str | None:
    try:
        newest = max(p.stat().st_mtime for p in paths)
    except (OSError, ValueError):
        return None
    return datetime.fromtimestamp(newest, UTC).date().isoformat()


def vouched_from_apigouv(path: Path, name: str | None, updated: str | None) -> Vouched:
    """The domains api.gouv.fr vouches for, from a checkout; raises CatalogError when not one."""
    api_dir, producers_dir = find_checkout(path)
    collector = _Collector(APIGOUV)
    producers: dict[str, dict[str, Any] | None] = {}
    read: list[Path] = []

    def producer(slug: str) -> dict[str, Any] | None:
        if slug not in producers:
            file = producers_dir / f"{slug}.md"
            try:
                producers[slug] = front_matter(file) if file.is_file() else None
            except (OSError, ValueError):
                producers[slug] = None
            if producers[slug] is not None:
                read.append(file)
        return producers[slug]

    def public(slug: str | None, what: str) -> dict[str, Any] | None:
        found = producer(slug) if slug else None
        if found is None:
            collector.refuse(what, "producer unknown")
            return None
        kind = text_value(found.get("type"))
        if kind and NOT_PUBLIC_PRODUCER.search(kind):
            collector.refuse(what, f"producer typed {kind!r}")
            return None
        return found

    for file in sorted(api_dir.glob("*.md")):
        try:
            record = front_matter(file)
        except (OSError, ValueError) as exc:
            collector.refuse(str(file), f"unreadable ({exc})")
            continue
        read.append(file)
        slug = text_value(record.get("producer"))
        if public(slug, f"API {file.stem}") is None:
            continue
        for key in APIGOUV_FIELDS:
            where = f"{file.parent.name}/{file.name}"
            url = text_value(record.get(key))
            collector.add(url, f"{APIGOUV} API {file.stem} (producer {slug}, {where}): {key} {url}")
    for file in sorted(producers_dir.glob("*.md")) if producers_dir.is_dir() else ():
        producer(file.stem)
    for slug in sorted(producers):
        found = producers[slug]
        if found is not None and public(slug, f"producer {slug}") is not None:
            site = text_value(found.get("site"))
            label = text_value(found.get("name")) or slug
            collector.add(site, f"{APIGOUV} producer {slug} ({label}): site {site}")
    return collector.result(name or "vouched-apigouv", updated or _file_date(read), str(path))


def _records(document: Any) -> Iterator[tuple[int, Any]]:
    """(position, record) of a page, a list of pages, a list of records or one record."""
    if is_page(document):
        yield from enumerate(document["data"], start=1)
    elif isinstance(document, list):
        if document and all(is_page(p) for p in document):
            items = [r for page in document for r in page["data"]]
            yield from enumerate(items, start=1)
        else:
            yield from enumerate(document, start=1)
    elif isinstance(document, dict):
        yield 1, document


def _badges(organization: Any) -> list[str]:
    badges = organization.get("badges") if isinstance(organization, dict) else None
    kinds = [b.get("kind") if isinstance(b, dict) else b for b in badges or []]
    return sorted({k.strip() for k in kinds if isinstance(k, str) and k.strip()})


def vouched_from_datagouv(text: str, source: str, name: str | None, updated: str | None) -> Vouched:
    """The domains data.gouv.fr vouches for, from saved organisation or dataservice pages."""
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise VouchError(f"not valid JSON: {exc}") from exc
    collector = _Collector(DATAGOUV)
    seen = 0
    for position, record in _records(document):
        if not isinstance(record, dict):
            continue
        dataservice = is_dataservice(record)
        organization = record.get("organization") if dataservice else record
        if not isinstance(organization, dict) or "badges" not in organization:
            continue
        seen += 1
        org = text_value(organization.get("name")) or text_value(organization.get("slug")) or "?"
        badges = _badges(organization)
        official = official_badges(badges)
        label = text_value(record.get("slug")) or text_value(record.get("title")) or f"#{position}"
        what = f"dataservice {label!r} of {org!r}" if dataservice else f"organisation {org!r}"
        if not official:
            collector.refuse(what, "organisation not badged public-service or certified")
            continue
        page = text_value(record.get("self_web_url")) or text_value(record.get("page"))
        cite = f"{DATAGOUV} {what} #{position}" + (f" ({page})" if page else "")
        cite += f", badged {', '.join(official)}"
        keys = DATAGOUV_FIELDS if dataservice else ("url",)
        for key in keys:
            url = text_value(record.get(key))
            collector.add(url, f"{cite}: {key} {url}")
    if not seen:
        raise VouchError("no data.gouv.fr organisation or dataservice records (with badges) found")
    return collector.result(name or "vouched-datagouv", updated, source)


def _entry_portal(entry: Entry) -> tuple[str, str] | None:
    """(portal, who the record is for) when the entry's own catalog vouches for its hosts."""
    if entry.catalog not in OFFICIAL_CATALOG_IDS:
        return None
    if entry.catalog == "api_gouv_fr":
        host = normalise_host(entry.catalog_url or APIGOUV) or ""
        if host != APIGOUV and not host.endswith("." + APIGOUV):
            return None  # not the portal's page: the portal_listing probe reports it
        kind = entry.raw.get("producer_type")
        if isinstance(kind, str) and NOT_PUBLIC_PRODUCER.search(kind):
            return None
        return APIGOUV, f"producer {entry.organization or '?'}"
    if entry.catalog == "datagouv":
        official = official_badges(entry_badges(entry))
        if official:
            return (
                DATAGOUV,
                f"organisation {entry.organization or '?'} badged {', '.join(official)}",
            )
    return None


def entry_vouch(entry: Entry) -> DomainList | None:
    """The domains the entry's own official-catalog record vouches for, or None."""
    found = _entry_portal(entry)
    if found is None:
        return None
    portal, who = found
    collector = _Collector(portal)
    where = entry.catalog_url or entry.origin or entry.id
    for key in ENTRY_FIELDS:
        url = getattr(entry, key)
        collector.add(url, f"this entry's {portal} record ({where}), {who}: {key} {url}")
    today = datetime.now(UTC).date().isoformat()
    return collector.result(f"{entry.catalog} record", today, where).domains


def own_record_match(entry: Entry, host: str) -> DomainMatch | None:
    """``host`` matched against what the entry's own official-catalog record vouches for."""
    own = entry_vouch(entry)
    if own is None:
        return None
    match = DomainMatcher((own,)).match(host)
    return match if match.listed else None
