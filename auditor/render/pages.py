"""Rendering pages: one entry (HTML and Markdown), the index, the methodology.

Every page is self-contained (inline CSS, inline script pinned by a hash in
the page's Content-Security-Policy), so the site works from ``file://``, a
static host or a CI artifact, with no CDN and nothing fetched at view time.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from markupsafe import Markup

from auditor import __version__
from auditor.methodology.model import Methodology
from auditor.render.badge import UNKNOWN_COLOR, safe_color
from auditor.render.findings import mapping
from auditor.render.frame import NO_ORGANISATION
from auditor.render.language import N_, Language
from auditor.render.markdown import markdown_html, markdown_section
from auditor.render.methodology_md import methodology_markdown
from auditor.render.templates import raw_template
from auditor.render.text import clean_text
from auditor.render.view import EntryView

HOW_HEADING = N_("How is this computed?")
COPY_MESSAGES = (N_("Copied "), N_("Could not copy; select the link instead."))
"""What copy.js says (its JavaScript string literals), put in the page's language."""


def script_hash(script: str) -> str:
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


@dataclass(frozen=True)
class PageContext:
    """What every page of one site shares, in one language.

    ``methodology`` is the one the pages describe, already in ``language``
    (``Methodology.localized``): its names and texts are shown as they are.
    """

    methodology: Methodology
    generated_at: str | None
    banner: str | None = None
    """A notice at the top of every page (a degraded run)."""
    feed: str | None = None
    """The site's Atom feed, from the site's root."""
    language: Language = field(default_factory=Language)

    @cached_property
    def methodology_md(self) -> str:
        return methodology_markdown(self.methodology, self.language)

    @cached_property
    def how_md(self) -> str:
        heading = self.language.gettext(HOW_HEADING)
        return markdown_section(self.methodology_md, heading) or ""

    def render(self, name: str, **context: Any) -> str:
        return self.language.render(name, **context)

    def script(self, name: str, messages: tuple[str, ...] = ()) -> str:
        """An inline script of ``reports/`` with its string literals ``messages`` in the
        page's language (the page's CSP pins the hash of the script as written)."""
        script = raw_template(name)
        for message in () if self.language.english else messages:
            script = script.replace(
                json.dumps(message), json.dumps(self.language.gettext(message), ensure_ascii=False)
            )
        return script

    @cached_property
    def how_html(self) -> Markup:
        return Markup(markdown_html(self.how_md))

    def common(self, root: str, script: str | None = None) -> dict[str, Any]:
        return {
            "m": self.methodology,
            "site": {
                "version": __version__,
                "generated_at": self.language.timestamp(self.generated_at),
            },
            "root": root,
            "script_src": Markup(script_hash(script) if script else "'none'"),
            "banner": self.banner,
            "feed_href": f"{root}{self.feed}" if self.feed else None,
        }


def entry_html(view: EntryView, ctx: PageContext, history: Any = None) -> str:
    script = ctx.script("copy.js", COPY_MESSAGES)
    common = ctx.common("../", script)
    if history is not None and getattr(history, "feed", None):
        common["feed_href"] = history.feed
    return ctx.render(
        "entry.html.j2",
        e=view,
        h=history,
        how_html=ctx.how_html,
        script=Markup(script),
        **common,
    )


def entry_markdown(view: EntryView, ctx: PageContext, history: Any = None) -> str:
    return ctx.render(
        "entry.md.j2", e=view, h=history, how_md=ctx.how_md, root="../", banner=ctx.banner
    )


def methodology_html(ctx: PageContext) -> str:
    body = Markup(markdown_html(ctx.methodology_md))
    return ctx.render("methodology.html.j2", body=body, **ctx.common(""))


def _tiers(
    summary: Mapping[str, Any], methodology: Methodology, tr: Language
) -> list[dict[str, Any]]:
    counts = mapping(summary.get("tiers"))
    tiers = [
        {"id": t.id, "name": t.name, "color": safe_color(t.color), "count": counts.get(t.id, 0)}
        for t in sorted(methodology.tiers, key=lambda t: t.min, reverse=True)
    ]
    unknown = counts.get("unknown", 0)
    if unknown:
        tiers.append(
            {
                "id": "unknown",
                "name": tr.gettext("unknown"),
                "color": UNKNOWN_COLOR,
                "count": unknown,
            }
        )
    return tiers


def index_row(result: Mapping[str, Any], name: str, methodology: Methodology) -> dict[str, Any]:
    """One table row of the index: what it shows and the values it sorts on."""
    axes = mapping(result.get("axes"))
    ranks = {t.id: i for i, t in enumerate(sorted(methodology.tiers, key=lambda t: t.min))}
    tier = methodology.tier_by_id(result.get("tier"))
    score = result.get("score")
    title = str(result.get("title") or result.get("id"))
    organization = (
        result.get("organization") if isinstance(result.get("organization"), str) else None
    )
    values = []
    for axis in methodology.axes:
        data = mapping(axes.get(axis.id))
        value = data.get("score")
        values.append(
            value if isinstance(value, int | float) and not isinstance(value, bool) else None
        )
    return {
        "id": str(result.get("id")),
        "name": name,
        "title": title,
        "organization": organization,
        "score": score if isinstance(score, int | float) and not isinstance(score, bool) else None,
        "tier": tier.name if tier else None,
        "tier_id": tier.id if tier else None,
        "tier_rank": ranks.get(tier.id) if tier else None,
        "tier_color": safe_color(tier.color if tier else None),
        "axes": values,
        "search": clean_text(" ".join([title, str(result.get("id")), organization or ""])).lower(),
    }


def index_html(
    document: Mapping[str, Any],
    rows: list[dict[str, Any]],
    charts: Mapping[str, Markup],
    organisations: list[Any],
    ctx: PageContext,
    parquet: bool,
    history: Any = None,
) -> str:
    methodology = ctx.methodology
    total = sum(a.weight for a in methodology.axes) or 1.0
    axes = [
        {
            "id": a.id,
            "name": a.name,
            "short": a.name.split()[0],
            "share": round(100 * a.weight / total, 1),
        }
        for a in methodology.axes
    ]
    summary = mapping(document.get("summary"))
    script = raw_template("table.js")
    problems = [
        f"{p.get('origin', '?')}: {p.get('message', '')}" if isinstance(p, Mapping) else str(p)
        for p in document.get("problems") or []
    ]
    return ctx.render(
        "index.html.j2",
        summary={"entries": len(rows), "mean_score": summary.get("mean_score")},
        tiers=_tiers(summary, methodology, ctx.language),
        axes=axes,
        rows=rows,
        charts=charts,
        organisations=[
            replace(o, organization=ctx.language.gettext(o.organization))
            if o.organization == NO_ORGANISATION
            else o
            for o in organisations
        ],
        problems=problems,
        parquet=parquet,
        h=history,
        script=Markup(script),
        **ctx.common("", script),
    )
