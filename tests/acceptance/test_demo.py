"""The built-in demo, end to end, with the real verifier against the fixture site."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.context import AuditSettings
from auditor.demo.run import run_demo
from auditor.methodology import load_methodology
from auditor.model import Outcome


@pytest.fixture(scope="module")
def demo_results() -> dict[str, object]:
    results, loaded = run_demo(AuditSettings(), load_methodology())
    return {r.entry.id: r for r in results} | {"_problems": loaded.problems}


def test_reference_case_reproduces_the_public_page(demo_results: dict) -> None:
    result = demo_results["data.gouv.fr"]
    axes = {a.id: a.score for a in result.assessment.axes}
    assert axes == {
        "officialness": 40.0,
        "availability": 100.0,
        "metadata_completeness": 90.0,
        "license_clarity": 50.0,
        "agent_readiness": 85.0,
    }
    assert result.assessment.score == 73.25
    assert result.assessment.tier == "good"
    reasons = {a.id: a.reason for a in result.assessment.axes}
    assert reasons["metadata_completeness"] == "9 of 10 recommended metadata fields populated"
    assert reasons["availability"] == "Latest verification succeeded"
    assert reasons["officialness"].startswith("40/100 from 5 proof signals")


def test_reference_points_trace_to_live_evidence(demo_results: dict) -> None:
    result = demo_results["data.gouv.fr"]
    by_check = {f.check: f for f in result.findings}
    assert by_check["official_domain"].outcome is Outcome.PASS
    assert "data.gouv.fr" in by_check["official_domain"].message
    base = by_check["availability.base_url"]
    assert base.facts["status"] == 200 and base.facts["tls_version"].startswith("TLS")
    assert base.facts["cert_days_left"] > 14
    assert by_check["spec.valid"].outcome is Outcome.PASS
    assert by_check["agent_discovery"].outcome is Outcome.FAIL
    assert by_check["license"].facts["class"] == "none"


def test_every_axis_is_exercised(demo_results: dict) -> None:
    assert demo_results["meteo-broken-spec"].findings  # the broken spec is detected
    broken = {f.check: f for f in demo_results["meteo-broken-spec"].findings}
    assert broken["spec.valid"].outcome is Outcome.FAIL
    down = demo_results["cadastre-down"].assessment.axis("availability")
    assert down.score == 0.0
    assert demo_results["transit-503"].assessment.axis("availability").score == 0.0
    assert demo_results["petstore-commercial"].assessment.axis("officialness").score == 0.0
    assert demo_results["petstore-commercial"].assessment.axis("license_clarity").score == 100.0
    assert demo_results["conflicting-licence"].assessment.axis("license_clarity").score == 0.0
    assert demo_results["sparse-city"].assessment.axis("metadata_completeness").score == 20.0
    not_spec = {f.check: f for f in demo_results["not-a-spec"].findings}
    assert not_spec["spec.format_known"].outcome is Outcome.FAIL
    # ftp:// cannot be probed: availability is unknown (excluded), not zero
    ftp = demo_results["ftp-legacy"]
    assert ftp.assessment.axis("availability").score is None
    assert ftp.assessment.score is not None
    field = {f.check: f for f in ftp.findings}["metadata.base_url"]
    assert "ftp-legacy" in field.message and "base_url" in field.message
    assert "unsupported scheme" in field.message


def test_an_invalid_spec_earns_none_of_the_spec_points(demo_results: dict) -> None:
    """trust 1.1.0: the 15-point spec signal needs a spec that validates, not just a known
    format; the first validation error is the evidence."""
    broken = demo_results["meteo-broken-spec"]
    found = {f.check: f for f in broken.findings}
    assert found["spec.format_known"].outcome is Outcome.PASS  # Swagger 2.0, readable
    signals = {s.id: s for s in broken.assessment.axis("agent_readiness").signals}
    spec = signals["spec-format"]
    assert (spec.outcome, spec.points, spec.max_points) == (Outcome.FAIL, 0.0, 15.0)
    assert found["spec.valid"].facts["errors"][0] in spec.evidence
    reference = {
        s.id: s for s in demo_results["data.gouv.fr"].assessment.axis("agent_readiness").signals
    }
    assert (reference["spec-format"].outcome, reference["spec-format"].points) == (
        Outcome.PASS,
        15.0,
    )


def test_yaml_spec_with_integer_response_codes_validates(demo_results: dict) -> None:
    annuaire = {f.check: f for f in demo_results["annuaire-demo"].findings}
    assert annuaire["spec.valid"].outcome is Outcome.PASS
    assert annuaire["availability.base_url"].facts["status"] == 401
    assert annuaire["agent_discovery"].outcome is Outcome.PASS


def test_each_proof_signal_can_pass_in_the_demo(demo_results: dict) -> None:
    """The demo shows every officialness signal passing somewhere, with its evidence."""

    def signals(entry_id: str) -> dict:
        axis = demo_results[entry_id].assessment.axis("officialness")
        return {s.id: s for s in axis.signals}

    annuaire = signals("annuaire-demo")
    assert annuaire["portal-backlink"].outcome is Outcome.PASS
    assert "https://api.gouv.fr/les-api/annuaire-demo" in annuaire["portal-backlink"].evidence
    assert annuaire["reciprocal-link"].outcome is Outcome.PASS
    assert annuaire["published-policy"].outcome is Outcome.PASS
    assert "security.txt" in annuaire["published-policy"].evidence
    bus = signals("uk-bus-open-data")
    assert bus["github-org"].outcome is Outcome.PASS
    assert "alphagov" in bus["github-org"].evidence
    assert demo_results["annuaire-demo"].assessment.axis("officialness").score == 85.0


def test_an_internal_error_in_one_entry_does_not_stop_the_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Even a bug in auditor itself ends as an error finding for that entry only."""
    from auditor.model import Entry
    from auditor.run import loop as audit
    from auditor.run.loop import run_audit

    real = audit.verify_entry

    async def flaky(entry, run):  # type: ignore[no-untyped-def]
        if entry.id == "bad":
            raise RuntimeError("boom")
        return await real(entry, run)

    monkeypatch.setattr(audit, "verify_entry", flaky)
    entries = [Entry(id="bad", title="Bad"), Entry(id="good", title="Good")]
    results = {r.entry.id: r for r in run_audit(entries, AuditSettings(), load_methodology())}
    assert set(results) == {"bad", "good"}
    bad = results["bad"]
    assert [f.check for f in bad.findings] == ["auditor.internal"]
    assert "boom" in bad.findings[0].message
    assert bad.assessment.score is None  # nothing established: unknown, not 0
    assert any(f.check == "metadata.title" for f in results["good"].findings)


@pytest.mark.parametrize("width", (80, 100, 120, 200))
def test_the_demo_table_shows_every_score_and_tier_whole(demo_results: dict, width: int) -> None:
    """The numbers people run the demo for, on a 16-colour terminal of any usual width."""
    import io
    import re

    from rich.console import Console

    from auditor.render.table import print_table

    results = [r for key, r in demo_results.items() if key != "_problems"]
    console = Console(file=io.StringIO(), width=width, color_system="standard", force_terminal=True)
    print_table(console, results, load_methodology(), [])
    out = re.sub(r"\x1b\[[0-9;]*m", "", console.file.getvalue())
    assert "…" not in out and max(map(len, out.splitlines())) <= width
    cells = {c for line in out.splitlines() for c in re.split(r"[\s│┃]+", line)}
    for r in results:
        tier = load_methodology().tier_by_id(r.assessment.tier)
        partial = any(a.score is None for a in r.assessment.axes)  # marked: over part of weights
        shown = f"{r.assessment.score:g}" + ("*" if partial else "")
        assert shown in cells and tier is not None and tier.name in cells


def test_the_reference_entry_shows_its_templated_path(demo_results: dict) -> None:
    """GET /datasets/{dataset}/ keeps its parameter: no example in the spec, so a placeholder."""
    found = {f.check: f for f in demo_results["data.gouv.fr"].findings}
    curl = found["spec.examples"].facts["curl"]
    one = next(c for c in curl if c["path"] == "/datasets/{dataset}/")
    assert "'https://www.data.gouv.fr/api/1/datasets/{dataset}/'" in one["command"]
    assert " -g " in one["command"] or one["command"].startswith("curl -g ")  # no curl globbing
    assert "Accept: application/json" in one["command"]
    assert not any("/datasets/dataset/" in c["command"] for c in curl)


def test_the_demo_page_shows_the_templated_path_in_its_curl(
    demo_results: dict, tmp_path: Path
) -> None:
    """The report site of the demo: "Using the API" of data.gouv.fr keeps {dataset}."""
    from auditor.render.results_json import results_document
    from auditor.render.site import write_site

    methodology = load_methodology()
    results = [r for key, r in demo_results.items() if key != "_problems"]
    site = write_site(results_document(results, methodology, []), methodology, tmp_path)
    page = site.pages["data.gouv.fr"].read_text(encoding="utf-8")
    section = page.split('id="using-the-api"')[1].split("</section>")[0]
    assert "<code>/datasets/{dataset}/</code>" in section
    assert "curl -g &#39;https://www.data.gouv.fr/api/1/datasets/{dataset}/&#39;" in section
    assert "/datasets/dataset/" not in page
    markdown = site.pages["data.gouv.fr"].with_suffix(".md").read_text(encoding="utf-8")
    assert "curl -g 'https://www.data.gouv.fr/api/1/datasets/{dataset}/'" in markdown
