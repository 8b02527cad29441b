"""Portal-vouched domains end to end: the CLI and auditor.toml, URL lists, and a run's own catalog.

Catalog URLs use ``ftp://`` where the CLI runs a whole audit: the official-domain
probe only matches host names, and an ftp URL is never fetched, so nothing
leaves the machine.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from auditor.catalog import load_sources
from auditor.cli import main
from auditor.config import load_config
from auditor.context import AuditSettings, NetworkPolicy
from auditor.evidence.domains import DomainList, DomainMatcher, builtin_domain_lists
from auditor.evidence.lists import ListError, ListSource, from_cli, from_config, load_lists
from auditor.model import Entry, Finding, Outcome
from auditor.net.fetcher import Fetcher
from auditor.probes import PROBES
from auditor.probes.context import EntryContext, RunContext
from tests.conftest import LocalServer
from tests.support.vouched import apigouv_checkout

OFFLINE = AuditSettings(network=NetworkPolicy(offline=True))
LOCAL = AuditSettings(network=NetworkPolicy(allow_private=True))
ORGS = {
    "data": [
        {
            "name": "Metropole",
            "url": "https://data.metropole-exemple.com/",
            "badges": [{"kind": "local-authority"}, {"kind": "certified"}],
        },
        {"name": "Mairie", "url": "https://www.prestataire-exemple.com", "badges": []},
    ]
}


def _catalog(tmp_path: Path) -> Path:
    path = tmp_path / "catalog.yaml"
    path.write_text(
        "entries:\n"
        "  - {id: stat, title: Stat, base_url: 'ftp://api.stat-exemple.fr/v1'}\n"
        "  - {id: metro, title: Metro, base_url: 'ftp://api.metropole-exemple.com/v1'}\n"
        "  - {id: energie, title: Energie, base_url: 'ftp://data.energie-sa.fr/v1'}\n"
        "  - {id: meteo, title: Meteo, base_url: 'ftp://api.met.no/weatherapi'}\n"
        "  - {id: lookalike, title: L, base_url: 'ftp://api.stat-exemple.fr.example.com/v1'}\n"
    )
    return path


def _official_domain(output: str) -> dict[str, dict[str, object]]:
    document = json.loads(output)
    return {
        r["id"]: next(
            s for s in r["axes"]["officialness"]["signals"] if s["id"] == "official-domain"
        )
        for r in document["results"]
    }


@pytest.mark.parametrize(
    ("value", "name", "fmt", "location"),
    [
        ("vouched:apigouv:/src/api.gouv.fr", None, "vouched-apigouv", "/src/api.gouv.fr"),
        ("fr=vouched:datagouv:orgs.json", "fr", "vouched-datagouv", "orgs.json"),
        (
            "vouched:datagouv:https://h/api/1/organizations/?badge=certified&page_size=100",
            None,
            "vouched-datagouv",
            "https://h/api/1/organizations/?badge=certified&page_size=100",
        ),
        ("plain=/data/hosts.txt", "plain", None, "/data/hosts.txt"),
    ],
)
def test_cli_values_name_a_portal(
    value: str, name: str | None, fmt: str | None, location: str
) -> None:
    source = from_cli("domains", value)
    assert (source.name, source.format, source.location) == (name, fmt, location)


@pytest.mark.parametrize(
    "value", ["vouched:apigouv", "vouched:ckan:x", "vouched::x", "vouched:datagouv:"]
)
def test_bad_vouched_values_are_errors(value: str) -> None:
    with pytest.raises(ListError, match="expected vouched:apigouv:CHECKOUT"):
        from_cli("domains", value)


def test_cli_vouched_lists_count_in_a_native_catalog(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    checkout = apigouv_checkout(tmp_path / "api.gouv.fr")
    (tmp_path / "orgs.json").write_text(json.dumps(ORGS))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        main,
        [
            "audit",
            str(_catalog(tmp_path)),
            "--format",
            "json",
            "--domain-list",
            f"vouched:apigouv:{checkout}",
            "--domain-list",
            "dg=vouched:datagouv:orgs.json",
        ],
    )
    assert result.exit_code == 0, result.output
    found = _official_domain(result.stdout)
    assert found["stat"]["outcome"] == "pass"
    assert found["stat"]["evidence"] == (
        "official domain (stat-exemple.fr), vouched by api.gouv.fr (list: vouched-apigouv "
        "(2024-12-11)): api.gouv.fr API api-stat-2 (producer stat, api/api-stat-2.md): "
        "external_site https://www.stat-exemple.fr/ (+1 more)"
    )
    assert found["metro"]["outcome"] == "pass"
    assert "vouched by data.gouv.fr (list: dg" in str(found["metro"]["evidence"])
    assert "organisation 'Metropole' #1, badged certified" in str(found["metro"]["evidence"])
    assert found["energie"]["outcome"] == "fail"  # a company api.gouv.fr lists: not vouched
    assert found["lookalike"]["outcome"] == "fail"
    assert found["meteo"]["outcome"] == "pass"  # built-in conventions
    assert "list: gov-conventions" in str(found["meteo"]["evidence"])
    assert "no national agency/weather: Norwegian Meteorological Institute" in str(
        found["meteo"]["evidence"]
    )
    assert "mentions left out" in result.stderr  # what the portals listed but did not vouch


def test_auditor_toml_vouched_lists(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    apigouv_checkout(tmp_path / "checkout")
    (tmp_path / "orgs.json").write_text(json.dumps(ORGS))
    (tmp_path / "auditor.toml").write_text(
        'domain_lists = ["vouched:apigouv:checkout",'
        ' {name = "dg", path_or_url = "orgs.json", format = "vouched-datagouv", updated = "2025-01-02"}]\n'
    )
    sources = from_config(load_config(directory=tmp_path))
    assert sources == [
        ListSource("domains", str(tmp_path / "checkout"), format="vouched-apigouv"),
        ListSource("domains", str(tmp_path / "orgs.json"), "dg", "vouched-datagouv", "2025-01-02"),
    ]
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["audit", str(_catalog(tmp_path)), "--format", "json"])
    assert result.exit_code == 0, result.output
    found = _official_domain(result.stdout)
    assert "vouched by data.gouv.fr (list: dg (2025-01-02))" in str(found["metro"]["evidence"])
    assert found["stat"]["outcome"] == "pass"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("vouched:apigouv:https://example.org/api.gouv.fr", "reads a local checkout"),
        ("vouched:apigouv:{tmp}", "not an api.gouv.fr checkout"),
        ("vouched:datagouv:{tmp}/broken.json", "not valid JSON"),
        ("vouched:datagouv:{tmp}/missing.json", "cannot read list"),
        ("vouched:elsewhere:x", "expected vouched:apigouv:CHECKOUT"),
    ],
)
def test_cli_unusable_vouched_lists_are_usage_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str, message: str
) -> None:
    (tmp_path / "broken.json").write_text("{broken")
    monkeypatch.chdir(tmp_path)
    args = ["audit", str(_catalog(tmp_path)), "--domain-list", value.format(tmp=tmp_path)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_datagouv_vouched_list_from_a_url_is_fetched_and_dated(
    http_server: LocalServer, tmp_path: Path
) -> None:
    http_server.add(
        "/api/1/organizations/",
        200,
        json.dumps(ORGS),
        "application/json",
        {"Last-Modified": "Wed, 11 Dec 2024 10:00:00 GMT"},
    )
    source = from_cli("domains", f"vouched:datagouv:{http_server.url('/api/1/organizations/')}")
    lists = asyncio.run(load_lists([source], LOCAL, cache_dir=tmp_path))
    (listed,) = lists.domains
    assert listed.domains == {"metropole-exemple.com"}
    assert (listed.vouched_by, listed.updated) == ("data.gouv.fr", "2024-12-11")
    assert listed.source == http_server.url("/api/1/organizations/")


# --- a run over an official catalog: its records vouch for their own hosts ----------------


def _official_findings(
    entries: list[Entry], lists: tuple[DomainList, ...] = ()
) -> dict[str, Finding]:
    async def go() -> dict[str, Finding]:
        async with Fetcher(OFFLINE) as fetcher:
            run = RunContext(OFFLINE, fetcher, DomainMatcher((*builtin_domain_lists(), *lists)))
            found = {}
            for entry in entries:
                ctx = EntryContext(entry, run)
                found[entry.id] = (await PROBES["official_domain"](ctx))[0]
                ctx.cancel_pending()
            return found

    return asyncio.run(go())


def test_api_gouv_fr_catalog_entries_vouch_for_their_own_hosts(tmp_path: Path) -> None:
    checkout = apigouv_checkout(tmp_path / "api.gouv.fr")
    loaded = asyncio.run(load_sources([f"apigouv:{checkout}"], OFFLINE))
    found = _official_findings(loaded.entries)
    stat = found["api-stat-2"]  # homepage https://www.stat-exemple.fr/
    assert stat.outcome is Outcome.PASS
    assert stat.message == (
        "official domain (stat-exemple.fr), vouched by api.gouv.fr (list: api_gouv_fr record "
        f"({stat.facts['list_updated']})): this entry's api.gouv.fr record "
        "(https://api.gouv.fr/les-api/api-stat-2), producer Institut de la statistique: "
        "homepage_url https://www.stat-exemple.fr/"
    )
    assert stat.facts["vouched_by"] == "api.gouv.fr"
    assert found["api-ville"].outcome is Outcome.FAIL  # its spec is on opendatasoft.com
    assert found["api-energie"].outcome is Outcome.FAIL  # producer typed as a company
    # the same checkout read as a plain folder is not trusted: nothing vouched
    untrusted = asyncio.run(load_sources([str(checkout)], OFFLINE))
    assert {e.catalog for e in untrusted.entries} == {"file"}
    assert _official_findings(untrusted.entries)["api-stat-2"].outcome is Outcome.FAIL


def test_datagouv_catalog_entries_vouch_only_for_badged_organisations(tmp_path: Path) -> None:
    def service(slug: str, url: str, *badges: str) -> dict[str, object]:
        return {
            "slug": slug,
            "title": slug,
            "base_api_url": url,
            "organization": {"name": slug, "badges": [{"kind": b} for b in badges]},
        }

    dump = tmp_path / "dump.json"
    dump.write_text(
        json.dumps(
            {
                "data": [
                    service("badged", "https://api.agence-exemple.fr/", "public-service"),
                    service("local", "https://api.mairie-exemple.com/", "local-authority"),
                    service("pages", "https://agence.github.io/api/", "certified"),
                ]
            }
        )
    )
    found = _official_findings(asyncio.run(load_sources([f"datagouv:{dump}"], OFFLINE)).entries)
    assert found["badged"].outcome is Outcome.PASS
    assert "vouched by data.gouv.fr" in found["badged"].message
    assert found["local"].outcome is Outcome.FAIL
    assert found["pages"].outcome is Outcome.FAIL  # a shared platform is never vouched
    claimed = asyncio.run(load_sources([str(dump)], OFFLINE)).entries  # detected, not selected
    assert _official_findings(claimed)["badged"].outcome is Outcome.FAIL


def test_a_native_record_claiming_an_official_catalog_vouches_for_nothing(tmp_path: Path) -> None:
    path = tmp_path / "claim.yaml"
    path.write_text(
        "entries:\n"
        "  - {id: claim, title: C, catalog: api_gouv_fr, base_url: 'https://api.claim-exemple.fr',"
        " catalog_url: 'https://api.gouv.fr/les-api/claim'}\n"
    )
    (entry,) = asyncio.run(load_sources([str(path)], OFFLINE)).entries
    assert entry.catalog == "file"
    assert _official_findings([entry])["claim"].outcome is Outcome.FAIL


def test_a_listed_domain_keeps_its_list_over_the_entrys_own_record() -> None:
    entry = Entry(
        "x",
        "X",
        base_url="https://api.insee.fr/v1",
        catalog="api_gouv_fr",
        catalog_url="https://api.gouv.fr/les-api/x",
    )
    found = _official_findings([entry])["x"]
    assert found.facts["list"] == "gov-conventions" and "vouched_by" not in found.facts
