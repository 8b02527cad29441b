"""api.gouv.fr: a checkout of the site's repository as a catalog."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
import yaml

from auditor.catalog import LoadedCatalog, SourceOptions, load_sources
from auditor.catalog.apigouv import KNOWN_KEYS
from auditor.context import AuditSettings
from auditor.errors import CatalogError

CHECKOUT = Path(__file__).resolve().parents[2] / "fixtures" / "catalogs" / "apigouv"


def load(*sources: str, **options: str) -> LoadedCatalog:
    settings = AuditSettings()
    return asyncio.run(load_sources(list(sources), settings, SourceOptions(**options)))  # type: ignore[arg-type]


def by_id(loaded: LoadedCatalog) -> dict[str, object]:
    return {e.id: e for e in loaded.entries}


def test_the_mapping_table() -> None:
    loaded = load(f"apigouv:{CHECKOUT}")
    assert [e.id for e in loaded.entries] == ["api-windows", "api-adresse", "api-avec-faute"]
    adresse = loaded.entries[1]
    assert adresse.title == "API Adresse"
    assert adresse.description == "Géocodez et recherchez des adresses"
    assert adresse.organization == "Direction interministérielle du numérique"
    assert adresse.spec_url == "https://api.gouv.fr/swaggers/api-adresse.yaml"  # was relative
    assert adresse.docs_url == "https://adresse.data.gouv.fr/api-doc/adresse"
    assert adresse.homepage_url == "https://adresse.data.gouv.fr"
    assert adresse.contact == "adresse@data.gouv.fr"
    assert adresse.tags == ("adresse", "géocodage", "Géographie")  # keywords + themes, once
    assert adresse.base_url is None and adresse.license is None  # api.gouv.fr has neither
    assert adresse.catalog == "api_gouv_fr"
    assert adresse.catalog_url == "https://api.gouv.fr/les-api/api-adresse"
    assert adresse.origin == str(CHECKOUT / "_data" / "api" / "api-adresse.md")
    assert adresse.raw["access_type"] == "open"
    assert adresse.raw["declared_availability"] == 99.8
    assert "uptime" not in adresse.raw
    assert adresse.raw["rate_limiting"] == "50 appels / seconde / IP"
    assert adresse.raw["datagouv_uuid"] == ["5530fbacc751df5ff937dddb"]
    assert adresse.raw["producer_site"] == "https://www.numerique.gouv.fr/"


def test_misspelled_keys_are_reported_with_a_suggestion_and_not_used() -> None:
    loaded = load(f"apigouv:{CHECKOUT}")
    faute = loaded.entries[2]
    assert faute.homepage_url is None
    assert faute.raw["extrenal_site"] == "https://faute.example.gouv.fr"
    assert faute.raw["access_type"] == "restricted"
    assert faute.organization == "Direction interministérielle du numérique"  # comment stripped
    problems = [(p.field, p.message) for p in loaded.entry_problems["api-avec-faute"]]
    assert problems == [
        ("extrenal_site", "unknown key (did you mean 'external_site'?); kept in raw but not used"),
        ("visit_2019", "unknown key (did you mean 'visits_2019'?); kept in raw but not used"),
    ]


def test_crlf_file_with_bad_values() -> None:
    loaded = load(f"apigouv:{CHECKOUT}")
    windows = loaded.entries[0]
    assert windows.title == "API Windows"
    assert windows.catalog_url == "https://api.gouv.fr/les-api/API_Windows"
    assert windows.organization == "inconnu"
    assert windows.spec_url == "ftp://files.example.gouv.fr/spec.json"  # kept as stated
    assert windows.raw["access_type"] is None
    fields = [p.field for p in loaded.entry_problems["api-windows"]]
    assert fields == ["producer", "contact_link", "is_open"]


def test_a_page_without_front_matter_is_skipped_and_templates_are_ignored() -> None:
    loaded = load(f"apigouv:{CHECKOUT}")
    skipped = [p for p in loaded.problems if "skipped" in p.message]
    assert [Path(p.origin).name for p in skipped] == ["sans-front-matter.md"]
    assert all("template" not in (e.origin or "") for e in loaded.entries)


@pytest.mark.parametrize("sub", ["", "_data", "_data/api"])
def test_the_checkout_can_be_named_at_three_levels(sub: str) -> None:
    path = CHECKOUT / sub if sub else CHECKOUT
    loaded = load(f"apigouv:{path}")
    assert len(loaded.entries) == 3
    assert loaded.entries[1].organization == "Direction interministérielle du numérique"


def test_detected_checkout_cannot_claim_the_listing() -> None:
    loaded = load(str(CHECKOUT))
    assert {e.catalog for e in loaded.entries} == {"file"}
    assert loaded.entries[0].raw["catalog_claim"] == "api_gouv_fr"
    assert "only when you select it with apigouv:PATH" in loaded.problems[0].message
    assert {e.catalog for e in load(str(CHECKOUT), source_type="apigouv").entries} == {
        "api_gouv_fr"
    }


def test_a_folder_that_is_not_a_checkout(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match=r"not an api\.gouv\.fr checkout"):
        load(f"apigouv:{tmp_path}")


def test_filters_by_producer_id_and_theme() -> None:
    assert [e.id for e in load(f"apigouv:{CHECKOUT}", organization="dinum").entries] == [
        "api-adresse",
        "api-avec-faute",
    ]
    assert [e.id for e in load(f"apigouv:{CHECKOUT}", tag="géographie").entries] == ["api-adresse"]


# ---------------------------------------------------------------- the real catalog


def front(path: Path) -> dict[str, object]:
    text = path.read_text(encoding="utf-8")
    match = re.match(r"---\r?\n(.*?)\r?\n---", text, re.S)
    assert match, path
    data = yaml.safe_load(match.group(1))
    assert isinstance(data, dict)
    return data


@pytest.mark.realworld
def test_all_170_real_entries_load_and_follow_the_mapping_table(corpus: Path) -> None:
    root = corpus / "api_gouv_fr"
    loaded = load(f"apigouv:{root}")
    files = sorted((root / "_data" / "api").glob("*.md"))
    assert len(files) == 170
    assert len(loaded.entries) == 170
    assert [p for p in loaded.problems if p.entry is None] == []  # none skipped
    producers = {p.stem: front(p) for p in (root / "_data" / "producteurs").glob("*.md")}
    for path, entry in zip(files, loaded.entries, strict=True):
        record = front(path)
        assert entry.origin == str(path)
        assert entry.title == str(record["title"]).strip()
        assert entry.description == str(record["tagline"]).strip()
        assert entry.organization == producers[str(record["producer"])]["name"]
        assert entry.catalog == "api_gouv_fr"
        assert entry.catalog_url == f"https://api.gouv.fr/les-api/{path.stem}"
        link = record.get("doc_tech_link")
        if isinstance(link, str) and link.startswith("/"):
            assert entry.spec_url == f"https://api.gouv.fr{link}"
        else:
            assert entry.spec_url == (link.strip() if isinstance(link, str) else None) or None
        assert entry.docs_url == (record.get("doc_tech_external") or None)
        assert entry.homepage_url == (record.get("external_site") or None)
        listed = [*record["keywords"], *record["themes"]]  # type: ignore[misc]
        expected_tags = [str(t).strip() for t in listed if t is not None]
        assert list(entry.tags) == list(dict.fromkeys(t for t in expected_tags if t))
        assert (
            entry.raw["access_type"]
            == {1: "open", 0: "open_with_account", -1: "restricted"}[record["is_open"]]
        )
        assert entry.raw["declared_availability"] == record.get("uptime")
        unknown = sorted(str(k) for k in record if k not in KNOWN_KEYS)
        reported = sorted(
            p.field or ""
            for p in loaded.entry_problems.get(entry.id, [])
            if "unknown key" in p.message
        )
        assert reported == unknown
    unknown_keys = [p.field for p in loaded.problems if "unknown key" in p.message]
    assert sorted(unknown_keys) == ["extrenal_site", "visit_2019", "visit_2019", "visit_2019"]


def _page(producer: str) -> str:
    return f"---\ntitle: T\nproducer: {producer}\ncontact_link: a@b.fr\nis_open: 1\n---\n"


def test_nothing_outside_the_checkout_is_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("---\nname: Read from outside\nsite: x\n---\n")
    (outside / "page.md").write_text(_page("dinum"))
    data = tmp_path / "checkout" / "_data"
    (data / "api").mkdir(parents=True)
    (data / "producteurs").mkdir()
    (data / "producteurs" / "dinum.md").write_text("---\nname: DINUM\n---\n")
    (data / "producteurs" / "linked.md").symlink_to(outside / "secret.md")
    (data / "api" / "dots.md").write_text(_page("../../../outside/secret"))
    (data / "api" / "linked-producer.md").write_text(_page("linked"))
    (data / "api" / "linked-page.md").symlink_to(outside / "page.md")
    (data / "api" / "inside.md").write_text(_page("../producteurs/dinum"))  # stays inside
    loaded = load(f"apigouv:{tmp_path / 'checkout'}")
    organizations = {e.id: e.organization for e in loaded.entries}
    assert organizations == {"dots": None, "inside": "DINUM", "linked-producer": None}
    assert all("Read from outside" not in str(e.raw) for e in loaded.entries)
    producer = [(p.entry, p.message) for p in loaded.problems if p.field == "producer"]
    assert producer == [
        (
            "dots",
            "'../../../outside/secret' names a file outside the checkout; not read, "
            "organisation unknown",
        ),
        (
            "linked-producer",
            "'linked' names a file outside the checkout; not read, organisation unknown",
        ),
    ]
    (skipped,) = [p for p in loaded.problems if p.entry == "linked-page"]
    assert skipped.origin == str(data / "api" / "linked-page.md")
    assert "outside the checkout; not read" in skipped.message
