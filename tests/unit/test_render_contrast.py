"""WCAG AA contrast of the site's text: tier labels on the methodology's own colours,
and every text colour of reports/_style.css on the backgrounds it is drawn on."""

from __future__ import annotations

import re

import pytest

from auditor.methodology.load import load_methodology
from auditor.render.contrast import AA_NORMAL, BLACK, WHITE, contrast, ink
from auditor.render.site import write_site
from auditor.resources import reports_dir
from tests.support.render import standard_document

CSS = (reports_dir() / "_style.css").read_text()
VARS = dict(re.findall(r"--([a-z]+):\s*(#[0-9a-fA-F]{3,6})", CSS))


def test_contrast_matches_known_wcag_ratios() -> None:
    assert contrast(BLACK, WHITE) == pytest.approx(21.0)
    assert contrast("#777777", WHITE) == pytest.approx(4.48, abs=0.01)
    assert contrast("#dfb317", WHITE) == pytest.approx(1.98, abs=0.01)  # the old Fair label


@pytest.mark.parametrize("tier", load_methodology().tiers, ids=lambda t: t.id)
def test_every_tier_label_meets_aa(tier: object) -> None:
    color = tier.color  # type: ignore[attr-defined]
    assert contrast(color, ink(color)) >= AA_NORMAL, (color, ink(color))


@pytest.mark.parametrize("grey", ["#767676", "#777777", "#808080", "#959595", "#9f9f9f"])
def test_ink_is_readable_on_any_colour_even_mid_grey(grey: str) -> None:
    assert contrast(grey, ink(grey)) >= AA_NORMAL


@pytest.mark.parametrize(
    ("text", "background"),
    [
        ("ink", "#ffffff"),
        ("muted", "#ffffff"),
        ("muted", "soft"),
        ("accent", "#ffffff"),
        ("#ffffff", "pass"),
        ("#ffffff", "fail"),
        ("#ffffff", "unknown"),
        ("#ffffff", "#24292f"),
    ],
)
def test_style_text_colours_meet_aa(text: str, background: str) -> None:
    first = VARS.get(text, text)
    second = VARS.get(background, background)
    assert contrast(first, second) >= AA_NORMAL, (text, first, background, second)


def test_tier_pills_on_the_site_carry_their_readable_ink(tmp_path: object) -> None:
    folder = tmp_path / "site"  # type: ignore[operator]
    write_site(standard_document(), load_methodology(), folder)
    html = (folder / "index.html").read_text()
    pills = re.findall(r'class="pill" style="background: (#[0-9a-f]+); color: (#[0-9a-f]+)"', html)
    assert len(pills) >= 5
    for background, color in pills:
        assert contrast(background, color) >= AA_NORMAL, (background, color)
