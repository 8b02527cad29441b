"""Domains vouched for by official portals' records: api.gouv.fr, data.gouv.fr, and a run's own entries."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.errors import CatalogError
from auditor.evidence.domains import DomainMatcher
from auditor.evidence.vouched import (
    VouchError,
    entry_vouch,
    vouched_from_apigouv,
    vouched_from_datagouv,
)
from auditor.model import Entry
from tests.support.vouched import apigouv_checkout


def test_apigouv_vouches_for_public_producers_hosts_with_the_record(tmp_path: Path) -> None:
    vouched = vouched_from_apigouv(apigouv_checkout(tmp_path), None, None)
    listed = vouched.domains
    assert listed.name == "vouched-apigouv" and listed.vouched_by == "api.gouv.fr"
    assert listed.updated == "2024-12-11" and listed.source == str(tmp_path)
    assert listed.domains == {"stat-exemple.fr", "ville-exemple.fr", "agence-exemple.fr"}
    assert listed.records["stat-exemple.fr"] == (  # the first file that names it, sorted
        "api.gouv.fr API api-stat-2 (producer stat, api/api-stat-2.md): external_site "
        "https://www.stat-exemple.fr/ (+1 more)"
    )
    assert listed.records["agence-exemple.fr"] == (
        "api.gouv.fr producer notype (Agence): site https://agence-exemple.fr"
    )
    left_out = dict(vouched.left_out)
    assert (
        left_out["stat-exemple.github.io"] == "shared platform (github.io, a private public suffix)"
    )
    assert left_out["ville-exemple.opendatasoft.com"] == "shared platform (opendatasoft.com)"
    assert left_out["API api-energie"] == "producer typed 'Entreprise de service public'"
    assert left_out["API api-asso"].startswith("producer typed 'Association")
    assert left_out["API api-orphan"] == "producer unknown"
    assert left_out["API api-noprod"] == "producer unknown"
    assert left_out["producer energie"] == "producer typed 'Entreprise de service public'"
    assert any(w.startswith("unreadable") for h, w in vouched.left_out if h.endswith("broken.md"))
    summary = vouched.summary()
    assert summary is not None and "3 domains vouched by api.gouv.fr" in summary


def test_apigouv_vouching_is_label_wise_and_keeps_name_and_date(tmp_path: Path) -> None:
    vouched = vouched_from_apigouv(apigouv_checkout(tmp_path), "apigouv-2024", "2024-12-01")
    matcher = DomainMatcher((vouched.domains,))
    match = matcher.match("data.ville-exemple.fr")
    assert (match.listed, match.list_name, match.list_updated) == (
        "ville-exemple.fr",
        "apigouv-2024",
        "2024-12-01",
    )
    assert match.vouched_by == "api.gouv.fr" and match.list_record
    for host in ("ville-exemple.fr.example.com", "ville-exemple.opendatasoft.com", "energie-sa.fr"):
        assert matcher.match(host).listed is None, host


def test_apigouv_needs_a_checkout(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match=r"not an api\.gouv\.fr checkout"):
        vouched_from_apigouv(tmp_path, None, None)


def _org(name: str, url: str | None, *badges: str) -> dict[str, object]:
    return {
        "name": name,
        "slug": name.lower(),
        "url": url,
        "badges": [{"kind": b} for b in badges],
        "page": f"https://www.data.gouv.fr/fr/organizations/{name.lower()}/",
    }


def test_datagouv_organisations_vouch_only_when_badged() -> None:
    page = {
        "data": [
            _org(
                "Metropole", "https://data.metropole-exemple.com/", "local-authority", "certified"
            ),
            _org("Agence", "https://www.agence-exemple.fr", "public-service"),
            _org("Mairie", "https://www.prestataire-exemple.com", "local-authority"),
            _org("Startup", "https://startup-exemple.io"),
            _org("Pages", "https://agence.github.io/", "public-service"),
            _org("Nourl", None, "certified"),
            _org("Social", "https://www.facebook.com/commune-exemple", "certified"),
        ],
        "total": 7,
    }
    vouched = vouched_from_datagouv(json.dumps(page), "orgs.json", None, "2024-12-11")
    listed = vouched.domains
    assert listed.vouched_by == "data.gouv.fr" and listed.name == "vouched-datagouv"
    assert listed.domains == {"metropole-exemple.com", "agence-exemple.fr"}
    assert listed.records["metropole-exemple.com"] == (
        "data.gouv.fr organisation 'Metropole' #1 "
        "(https://www.data.gouv.fr/fr/organizations/metropole/), badged certified: "
        "url https://data.metropole-exemple.com/"
    )
    reasons = dict(vouched.left_out)
    assert reasons["organisation 'Mairie'"] == "organisation not badged public-service or certified"
    assert (
        reasons["organisation 'Startup'"] == "organisation not badged public-service or certified"
    )
    assert reasons["agence.github.io"].startswith("shared platform")
    assert reasons["www.facebook.com"] == "shared platform (facebook.com)"


def test_datagouv_dataservices_vouch_for_their_urls_but_not_contacts() -> None:
    service = {
        "slug": "api-x",
        "title": "API X",
        "base_api_url": "https://api.x-exemple.fr/v1",
        "machine_documentation_url": "https://docs.x-exemple.org/openapi.json",
        "technical_documentation_url": None,
        "contact_points": [{"contact_form": "https://www.helpdesk-exemple.com/"}],
        "self_web_url": "https://www.data.gouv.fr/fr/dataservices/api-x/",
        "organization": {"name": "X", "badges": [{"kind": "public-service"}]},
    }
    unbadged = dict(service, slug="api-y", base_api_url="https://api.y-exemple.fr/")
    unbadged["organization"] = {"name": "Y", "badges": []}
    pages = [{"data": [service], "next_page": "p2"}, {"data": [unbadged], "next_page": None}]
    vouched = vouched_from_datagouv(json.dumps(pages), "ds.json", "ds", None)
    assert vouched.domains.domains == {"x-exemple.fr", "x-exemple.org"}
    assert vouched.domains.records["x-exemple.fr"] == (
        "data.gouv.fr dataservice 'api-x' of 'X' #1 "
        "(https://www.data.gouv.fr/fr/dataservices/api-x/), badged public-service: "
        "base_api_url https://api.x-exemple.fr/v1"
    )
    assert dict(vouched.left_out) == {
        "dataservice 'api-y' of 'Y'": "organisation not badged public-service or certified"
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{broken", "not valid JSON"),
        ('{"data": [{"title": "no badges anywhere"}]}', "no data.gouv.fr organisation"),
        ("[]", "no data.gouv.fr organisation"),
    ],
)
def test_unreadable_datagouv_dumps_are_errors(text: str, message: str) -> None:
    with pytest.raises(VouchError, match=message):
        vouched_from_datagouv(text, "x.json", None, None)


def _entry(catalog: str, **fields: object) -> Entry:
    values: dict[str, object] = {
        "base_url": "https://api.agence-exemple.fr/v1",
        "spec_url": "https://agence.github.io/openapi.yaml",
        "docs_url": "https://doc.agence-exemple.org/",
        "organization": "Agence",
        "catalog": catalog,
    }
    values.update(fields)
    return Entry("x", "X", **values)  # type: ignore[arg-type]


def test_an_official_catalog_entry_vouches_for_its_own_hosts() -> None:
    entry = _entry("api_gouv_fr", catalog_url="https://api.gouv.fr/les-api/x")
    own = entry_vouch(entry)
    assert own is not None and own.vouched_by == "api.gouv.fr"
    assert own.domains == {"agence-exemple.fr", "agence-exemple.org"}
    assert own.name == "api_gouv_fr record" and own.source == "https://api.gouv.fr/les-api/x"
    assert own.records["agence-exemple.fr"] == (
        "this entry's api.gouv.fr record (https://api.gouv.fr/les-api/x), producer Agence: "
        "base_url https://api.agence-exemple.fr/v1"
    )
    badged = _entry("datagouv", raw={"organization_badges": ["certified", "local-authority"]})
    found = entry_vouch(badged)
    assert found is not None and found.vouched_by == "data.gouv.fr"
    assert "organisation Agence badged certified" in found.records["agence-exemple.fr"]


@pytest.mark.parametrize(
    "entry",
    [
        _entry("file"),
        _entry("apisguru"),
        _entry("datagouv", raw={"organization_badges": ["local-authority"]}),
        _entry("datagouv"),
        _entry("api_gouv_fr", catalog_url="https://evil.example/les-api/x"),
        _entry("api_gouv_fr", raw={"producer_type": "Entreprise de service public"}),
        _entry("file", raw={"organization_badges": ["certified"], "catalog_claim": "datagouv"}),
    ],
)
def test_other_entries_vouch_for_nothing(entry: Entry) -> None:
    assert entry_vouch(entry) is None
