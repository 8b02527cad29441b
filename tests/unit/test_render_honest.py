"""The page says what the composite stands on, and a scored unknown is not drawn as
a measurement: methodology text, entry page and bars use one wording."""

from __future__ import annotations

import re
from pathlib import Path

from auditor.methodology.load import load_methodology
from auditor.render.methodology_md import methodology_markdown
from auditor.render.site import write_site
from tests.support.render import BARE, document, finding, metadata_findings
from tests.support.render import result as audit_result

UNLICENSED = "Licence not found"


def honest_document() -> dict:
    """The bare entry (availability and more unknown), and one whose licence probe found
    no licence: the rules score that 50 although it is not established."""
    from dataclasses import replace

    unlicensed = replace(BARE, id="unlicensed", title=UNLICENSED)
    none = finding("license", "unknown", "no licence information", **{"class": "none"})
    return document(
        audit_result(BARE, metadata_findings(BARE)),
        audit_result(unlicensed, [*metadata_findings(unlicensed), none]),
    )


NOT_ESTABLISHED = re.compile(r"not established: scored (\d+) by the methodology")


def site(tmp_path: Path) -> tuple[Path, dict]:
    document = honest_document()
    folder = tmp_path / "site"
    result = write_site(document, load_methodology(), folder)
    return folder, {key: path.read_text() for key, path in result.pages.items()}


def test_entry_page_says_which_weights_the_composite_stands_on(tmp_path: Path) -> None:
    document = honest_document()
    folder, pages = site(tmp_path)
    methodology = load_methodology()
    total = sum(a.weight for a in methodology.axes)
    checked = 0
    for result in document["results"]:
        unknown = [a for a in methodology.axes if result["axes"][a.id]["score"] is None]
        page = pages[result["id"]]
        coverage = re.search(r"Composite over ([\d.]+) % of the weights \(([^)]*) unknown\)", page)
        if result["score"] is None or not unknown:
            assert coverage is None, result["id"]
            continue
        assert coverage, result["id"]
        known = 100 * sum(a.weight for a in methodology.axes if a not in unknown) / total
        assert float(coverage.group(1)) == round(known, 1)
        assert coverage.group(2) == ", ".join(a.name.lower() for a in unknown)
        assert coverage.group(0) in (folder / "entries" / f"{result['id']}.md").read_text()
        checked += 1
    assert checked == 2


def test_a_scored_unknown_is_labelled_and_hatched_not_solid(tmp_path: Path) -> None:
    document = honest_document()
    _, pages = site(tmp_path)
    seen = 0
    for result in document["results"]:
        axis = result["axes"]["license_clarity"]
        row = re.search(
            r'<tr class="axis" data-axis="license_clarity".*?</tr>', pages[result["id"]], re.S
        )
        assert row, result["id"]
        unknown = all(s["outcome"] == "unknown" for s in axis.get("signals") or [{}])
        if axis["score"] is not None and unknown and axis.get("signals"):
            seen += 1
            assert 'class="bar unestablished"' in row.group(0)
            assert NOT_ESTABLISHED.search(row.group(0)).group(1) == f"{axis['score']:g}"  # type: ignore[union-attr]
        else:
            assert "unestablished" not in row.group(0)
    assert seen == 1


def test_methodology_says_what_an_unestablished_signal_really_earns() -> None:
    methodology = load_methodology()
    text = methodology_markdown(methodology)
    assert "earns no points" not in text
    licence = next(a for a in methodology.axes if a.id == "license_clarity")
    signal = next(s for s in licence.signals if s.values)
    none = signal.values["none"].points
    assert none > 0  # the rules score "no licence found" above zero
    assert f"`none`: not established: scored {none:g} by the methodology" in text
