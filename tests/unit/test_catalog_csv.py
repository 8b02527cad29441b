"""Native catalogs as CSV: a header row of Entry field names."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from auditor.catalog import LoadedCatalog, SourceOptions, load_sources
from auditor.context import AuditSettings
from auditor.errors import CatalogError

SMALL_CSV = Path(__file__).resolve().parents[2] / "fixtures" / "catalogs" / "small.csv"


def load(*sources: Path | str, source_type: str = "auto") -> LoadedCatalog:
    options = SourceOptions(source_type=source_type)
    return asyncio.run(load_sources([str(s) for s in sources], AuditSettings(), options))


def test_semicolon_csv_with_blank_rows_and_an_unknown_column() -> None:
    loaded = load(SMALL_CSV)
    assert [e.id for e in loaded.entries] == ["meteo", "registre-des-bus", "pretend"]
    meteo, bus, pretend = loaded.entries
    assert meteo.title == "Météo API"
    assert meteo.organization == "Météo-France"
    assert meteo.tags == ("weather", "open data")
    assert meteo.description is None  # absent column
    assert meteo.raw["notes"] == "first row"
    assert [e.origin for e in loaded.entries] == [f"{SMALL_CSV}:{n}" for n in (2, 3, 6)]
    assert bus.organization is None  # empty cell means missing
    assert pretend.catalog == "file"
    assert pretend.raw["catalog"] == "api_gouv_fr"
    found = [(p.origin, p.entry, p.field) for p in loaded.problems]
    assert found == [
        (f"{SMALL_CSV}:1", None, "notes"),  # reported once, for the header
        (f"{SMALL_CSV}:3", "#2", "id"),
        (f"{SMALL_CSV}:6", "#3 (pretend)", "catalog"),
    ]


def test_comma_csv_with_quoted_newlines_and_extra_cells(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text('id,title,description\na,A,"two\nlines"\nb,B,ok,surplus\n', encoding="utf-8")
    loaded = load(path)
    assert [e.description for e in loaded.entries] == ["two\nlines", "ok"]
    assert [e.origin for e in loaded.entries] == [f"{path}:2", f"{path}:4"]
    (problem,) = loaded.problems
    assert problem.origin == f"{path}:4"
    assert "has 4 cells but the header names 3" in problem.message


def test_tab_separated_with_bom_and_a_repeated_column(tmp_path: Path) -> None:
    path = tmp_path / "c.tsv"
    path.write_bytes("\ufeffID\tTitle\ttitle\nx\tFirst\tSecond\n".encode())
    loaded = load(path, source_type="csv")
    assert [(e.id, e.title) for e in loaded.entries] == [("x", "First")]
    assert [(p.field, p.message) for p in loaded.problems] == [
        ("title", "repeated column; the first one is used")
    ]


def test_csv_without_entry_columns_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("name,url\nA,https://a.example\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="CSV header must name Entry fields"):
        load(path)


def test_csv_is_detected_without_the_suffix(tmp_path: Path) -> None:
    path = tmp_path / "catalog.txt"
    path.write_text("id,title,base_url\na,A,https://a.example\n", encoding="utf-8")
    assert [e.base_url for e in load(path).entries] == ["https://a.example"]


def test_an_unterminated_quote_is_reported_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    rows = 'id,title,description\na,A,fine\nb,B,"never closed\nc,C,eaten\nd,D,eaten too\n'
    path.write_text(rows, encoding="utf-8")
    loaded = load(path)
    assert [e.id for e in loaded.entries] == ["a"]
    (problem,) = loaded.problems
    assert problem.origin == f"{path}:3"
    assert "a quoted cell opened on this row is never closed" in problem.message
    assert "lines 3-5" in problem.message


def test_quoted_newlines_and_stray_quotes_at_the_end_are_not_an_open_quote(
    tmp_path: Path,
) -> None:
    path = tmp_path / "c.csv"
    path.write_text('id,title,description\na,A,"two\nlines"\nb,B,say "hi"', encoding="utf-8")
    loaded = load(path)
    assert [(e.id, e.description) for e in loaded.entries] == [
        ("a", "two\nlines"),
        ("b", 'say "hi"'),
    ]
    assert loaded.problems == []
