"""Choosing the reader for a SOURCE: prefixes, --source-type and detection."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from dataclasses import replace
from pathlib import Path

import pytest

from auditor.catalog import SOURCE_TYPES, SourceOptions, open_source
from auditor.catalog.apigouv import ApiGouvSource
from auditor.catalog.apisguru import ApisGuruListSource, ApisGuruSpecsSource
from auditor.catalog.base import SourceRecord, SourceType
from auditor.catalog.csv_source import CsvSource
from auditor.catalog.datagouv import DatagouvDumpSource
from auditor.catalog.datagouv_api import DatagouvApiSource
from auditor.catalog.native import NativeSource
from auditor.catalog.registry import REGISTRY
from auditor.catalog.select import choose_source, split_prefix
from auditor.catalog.spec_source import SingleSpecSource, SpecFolderSource
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


# ---------------------------------------------------------------- prefixes


@pytest.mark.parametrize(
    ("source", "meant"),
    [
        ("apigov:../api.gouv.fr", "apigouv:"),
        ("DataGov:dump.json", "datagouv:"),
        ("apiguru:https://api.apis.guru/v2/list.json", "apisguru:"),
    ],
)
def test_a_mistyped_prefix_names_the_one_it_probably_meant(source: str, meant: str) -> None:
    with pytest.raises(CatalogError) as info:
        open_(source)
    message = str(info.value)
    assert message.startswith(f"{source}: ")
    assert f"did you mean {meant!r}?" in message
    assert "No such file" not in message


def test_a_real_file_named_like_a_prefix_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "apigov:x.yaml").write_text("- id: a\n  title: A\n", encoding="utf-8")
    assert isinstance(open_("apigov:x.yaml"), NativeSource)


def test_a_word_far_from_every_prefix_is_just_a_missing_file() -> None:
    with pytest.raises(CatalogError, match="cannot read") as info:
        open_("other:thing")
    assert "did you mean" not in str(info.value)


# ---------------------------------------------------------------- the registry


def test_the_registry_declares_each_source_once_and_consistently() -> None:
    forms: dict[tuple[str, str], SourceType] = {}
    for source_type in REGISTRY:
        key = (source_type.name, source_type.form)
        assert key not in forms, f"{key} registered twice: the second would never be chosen"
        forms[key] = source_type
    by_name: dict[str, set[str | None]] = {}
    for source_type in REGISTRY:
        by_name.setdefault(source_type.name, set()).add(source_type.prefix)
    assert all(len(p) == 1 for p in by_name.values()), by_name
    assert set(SOURCE_TYPES) == {"auto", *by_name}
    # only the live API filters on the server; remote readers are chosen, never detected
    assert [t.name for t in REGISTRY if t.server_filtered] == ["datagouv"]
    assert all(t.detect is None for t in REGISTRY if t.form == "remote")
    # a catch-all detector must be the last of its form, or it hides the ones after it
    for form in ("folder", "file"):
        detected = [t for t in REGISTRY if t.form == form and t.detect is not None]
        assert detected[-1].name == {"folder": "specs", "file": "native"}[form]


class ToySource:
    def __init__(self, label: str) -> None:
        self.label = label

    async def records(self) -> AsyncGenerator[SourceRecord, None]:
        yield SourceRecord(None)


TOY = SourceType(
    "toy",
    "file",
    lambda material: ToySource(material.location),
    detect=lambda material: material.head_text().startswith("TOY"),
    prefix="toy:",
)


def test_a_new_source_is_one_registry_entry(tmp_path: Path) -> None:
    registry = (TOY, *REGISTRY)
    toy = tmp_path / "catalog.toy"
    toy.write_text("TOY 1\n", encoding="utf-8")
    other = tmp_path / "catalog.yaml"
    other.write_text("- id: a\n  title: A\n", encoding="utf-8")

    def choose(source: str) -> tuple[SourceType, object]:
        return asyncio.run(choose_source(source, AuditSettings(), None, registry))

    assert choose(f"TOY:{other}")[0] is TOY  # by its prefix
    chosen, reader = choose(str(toy))  # detected
    assert chosen is TOY and isinstance(reader, ToySource)
    assert choose(str(other))[0].name == "native"  # the others are untouched
    with pytest.raises(CatalogError, match="did you mean 'toy:'"):
        choose("tyo:nowhere")
