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
from auditor.render.language import ENGLISH, Language
from auditor.render.uptime import Incident, duration_text

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


def change_html(row: ChangeRow, tr: Language = ENGLISH) -> str:
    """The change as an HTML fragment (the same as on the entry page)."""
    return str(tr.render("feed_change.html.j2", c=row))


def change_entry(
    identity: str, row: ChangeRow, href: str, html: str | None = None, tr: Language = ENGLISH
) -> FeedEntry:
    """``row`` is already in ``tr``'s language; ``tr`` words the entry's title and summary."""
    categories = ["breaking"] if row.breaking else []
    if row.tier_change:
        categories.append("tier")
    if row.spec is not None:
        categories.append("spec")
    return FeedEntry(
        id=feed_id(identity, f"change/{row.key}"),
        title=tr.gettext("%(title)s: %(headline)s")
        % {"title": row.title, "headline": row.headline},
        updated=row.at,
        href=href,
        summary=tr.gettext("%(title)s (run %(run)s, %(date)s): %(headline)s")
        % {"title": row.title, "run": row.run_id, "date": row.date, "headline": row.headline},
        html=html if html is not None else change_html(row, tr),
        categories=tuple(categories),
    )


def incident_entries(
    identity: str,
    entry_id: str,
    title: str,
    found: Iterable[Incident],
    href: str,
    tr: Language = ENGLISH,
) -> list[FeedEntry]:
    """A "down" entry per incident, and a "recovered" one for each that ended, worded in
    ``tr``'s language (the first error as the audit recorded it)."""
    entries = []
    for incident in found:
        since = incident.start
        error = incident.first_error
        at = tr.timestamp(since)
        entries.append(
            FeedEntry(
                id=feed_id(identity, f"down/{entry_id}/{since}"),
                title=tr.gettext("%(title)s is down: %(error)s") % {"title": title, "error": error},
                updated=since,
                href=href,
                summary=tr.gettext("%(title)s: verification failed at %(time)s: %(error)s")
                % {"title": title, "time": at, "error": error},
                html="",
                categories=("incident",),
            )
        )
        if incident.end is not None:
            entries.append(
                FeedEntry(
                    id=feed_id(identity, f"up/{entry_id}/{since}"),
                    title=tr.gettext("%(title)s recovered after %(duration)s")
                    % {"title": title, "duration": duration_text(incident.duration_s, tr)},
                    updated=incident.end,
                    href=href,
                    summary=tr.ngettext(
                        "%(title)s: answering again at %(time)s after %(num)d failed "
                        "verification(s) since %(since)s",
                        "%(title)s: answering again at %(time)s after %(num)d failed "
                        "verification(s) since %(since)s",
                        incident.failed,
                    )
                    % {
                        "title": title,
                        "time": tr.timestamp(incident.end),
                        "num": incident.failed,
                        "since": at,
                    },
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
    tr: Language = ENGLISH,
) -> str:
    """The feed document; ``updated`` is used when there is no entry. A feed in another
    language than English says which (``xml:lang`` on ``<feed>``).

    Links are as given: absolute with ``--base-url``, else relative to the feed's own place
    (readers resolve them against the feed's URL)."""
    ordered = sorted(entries, key=lambda e: (e.updated, e.id), reverse=True)
    if limit is not None:
        ordered = ordered[:limit]
    return tr.render(
        "feed.xml.j2",
        xml_lang=None if tr.english else tr.code,
        id=feed_id(identity, f"feed/{key}"),
        title=title,
        subtitle=subtitle,
        updated=ordered[0].updated if ordered else updated,
        self_href=self_href,
        page_href=page_href,
        entries=ordered,
        version=__version__,
    )
