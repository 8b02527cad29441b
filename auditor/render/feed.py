"""Atom feeds of what changed (RFC 4287): the catalog's ``feed.xml`` and one per entry.

A feed reader subscribed to them hears of every score, tier and spec change
the report shows, and of each incident (an entry went down, it recovered).
Entry ids are ``urn:uuid:`` names derived from the catalog's sources, the
entry id, the run and the kind of event, so rendering the site again never
makes a reader see an old change as new; ``updated`` is the time of the
run that saw it, never the time of rendering.

Text goes through the one template environment (``reports/feed.xml.j2``,
autoescaped, control characters replaced), so a hostile title cannot break
the XML; the HTML content of an entry is escaped once more as Atom's
``type="html"`` wants.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from auditor import __version__
from auditor.render.change_view import ChangeRow
from auditor.render.templates import render_template
from auditor.render.uptime import Incident

MAX_CATALOG_ENTRIES = 200
"""The catalog feed keeps the newest events (each entry's own feed keeps its whole window)."""


@dataclass(frozen=True, slots=True)
class FeedEntry:
    id: str
    title: str
    updated: str
    href: str
    summary: str
    html: str
    categories: tuple[str, ...] = ()


def feed_id(identity: str, key: str) -> str:
    """A stable ``urn:uuid:`` for ``key`` within the catalog named by ``identity``."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"auditor:{identity}:{key}").urn


def change_html(row: ChangeRow) -> str:
    """The change as an HTML fragment (the same as on the entry page)."""
    return str(render_template("feed_change.html.j2", c=row))


def change_entry(identity: str, row: ChangeRow, href: str, html: str | None = None) -> FeedEntry:
    categories = ["breaking"] if row.breaking else []
    if row.tier_change:
        categories.append("tier")
    if row.spec is not None:
        categories.append("spec")
    return FeedEntry(
        id=feed_id(identity, f"change/{row.key}"),
        title=f"{row.title}: {row.headline}",
        updated=row.at,
        href=href,
        summary=f"{row.title} (run {row.run_id}, {row.date}): {row.headline}",
        html=html if html is not None else change_html(row),
        categories=tuple(categories),
    )


def incident_entries(
    identity: str, entry_id: str, title: str, found: Iterable[Incident], href: str
) -> list[FeedEntry]:
    """A "down" entry per incident, and a "recovered" one for each that ended."""
    entries = []
    for incident in found:
        since = incident.start
        entries.append(
            FeedEntry(
                id=feed_id(identity, f"down/{entry_id}/{since}"),
                title=f"{title} is down: {incident.first_error}",
                updated=since,
                href=href,
                summary=f"{title}: verification failed at {since}: {incident.first_error}",
                html="",
                categories=("incident",),
            )
        )
        if incident.end is not None:
            entries.append(
                FeedEntry(
                    id=feed_id(identity, f"up/{entry_id}/{since}"),
                    title=f"{title} recovered after {incident.duration}",
                    updated=incident.end,
                    href=href,
                    summary=(
                        f"{title}: answering again at {incident.end} after {incident.failed} "
                        f"failed verification(s) since {since}"
                    ),
                    html="",
                    categories=("incident",),
                )
            )
    return entries


def atom_feed(
    identity: str,
    key: str,
    *,
    title: str,
    subtitle: str,
    self_href: str,
    page_href: str,
    entries: Sequence[FeedEntry],
    updated: str,
    limit: int | None = None,
) -> str:
    """The feed document; ``updated`` is used when there is no entry.

    Links are as given: absolute with ``--base-url``, else relative to the feed's own place
    (readers resolve them against the feed's URL)."""
    ordered = sorted(entries, key=lambda e: (e.updated, e.id), reverse=True)
    if limit is not None:
        ordered = ordered[:limit]
    return render_template(
        "feed.xml.j2",
        id=feed_id(identity, f"feed/{key}"),
        title=title,
        subtitle=subtitle,
        updated=ordered[0].updated if ordered else updated,
        self_href=self_href,
        page_href=page_href,
        entries=ordered,
        version=__version__,
    )
