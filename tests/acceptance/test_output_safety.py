"""Output safe for where it lands, through the commands: hostile catalog text in every
text output, formulas in CSV, links planted in the report folder, and ``-o -``."""

from __future__ import annotations

import csv
import io
import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from auditor.cli import main

HOSTILE_ID = "evil\x1b]0;pwned\x07\r\n::error file=ci.yml::owned \u202egnp.exe"
HOSTILE_TITLE = '=HYPERLINK("http://evil") \x1b[2J\x9b2J title\n::warning::x'
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def assert_inert(text: str) -> None:
    assert not UNSAFE.search(text), repr(text)
    assert not [line for line in text.split("\n") if line.lstrip().startswith("::")], text


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    """Two entries with nothing to probe: hostile id, title, organisation, unknown field."""
    path = tmp_path / "catalog.json"
    entries = [
        {
            "id": HOSTILE_ID,
            "title": HOSTILE_TITLE,
            "organization": "-Org\u2066\x07",
            "description": "@SUM(1)",
            f"note\x1b[31m\n::error::{HOSTILE_ID}": "unknown key",
        },
        {"id": "plain", "title": "Plain"},
    ]
    path.write_text(json.dumps({"entries": entries}))
    return path


def test_audit_table_and_warnings(catalog: Path) -> None:
    result = invoke("audit", str(catalog), "--format", "table")
    assert result.exit_code == 0, result.output
    assert_inert(result.stdout)
    assert_inert(result.stderr)
    assert "evil\ufffd]0;pwned\ufffd ::error file=ci.yml::owned \ufffdgnp.exe" in result.stdout
    assert result.stderr.startswith("warning: ")


def test_catalog_table(catalog: Path) -> None:
    result = invoke("catalog", str(catalog), "--format", "table")
    assert result.exit_code == 0, result.output
    assert_inert(result.stdout)
    assert "2 entries" in result.stdout


def test_catalog_csv_quotes_formulas_as_summary_csv_does(catalog: Path) -> None:
    result = invoke("catalog", str(catalog), "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
    assert [r["id"][:5] for r in rows] == ["evil\ufffd", "plain"]
    assert rows[0]["title"].startswith("'=HYPERLINK(")
    assert rows[0]["organization"].startswith("'-Org\ufffd")
    assert rows[0]["description"] == "'@SUM(1)"
    assert rows[1]["title"] == "Plain"


def test_gate_text(catalog: Path) -> None:
    result = invoke("gate", str(catalog), "--offline", "--fail-under", "90")
    assert result.exit_code == 1, result.output
    assert_inert(result.stdout)
    assert_inert(result.stderr)
    assert result.stdout.startswith("auditor gate FAILED: 2 of 2 entries")


def test_history(catalog: Path, tmp_path: Path) -> None:
    store = tmp_path / "audit.db"
    assert invoke("audit", str(catalog), "--store", str(store), "--format", "json").exit_code == 0
    result = invoke("history", HOSTILE_ID, "--store", str(store))
    assert result.exit_code == 0, result.output
    assert_inert(result.stdout)
    assert "1 run(s)" in result.stdout


def test_dash_is_standard_output(
    catalog: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    audited = invoke("audit", str(catalog), "--format", "json", "-o", "-")
    assert audited.exit_code == 0 and json.loads(audited.stdout)["schema_version"] == 1
    listed = invoke("catalog", str(catalog), "--format", "csv", "--output", "-")
    assert listed.exit_code == 0 and listed.stdout.startswith("id,title,")
    gated = invoke(
        "gate", str(catalog), "--offline", "--format", "json", "-o", "-", "--report", "md=-"
    )
    assert gated.exit_code == 0, gated.output
    document, summary = gated.stdout.split("\n}\n", 1)
    assert json.loads(document + "}")["gate"]["passed"] is True
    assert summary.startswith("## ✅ auditor gate passed")
    assert "wrote" not in audited.stderr + listed.stderr + gated.stderr
    assert not (tmp_path / "-").exists()


@pytest.mark.parametrize("command", ["report", "badge"])
def test_dash_is_refused_where_a_folder_is_needed(
    command: str, catalog: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke(command, str(catalog), "-o", "-")
    assert result.exit_code == 2
    assert "a folder of files cannot go to standard output" in result.stderr
    assert not (tmp_path / "-").exists()


@pytest.mark.skipif(os.name == "nt", reason="symbolic links need POSIX here")
def test_report_never_writes_through_a_planted_link(catalog: Path, tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    assert invoke("audit", str(catalog), "--format", "json", "-o", str(results)).exit_code == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "index.html").write_text("precious")
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").symlink_to(Path("..") / "elsewhere" / "index.html")
    result = invoke("report", str(results), "-o", str(site))
    assert result.exit_code == 0, result.output
    assert (elsewhere / "index.html").read_text() == "precious"
    assert "<table" in (site / "index.html").read_text()

    (site / "badges").rename(tmp_path / "old-badges")
    (site / "badges").symlink_to(elsewhere, target_is_directory=True)
    result = invoke("report", str(results), "-o", str(site))
    assert result.exit_code == 2
    assert f"{site / 'badges'}: is a symbolic link" in result.stderr
    assert sorted(p.name for p in elsewhere.iterdir()) == ["index.html"]

    badges = tmp_path / "badges"
    badges.mkdir()
    (badges / "plain.svg").symlink_to(elsewhere / "index.html")
    result = invoke("badge", str(results), "--entry", "plain", "-o", str(badges))
    assert result.exit_code == 0, result.output
    assert (elsewhere / "index.html").read_text() == "precious"
    assert (badges / "plain.svg").read_text().startswith("<svg")
