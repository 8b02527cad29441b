"""Choosing the reader for a SOURCE: prefixes, --source-type and detection."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import pytest

from auditor.catalog import SourceOptions, open_source
from auditor.catalog.apigouv import ApiGouvSource
from auditor.catalog.apisguru import ApisGuruListSource, ApisGuruSpecsSource
from auditor.catalog.csv_source import CsvSource
from auditor.catalog.datagouv import DatagouvDumpSource
from auditor.catalog.datagouv_api import DatagouvApiSource
from auditor.catalog.native import NativeSource
from auditor.catalog.select import SingleSpecSource, split_prefix
from auditor.catalog.spec_source import SpecFolderSource
from auditor.context import AuditSettings, Limits
from auditor.errors import CatalogError

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
CATALOGS = FIXTURES / "catalogs"


def open_(source: str | Path, source_type: str = "auto", **options: str) -> object:
    chosen = SourceOptions(source_type=source_type, **options)  # type: ignore[arg-type]
    return asyncio.run(open_source(str(source), AuditSettings(), chosen))


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("datagouv:", ("datagouv", "")),
        ("DataGouv:dump.json", ("datagouv", "dump.json")),
        ("apigouv:../api.gouv.fr", ("apigouv", "../api.gouv.fr")),
        (
            "apisguru:https://api.apis.guru/v2/list.json",
            ("apisguru", "https://api.apis.guru/v2/list.json"),
        ),
        ("https://example.org/catalog.yaml", (None, "https://example.org/catalog.yaml")),
        ("catalog.yaml", (None, "catalog.yaml")),
        ("other:thing", (None, "other:thing")),
    ],
)
def test_split_prefix(source: str, expected: tuple[str | None, str]) -> None:
    assert split_prefix(source) == expected


@pytest.mark.parametrize(
    ("source", "reader"),
    [
        (CATALOGS / "small.yaml", NativeSource),
        (CATALOGS / "small.csv", CsvSource),
        (FIXTURES / "specs" / "petstore-3.0.yaml", SingleSpecSource),
        (FIXTURES / "specs", SpecFolderSource),
        (CATALOGS / "datagouv-page.json", DatagouvDumpSource),
        (CATALOGS / "apigouv", ApiGouvSource),
        (CATALOGS / "apisguru-list.json", ApisGuruListSource),
        (f"apisguru:{CATALOGS / 'apisguru-specs'}", ApisGuruSpecsSource),
        (f"datagouv:{CATALOGS / 'datagouv-page.json'}", DatagouvDumpSource),
        ("datagouv:", DatagouvApiSource),
        ("datagouv:http://127.0.0.1:9/", DatagouvApiSource),
    ],
)
def test_each_source_gets_its_reader(source: str | Path, reader: type) -> None:
    assert isinstance(open_(source), reader)


def test_live_api_urls_and_filters_are_built_without_fetching() -> None:
    default = open_("datagouv:", organization="534f", tag="hvd", q="adresse")
    assert isinstance(default, DatagouvApiSource)
    assert default.first_page == (
        "https://www.data.gouv.fr/api/1/dataservices/"
        "?page=1&page_size=100&organization=534f&tag=hvd&q=adresse"
    )
    other = open_("datagouv:https://demo.data.gouv.fr/api/1/dataservices")
    assert isinstance(other, DatagouvApiSource)
    assert other.first_page.startswith("https://demo.data.gouv.fr/api/1/dataservices/?page=1")


def test_source_type_overrides_detection() -> None:
    assert isinstance(open_(CATALOGS / "datagouv-page.json", "datagouv"), DatagouvDumpSource)
    assert isinstance(open_(FIXTURES / "specs" / "petstore-3.0.yaml", "spec"), SingleSpecSource)
    assert isinstance(open_(CATALOGS / "apisguru-specs", "apisguru"), ApisGuruSpecsSource)
    # a prefix wins over --source-type
    assert isinstance(
        open_(f"apisguru:{CATALOGS / 'apisguru-list.json'}", "csv"), ApisGuruListSource
    )


@pytest.mark.parametrize(
    ("source", "source_type", "says"),
    [
        (CATALOGS / "small.yaml", "spec", "not an OpenAPI/Swagger document"),
        (CATALOGS / "small.yaml", "apisguru", "not an APIs.guru list.json"),
        (CATALOGS / "small.yaml", "apigouv", "must be a folder"),
        (CATALOGS / "small.yaml", "specs", "must be a folder"),
        (CATALOGS / "apigouv", "native", "is a folder"),
        (CATALOGS / "small.yaml", "csv", "CSV header must name Entry fields"),
    ],
)
def test_a_wrong_source_type_is_a_catalog_error(source: Path, source_type: str, says: str) -> None:
    with pytest.raises(CatalogError, match=says):
        open_(source, source_type)


def test_unknown_source_type_and_empty_prefix() -> None:
    with pytest.raises(CatalogError, match="unknown source type"):
        SourceOptions(source_type="rss")
    with pytest.raises(CatalogError, match="no path or URL after the prefix"):
        open_("apigouv:")


def test_oversized_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("- id: a\n  title: A\n" * 100, encoding="utf-8")
    settings = replace(AuditSettings(), limits=Limits(max_spec_bytes=100))
    with pytest.raises(CatalogError, match="over the 100-byte cap"):
        asyncio.run(open_source(str(path), settings))
