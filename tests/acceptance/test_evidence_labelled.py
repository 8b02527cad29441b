"""Precision and recall of the official-domain proof over hosts labelled by hand.

``tests/data/official_hosts.yaml`` was labelled before the matcher was
extended (its first commit predates the conventions and the vouched lists),
from public knowledge and host names seen in the corpus. Run with ``-s`` to
see the figures and the misses for each configuration:

* built-in: ``gov-suffixes`` + ``gov-conventions`` (what every run checks);
* + vouched: the domains api.gouv.fr and data.gouv.fr vouch for, built from the
  corpus' api.gouv.fr checkout and data.gouv.fr records;
* + lists: the French public-sector, US .gov and UK public-sector lists.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from auditor.context import AuditSettings, NetworkPolicy
from auditor.evidence.domains import (
    DomainList,
    DomainMatcher,
    builtin_domain_lists,
    builtin_gov_suffixes,
    normalise_host,
)
from auditor.evidence.lists import ListSource, from_cli, load_lists
from tests.conftest import ROOT

LABELLED = ROOT / "tests" / "data" / "official_hosts.yaml"
OFFLINE = AuditSettings(network=NetworkPolicy(offline=True))


@dataclass(frozen=True)
class Labelled:
    official: tuple[str, ...]
    not_official: tuple[str, ...]
    traps: tuple[str, ...]


def labelled() -> Labelled:
    data = yaml.safe_load(LABELLED.read_text("utf-8"))
    official = tuple(item["host"] for item in data["official"])
    others = tuple(item["host"] for item in data["not_official"])
    traps = tuple(item["host"] for item in data["not_official"] if item.get("trap"))
    return Labelled(official, others, traps)


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    misses: tuple[str, ...]
    false_positives: tuple[str, ...]


def score(lists: tuple[DomainList, ...], hosts: Labelled) -> Score:
    matcher = DomainMatcher(lists)
    found = {h for h in (*hosts.official, *hosts.not_official) if matcher.match(h).listed}
    hits = [h for h in hosts.official if h in found]
    wrong = tuple(h for h in hosts.not_official if h in found)
    precision = len(hits) / (len(hits) + len(wrong)) if hits or wrong else 1.0
    misses = tuple(h for h in hosts.official if h not in found)
    return Score(precision, len(hits) / len(hosts.official), misses, wrong)


def show(name: str, result: Score) -> None:
    print(
        f"\n{name}: precision {result.precision:.3f}, recall {result.recall:.3f}"
        f"\n  misses ({len(result.misses)}): {', '.join(result.misses) or '-'}"
        f"\n  false positives ({len(result.false_positives)}): "
        f"{', '.join(result.false_positives) or '-'}"
    )


def test_the_labelled_set_is_large_varied_and_clean() -> None:
    hosts = labelled()
    every = (*hosts.official, *hosts.not_official)
    assert len(every) >= 60
    assert len(hosts.traps) * 3 >= len(every)  # at least a third are traps
    assert len(set(every)) == len(every)
    for host in every:
        assert normalise_host(host) == host, host


def test_builtin_lists_are_precise_without_any_loaded_list() -> None:
    hosts = labelled()
    before = score((builtin_gov_suffixes(),), hosts)
    result = score(builtin_domain_lists(), hosts)
    show("before (gov-suffixes only)", before)
    show("built-in (gov-suffixes + gov-conventions)", result)
    assert result.false_positives == ()
    assert result.recall > before.recall


@pytest.fixture(scope="module")
def corpus_lists() -> tuple[tuple[DomainList, ...], tuple[DomainList, ...]]:
    """(vouched by the corpus' portals, the corpus' official lists); skips without the corpus."""
    from tests.conftest import CORPUS

    if not CORPUS.is_dir():
        pytest.skip("real-world corpus not found")
    fixture = CORPUS / "datagouv_fr" / "udata_fixture"
    vouched = asyncio.run(
        load_lists(
            [
                from_cli("domains", f"vouched:apigouv:{CORPUS / 'api_gouv_fr'}"),
                from_cli("domains", f"vouched:datagouv:{fixture / 'organizations_extracted.json'}"),
                from_cli("domains", f"vouched:datagouv:{fixture / 'dataservices_extracted.json'}"),
            ],
            OFFLINE,
        )
    )
    folder = CORPUS / "gov_domains"
    official = asyncio.run(
        load_lists(
            [
                ListSource("domains", str(folder / "fr_secteur_public" / "urls.txt"), "fr"),
                ListSource("domains", str(folder / "us_dotgov" / "current-full.csv"), "us"),
                ListSource("domains", str(folder / "uk_public_sector" / "user_domains.json"), "uk"),
            ],
            OFFLINE,
        )
    )
    return vouched.domains, official.domains


@pytest.mark.realworld
def test_precision_and_recall_with_portals_and_lists(
    corpus_lists: tuple[tuple[DomainList, ...], tuple[DomainList, ...]],
) -> None:
    vouched, official = corpus_lists
    assert {d.vouched_by for d in vouched} == {"api.gouv.fr", "data.gouv.fr"}
    hosts = labelled()
    builtin = builtin_domain_lists()
    with_vouched = score((*builtin, *vouched), hosts)
    everything = score((*builtin, *vouched, *official), hosts)
    lists_only = score((builtin_gov_suffixes(), *official), hosts)
    show("before, with the fr/us/uk lists (gov-suffixes + lists)", lists_only)
    show("built-in + vouched by api.gouv.fr and data.gouv.fr", with_vouched)
    show("built-in + vouched + fr/us/uk lists", everything)
    for result in (with_vouched, everything):
        assert result.precision >= 0.95, result.false_positives
    assert everything.recall >= 0.95, everything.misses
    assert with_vouched.recall > score(builtin, hosts).recall


def _loaded_names(lists: tuple[DomainList, ...]) -> set[str]:
    return {d.name for d in lists}


@pytest.mark.realworld
def test_corpus_vouching_names_its_portal_and_record(
    corpus_lists: tuple[tuple[DomainList, ...], tuple[DomainList, ...]], corpus: Path
) -> None:
    vouched, _ = corpus_lists
    assert _loaded_names(vouched) == {"vouched-apigouv", "vouched-datagouv"}
    matcher = DomainMatcher(vouched)
    insee = matcher.match("api.insee.fr")
    assert insee.vouched_by == "api.gouv.fr" and insee.list_record
    assert "producer insee" in insee.list_record
    lyon = matcher.match("data.grandlyon.com")
    assert lyon.vouched_by == "data.gouv.fr" and lyon.list_record
    assert "'Métropole de Lyon'" in lyon.list_record and "badged certified" in lyon.list_record
    for host in ("boamp-datadila.opendatasoft.com", "abes-esr.github.io", "sites.grdf.fr"):
        assert matcher.match(host).listed is None, host  # shared platform; a company producer
    assert matcher.match("www.oriosbyspie.com").listed is None  # org without the badges
    assert matcher.match("www.davis.com").listed is None  # a dataservice's contact form
