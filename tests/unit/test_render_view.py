"""The entry view: every section read from the results document, absent parts honest."""

from __future__ import annotations

import copy

from auditor.render.findings import Findings
from auditor.render.pages import PageContext, entry_html, entry_markdown
from auditor.render.spec_view import spec_view
from auditor.render.view import SiteLinks, entry_view
from tests.support.render import METHODOLOGY, NOW, standard_document


def rich_result() -> dict:
    return standard_document()["results"][0]


def test_axes_follow_the_methodology_with_weights_and_reasons() -> None:
    view = entry_view(rich_result(), METHODOLOGY, "rich-api", NOW)
    assert [a.id for a in view.axes] == [a.id for a in METHODOLOGY.axes]
    assert [a.share for a in view.axes] == [25.0, 25.0, 20.0, 15.0, 15.0]
    availability = next(a for a in view.axes if a.id == "availability")
    assert availability.score == 100 and availability.reason == "Latest verification succeeded"
    assert view.category == "Public Sector API"
    # its spec does not validate: agent readiness' 15 spec points are lost (15% of 15)
    assert (view.score, view.tier, view.tier_color) == (80.5, "Good", "#4c9a2a")


def test_unknown_axes_are_unknown_not_zero() -> None:
    bare = standard_document()["results"][1]
    view = entry_view(bare, METHODOLOGY, "bare", NOW)
    availability = next(a for a in view.axes if a.id == "availability")
    assert availability.score is None and availability.score_text == "unknown"
    html = entry_html(view, PageContext(METHODOLOGY, None))
    row = html.split('data-axis="availability"')[1].split("</tr>")[0]
    assert "unknown" in row and "0/100" not in row and 'class="bar unknown"' in row
    assert view.category == "API"


def test_missing_axis_in_the_document_is_shown_as_unknown() -> None:
    result = rich_result()
    del result["axes"]["license_clarity"]
    view = entry_view(result, METHODOLOGY, "rich-api", NOW)
    licence = next(a for a in view.axes if a.id == "license_clarity")
    assert licence.score is None and licence.reason.startswith("Unknown")


def test_schema_inventory_examples_quality_and_probes() -> None:
    result = rich_result()
    spec = spec_view(result, Findings(result), NOW)
    assert spec.schema is not None and spec.schema.field_count == 3
    assert spec.schema.age == "9 days ago" and spec.schema.source == "OpenAPI 3.0.3"
    assert (
        spec.schema.fields[0].type == "string (uuid)"
        and spec.schema.fields[0].access == "read-only"
    )
    assert [x.method for x in spec.examples] == ["GET", "POST"]
    quality = {q.label: q.value for q in spec.quality}
    assert quality["Operations with an operationId"] == "50%"
    assert quality["Servers declared"] == "yes" and quality["Security schemes declared"] == "no"
    base = spec.probes[0]
    assert (base.status, base.latency, base.tls) == ("HTTP 200", "42 ms", "TLSv1.3")
    assert base.expiry == "in 80 days (2026-05-20)"
    assert spec.errors == ("paths./x: 'responses' is a required property",)


def test_absent_findings_render_gracefully() -> None:
    result = rich_result()
    result["findings"] = [
        f
        for f in result["findings"]
        if f["check"] not in {"spec.inventory", "spec.examples", "spec.quality"}
    ]
    view = entry_view(result, METHODOLOGY, "rich-api", NOW)
    assert view.spec.schema is None and view.spec.examples == () and view.spec.quality == ()
    ctx = PageContext(METHODOLOGY, None)
    html = entry_html(view, ctx)
    assert "No field inventory was recorded" in html and "No query examples" in html
    markdown = entry_markdown(view, ctx)
    assert "## Data schema\n" in markdown and "No query examples" in markdown


def test_results_without_findings_still_render() -> None:
    result = rich_result()
    del result["findings"]
    view = entry_view(result, METHODOLOGY, "rich-api", NOW)
    assert view.category == "Public Sector API"  # read from the officialness signal
    assert view.spec.probes == () and view.proof  # proof rows come from the axis signals
    assert "Official proof" in entry_html(view, PageContext(METHODOLOGY, None))


def test_official_proof_lists_each_signal_with_evidence_and_links() -> None:
    view = entry_view(rich_result(), METHODOLOGY, "rich-api", NOW)
    names = [p.name for p in view.proof]
    assert names[0] == "Official domain" and len(names) == 5
    domain = view.proof[0]
    assert domain.outcome == "pass" and domain.points == "40/40"
    assert domain.links[0].url == "https://api.example.gouv.fr/v1"
    assert ("registrable_domain", "example.gouv.fr") in domain.facts


def test_badge_snippets_relative_by_default_absolute_with_a_base_url() -> None:
    relative = entry_view(rich_result(), METHODOLOGY, "rich-api", NOW).badge
    assert (
        relative.markdown.startswith("[![trust score: ")
        and "(badges/rich-api.svg)" in relative.markdown
    )
    assert relative.shields_url is None and relative.src == "../badges/rich-api.svg"
    site = SiteLinks(base_url="https://example.org/apis/")
    absolute = entry_view(rich_result(), METHODOLOGY, "rich-api", NOW, site).badge
    assert "(https://example.org/apis/badges/rich-api.svg)" in absolute.markdown
    assert ":target: https://example.org/apis/entries/rich-api.html" in absolute.rst
    assert absolute.html.startswith('<a href="https://example.org/apis/entries/rich-api.html">')
    assert absolute.shields_url == (
        "https://img.shields.io/endpoint?url=https%3A%2F%2Fexample.org%2Fapis%2Fbadges%2Frich-api.json"
    )


def test_odd_types_in_the_document_do_not_crash() -> None:
    result = copy.deepcopy(rich_result())
    result["axes"]["availability"] = "broken"
    result["spec"] = ["not", "a", "mapping"]
    result["entry"]["tags"] = "not a list"
    for finding in result["findings"]:
        if finding["check"] == "spec.inventory":
            finding["facts"]["fields"] = [None, 3, {"name": None}]
    view = entry_view(result, METHODOLOGY, "rich-api", NOW)
    assert next(a for a in view.axes if a.id == "availability").score is None
    assert view.spec.schema is not None and len(view.spec.schema.fields) == 1
    entry_html(view, PageContext(METHODOLOGY, None))
