"""Officialness over the real-world corpus: api.gouv.fr, the official lists, APIs.guru.

The network is off (``offline=True``): what needs a page (reciprocal link,
published policy) is unknown and must say so; everything decided from data
(domain, portal, GitHub organisation) must come with its evidence.
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import replace
from pathlib import Path
from urllib.parse import urljoin

import pytest
import yaml

from auditor.catalog import load_sources
from auditor.context import AuditSettings, NetworkPolicy
from auditor.evidence.domains import DomainList, DomainMatcher, builtin_gov_suffixes
from auditor.evidence.lists import ListSource, OfficialLists, load_lists
from auditor.evidence.orgs import OrgMatcher, builtin_github_orgs
from auditor.methodology import load_methodology
from auditor.methodology.engine import assess
from auditor.model import Entry, Finding, Outcome
from auditor.net.fetcher import Fetcher
from auditor.probes import PROBES
from auditor.probes.context import EntryContext, RunContext

pytestmark = pytest.mark.realworld

OFFLINE = AuditSettings(network=NetworkPolicy(offline=True))
OFFICIALNESS_PROBES = (
    "official_domain",
    "portal_listing",
    "github_org",
    "reciprocal_link",
    "published_policy",
)
COMMERCIAL = (
    "stripe.com", "twilio.com", "slack.com", "spotify.com", "zoom.us", "atlassian.com",
    "box.com", "digitalocean.com", "xero.com", "docusign.net", "sendgrid.com", "mailchimp.com",
    "asana.com", "trello.com", "zuora.com", "vimeo.com", "nytimes.com", "adyen.com",
    "bitbucket.org", "linode.com",
)  # fmt: skip


def officialness_findings(
    entries: list[Entry], lists: OfficialLists | None = None
) -> dict[str, list[Finding]]:
    lists = lists or OfficialLists()

    async def go() -> dict[str, list[Finding]]:
        async with Fetcher(OFFLINE) as fetcher:
            run = RunContext(
                OFFLINE,
                fetcher,
                DomainMatcher((builtin_gov_suffixes(), *lists.domains)),
                github_orgs=OrgMatcher((builtin_github_orgs(), *lists.github_orgs)),
            )
            out: dict[str, list[Finding]] = {}
            for entry in entries:
                ctx = EntryContext(entry, run)
                out[entry.id] = [f for name in OFFICIALNESS_PROBES for f in await PROBES[name](ctx)]
                ctx.cancel_pending()
            return out

    return asyncio.run(go())


def api_gouv_entries(corpus: Path) -> list[Entry]:
    """Front matter read here (independently of the catalog source), mapped as api.gouv.fr does."""
    entries = []
    for path in sorted((corpus / "api_gouv_fr" / "_data" / "api").glob("*.md")):
        match = re.match(r"\A---\s*\n(.*?)^---\s*$", path.read_text("utf-8"), re.S | re.M)
        assert match, path
        data = yaml.safe_load(match.group(1)) or {}

        def url(key: str, data: dict[str, object] = data) -> str | None:
            value = data.get(key)
            return (
                urljoin("https://api.gouv.fr/", value.strip())
                if isinstance(value, str) and value.strip()
                else None
            )

        entries.append(
            Entry(
                path.stem,
                str(data.get("title") or path.stem),
                spec_url=url("doc_tech_link"),
                docs_url=url("doc_tech_external"),
                homepage_url=url("external_site"),
                catalog="api_gouv_fr",
                catalog_url=f"https://api.gouv.fr/les-api/{path.stem}",
            )
        )
    return entries


def test_every_api_gouv_fr_entry_gets_an_officialness_verdict_with_evidence(corpus: Path) -> None:
    entries = api_gouv_entries(corpus)
    assert len(entries) >= 150
    methodology = load_methodology()
    findings = officialness_findings(entries)
    outcomes: dict[str, dict[str, int]] = {}
    for entry in entries:
        axis = assess(entry.id, findings[entry.id], methodology).axis("officialness")
        assert axis.score is not None and axis.score >= 20, (entry.id, axis.reason)
        assert len(axis.signals) == 5
        for signal in axis.signals:
            assert signal.evidence.strip(), (entry.id, signal.id)
            outcomes.setdefault(signal.id, {}).setdefault(signal.outcome.value, 0)
            outcomes[signal.id][signal.outcome.value] += 1
        by_check = {f.check: f for f in findings[entry.id]}
        assert by_check["portal_listing"].outcome is Outcome.PASS
        assert "catalog: api_gouv_fr" in by_check["portal_listing"].message
        # offline: what needs a page is unknown and says why, never a silent fail
        for check in ("reciprocal_link", "published_policy"):
            if by_check[check].outcome is Outcome.UNKNOWN:
                assert "could not check" in by_check[check].message
    assert outcomes["portal-backlink"] == {"pass": len(entries)}
    assert outcomes["official-domain"].get("pass", 0) >= 60  # gouv.fr hosts, built-in list
    assert outcomes["reciprocal-link"].get("pass", 0) == 0  # nothing fetched offline


def test_french_lists_recognise_publishers_outside_gouv_fr(corpus: Path) -> None:
    folder = corpus / "gov_domains" / "fr_secteur_public"
    sources = [ListSource("domains", str(folder / "urls.txt"), name="fr-urls")] + [
        ListSource("domains", str(path), name=f"fr-{path.stem}")
        for path in sorted((folder / "sources_2023-01").glob("*.txt"))
    ]
    lists = asyncio.run(load_lists(sources, OFFLINE))
    # As a native catalog's entries: an api.gouv.fr entry vouches for its own hosts
    # (tests/acceptance/test_evidence_vouched.py), which would hide what the lists add.
    entries = [replace(e, catalog="file") for e in api_gouv_entries(corpus)]

    def passed(found: dict[str, list[Finding]]) -> dict[str, Finding]:
        return {
            e.id: f
            for e in entries
            for f in found[e.id]
            if f.check == "official_domain" and f.outcome is Outcome.PASS
        }

    builtin = passed(officialness_findings(entries))
    with_lists = passed(officialness_findings(entries, lists))
    assert set(builtin) <= set(with_lists)
    assert len(with_lists) >= len(builtin) + 30
    named = {f.facts["list"] for f in with_lists.values()}
    assert {"gov-suffixes", "fr-urls", "fr-nongouvfr-divers"} <= named
    insee = DomainMatcher(lists.domains).match("api.insee.fr")
    assert insee.listed == "insee.fr" and insee.list_name == "fr-nongouvfr-divers"


def test_api_gouv_fr_catalog_source_earns_the_portal_signal(corpus: Path) -> None:
    loaded = asyncio.run(load_sources([f"apigouv:{corpus / 'api_gouv_fr'}"], OFFLINE))
    assert len(loaded.entries) >= 150
    portal = officialness_findings(loaded.entries)
    for entry in loaded.entries:
        (found,) = [f for f in portal[entry.id] if f.check == "portal_listing"]
        assert found.outcome is Outcome.PASS, (entry.id, entry.catalog, found.message)


@pytest.fixture(scope="module")
def official_lists() -> OfficialLists:
    from tests.conftest import CORPUS

    if not CORPUS.is_dir():
        pytest.skip("real-world corpus not found")
    domains = CORPUS / "gov_domains"
    sources = [
        ListSource("domains", str(domains / "us_dotgov" / "current-full.csv"), name="us-dotgov"),
        ListSource(
            "domains", str(domains / "fr_secteur_public" / "urls.txt"), name="fr-secteur-public"
        ),
        ListSource(
            "domains",
            str(domains / "uk_public_sector" / "user_domains.json"),
            name="uk-public-sector",
        ),
        ListSource(
            "github_orgs",
            str(CORPUS / "gov_github_orgs" / "_data" / "governments.yml"),
            name="github-government",
        ),
    ]
    return asyncio.run(load_lists(sources, OFFLINE))


def _by_name(lists: OfficialLists, name: str) -> DomainList:
    return next(d for d in lists.domains if d.name == name)


def test_every_us_dotgov_domain_is_recognised_with_its_line(
    official_lists: OfficialLists, corpus: Path
) -> None:
    us = _by_name(official_lists, "us-dotgov")
    assert len(us.domains) > 16000
    matcher = DomainMatcher((us,))
    rows = (
        (corpus / "gov_domains" / "us_dotgov" / "current-full.csv")
        .read_text("utf-8")
        .splitlines()[1:]
    )
    for number, row in enumerate(rows, start=2):
        domain = row.split(",", 1)[0].lower()
        match = matcher.match(f"api.{domain}")
        assert match.listed == domain and match.list_line == number, (domain, match)


def test_french_public_sector_hosts_are_recognised_only_with_the_list(
    official_lists: OfficialLists, corpus: Path
) -> None:
    fr = _by_name(official_lists, "fr-secteur-public")
    with_list = DomainMatcher((builtin_gov_suffixes(), fr))
    builtin_only = DomainMatcher((builtin_gov_suffixes(),))
    hosts = [
        line.split("://", 1)[1].split("/", 1)[0]
        for line in (corpus / "gov_domains" / "fr_secteur_public" / "urls.txt")
        .read_text("utf-8")
        .splitlines()
        if "://" in line
    ]
    assert len(hosts) > 30000
    for host in hosts[::25]:
        assert with_list.match(host).listed, host
    not_gouv = [h for h in hosts if not builtin_only.match(h).listed]
    assert len(not_gouv) > len(hosts) // 2  # most French public bodies are not under gouv.fr
    assert with_list.match("www.bischheim.alsace").list_name == "fr-secteur-public"
    assert not with_list.match("bischheim.alsace.example.com").listed
    assert not with_list.match("free.fr.example.org").listed


def test_uk_patterns_cover_subdomains(official_lists: OfficialLists) -> None:
    uk = DomainMatcher((_by_name(official_lists, "uk-public-sector"),))
    assert uk.match("www.mygov.scot").listed is None
    assert uk.match("digital.gov.scot").listed == "gov.scot"
    assert uk.match("www.acas.org.uk").listed == "acas.org.uk"
    assert uk.match("acas.org.uk.example.com").listed is None


def _apisguru_entry(row: dict[str, object]) -> Entry:
    def text(key: str) -> str | None:
        value = row.get(key)
        return value if isinstance(value, str) and value.startswith("http") else None

    return Entry(
        str(row["id"]),
        str(row["title"]),
        base_url=text("server0"),
        spec_url=text("origin_url"),
        homepage_url=text("contact_url"),
        catalog="apisguru",
    )


def test_commercial_providers_are_not_official(official_lists: OfficialLists, corpus: Path) -> None:
    rows = [
        json.loads(line)
        for line in (corpus / "apisguru" / "index_all.jsonl").read_text("utf-8").splitlines()
    ]
    chosen = {}
    for row in rows:
        if (
            row["providerName"] in COMMERCIAL
            and row["providerName"] not in chosen
            and row.get("server0")
        ):
            chosen[row["providerName"]] = _apisguru_entry(row)
    assert len(chosen) == 20
    entries = list(chosen.values())
    findings = officialness_findings(entries, official_lists)
    methodology = load_methodology()
    for entry in entries:
        by_check = {f.check: f for f in findings[entry.id]}
        assert by_check["official_domain"].outcome is Outcome.FAIL, by_check[
            "official_domain"
        ].message
        assert "is not on any official domain list" in by_check["official_domain"].message
        assert by_check["portal_listing"].outcome is Outcome.FAIL
        assert by_check["government_github_org"].outcome is Outcome.FAIL
        assert by_check["reciprocal_link"].outcome is not Outcome.PASS
        assert assess(entry.id, findings[entry.id], methodology).axis("officialness").score == 0.0
