"""The validity report's arithmetic on made-up input, and its run on the corpus (realworld).

The made-up methodology is small enough to compute every expected value by hand
in the test's comments: one axis of weight 3 with two outcome signals (60 and
40 points), one of weight 1 with a single 100-point signal, tiers at 90 and 0.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from auditor.methodology.engine import assess
from auditor.methodology.model import Axis, Methodology, Signal, Tier
from auditor.model import Entry, Finding, Outcome
from benchmarks.validity.__main__ import main
from benchmarks.validity.aggregate import (
    bucket_labels,
    contributions,
    decisiveness,
    distribution,
    forced,
    outcome_counts,
    ranked,
    swing,
    tier_changes,
    ties_at,
)
from benchmarks.validity.corpus import (
    CorpusMissing,
    check_corpus,
    default_corpus,
    local_swagger,
    provenance,
)
from benchmarks.validity.markdown import cell, share, table

PASS, FAIL, UNKNOWN = Outcome.PASS, Outcome.FAIL, Outcome.UNKNOWN

TINY = Methodology(
    id="tiny",
    version="0",
    title="Tiny",
    tiers=(Tier("top", "Top", 90), Tier("low", "Low", 0)),
    axes=(
        Axis(
            "a",
            "A",
            3,
            (Signal("s1", "S1", "c1", "outcome", 60), Signal("s2", "S2", "c2", "outcome", 40)),
        ),
        Axis("b", "B", 1, (Signal("s3", "S3", "c3", "outcome", 100),)),
    ),
)


def f(check: str, outcome: Outcome) -> Finding:
    return Finding(check, outcome, f"{check} {outcome.value}", "test")


def test_distribution_buckets_median_and_unknowns() -> None:
    dist = distribution([0.0, 9.99, 10.0, 55.0, 100.0, None])
    # 0 and 9.99 in 0-9, 10 in 10-19, 55 in 50-59, 100 in the last bucket
    assert dist.buckets == (2, 1, 0, 0, 0, 1, 0, 0, 0, 1)
    assert dist.median == 10.0  # of the five known values, never counting None as 0
    assert (dist.unknown, dist.total) == (1, 6)
    assert dist.unknown_share == pytest.approx(1 / 6)
    assert bucket_labels()[0] == "0–9" and bucket_labels()[-1] == "90–100"


def test_distribution_of_nothing_known() -> None:
    dist = distribution([None, None])
    assert dist.buckets == (0,) * 10
    assert dist.median is None
    assert dist.unknown_share == 1.0


def test_outcome_counts_name_every_outcome() -> None:
    assert outcome_counts(["pass", "pass", "unknown"]) == {
        "pass": 2,
        "fail": 0,
        "unknown": 1,
        "error": 0,
    }


def test_forced_replaces_every_finding_of_the_check_only() -> None:
    findings = (f("c1", FAIL), f("c1", UNKNOWN), f("c2", PASS))
    out = forced(findings, "c1", PASS)
    assert [(x.check, x.outcome) for x in out] == [("c2", PASS), ("c1", PASS)]


def test_swing_and_decisiveness() -> None:
    # entry 1: c2 pass, c3 pass. c1 pass -> a=100, b=100 -> 100 (top); fail -> a=40 -> 55 (low)
    # entry 2: c2 fail, c3 fail. c1 pass -> a=60 -> 45 (low); fail -> 0 (low): no tier change
    one = (f("c1", UNKNOWN), f("c2", PASS), f("c3", PASS))
    two = (f("c1", FAIL), f("c2", FAIL), f("c3", FAIL))
    s = swing(one, "c1", TINY)
    assert (s.if_pass, s.if_fail, s.points) == (100.0, 55.0, 45.0)
    assert (s.tier_if_pass, s.tier_if_fail, s.decides_tier) == ("top", "low", True)
    assert swing(two, "c1", TINY).points == 45.0  # 60 x 3/4, whatever the rest
    d = decisiveness([(one, "unknown"), (two, "fail")], "c1", TINY, threshold=45)
    assert (d.total, d.moves, d.decides_tier, d.median_points) == (2, 2, 1, 45.0)
    assert d.decided_by == {"pass": 0, "fail": 0, "unknown": 1, "error": 0}
    assert decisiveness([(one, "unknown")], "c1", TINY, threshold=46).moves == 0


def test_contributions_add_up_to_the_composite() -> None:
    # a: s1 pass (60), s2 unknown (unearned: missed) -> a = 60; b unknown -> leaves the composite
    findings = (f("c1", PASS), f("c2", UNKNOWN), f("c3", UNKNOWN))
    assessment = assess("x", findings, TINY)
    assert assessment.score == 60.0
    parts = {c.signal: c for c in contributions(assessment, TINY)}
    assert set(parts) == {"s1", "s2"}  # the unknown axis b contributes nothing either way
    assert (parts["s1"].earned, parts["s1"].missed) == (60.0, 0.0)
    assert (parts["s2"].earned, parts["s2"].missed, parts["s2"].outcome) == (0.0, 40.0, "unknown")
    assert sum(c.earned for c in parts.values()) == pytest.approx(assessment.score)


def test_contributions_leave_excluded_unknowns_out() -> None:
    excluding = Methodology(
        "t",
        "0",
        "T",
        TINY.tiers,
        (Axis("a", "A", 1, TINY.axes[0].signals, unknown_signals="exclude"),),
    )
    assessment = assess("x", (f("c1", PASS), f("c2", UNKNOWN)), excluding)
    assert assessment.score == 100.0
    parts = contributions(assessment, excluding)
    assert [(c.signal, c.earned, c.missed) for c in parts] == [("s1", 100.0, 0.0)]


def test_ranking_ties_and_tier_changes() -> None:
    scores = {"b": 50.0, "a": 50.0, "c": None, "d": 70.0}
    assert ranked(scores) == ["d", "a", "b", "c"]
    assert ties_at(scores, 50.0) == 2
    assert tier_changes({"a": "fair", "b": "good"}, {"a": "poor", "b": "good"}) == [
        ("a", "fair", "poor")
    ]


def test_markdown_cells_and_tables() -> None:
    assert cell(None) == "–" and cell(13.333) == "13.33" and cell(5.0) == "5"
    assert cell("a|b") == "a\\|b"
    assert share(1, 3) == "1 (33.3%)" and share(0, 0) == "0"
    assert table(("x", "y"), [(1, 2.5)], "lr").splitlines() == [
        "| x | y |",
        "|---|---:|",
        "| 1 | 2.5 |",
    ]


def test_a_missing_corpus_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    absent = tmp_path / "nowhere"
    with pytest.raises(CorpusMissing, match="nowhere"):
        check_corpus(absent)
    (tmp_path / "half").mkdir()
    with pytest.raises(CorpusMissing, match="missing api_gouv_fr/_data/api"):
        check_corpus(tmp_path / "half")
    assert main(["--corpus", str(absent)]) == 2
    err = capsys.readouterr().err
    assert "real-world corpus not found" in err and str(absent) in err


def test_default_corpus_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUDITOR_CORPUS", "/some/where")
    assert default_corpus() == Path("/some/where")
    monkeypatch.delenv("AUDITOR_CORPUS")
    assert default_corpus().parts[-2:] == ("shared", "corpus")


def test_provenance_reads_the_sources_table(tmp_path: Path) -> None:
    (tmp_path / "SOURCES.md").write_text(
        "| corpus path | source | commit / version | license |\n|---|---|---|---|\n"
        "| api_gouv_fr/_data/api/*.md (170) | github x/y | abc123 (2026-01-07) | AGPL |\n",
        encoding="utf-8",
    )
    found = provenance(tmp_path, "api_gouv_fr/_data/api")
    assert found is not None and (found.source, found.version) == (
        "github x/y",
        "abc123 (2026-01-07)",
    )
    assert provenance(tmp_path, "apisguru/") is None


def test_only_apigouv_swaggers_map_to_corpus_files(tmp_path: Path) -> None:
    swaggers = tmp_path / "api_gouv_fr" / "public" / "swaggers"
    (swaggers / "ods").mkdir(parents=True)
    (swaggers / "ods" / "x.json").write_text("{}", encoding="utf-8")
    (tmp_path / "secret.json").write_text("{}", encoding="utf-8")

    def entry(url: str) -> Entry:
        return Entry("e", "E", spec_url=url)

    assert (
        local_swagger(tmp_path, entry("https://api.gouv.fr/swaggers/ods/x.json"))
        == (swaggers / "ods" / "x.json").resolve()
    )
    assert (
        local_swagger(tmp_path, entry("https://api.gouv.fr/swaggers/../../../secret.json")) is None
    )
    assert local_swagger(tmp_path, entry("https://example.fr/swaggers/ods/x.json")) is None
    assert local_swagger(tmp_path, entry("https://api.gouv.fr/swaggers/missing.json")) is None


@pytest.mark.realworld
def test_the_report_runs_on_the_corpus_offline() -> None:
    corpus = default_corpus()
    if not corpus.is_dir():
        pytest.skip(f"real-world corpus not found at {corpus} (set AUDITOR_CORPUS)")
    from benchmarks.validity.build import build
    from benchmarks.validity.document import document

    started = time.perf_counter()
    report = build(corpus, with_lists=False)
    text = document(report)
    assert time.perf_counter() - started < 60
    apigouv, guru = report.runs
    assert (len(apigouv.rows), len(guru.rows)) == (170, 300)
    # offline: nothing was verified, and availability is unknown for every entry
    for run in report.runs:
        assert all(r.assessments["trust-v1"].axis("availability").score is None for r in run.rows)
    assert apigouv.mapped_specs > 0  # api.gouv.fr /swaggers/ specs read from the corpus
    for heading in (
        "## Summary",
        "## Availability: what an offline report can and cannot say",
        "## Officialness, signal by signal",
        "## Tier changes between `trust-v1` and `trust-v1-strict`",
        "## The ten highest and the ten lowest composites",
        "## Where a signal decides almost nothing or disagrees with a reviewer: proposals",
    ):
        assert heading in text
    assert "trust 1.1.0" in text and "58a95fa" in text
