"""Catalog sources: native YAML/JSON catalogs, single spec files and folders of specs."""

from __future__ import annotations

import asyncio
import json
import shutil
import textwrap
import time
from pathlib import Path

import pytest

from auditor.catalog.base import CatalogProblem, LoadedCatalog
from auditor.catalog.load import disambiguate, load_sources
from auditor.context import AuditSettings, Limits
from auditor.errors import CatalogError
from auditor.model import Entry

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SMALL = FIXTURES / "catalogs" / "small.yaml"
PETSTORE = FIXTURES / "specs" / "petstore-3.0.yaml"


def load(*sources: Path | str) -> LoadedCatalog:
    return asyncio.run(load_sources([str(s) for s in sources], AuditSettings()))


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems_for(loaded: LoadedCatalog, field: str) -> list[CatalogProblem]:
    return [p for p in loaded.problems if p.field == field]


# ---------------------------------------------------------------- native catalogs


def test_yaml_list_catalog() -> None:
    loaded = load(SMALL)
    assert [e.id for e in loaded.entries] == ["meteo", "registre-des-bus"]
    meteo, bus = loaded.entries
    assert meteo.title == "Météo API"
    assert meteo.organization == "Météo-France"
    assert meteo.base_url == "https://api.meteo.example.gouv.fr/v1"
    assert meteo.spec_url == "https://api.meteo.example.gouv.fr/openapi.json"
    assert meteo.license == "etalab-2.0"
    assert meteo.tags == ("weather", "open data")
    assert meteo.catalog == "file"
    assert meteo.local_spec is None
    assert meteo.origin == f"{SMALL}:2"
    assert bus.origin == f"{SMALL}:9"
    # the second record has no id: the only problem, naming the line and the field
    (problem,) = loaded.problems
    assert problem.field == "id"
    assert problem.origin == f"{SMALL}:9"
    assert str(problem) == (
        f"{SMALL}:9: entry #2: field 'id': missing; derived 'registre-des-bus' from title"
    )


def test_tags_as_comma_separated_string() -> None:
    bus = load(SMALL).entries[1]
    assert bus.tags == ("transport", "mobility")


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ('"a, b ,,c , "', ("a", "b", "c")),
        ("[x, ' y ', '']", ("x", "y")),
        ("[1, 2]", ("1", "2")),
        ('""', ()),
    ],
)
def test_tags_forms(tmp_path: Path, tags: str, expected: tuple[str, ...]) -> None:
    path = write(tmp_path, "c.yaml", f"- id: t\n  title: T\n  tags: {tags}\n")
    loaded = load(path)
    assert loaded.entries[0].tags == expected
    assert loaded.problems == []


def test_tags_of_the_wrong_type_are_a_problem(tmp_path: Path) -> None:
    path = write(tmp_path, "c.yaml", "- id: t\n  title: T\n  tags: {a: 1}\n")
    loaded = load(path)
    assert loaded.entries[0].tags == ()
    (problem,) = loaded.problems
    assert (problem.field, problem.entry) == ("tags", "#1 (t)")
    assert "list or a comma-separated string" in problem.message


def test_json_entries_mapping(tmp_path: Path) -> None:
    document = {
        "entries": [
            {"id": "a", "title": "A", "base_url": "https://a.example", "tags": ["x"]},
            {"title": "Bé C", "homepage_url": "https://c.example/"},
        ]
    }
    text = json.dumps(document, indent=2, ensure_ascii=False)
    path = write(tmp_path, "catalog.json", text)
    loaded = load(path)
    assert [e.id for e in loaded.entries] == ["a", "be-c"]
    assert loaded.entries[0].base_url == "https://a.example"
    assert loaded.entries[0].tags == ("x",)
    assert loaded.entries[1].homepage_url == "https://c.example/"
    (problem,) = loaded.problems
    assert problem.field == "id"
    record_lines = [n for n, line in enumerate(text.splitlines(), start=1) if line == "    {"]
    assert [e.origin for e in loaded.entries] == [f"{path}:{n}" for n in record_lines]
    assert problem.origin == f"{path}:{record_lines[1]}"


def test_tab_indented_json_keeps_line_numbers(tmp_path: Path) -> None:
    document = {"entries": [{"id": "a", "title": "A"}, {"title": "B"}]}
    path = write(tmp_path, "catalog.json", json.dumps(document, indent="\t"))
    loaded = load(path)
    assert [e.id for e in loaded.entries] == ["a", "b"]
    assert loaded.entries[0].origin == f"{path}:3"
    assert loaded.problems[0].origin == f"{path}:7"


def test_surrounding_whitespace_is_trimmed_and_blank_means_missing(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "c.yaml",
        """\
        - id: "  spaced  "
          title: "  Spaced  "
          description: "   "
          contact: mailto:x@example.org
        """,
    )
    entry = load(path).entries[0]
    assert (entry.id, entry.title) == ("spaced", "Spaced")
    assert entry.description is None
    assert entry.contact == "mailto:x@example.org"


def test_entry_without_title_uses_the_id(tmp_path: Path) -> None:
    path = write(tmp_path, "c.yaml", "- id: bare\n")
    loaded = load(path)
    assert loaded.entries[0].title == "bare"
    (problem,) = loaded.problems
    assert (problem.field, problem.origin) == ("title", f"{path}:1")


def test_entry_with_neither_id_nor_title_is_skipped(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "c.yaml",
        """\
        - id: kept
          title: Kept
        - description: no name at all
          base_url: https://anonymous.example
        - id: also-kept
        """,
    )
    loaded = load(path)
    assert [e.id for e in loaded.entries] == ["kept", "also-kept"]
    skipped = [p for p in loaded.problems if "skipped" in p.message]
    assert len(skipped) == 1
    assert skipped[0].origin == f"{path}:3"
    assert skipped[0].entry == "#2"
    assert skipped[0].field == "id"
    assert "neither id nor title" in skipped[0].message


def test_record_that_is_not_a_mapping(tmp_path: Path) -> None:
    path = write(tmp_path, "c.yaml", "- just a string\n- id: ok\n  title: OK\n")
    loaded = load(path)
    assert [e.id for e in loaded.entries] == ["ok"]
    (problem,) = loaded.problems
    assert problem.origin == f"{path}:1"
    assert problem.message == "is a str, not a mapping"


def test_unknown_key_is_reported_and_kept_in_raw(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "c.yaml",
        """\
        entries:
          - id: a
            title: A
            licence: MIT
        """,
    )
    loaded = load(path)
    (entry,) = loaded.entries
    assert entry.license is None  # the British spelling is not the field
    assert entry.raw["licence"] == "MIT"
    (problem,) = loaded.problems
    assert problem.field == "licence"
    assert problem.entry == "#1 (a)"
    assert problem.origin == f"{path}:2"
    assert "unknown field" in problem.message


@pytest.mark.parametrize("key", ["local_spec", "origin", "raw"])
def test_catalog_data_cannot_set_local_spec_or_provenance(tmp_path: Path, key: str) -> None:
    path = write(
        tmp_path,
        "c.yaml",
        f"""\
        - id: sneaky
          title: Sneaky
          {key}: /etc/passwd
        """,
    )
    loaded = load(path)
    (entry,) = loaded.entries
    assert entry.local_spec is None
    assert entry.origin == f"{path}:1"
    assert entry.to_dict()["local_spec"] is None
    assert [(p.field, p.message) for p in loaded.problems] == [
        (key, "unknown field, kept in raw but not used")
    ]


def test_local_spec_in_a_json_catalog_is_ignored_too(tmp_path: Path) -> None:
    record = {"id": "s", "title": "S", "local_spec": str(PETSTORE)}
    path = write(tmp_path, "c.json", json.dumps({"entries": [record]}))
    loaded = load(path)
    assert loaded.entries[0].local_spec is None
    assert [p.field for p in loaded.problems] == ["local_spec"]


# ---------------------------------------------------------------- several sources


def test_duplicate_ids_across_sources_are_renamed(tmp_path: Path) -> None:
    first = write(tmp_path, "one.yaml", "- id: x\n  title: First\n")
    second = write(tmp_path, "two.yaml", "- id: y\n  title: Y\n- id: x\n  title: Second\n")
    third = write(tmp_path, "three.json", '[{"id": "x", "title": "Third"}]')
    loaded = load(first, second, third)
    assert [(e.id, e.title) for e in loaded.entries] == [
        ("x", "First"),
        ("y", "Y"),
        ("x~2", "Second"),
        ("x~3", "Third"),
    ]
    renamed = problems_for(loaded, "id")
    assert [(p.origin, p.entry, p.message) for p in renamed] == [
        (f"{second}:3", "x", "duplicate id; renamed to 'x~2'"),
        (f"{third}:1", "x", "duplicate id; renamed to 'x~3'"),
    ]


def test_renamed_ids_never_collide_with_existing_ones(tmp_path: Path) -> None:
    first = write(tmp_path, "one.yaml", "- id: x\n  title: First\n")
    second = write(tmp_path, "two.yaml", "- id: x\n  title: Second\n- id: x~2\n  title: Third\n")
    ids = [e.id for e in load(first, second).entries]
    assert len(set(ids)) == len(ids), ids


def test_sources_keep_their_order(tmp_path: Path) -> None:
    other = write(tmp_path, "other.yaml", "- id: zzz\n  title: Z\n")
    loaded = load(other, SMALL, PETSTORE)
    assert [e.id for e in loaded.entries] == [
        "zzz",
        "meteo",
        "registre-des-bus",
        "swagger-petstore",
    ]


# ---------------------------------------------------------------- unreadable sources


@pytest.mark.parametrize(
    ("content", "says"),
    [
        pytest.param("key: [1, 2\nother: 3\n", "not valid YAML", id="broken-yaml"),
        pytest.param('[{"id": "a",}]', "not valid JSON", id="broken-json"),
        pytest.param(b"\x89PNG\r\n\x1a\n\xff\x00", "not valid UTF-8", id="binary"),
        pytest.param("<html><body>catalog</body></html>", "HTML or XML", id="html"),
        pytest.param("", "empty document", id="empty"),
        pytest.param("just some words\n", "not a catalog", id="plain-text"),
        pytest.param('{"apis": []}', "not a catalog", id="mapping-without-entries"),
    ],
)
def test_unreadable_source_is_a_catalog_error(
    tmp_path: Path, content: str | bytes, says: str
) -> None:
    path = write(tmp_path, "catalog.txt", content)
    with pytest.raises(CatalogError) as info:
        load(path)
    message = str(info.value)
    assert message.startswith(str(path))
    assert says in message


def test_missing_source_is_a_catalog_error(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"
    with pytest.raises(CatalogError, match="cannot read"):
        load(path)


def test_an_empty_entries_list_is_not_an_error(tmp_path: Path) -> None:
    loaded = load(write(tmp_path, "c.yaml", "entries: []\n"))
    assert loaded.entries == []
    assert loaded.problems == []


# ---------------------------------------------------------------- spec files


def test_single_openapi_file_is_one_entry() -> None:
    loaded = load(PETSTORE)
    assert loaded.problems == []
    (entry,) = loaded.entries
    assert entry.id == "swagger-petstore"
    assert entry.title == "Swagger Petstore"
    assert entry.description == "A tiny sample pet store."
    assert entry.organization == "Petstore Team"
    assert entry.contact == "team@petstore.example"
    assert entry.license == "MIT"
    assert entry.base_url == "https://petstore.example/v1"  # the first server
    assert entry.docs_url == "https://petstore.example/docs"
    assert entry.tags == ("pets", "store")
    assert entry.catalog == "spec"
    assert entry.spec_url is None
    assert entry.local_spec == str(PETSTORE)
    assert entry.origin == str(PETSTORE)


def test_swagger_2_file_with_host_and_base_path(tmp_path: Path) -> None:
    spec = {
        "swagger": "2.0",
        "info": {
            "title": "Bus API",
            "x-providerName": "bus.example.gouv.fr",
            "contact": {"url": "https://bus.example.gouv.fr/contact"},
            "license": {"name": "Licence Ouverte"},
        },
        "host": "bus.example.gouv.fr",
        "basePath": "/v2",
        "schemes": ["https", "http"],
        "paths": {},
    }
    path = write(tmp_path, "bus.json", json.dumps(spec))
    (entry,) = load(path).entries
    assert entry.id == "bus-api"
    assert entry.base_url == "https://bus.example.gouv.fr/v2"
    assert entry.organization == "bus.example.gouv.fr"
    assert entry.contact == "https://bus.example.gouv.fr/contact"
    assert entry.license == "Licence Ouverte"
    assert entry.local_spec == str(path)
    assert entry.spec_url is None


def test_spec_without_title_or_absolute_server(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "Mystery API.yaml",
        """\
        openapi: 3.1.0
        info: {version: "1"}
        servers: [{url: /relative}]
        paths: {}
        """,
    )
    (entry,) = load(path).entries
    assert entry.title == "Mystery API"  # the file name stem
    assert entry.id == "mystery-api"
    assert entry.base_url is None
    assert entry.license is None


def test_folder_of_spec_files(tmp_path: Path) -> None:
    folder = tmp_path / "specs"
    folder.mkdir()
    shutil.copy(PETSTORE, folder / "a-petstore.yaml")
    write(folder, "b-bus.json", '{"swagger": "2.0", "info": {"title": "Bus"}, "paths": {}}')
    write(folder, "c-notes.yaml", "- id: not-a-spec\n  title: A catalog, not a spec\n")
    write(folder, "d-broken.yml", "openapi: [3.0\n")
    write(folder, "readme.txt", "openapi: 3.0.0\ninfo: {title: Ignored}\n")
    write(folder, "sub/e-nested.yml", "openapi: 3.0.0\ninfo: {title: Nested}\npaths: {}\n")

    loaded = load(folder)
    assert [e.id for e in loaded.entries] == ["swagger-petstore", "bus", "nested"]
    assert [e.local_spec for e in loaded.entries] == [
        str(folder / "a-petstore.yaml"),
        str(folder / "b-bus.json"),
        str(folder / "sub" / "e-nested.yml"),
    ]
    assert all(e.spec_url is None and e.catalog == "spec" for e in loaded.entries)
    problems = {Path(p.origin).name: p.message for p in loaded.problems}
    assert problems.keys() == {"c-notes.yaml", "d-broken.yml"}
    assert problems["c-notes.yaml"] == "skipped: not an OpenAPI/Swagger document"
    assert problems["d-broken.yml"].startswith("skipped: not valid YAML")


def test_same_spec_twice_gets_distinct_ids(tmp_path: Path) -> None:
    copy = tmp_path / "petstore-copy.yaml"
    shutil.copy(PETSTORE, copy)
    loaded = load(PETSTORE, copy)
    assert [e.id for e in loaded.entries] == ["swagger-petstore", "swagger-petstore~2"]
    assert [e.local_spec for e in loaded.entries] == [str(PETSTORE), str(copy)]
    (problem,) = loaded.problems
    assert problem.origin == str(copy)


# ---------------------------------------------------------------- official-catalog claims


@pytest.mark.parametrize(
    ("value", "claimed"),
    [
        ("api_gouv_fr", "api_gouv_fr"),
        ("API.GOUV.FR", "api_gouv_fr"),
        ("apigouv", "api_gouv_fr"),
        ("datagouv", "datagouv"),
        (" data.gouv.fr ", "datagouv"),
    ],
)
def test_a_record_cannot_claim_an_official_catalog(
    tmp_path: Path, value: str, claimed: str
) -> None:
    path = write(
        tmp_path,
        "c.yaml",
        f"""\
        - id: sneaky
          title: Sneaky
          catalog: "{value}"
        """,
    )
    loaded = load(path)
    (entry,) = loaded.entries
    assert entry.catalog == "file"
    assert entry.raw["catalog"] == value  # the claim is kept, not used
    (problem,) = loaded.problems
    assert (problem.field, problem.origin) == ("catalog", f"{path}:1")
    assert f"claims the official catalog {claimed!r}" in problem.message


def test_badges_in_a_native_record_are_just_an_unknown_field(tmp_path: Path) -> None:
    record = {
        "id": "s",
        "title": "S",
        "catalog": "datagouv",
        "organization_badges": ["certified", "public-service"],
    }
    loaded = load(write(tmp_path, "c.json", json.dumps([record])))
    assert loaded.entries[0].catalog == "file"
    assert sorted(p.field or "" for p in loaded.problems) == ["catalog", "organization_badges"]


def test_a_non_official_catalog_name_is_kept(tmp_path: Path) -> None:
    loaded = load(write(tmp_path, "c.yaml", "- id: a\n  title: A\n  catalog: my-portal\n"))
    assert loaded.entries[0].catalog == "my-portal"
    assert loaded.problems == []


def test_text_fields_given_as_containers_are_reported(tmp_path: Path) -> None:
    path = write(tmp_path, "c.yaml", "- id: a\n  title: A\n  base_url: [https://a.example]\n")
    loaded = load(path)
    assert loaded.entries[0].base_url is None
    (problem,) = loaded.problems
    assert (problem.field, problem.message) == ("base_url", "is a list, not text; ignored")


# ---------------------------------------------------------------- duplicates


def test_rename_skips_ids_that_later_entries_carry(tmp_path: Path) -> None:
    first = write(tmp_path, "one.yaml", "- id: x\n  title: First\n")
    second = write(tmp_path, "two.yaml", "- id: x\n  title: Second\n- id: x~2\n  title: Third\n")
    loaded = load(first, second)
    assert [(e.id, e.title) for e in loaded.entries] == [
        ("x", "First"),
        ("x~3", "Second"),
        ("x~2", "Third"),  # an id a record really carries is never taken from it
    ]
    assert [p.message for p in loaded.problems] == ["duplicate id; renamed to 'x~3'"]
    assert [p.message for p in loaded.entry_problems["x~3"]] == ["duplicate id; renamed to 'x~3'"]


def test_identical_duplicates_are_merged(tmp_path: Path) -> None:
    text = "- id: x\n  title: Same\n  base_url: https://x.example\n"
    first, second = write(tmp_path, "one.yaml", text), write(tmp_path, "two.yaml", text)
    loaded = load(first, second, first)
    assert [e.id for e in loaded.entries] == ["x"]
    assert loaded.entries[0].origin == f"{first}:1"
    assert [(p.origin, p.message) for p in loaded.problems] == [
        (f"{second}:1", f"duplicate of the identical entry read from {first}:1; merged"),
        (f"{first}:1", f"duplicate of the identical entry read from {first}:1; merged"),
    ]
    assert len(loaded.entry_problems["x"]) == 2


def test_many_copies_of_one_id_are_renamed_in_linear_time() -> None:
    # 20,000 copies took 87 s when each rename counted up from ~2 again (quadratic)
    copies = 20_000
    records: list[tuple[Entry | None, list[CatalogProblem]]] = [
        (Entry(id="x", title=f"T{i}", origin=f"c.yaml:{i + 1}"), []) for i in range(copies)
    ]
    records.insert(5, (Entry(id="x~3", title="Carries x~3", origin="c.yaml:0"), []))
    loaded = LoadedCatalog()
    started = time.perf_counter()
    disambiguate(records, loaded)
    elapsed = time.perf_counter() - started
    ids = [e.id for e in loaded.entries]
    assert ids[:7] == ["x", "x~2", "x~4", "x~5", "x~6", "x~3", "x~7"]
    assert ids[-1] == f"x~{copies + 1}" and len(set(ids)) == copies + 1
    assert elapsed < 5, f"{elapsed:.1f} s for {copies:,} copies"


# ---------------------------------------------------------------- caps


def test_the_entries_cap_stops_the_run_with_a_problem_naming_the_source(tmp_path: Path) -> None:
    first = write(tmp_path, "one.yaml", "".join(f"- id: a{i}\n  title: A\n" for i in range(4)))
    second = write(tmp_path, "two.yaml", "- id: b\n  title: B\n")
    settings = AuditSettings(limits=Limits(max_catalog_entries=3))
    loaded = asyncio.run(load_sources([str(first), str(second)], settings))
    assert [e.id for e in loaded.entries] == ["a0", "a1", "a2"]
    assert [(p.origin, p.message) for p in loaded.problems] == [
        (
            str(first),
            "reading stopped after 3 records; max_catalog_entries is 3 for the whole run "
            "(entries and skipped records); raise it with --limit max_catalog_entries=N "
            "to read the rest",
        ),
        (
            str(second),
            "not read: the run already holds 3 records; max_catalog_entries is 3 for the "
            "whole run (entries and skipped records); raise it with --limit "
            "max_catalog_entries=N to read the rest",
        ),
    ]
    # exactly at the cap is not over it
    capped = AuditSettings(limits=Limits(max_catalog_entries=4))
    assert asyncio.run(load_sources([str(first)], capped)).problems == []
