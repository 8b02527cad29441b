"""``auditor report`` and the demo's site, run as a user would run them."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import LocalServer
from tests.support.render import standard_document

AUDITOR = str(Path(sys.executable).with_name("auditor"))
REFERENCE = {
    "officialness": (
        "40/100",
        "40/100 from 5 proof signals (domain / portal-backlink / GitHub-org / reciprocal / policy)",
    ),
    "availability": ("100/100", "Latest verification succeeded"),
    "metadata_completeness": ("90/100", "9 of 10 recommended metadata fields populated"),
    "license_clarity": ("50/100", "No licence information found (unknown)"),
    "agent_readiness": ("85/100", "85/100: 5 of 6 agent-readiness signals"),
}


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [AUDITOR, *args], capture_output=True, text=True, timeout=180, cwd=cwd, check=False
    )


class AxisRows(HTMLParser):
    """The trust-score table of an entry page: axis id -> (score cell, reason) as text."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.rows: dict[str, list[str]] = {}
        self._axis: str | None = None
        self._capture: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "tr" and found.get("data-axis"):
            self._axis = found["data-axis"]
            self.rows[self._axis] = ["", ""]
        elif self._axis and tag == "td" and "score" in (found.get("class") or ""):
            self._capture = "score"
        elif self._axis and tag == "p" and found.get("class") == "reason":
            self._capture = "reason"

    def handle_endtag(self, tag: str) -> None:
        if tag in {"td", "p"}:
            self._capture = None
        if tag == "tr":
            self._axis = None

    def handle_data(self, data: str) -> None:
        if self._axis and self._capture:
            self.rows[self._axis][0 if self._capture == "score" else 1] += data.strip()


@pytest.fixture(scope="module")
def demo_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[subprocess.CompletedProcess[str], Path]:
    cwd = tmp_path_factory.mktemp("demo")
    return run("demo", "--format", "json", cwd=cwd), cwd


def test_demo_writes_the_site_and_keeps_stdout_json(demo_run: tuple) -> None:
    proc, cwd = demo_run
    assert proc.returncode == 0, proc.stderr
    document = json.loads(proc.stdout)  # stdout is the JSON document and nothing else
    assert document["schema_version"] == 1 and len(document["results"]) == 11
    index = cwd / "auditor-demo" / "index.html"
    assert index.is_file()
    assert f"report site: {index.resolve()}" in proc.stderr
    assert len(list((cwd / "auditor-demo" / "entries").glob("*.html"))) == 11


def test_reference_entry_page_shows_scores_and_reasons(demo_run: tuple) -> None:
    _, cwd = demo_run
    page = (cwd / "auditor-demo" / "entries" / "data.gouv.fr.html").read_text()
    rows = AxisRows(page).rows
    assert {axis: tuple(row) for axis, row in rows.items()} == REFERENCE
    assert re.search(r'<span class="composite"[^>]*>73.25</span>', page)
    assert "Public Sector API" in page and "Good" in page
    assert "TLSv1.3" in page and "HTTP 200" in page
    markdown = (cwd / "auditor-demo" / "entries" / "data.gouv.fr.md").read_text()
    assert "**73.25/100** · Good" in markdown
    for score, reason in REFERENCE.values():
        assert f"| {score} |" in markdown and reason.split(" (")[0] in markdown
    svg = (cwd / "auditor-demo" / "badges" / "data.gouv.fr.svg").read_text()
    assert 'aria-label="trust score: 73.25 · Good"' in svg


def test_demo_site_dir_option(tmp_path: Path) -> None:
    proc = run("demo", "--format", "json", "--site-dir", str(tmp_path / "elsewhere"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "elsewhere" / "index.html").is_file()
    assert not (tmp_path / "auditor-demo").exists()


def test_report_from_a_results_file(tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    results.write_text(json.dumps(standard_document()))
    proc = run(
        "report",
        str(results),
        "--output",
        str(tmp_path / "site"),
        "--base-url",
        "https://example.org/apis",
    )
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "site" / "index.html").is_file()
    page = (tmp_path / "site" / "entries" / "rich-api.html").read_text()
    assert "https://example.org/apis/badges/rich-api.svg" in page
    assert (
        json.loads((tmp_path / "site" / "results.json").read_text())["results"][0]["id"]
        == "rich-api"
    )


def test_report_audits_a_catalog_with_the_audit_machinery(
    tmp_path: Path, http_server: LocalServer
) -> None:
    spec = {
        "openapi": "3.0.3",
        "info": {"title": "Things", "version": "1", "license": {"name": "MIT"}},
        "paths": {"/things": {"get": {"responses": {"200": {"description": "ok"}}}}},
    }
    http_server.add("/api", 200, "{}", "application/json")
    http_server.add("/spec.json", 200, json.dumps(spec), "application/json")
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(
        f"- id: local/things\n  title: Local <b>Things</b>\n  base_url: {http_server.url('/api')}\n"
        f"  spec_url: {http_server.url('/spec.json')}\n"
    )
    proc = run(
        "report",
        str(catalog),
        "-o",
        str(tmp_path / "site"),
        "--allow-private-network",
        "--timeout",
        "5",
    )
    assert proc.returncode == 0, proc.stderr
    pages = list((tmp_path / "site" / "entries").glob("*.html"))
    assert len(pages) == 1 and pages[0].name.startswith("local-things-")
    html = pages[0].read_text()
    assert "Local &lt;b&gt;Things&lt;/b&gt;" in html
    rows = AxisRows(html).rows
    assert rows["availability"][0] == "100/100"
    assert {path for _, path, _ in http_server.requests} >= {"/api", "/spec.json"}  # really audited


def test_report_refuses_a_results_file_from_a_newer_auditor(tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    results.write_text(json.dumps({"schema_version": 99, "results": []}))
    proc = run("report", str(results), "-o", str(tmp_path / "site"))
    assert proc.returncode == 2
    assert "results.json" in proc.stderr and "newer auditor" in proc.stderr
    assert not (tmp_path / "site").exists()


def test_report_rejects_a_bad_base_url(tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    results.write_text(json.dumps(standard_document()))
    proc = run(
        "report", str(results), "-o", str(tmp_path / "site"), "--base-url", "javascript:alert(1)"
    )
    assert proc.returncode == 2 and "--base-url" in proc.stderr
