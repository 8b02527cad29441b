"""Badges: shields.io geometry, accessible text, escaping, stability, endpoint JSON."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import jsonschema
import pytest

from auditor.render.badge import Badge, badge_for, badge_svg, shields_endpoint
from auditor.render.verdana import preferred_width, text_width
from tests.support.render import HOSTILE, METHODOLOGY, SHIELDS_ENDPOINT_SCHEMA

SVG = "{http://www.w3.org/2000/svg}"


def rects(svg: str) -> list[dict[str, str]]:
    return [dict(e.attrib) for e in ET.fromstring(svg).iter(f"{SVG}rect")]


def test_geometry_matches_shields_for_a_known_badge() -> None:
    # shields.io renders "build | passing" flat as 88 px: 37 + 51.
    svg = badge_svg(Badge("build", "passing", "#4c1"))
    root = ET.fromstring(svg)
    assert root.get("width") == "88" and root.get("height") == "20"
    background = rects(svg)[1:3]
    assert background[0]["width"] == "37" and background[1] == {
        "x": "37",
        "width": "51",
        "height": "20",
        "fill": "#4c1",
    }


def test_widths_come_from_the_verdana_table_and_round_up_to_odd() -> None:
    assert text_width("m") == pytest.approx(10.7)
    assert text_width("iiii") < text_width("WWWW")
    for text in ("trust score", "73.25 · Good", "WWWWWWWWWW", "日本語", "x"):
        width = preferred_width(text)
        assert width % 2 == 1 and width >= int(text_width(text))


def test_text_box_is_as_wide_as_the_measured_text_so_it_never_overflows() -> None:
    long_label = "W" * 40
    svg = badge_svg(Badge(long_label, "100 · Excellent", "#2e7d32"))
    root = ET.fromstring(svg)
    texts = [t for t in root.iter(f"{SVG}text") if t.get("aria-hidden") is None]
    label_rect = rects(svg)[1]
    assert int(texts[0].get("textLength") or 0) == 10 * preferred_width(long_label)
    assert int(label_rect["width"]) >= preferred_width(long_label) + 10
    assert int(root.get("width") or 0) == sum(int(r["width"]) for r in rects(svg)[1:3])


def test_accessible_text_and_tier_colour() -> None:
    result = {"id": "x", "score": 73.25, "tier": "good"}
    badge = badge_for(result, METHODOLOGY)
    assert badge == Badge("trust score", "73.25 · Good", "#4c9a2a")
    root = ET.fromstring(badge_svg(badge))
    assert root.get("role") == "img"
    assert root.get("aria-label") == "trust score: 73.25 · Good"
    assert root.find(f"{SVG}title").text == "trust score: 73.25 · Good"  # type: ignore[union-attr]
    assert {r.get("fill") for r in root.iter(f"{SVG}rect")} >= {"#555", "#4c9a2a"}


def test_every_tier_uses_the_methodology_colour_and_unknown_is_grey() -> None:
    for tier in METHODOLOGY.tiers:
        assert badge_for({"score": tier.min, "tier": tier.id}, METHODOLOGY).color == tier.color
    unknown = badge_for({"score": None, "tier": None}, METHODOLOGY, label="confiance")
    assert unknown == Badge("confiance", "unknown", "#9f9f9f")


def test_light_backgrounds_get_dark_text() -> None:
    light = ET.fromstring(badge_svg(Badge("a", "b", "#ffffff")))
    dark = ET.fromstring(badge_svg(Badge("a", "b", "#000000")))
    assert [t.get("fill") for t in light.iter(f"{SVG}text")][-1] == "#333"
    assert [t.get("fill") for t in dark.iter(f"{SVG}text")][-1] == "#fff"


def test_same_input_same_bytes() -> None:
    first = badge_svg(badge_for({"score": 40.5, "tier": "poor"}, METHODOLOGY))
    second = badge_svg(badge_for({"score": 40.5, "tier": "poor"}, METHODOLOGY))
    assert first == second and first.encode() == second.encode()


def test_hostile_label_is_escaped_and_the_svg_stays_well_formed() -> None:
    badge = badge_for({"score": 50, "tier": "fair"}, METHODOLOGY, label=HOSTILE)
    svg = badge_svg(badge)
    root = ET.fromstring(svg)  # raises on broken XML (control characters, stray markup)
    assert "<script" not in svg and "<img" not in svg and "\u202e" not in svg and "\x07" not in svg
    assert [e.tag for e in root.iter()].count(f"{SVG}script") == 0
    assert all(not name.startswith("on") for e in root.iter() for name in e.attrib)
    assert "<script>" in (root.get("aria-label") or "")  # kept as text, not markup


def test_a_hostile_tier_colour_cannot_inject_attributes() -> None:
    svg = badge_svg(Badge("a", "b", '#fff" onload="alert(1)'))
    assert "onload" not in svg and 'fill="#9f9f9f"' in svg


def test_endpoint_json_validates_against_shields_schema() -> None:
    for score, tier in ((73.25, "good"), (None, None), (100, "excellent")):
        endpoint = shields_endpoint(badge_for({"score": score, "tier": tier}, METHODOLOGY))
        jsonschema.validate(endpoint, SHIELDS_ENDPOINT_SCHEMA)
    assert endpoint["schemaVersion"] == 1 and endpoint["message"] == "100 · Excellent"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**endpoint, "message": ""}, SHIELDS_ENDPOINT_SCHEMA)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**endpoint, "extra": 1}, SHIELDS_ENDPOINT_SCHEMA)


def test_no_label_gives_a_message_only_badge() -> None:
    svg = badge_svg(Badge("", "73.25 · Good", "#4c9a2a"))
    assert re.search(r'<rect width="0" height="20"', svg)
    assert ET.fromstring(svg).get("aria-label") == "73.25 · Good"
