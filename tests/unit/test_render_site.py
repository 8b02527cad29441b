"""The static site written to a folder: layout, inert hostile content, tables, charts."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest
from markdown_it import MarkdownIt

from auditor.render.document import ResultsError, check_document
from auditor.render.frame import distribution, summary_frame
from auditor.render.site import SiteOptions, result_names, write_site
from auditor.render.templates import raw_template
from tests.support.render import METHODOLOGY, NOW, Tags, standard_document


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("site")
    write_site(standard_document(), METHODOLOGY, folder, SiteOptions(now=NOW))
    return folder


def names() -> dict[str, str]:
    results = standard_document()["results"]
    return dict(zip([r["id"] for r in results], result_names(results), strict=True))


def test_layout(site: Path) -> None:
    stems = names()
    expected = {"index.html", "methodology.html", "methodology.md", "summary.csv", "results.json"}
    assert expected <= {p.name for p in site.iterdir()}
    for stem in stems.values():
        for path in (
            f"entries/{stem}.html",
            f"entries/{stem}.md",
            f"badges/{stem}.svg",
            f"badges/{stem}.json",
            f"entries/{stem}.json",
        ):
            assert (site / path).is_file(), path
    # every file stays inside the folder, whatever the ids were
    for path in site.rglob("*"):
        assert path.resolve().is_relative_to(site.resolve())
    assert stems["rich-api"] == "rich-api" and stems["RICH-API"] != "rich-api"
    assert "passwd" in stems["../../etc/passwd"] and "/" not in stems["../../etc/passwd"]


def html_problems(html: str, allowed_script: str | None = None) -> list[str]:
    problems = []
    scripts = re.findall(r"<script>(.*?)</script>", html, re.S)
    if scripts != ([allowed_script] if allowed_script else []):
        problems.append(f"{len(scripts)} script elements")
    for tag, attrs in Tags(html).tags:
        if tag in {"iframe", "object", "embed", "script"} and tag != "script":
            problems.append(tag)
        if tag == "img" and not (attrs.get("src") or "").startswith("../badges/"):
            problems.append(f"img {attrs.get('src')}")
        for name, value in attrs.items():
            if name.startswith("on"):
                problems.append(f"{tag}[{name}]")
            if (
                name in {"href", "src"}
                and value
                and re.match(r"\s*(javascript|data|vbscript):", value, re.I)
                and (tag, value) != ("link", "data:,")  # our empty favicon: no /favicon.ico 404
            ):
                problems.append(f"{tag}[{name}={value}]")
    if "\u202e" in html or "\x07" in html:
        problems.append("bidi override or control character")
    return problems


def test_hostile_catalog_text_is_inert_in_every_format(site: Path) -> None:
    stem = names()["../../etc/passwd"]
    page = (site / "entries" / f"{stem}.html").read_text()
    assert html_problems(page, raw_template("copy.js")) == []
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # shown as text
    assert 'href="javascript:' not in page and 'href="data:text' not in page
    markdown = (site / "entries" / f"{stem}.md").read_text()
    rendered = MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)
    assert [p for p in html_problems(rendered) if not p.startswith("img ../")] == []
    assert not re.search(r"(?<!\\)\]\(javascript:", markdown) and "<script>" not in markdown
    svg = (site / "badges" / f"{stem}.svg").read_text()
    ET.fromstring(svg)
    index = (site / "index.html").read_text()
    assert html_problems(index, raw_template("table.js")) == []
    assert "\u202e" not in (site / "summary.csv").read_text()


def test_hostile_spec_content_is_inert(site: Path) -> None:
    page = (site / "entries" / "rich-api.html").read_text()
    assert html_problems(page, raw_template("copy.js")) == []
    assert "&lt;script&gt;alert(4)&lt;/script&gt;" in page  # the curl example, as text
    markdown = (site / "entries" / "rich-api.md").read_text()
    rendered = MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)
    assert html_problems(rendered) == []


def test_pages_pin_their_inline_script_with_a_csp_hash(site: Path) -> None:
    index = (site / "index.html").read_text()
    script = re.search(r"<script>(.*?)</script>", index, re.S).group(1)  # type: ignore[union-attr]
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in index
    assert "http://" not in script and "https://" not in script  # no CDN, nothing fetched
    entry = (site / "entries" / "rich-api.html").read_text()
    copy = raw_template("copy.js")  # the copy buttons of the machine-readable block
    digest = base64.b64encode(hashlib.sha256(copy.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in entry and entry.count("<script") == 1


def test_reference_sections_are_present_in_html_and_markdown(site: Path) -> None:
    page = (site / "entries" / "rich-api.html").read_text()
    for heading in (
        "Trust score",
        "How is this computed?",
        "Official proof",
        "Data schema (3 fields)",
        "Verification status",
        "Using the API",
        "Spec quality",
        "Badge",
    ):
        assert heading in page, heading
    assert "Schema captured from OpenAPI 3.0.3 9 days ago." in page
    assert "Public Sector API" in page and "<em>rich</em>" in page  # description Markdown
    markdown = (site / "entries" / "rich-api.md").read_text()
    assert "| Availability | 25% | 100/100 | Latest verification succeeded |" in markdown
    assert "## Data schema (3 fields)" in markdown


def test_index_table_carries_sortable_values_and_unknowns(site: Path) -> None:
    index = (site / "index.html").read_text()
    rows = re.findall(r'<tr data-id="([^"]*)" data-tier="([^"]*)"', index)
    assert [r[0] for r in rows][:2] == ["rich-api", "bare"]
    bare = index.split('<tr data-id="bare"')[1].split("</tr>")[0]
    assert 'data-value="5.71"' in bare and 'data-value="">unknown<' in bare
    assert "Organisations" in index and "(no organisation)" in index


def test_summary_csv_and_results_json(site: Path) -> None:
    frame = pd.read_csv(site / "summary.csv")
    assert list(frame["id"])[:2] == ["rich-api", "bare"]
    assert frame.loc[1, "score"] == 5.71 and pd.isna(frame.loc[1, "availability"])
    hostile = frame.loc[2, "title"]
    assert hostile.startswith("<script>")  # text kept; a formula would be quoted
    document = json.loads((site / "results.json").read_text())
    assert document["results"][0]["id"] == "rich-api" and document["schema_version"] == 1


def test_csv_defuses_spreadsheet_formulas(tmp_path: Path) -> None:
    document = standard_document()
    document["results"][1]["title"] = '=HYPERLINK("http://evil")'
    write_site(document, METHODOLOGY, tmp_path, SiteOptions(now=NOW))
    assert "'=HYPERLINK" in (tmp_path / "summary.csv").read_text()


def test_parquet_is_written_when_pyarrow_is_installed(site: Path) -> None:
    pytest.importorskip("pyarrow")
    frame = pd.read_parquet(site / "summary.parquet")
    assert frame["score"].isna().sum() == 0 and len(frame) == 4


def test_charts_are_inline_svg_from_the_aggregates(site: Path) -> None:
    results = standard_document()["results"]
    frame = summary_frame(results, METHODOLOGY, dict(enumerate(result_names(results))))
    bins = {b.label: b.count for b in distribution(frame)}
    assert bins["80–89"] == 1 and bins["0–9"] == 1 and bins["10–19"] == 1 and bins["unknown"] == 0
    index = (site / "index.html").read_text()
    svgs = re.findall(r"<svg .*?</svg>", index, re.S)
    assert len(svgs) == 2
    for svg in svgs:
        root = ET.fromstring(svg)
        assert (
            root.get("role") == "img" and root.find("{http://www.w3.org/2000/svg}title") is not None
        )
    assert 'data-label="80–89" data-value="1"' in svgs[0]
    assert "Availability" in svgs[1] and "(3 unknown)" in svgs[1]


def test_same_results_same_site(tmp_path: Path) -> None:
    document = standard_document()
    write_site(document, METHODOLOGY, tmp_path / "a", SiteOptions(now=NOW))
    write_site(document, METHODOLOGY, tmp_path / "b", SiteOptions(now=NOW))
    for path in (tmp_path / "a").rglob("*"):
        if path.is_file():
            assert (
                path.read_bytes()
                == (tmp_path / "b" / path.relative_to(tmp_path / "a")).read_bytes()
            )


def test_documents_the_renderer_cannot_read_are_refused() -> None:
    with pytest.raises(ResultsError, match="newer auditor"):
        check_document({"schema_version": 2, "results": []}, "r.json")
    with pytest.raises(ResultsError, match="not a results document"):
        check_document({"entries": []}, "c.json")
    with pytest.raises(ResultsError, match=r"results\[0\]"):
        check_document({"schema_version": 1, "results": [{"title": "no id"}]}, "r.json")
