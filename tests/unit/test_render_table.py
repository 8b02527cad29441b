"""The terminal table fits the terminal: scores and tiers whole at every width, on 16 colours."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console
from rich.style import Style

from auditor.catalog.base import CatalogProblem
from auditor.methodology import load_methodology
from auditor.model import Assessment, AuditResult, AxisScore, Entry, Finding, Outcome
from auditor.render.table import ansi_color, coverage_legend, print_table
from auditor.render.table_fit import abbreviations

TRUST = load_methodology()
ANSI = re.compile(r"\x1b\[[0-9;]*m")
WIDTHS = (80, 100, 120, 200)


def result(
    entry_id: str, score: float | None, tier: str | None, axes: list[float | None]
) -> AuditResult:
    scores = tuple(
        AxisScore(axis.id, axis.name, axis.weight, value, "", ())
        for axis, value in zip(TRUST.axes, axes, strict=True)
    )
    assessment = Assessment(entry_id, score, tier, scores, TRUST.id, TRUST.version)
    spec = Finding("spec.valid", Outcome.PASS, "valid", "test")
    return AuditResult(Entry(id=entry_id, title=entry_id), (spec,), assessment)


RESULTS = [
    result("data.gouv.fr", 73.25, "good", [40, 100, 90, 50, 85]),
    result("annuaire-demo", 96.25, "excellent", [85, 100, 100, 100, 100]),
    result(
        "an-entry-id-long-enough-to-need-two-lines-at-eighty-columns",
        88.75,
        "excellent",
        [55, None, 100, 100, 100],
    ),
    result("no-score", None, None, [None, None, None, None, None]),
    result("thirds", 66.6667, "fair", [33.3333, 100, 66.6667, 0, 12.5]),
]


def table(width: int, problems: list[CatalogProblem] | None = None) -> str:
    console = Console(file=io.StringIO(), width=width, color_system="standard", force_terminal=True)
    print_table(console, RESULTS, TRUST, problems or [])
    return ANSI.sub("", console.file.getvalue())  # type: ignore[attr-defined]


def cells(text: str) -> set[str]:
    return {cell for line in text.splitlines() for cell in re.split(r"[\s│┃]+", line) if cell}


@pytest.mark.parametrize("width", WIDTHS)
def test_every_score_and_tier_is_whole_at_every_width(width: int) -> None:
    out = table(width)
    assert max(len(line) for line in out.splitlines()) <= width
    assert "…" not in out
    found = cells(out)
    for r in RESULTS:
        a = r.assessment
        partial = a.score is not None and any(x.score is None for x in a.axes)
        shown = "unknown" if a.score is None else f"{a.score:g}" + ("*" if partial else "")
        assert shown in found
        tier = TRUST.tier_by_id(a.tier)
        assert (tier.name if tier else "unknown") in found
    # the axis scores are shown whole too at these widths
    assert {"33.3333", "66.6667", "12.5"} <= found


@pytest.mark.parametrize("width", WIDTHS)
def test_a_composite_without_some_axes_is_marked_and_explained(width: int) -> None:
    out = table(width)
    assert "88.75*" in cells(out) and "73.25*" not in cells(out)
    legend = "* composite over 75 % of the weights (availability unknown)"
    assert legend in " ".join(out.split())
    # no composite at all: nothing to qualify
    assert "unknown*" not in out


def test_the_coverage_legend_counts_entries_sharing_a_coverage() -> None:
    two = [RESULTS[2], result("other", 80, "good", [60, None, 100, 100, 100])]
    assert coverage_legend(two) == (
        "* composite over 75 % of the weights (availability unknown) for 2 entries"
    )
    assert coverage_legend(RESULTS[:2]) is None


def test_at_80_columns_the_axes_are_abbreviated_with_a_legend() -> None:
    out = table(80)
    assert "off = officialness" in out and "met = metadata completeness" in out
    assert "agent = " not in out


@pytest.mark.parametrize("width", (120, 200))
def test_wide_terminals_show_whole_axis_names(width: int) -> None:
    out = table(width)
    assert {"officialness", "availability", "completeness", "readiness"} <= cells(out)
    assert " = " not in out  # no abbreviation, no legend


def test_a_narrow_terminal_drops_columns_and_says_so() -> None:
    out = table(50)
    assert "73.25" in cells(out) and "Excellent" in cells(out)
    assert "not shown at 50 columns" in out and "--format json" in out


def test_the_title_has_one_pair_of_parentheses_even_when_the_methodology_title_has_one() -> None:
    from dataclasses import replace

    strict = replace(TRUST, title="Trust score (strict agent readiness)")
    console = Console(file=io.StringIO(), width=120)
    print_table(console, RESULTS[:1], strict, [])
    title = console.file.getvalue().splitlines()[0].strip()  # type: ignore[attr-defined]
    assert title.count("(") == 1 and f"{TRUST.id} v{TRUST.version}" in title


def test_tiers_keep_their_hue_on_16_colours() -> None:
    # rich maps #2e7d32 (Excellent) to grey by RGB distance on a 16-colour terminal
    colours = {t.id: ansi_color(Style.parse(t.color)).color for t in TRUST.tiers}
    assert {k: c.name if c else None for k, c in colours.items()} == {
        "excellent": "green",
        "good": "green",
        "fair": "yellow",
        "poor": "red",
    }
    console = Console(file=io.StringIO(), width=120, color_system="standard", force_terminal=True)
    print_table(console, RESULTS[1:2], TRUST, [])
    assert "\x1b[32mExcellent" in console.file.getvalue()  # type: ignore[attr-defined]


def test_abbreviations_are_unique_prefixes() -> None:
    assert abbreviations(["officialness", "availability", "agent"]) == ["off", "ava", "age"]
    assert abbreviations(["metadata", "method"]) == ["meta", "meth"]
    assert abbreviations(["speed", "speed"]) == ["spe1", "spe2"]
