"""data.gouv.fr dataservices: the record mapping and saved dumps (the live API is in
tests/acceptance/test_catalog_datagouv_api.py)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from auditor.catalog import LoadedCatalog, SourceOptions, load_sources
from auditor.catalog.datagouv import entry_from_dataservice
from auditor.context import AuditSettings
from auditor.errors import CatalogError

PAGE = Path(__file__).resolve().parents[2] / "fixtures" / "catalogs" / "datagouv-page.json"


def load(*sources: str, **options: str) -> LoadedCatalog:
    return asyncio.run(
        load_sources(list(sources), AuditSettings(), SourceOptions(**options))  # type: ignore[arg-type]
    )


def test_the_mapping_table() -> None:
    loaded = load(f"datagouv:{PAGE}")
    sirene = loaded.entries[0]
    assert sirene.id == "api-sirene"
    assert sirene.title == "API Sirene"
    assert sirene.description == "Le répertoire des entreprises et des établissements."
    assert sirene.organization == "Institut national de la statistique et des études économiques"
    assert sirene.base_url == "https://api.insee.example.fr/entreprises/sirene/V3.11"
    assert sirene.spec_url == "https://api.insee.example.fr/sirene/openapi.json"
    assert sirene.docs_url == "https://api.insee.example.fr/catalogue/sirene"
    assert sirene.homepage_url == "https://www.insee.example.fr/sirene"
    assert sirene.contact == "sirene@insee.example.fr"
    assert sirene.license == "lov2"
    assert sirene.tags == ("entreprises", "hvd")
    assert sirene.catalog == "datagouv"
    assert sirene.catalog_url == "https://www.data.gouv.example.fr/dataservices/api-sirene/"
    assert sirene.origin == f"{PAGE}:3"
    assert sirene.local_spec is None
    assert sirene.raw["organization_badges"] == ["public-service", "certified"]
    assert sirene.raw["access_type"] == "open_with_account"
    assert sirene.raw["rate_limiting"] == "30 requêtes par minute"
    assert sirene.raw["id"] == "6661e60fda535e9773c510ca"


def test_declared_availability_is_never_stored_as_availability() -> None:
    sirene, explore = load(f"datagouv:{PAGE}").entries[:2]
    assert "availability" not in sirene.raw
    assert sirene.raw["declared_availability"] == 99.5
    assert explore.raw["declared_availability"] is None


def test_older_spec_field_name_and_contact_form() -> None:
    explore = load(f"datagouv:{PAGE}").entries[1]
    assert explore.spec_url == "https://opendata.ville.example.fr/api/explore/v2.1/swagger.json"
    assert explore.contact == "https://opendata.ville.example.fr/contact"
    assert explore.raw["organization_badges"] == ["local-authority"]
    assert explore.docs_url is None and explore.license is None


def test_malformed_records_are_reported_and_the_rest_is_kept() -> None:
    loaded = load(f"datagouv:{PAGE}")
    assert [e.id for e in loaded.entries] == ["api-sirene", "explore-api-v2", "badbadbadbad"]
    bad = loaded.entries[2]
    assert bad.base_url is None  # 42 is not a URL
    assert bad.spec_url == "ftp://files.example.fr/spec.json"  # kept as stated
    assert bad.organization is None
    assert bad.tags == ("pas une liste",)
    messages = [(p.entry, p.field, p.message) for p in loaded.problems]
    assert messages == [
        ("#3", None, "is a str, not a record"),
        ("#4 (badbadbadbad)", "base_api_url", "is not text; ignored"),
        ("#4 (badbadbadbad)", "organization", "is not an object; organisation unknown"),
        ("#5", "title", "has no title, slug or id; skipped"),
    ]


def test_a_detected_dump_cannot_claim_the_listing() -> None:
    loaded = load(str(PAGE))
    assert [e.catalog for e in loaded.entries] == ["file"] * 3
    assert loaded.entries[0].raw["catalog_claim"] == "datagouv"
    assert loaded.entries[0].raw["organization_badges"] == ["public-service", "certified"]
    assert "only when you select it with datagouv:PATH" in loaded.problems[0].message
    trusted = load(str(PAGE), source_type="datagouv")
    assert [e.catalog for e in trusted.entries] == ["datagouv"] * 3


def test_dump_forms(tmp_path: Path) -> None:
    page = json.loads(PAGE.read_text(encoding="utf-8"))
    records = [r for r in page["data"] if isinstance(r, dict) and r.get("slug")]
    forms = {
        "pages.json": [{"data": records[:1], "total": 2}, {"data": records[1:], "total": 2}],
        "records.json": records,
        "one.json": records[0],
    }
    for name, document in forms.items():
        path = tmp_path / name
        path.write_text(json.dumps(document, indent=1), encoding="utf-8")
        loaded = load(f"datagouv:{path}")
        expected = ["api-sirene"] if name == "one.json" else ["api-sirene", "explore-api-v2"]
        assert [e.id for e in loaded.entries] == expected, name
        assert loaded.problems == []
    origins = [e.origin for e in load(f"datagouv:{tmp_path / 'pages.json'}").entries]
    assert origins == [f"{tmp_path / 'pages.json'} page 1", f"{tmp_path / 'pages.json'} page 2"]


def test_a_file_that_is_not_a_dump_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"entries": []}', encoding="utf-8")
    with pytest.raises(CatalogError, match=r"not a data\.gouv\.fr dump"):
        load(f"datagouv:{path}")


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"organization": "534fff81a3a7292c64a77e5c"}, ["api-sirene"]),
        ({"organization": "insee"}, ["api-sirene"]),
        ({"organization": "Ville d'Exemple"}, ["explore-api-v2"]),
        ({"tag": "HVD"}, ["api-sirene"]),
        ({"q": "répertoire"}, ["api-sirene"]),
        ({"q": "explore", "tag": "hvd"}, []),
    ],
)
def test_filters(options: dict[str, str], expected: list[str]) -> None:
    loaded = load(f"datagouv:{PAGE}", **options)
    assert [e.id for e in loaded.entries] == expected
    assert loaded.filtered_out == 3 - len(expected)


def test_missing_slug_and_title() -> None:
    entry, problems = entry_from_dataservice({"id": "abc"}, "o", 0, trusted=True)
    assert entry is not None and (entry.id, entry.title) == ("abc", "abc")
    assert [p.field for p in problems] == ["title"]
    entry, problems = entry_from_dataservice({"title": "Té st"}, "o", 0, trusted=True)
    assert entry is not None and entry.id == "te-st"
    assert [p.field for p in problems] == ["slug"]


@pytest.mark.realworld
def test_udata_fixture_records_load(corpus: Path) -> None:
    fixture = corpus / "datagouv_fr" / "udata_fixture" / "dataservices_extracted.json"
    loaded = load(f"datagouv:{fixture}")
    assert loaded.problems == []
    by_id = {e.id: e for e in loaded.entries}
    assert sorted(by_id) == ["api-base-dadresse-nationale-ban", "api-sirene", "explore-api-v2-30"]
    records = {r["slug"]: r for r in json.loads(fixture.read_text(encoding="utf-8"))}
    for slug, entry in by_id.items():
        record = records[slug]
        assert entry.title == record["title"]
        assert entry.organization == record["organization"]["name"]
        assert entry.base_url == record["base_api_url"]
        assert entry.spec_url == record.get("machine_documentation_url")
        assert entry.docs_url == record.get("technical_documentation_url")
        assert entry.catalog == "datagouv"
        kinds = [b["kind"] for b in record["organization"]["badges"]]
        assert entry.raw["organization_badges"] == kinds
        assert entry.raw["declared_availability"] == record["availability"]
        assert "availability" not in entry.raw
    assert by_id["api-sirene"].contact == "sirene@insee.fr"


def test_a_broken_json_dump_is_reported_as_json(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{\n  "data": [\n    {"slug": "a"\n  ]\n}\n', encoding="utf-8")
    with pytest.raises(CatalogError) as info:
        load(f"datagouv:{path}")
    message = str(info.value)
    assert message.startswith(f"{path}: cannot read as a data.gouv.fr dump: not valid JSON")
    assert "line 4" in message and "YAML" not in message
