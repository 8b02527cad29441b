"""One entry's report page as plain data: header, trust score, official proof, badge.

The view is built once from a result of the JSON results document and the
methodology, then rendered by both the HTML and the Markdown template, so
the two formats can never disagree. Untrusted strings stay raw here; the
templates escape them (HTML) or run them through the ``md*`` filters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import quote

from markupsafe import Markup

from auditor.methodology.model import Methodology
from auditor.render.badge import Badge, badge_for, safe_color
from auditor.render.findings import Findings, items, mapping, number, text
from auditor.render.language import ENGLISH, N_, Language
from auditor.render.markdown import markdown_html
from auditor.render.spec_view import SpecView, spec_view
from auditor.render.text import contact_url, safe_url

OFFICIALNESS_AXIS = "officialness"
PUBLIC_SECTOR = N_("Public Sector API")


@dataclass(frozen=True, slots=True)
class Link:
    text: str
    url: str | None  # None: show the text, it is not a safe link


@dataclass(frozen=True, slots=True)
class SignalRow:
    name: str
    outcome: str
    points: str
    evidence: str


@dataclass(frozen=True, slots=True)
class AxisRow:
    id: str
    name: str
    weight: float
    share: float  # weight as a percentage of all weights
    score: float | None
    score_text: str
    reason: str
    signals: tuple[SignalRow, ...]
    unestablished: bool = False
    """Scored, but no signal of it was established: the score is the methodology's
    points for an unknown (licence "none found" scores 50), not a measurement."""
    reason_recorded: bool = False
    """The reason is the results document's text, in the language it was scored in,
    not the page's: the page marks it so (``lang="en"``)."""


@dataclass(frozen=True, slots=True)
class ProofRow:
    name: str
    outcome: str
    points: str
    evidence: str
    links: tuple[Link, ...]
    facts: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class BadgeView:
    badge: Badge
    src: str  # the SVG, relative to the entry page
    image_url: str
    page_url: str
    endpoint_url: str | None
    shields_url: str | None  # shields.io's endpoint badge, when the site has a public URL
    markdown: str
    html: str
    rst: str


@dataclass(frozen=True, slots=True)
class EntryView:
    id: str
    name: str
    title: str
    organization: str | None
    description: str | None
    description_html: Markup
    catalog: str | None
    catalog_url: str | None
    category: str
    links: tuple[tuple[str, Link], ...]
    license: str | None
    tags: tuple[str, ...]
    score: float | None
    score_text: str
    tier: str | None
    tier_color: str
    assessed_at: str | None
    axes: tuple[AxisRow, ...]
    proof: tuple[ProofRow, ...]
    spec: SpecView
    badge: BadgeView
    coverage: str | None = None
    """"composite over 75 % of the weights (availability unknown)", or None when all count."""


@dataclass(frozen=True, slots=True)
class SiteLinks:
    """Where the site is published (``base_url``), for badge snippets people copy."""

    base_url: str | None = None
    badge_label: str = "trust score"


def _points(points: Any, max_points: Any, tr: Language) -> str:
    earned, possible = number(points), number(max_points)
    top = tr.gettext("unknown") if earned is None else tr.number(earned)
    return top if possible is None else f"{top}/{tr.number(possible)}"


def _name(recorded: Any, fallback: Any, described: str | None, tr: Language) -> str:
    """The results' name in English (as it always was); the methodology's, in the page's
    language, on a page in another language (the results keep the English one)."""
    if not tr.english and described:
        return described
    return str(recorded or fallback or "?")


def _signals(
    axis: Mapping[str, Any], names: Mapping[str, str], tr: Language
) -> tuple[SignalRow, ...]:
    rows = []
    for signal in axis.get("signals") or []:
        if isinstance(signal, Mapping):
            rows.append(
                SignalRow(
                    name=_name(
                        signal.get("name"), signal.get("id"), names.get(str(signal.get("id"))), tr
                    ),
                    outcome=str(signal.get("outcome") or "unknown"),
                    points=_points(signal.get("points"), signal.get("max_points"), tr),
                    evidence=str(signal.get("evidence") or ""),
                )
            )
    return tuple(rows)


def axis_rows(
    result: Mapping[str, Any],
    methodology: Methodology,
    tr: Language | None = None,
    retold: bool = False,
) -> tuple[AxisRow, ...]:
    """One row per methodology axis, in methodology order; a missing axis is unknown.

    ``retold``: the result's reasons are already in ``tr``'s language
    (:func:`auditor.render.retell.retold`); otherwise a page in another language
    than English marks them as the English text they were recorded in."""
    tr = tr or ENGLISH
    axes = mapping(result.get("axes"))
    total = sum(a.weight for a in methodology.axes) or 1.0
    rows = []
    for axis in methodology.axes:
        data = mapping(axes.get(axis.id))
        score = number(data.get("score"))
        recorded = text(data.get("reason"))
        reason = recorded or (tr.gettext("Unknown: not assessed") if not data else "")
        signals = _signals(data, {s.id: s.name for s in axis.signals}, tr)
        rows.append(
            AxisRow(
                id=axis.id,
                name=_name(data.get("name"), axis.name, axis.name, tr),
                weight=axis.weight,
                share=round(100 * axis.weight / total, 1),
                score=score,
                score_text=tr.number(score),
                reason=reason,
                signals=signals,
                unestablished=score is not None
                and bool(signals)
                and all(s.outcome in ("unknown", "error") for s in signals),
                reason_recorded=recorded is not None and not tr.english and not retold,
            )
        )
    return tuple(rows)


def _fact_links(facts: Mapping[str, Any]) -> list[Link]:
    links = []
    for key in ("catalog_url", "url", "urls", "tried", "matched_url"):
        values = facts.get(key)
        for value in values if isinstance(values, list) else [values]:
            if isinstance(value, str) and value:
                links.append(Link(value, safe_url(value)))
    return links


def _scalar_facts(facts: Mapping[str, Any]) -> list[tuple[str, str]]:
    shown = []
    for key, value in facts.items():
        if key in {"catalog_url", "url", "urls", "tried", "field", "matched_url"}:
            continue
        if isinstance(value, bool):
            shown.append((str(key), "yes" if value else "no"))
        elif isinstance(value, str | int | float) and value != "":
            shown.append((str(key), str(value)))
    return shown[:8]


def proof_rows(
    result: Mapping[str, Any],
    methodology: Methodology,
    findings: Findings,
    tr: Language | None = None,
) -> tuple[ProofRow, ...]:
    tr = tr or ENGLISH
    axis = next((a for a in methodology.axes if a.id == OFFICIALNESS_AXIS), None)
    if axis is None:
        return ()
    checks = {s.id: s.check for s in axis.signals}
    names = {s.id: s.name for s in axis.signals}
    raw = (result.get("axes") or {}).get(axis.id) or {}
    rows = []
    for signal in raw.get("signals") or []:
        if not isinstance(signal, Mapping):
            continue
        links: dict[str, Link] = {}
        facts: list[tuple[str, str]] = []
        for finding in findings.all(checks.get(str(signal.get("id")), "")):
            subject = finding.get("subject")
            if isinstance(subject, str) and subject:
                links.setdefault(subject, Link(subject, safe_url(subject)))
            finding_facts = finding.get("facts")
            if isinstance(finding_facts, Mapping):
                for link in _fact_links(finding_facts):
                    links.setdefault(link.text, link)
                facts.extend(f for f in _scalar_facts(finding_facts) if f not in facts)
        rows.append(
            ProofRow(
                name=_name(
                    signal.get("name"), signal.get("id"), names.get(str(signal.get("id"))), tr
                ),
                outcome=str(signal.get("outcome") or "unknown"),
                points=_points(signal.get("points"), signal.get("max_points"), tr),
                evidence=str(signal.get("evidence") or ""),
                links=tuple(links.values())[:6],
                facts=tuple(facts[:8]),
            )
        )
    return tuple(rows)


def category(result: Mapping[str, Any], findings: Findings) -> str:
    """ "Public Sector API" when the official-domain proof passed, else "API"."""
    if findings.by_check:
        return PUBLIC_SECTOR if findings.passed("official_domain") else N_("API")
    signals = ((result.get("axes") or {}).get(OFFICIALNESS_AXIS) or {}).get("signals") or []
    official = any(
        isinstance(s, Mapping) and s.get("id") == "official-domain" and s.get("outcome") == "pass"
        for s in signals
    )
    return PUBLIC_SECTOR if official else N_("API")


def badge_view(
    result: Mapping[str, Any], methodology: Methodology, name: str, site: SiteLinks
) -> BadgeView:
    badge = badge_for(dict(result), methodology, site.badge_label)
    root = site.base_url.rstrip("/") + "/" if site.base_url else ""
    image_url = f"{root}badges/{name}.svg"
    page_url = f"{root}entries/{name}.html"
    endpoint = f"{root}badges/{name}.json" if root else None
    alt = badge.text.replace("[", "(").replace("]", ")")
    esc = Markup.escape
    return BadgeView(
        badge=badge,
        src=f"../badges/{name}.svg",
        image_url=image_url,
        page_url=page_url,
        endpoint_url=endpoint,
        shields_url=f"https://img.shields.io/endpoint?url={quote(endpoint, safe='')}"
        if endpoint
        else None,
        markdown=f"[![{alt}]({image_url})]({page_url})",
        html=f'<a href="{esc(page_url)}"><img src="{esc(image_url)}" alt="{esc(badge.text)}"></a>',
        rst=f".. image:: {image_url}\n   :alt: {alt}\n   :target: {page_url}",
    )


LINK_LABELS = (
    ("base_url", N_("Base URL")),
    ("spec_url", N_("Spec")),
    ("docs_url", N_("Documentation")),
    ("homepage_url", N_("Homepage")),
)


def _link_list(entry: Mapping[str, Any], tr: Language) -> tuple[tuple[str, Link], ...]:
    links = []
    for key, label in LINK_LABELS:
        value = entry.get(key)
        if isinstance(value, str) and value:
            links.append((tr.gettext(label), Link(value, safe_url(value))))
    contact = entry.get("contact")
    if isinstance(contact, str) and contact:
        links.append((tr.gettext("Contact"), Link(contact, contact_url(contact))))
    return tuple(links)


class Weighted(Protocol):
    """An axis as the page (``AxisRow``) and the engine (``AxisScore``) both have it."""

    @property
    def name(self) -> str: ...
    @property
    def weight(self) -> float: ...
    @property
    def score(self) -> float | None: ...


def coverage_note(axes: Sequence[Weighted], tr: Language | None = None) -> str | None:
    """What share of the weights the composite stands on, when an axis is unknown: the
    composite is the weighted mean of the known axes only. The page and the terminal table
    say it in these words."""
    tr = tr or ENGLISH
    unknown = [a for a in axes if a.score is None]
    total = sum(a.weight for a in axes)
    if not unknown or not total:
        return None
    share = round(100 * sum(a.weight for a in axes if a.score is not None) / total, 1)
    names = ", ".join(a.name.lower() for a in unknown)
    return tr.gettext("composite over %(share)s %% of the weights (%(names)s unknown)") % {
        "share": tr.number(share),
        "names": names,
    }


def entry_view(
    result: Mapping[str, Any],
    methodology: Methodology,
    name: str,
    now: datetime,
    site: SiteLinks | None = None,
    tr: Language | None = None,
    retold: bool = False,
) -> EntryView:
    """The view of ``result`` in ``tr``'s language (English by default); ``methodology`` is
    the one described in that language (``Methodology.localized``)."""
    site = site or SiteLinks()
    tr = tr or ENGLISH
    entry = mapping(result.get("entry"))
    findings = Findings(result)
    score = number(result.get("score"))
    tier = methodology.tier_by_id(result.get("tier"))
    description = text(entry.get("description"))
    tags = items(entry.get("tags"))
    return EntryView(
        id=str(result.get("id") or ""),
        name=name,
        title=str(result.get("title") or entry.get("title") or result.get("id") or ""),
        organization=text(result.get("organization")),
        description=description,
        description_html=Markup(markdown_html(description)),
        catalog=text(entry.get("catalog")),
        catalog_url=safe_url(entry.get("catalog_url")),
        category=tr.gettext(category(result, findings)),
        links=_link_list(entry, tr),
        license=text(entry.get("license")),
        tags=tuple(str(t) for t in tags if isinstance(t, str | int | float)),
        score=score,
        score_text=tr.number(score),
        tier=tier.name if tier else None,
        tier_color=safe_color(tier.color if tier else None),
        assessed_at=text(result.get("assessed_at")),
        axes=(axes := axis_rows(result, methodology, tr, retold)),
        coverage=coverage_note(axes, tr) if score is not None else None,
        proof=proof_rows(result, methodology, findings, tr),
        spec=spec_view(result, findings, now, tr),
        badge=badge_view(result, methodology, name, site),
    )
