"""Every gate result points at a file and a line: the entry file's field or the spec's key."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.gate.locations import Location, Locator, split_origin
from auditor.model import Entry

CATALOG = """# two entries
entries:
  - id: first
    title: First
  - id: bridges
    title: Bridges
    base_url: https://api.example.gouv.fr
    license: etalab-2.0
"""

SPEC = """openapi: 3.0.3
info:
  title: Bridges
  contact:
    name: Ministry
servers:
  - url: https://api.example.gouv.fr
paths: {}
"""


@pytest.mark.parametrize(
    ("origin", "expected"),
    [
        ("catalog.yaml:12", ("catalog.yaml", 12)),
        ("dir/openapi.yaml", ("dir/openapi.yaml", None)),
        ("https://example.org/catalog.yaml:7", ("https://example.org/catalog.yaml", 7)),
        ("https://example.org:8443", ("https://example.org:8443", None)),
        ("C:\\repo\\catalog.yaml:3", ("C:\\repo\\catalog.yaml", 3)),
    ],
)
def test_split_origin(origin: str, expected: tuple[str, int | None]) -> None:
    assert split_origin(origin) == expected


def test_native_entry_fields_point_at_their_own_line(tmp_path: Path) -> None:
    (tmp_path / "catalog.yaml").write_text(CATALOG)
    entry = Entry(id="bridges", title="Bridges", origin=f"{tmp_path / 'catalog.yaml'}:5")
    locate = Locator(tmp_path)
    assert locate.field(entry, None) == Location("catalog.yaml", 5)
    assert locate.for_check(entry, "metadata.license") == Location("catalog.yaml", 8)
    assert locate.for_check(entry, "official_domain") == Location("catalog.yaml", 7)
    # A field the record does not have points at the record itself.
    assert locate.for_check(entry, "metadata.docs_url") == Location("catalog.yaml", 5)


def test_spec_fields_point_at_the_key_or_its_parent(tmp_path: Path) -> None:
    spec = tmp_path / "api" / "openapi.yaml"
    spec.parent.mkdir()
    spec.write_text(SPEC)
    entry = Entry(id="b", title="B", catalog="spec", origin=str(spec), local_spec=str(spec))
    locate = Locator(tmp_path)
    assert locate.field(entry, None) == Location("api/openapi.yaml", 1)
    assert locate.for_check(entry, "metadata.title") == Location("api/openapi.yaml", 3)
    assert locate.for_check(entry, "metadata.organization") == Location("api/openapi.yaml", 5)
    assert locate.for_check(entry, "official_domain") == Location("api/openapi.yaml", 6)
    # info.license is missing: the result points at info.
    assert locate.for_check(entry, "license") == Location("api/openapi.yaml", 2)
    assert locate.for_check(entry, "spec.valid") == Location("api/openapi.yaml", 1)


def test_paired_local_spec_gets_the_spec_findings(tmp_path: Path) -> None:
    (tmp_path / "catalog.yaml").write_text(CATALOG)
    (tmp_path / "openapi.yaml").write_text("# header\n" + SPEC)
    entry = Entry(
        id="bridges",
        title="Bridges",
        origin=f"{tmp_path / 'catalog.yaml'}:5",
        local_spec=str(tmp_path / "openapi.yaml"),
    )
    locate = Locator(tmp_path)
    assert locate.for_check(entry, "spec.format_known") == Location("openapi.yaml", 2)
    assert locate.for_check(entry, "metadata.title") == Location("catalog.yaml", 6)


def test_unreadable_or_remote_files_still_get_a_line(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("openapi: [unclosed\n")
    broken = Entry(
        id="x",
        title="X",
        catalog="spec",
        origin=str(tmp_path / "broken.yaml"),
        local_spec=str(tmp_path / "broken.yaml"),
    )
    remote = Entry(id="y", title="Y", origin="https://example.org/catalog.yaml:4")
    gone = Entry(id="z", title="Z", origin=str(tmp_path / "gone.yaml") + ":9")
    locate = Locator(tmp_path)
    assert locate.for_check(broken, "metadata.title") == Location("broken.yaml", 1)
    assert locate.for_check(remote, "metadata.title") == Location(
        "https://example.org/catalog.yaml", 4
    )
    assert locate.for_check(gone, "metadata.title") == Location("gone.yaml", 9)


def test_uri_is_a_relative_reference_or_a_file_url(tmp_path: Path) -> None:
    assert Location("api/open api.yaml").uri == "api/open%20api.yaml"
    assert Location(str(tmp_path / "x.yaml")).uri.startswith("file:///")
    assert Location("https://example.org/c.yaml").uri == "https://example.org/c.yaml"
