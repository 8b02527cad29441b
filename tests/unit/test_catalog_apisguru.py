"""APIs.guru: list.json and a directory of its specs."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from auditor.catalog import LoadedCatalog, SourceOptions, load_sources
from auditor.catalog.base import slugify
from auditor.context import AuditSettings
from auditor.errors import CatalogError

CATALOGS = Path(__file__).resolve().parents[2] / "fixtures" / "catalogs"
LIST = CATALOGS / "apisguru-list.json"
SPECS = CATALOGS / "apisguru-specs"


def load(*sources: str, **options: str) -> LoadedCatalog:
    settings = AuditSettings()
    return asyncio.run(load_sources(list(sources), settings, SourceOptions(**options)))  # type: ignore[arg-type]


def test_list_json_uses_the_preferred_version() -> None:
    loaded = load(f"apisguru:{LIST}")
    assert [e.id for e in loaded.entries] == ["example.gouv.uk-bus", "unofficial.example.com"]
    bus, community = loaded.entries
    assert bus.title == "Bus Times"
    assert bus.description == "Live bus times."
    assert bus.organization == "example.gouv.uk"
    assert bus.spec_url == "https://api.apis.example/v2/specs/example.gouv.uk/bus/1.0/openapi.json"
    assert bus.docs_url == "https://bus.example.gouv.uk/docs"
    assert bus.contact == "buses@example.gouv.uk"
    assert bus.license == "OGL-UK-3.0"
    assert bus.tags == ("transport",)
    assert bus.catalog == "apisguru"
    assert bus.local_spec is None
    assert bus.raw["origin_spec_url"] == "https://bus.example.gouv.uk/swagger.json"
    assert bus.raw["unofficial_spec"] is False
    assert community.raw["unofficial_spec"] is True
    assert [(p.entry, p.field) for p in loaded.problems] == [
        ("unofficial.example.com", "preferred"),
        ("empty.example.net", "versions"),
    ]


def test_list_json_is_detected() -> None:
    loaded = load(str(LIST))
    assert {e.catalog for e in loaded.entries} == {"apisguru"}


def test_specs_directory() -> None:
    loaded = load(f"apisguru:{SPECS}")
    assert [e.id for e in loaded.entries] == ["example.gouv.uk-bus", "unofficial.example.com"]
    bus, community = loaded.entries
    assert bus.local_spec == str(SPECS / "example.gouv.uk" / "bus.json")
    assert bus.spec_url is None
    assert bus.base_url == "https://bus.example.gouv.uk/v1"
    assert bus.docs_url == "https://bus.example.gouv.uk/docs"
    assert bus.tags == ("transport", "open_data")
    assert bus.raw["apisguru_id"] == "example.gouv.uk:bus"
    assert bus.raw["contact_name"] == "Transport Team"
    assert community.base_url is None  # relative server
    assert community.contact == "https://github.com/someone/specs"
    assert community.raw["unofficial_spec"] is True
    (problem,) = loaded.problems
    assert Path(problem.origin).name == "broken.example.org.json"
    assert problem.message.startswith("skipped: not valid")


def test_without_the_prefix_a_directory_is_a_plain_spec_folder() -> None:
    loaded = load(str(SPECS))
    assert {e.catalog for e in loaded.entries} == {"spec"}


def test_not_a_list(tmp_path: Path) -> None:
    path = tmp_path / "list.json"
    path.write_text('{"a": {"no": "versions"}}', encoding="utf-8")
    with pytest.raises(CatalogError, match=r"not an APIs\.guru list\.json"):
        load(f"apisguru:{path}")


@pytest.mark.realworld
def test_the_300_real_specs_load_as_a_catalog(corpus: Path) -> None:
    root = corpus / "apisguru"
    loaded = load(f"apisguru:{root / 'specs'}")
    rows = [json.loads(line) for line in (root / "subset_index.jsonl").read_text().splitlines()]
    assert len(rows) == 300
    assert loaded.problems == []
    assert len(loaded.entries) == 300
    entries = {e.raw["apisguru_id"]: e for e in loaded.entries}
    for row in rows:
        entry = entries[row["id"].replace("/", ":")]
        assert entry.id == slugify(row["id"].replace("/", "-"))
        assert entry.title == (row["title"] or "").strip()
        assert entry.organization == row["providerName"]
        assert list(entry.tags) == (row["categories"] or [])
        assert entry.raw["unofficial_spec"] is bool(row["unofficialSpec"])
        assert entry.license == ((row["license_name"] or "").strip() or None)
        assert entry.local_spec == str(root / "specs" / row["file"])
        assert entry.catalog == "apisguru"
    assert len({e.id for e in loaded.entries}) == 300


@pytest.mark.parametrize("prefix", ["apisguru:", ""])
def test_one_bad_record_is_a_problem_of_its_own(tmp_path: Path, prefix: str) -> None:
    document = json.loads(LIST.read_text(encoding="utf-8"))
    alone = load(f"{prefix}{LIST}")
    bad = {
        "broken.example:a": "not a record",
        "broken.example:b": {"versions": "1.0"},
        "broken.example:c": {"preferred": ["1.0"], "versions": {"1.0": {"info": {}}}},
    }
    path = tmp_path / "list.json"
    path.write_text(json.dumps({**bad, **document}), encoding="utf-8")
    loaded = load(f"{prefix}{path}")
    assert [e.id for e in loaded.entries] == ["broken.example-c", *(e.id for e in alone.entries)]
    assert [(p.entry, p.field, p.message) for p in loaded.problems] == [
        ("broken.example:a", None, "is a str, not an API record; skipped"),
        ("broken.example:b", "versions", "has no versions; skipped"),
        ("broken.example:c", "preferred", "names no listed version; using '1.0'"),
        ("broken.example-c", "title", "missing; using the APIs.guru id"),
        *((p.entry, p.field, p.message) for p in alone.problems),
    ]
