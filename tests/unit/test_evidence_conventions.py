"""The shipped government domain conventions and the format they are written in."""

from __future__ import annotations

import re

import pytest
import yaml

from auditor.evidence.conventions import (
    LEVELS,
    ConventionError,
    builtin_gov_conventions,
    parse_conventions,
)
from auditor.evidence.domains import DomainMatcher, builtin_domain_lists, builtin_gov_suffixes
from auditor.evidence.list_formats import ListFormatError, guess_format, parse_domain_list
from tests.conftest import ROOT

DATA = ROOT / "auditor" / "evidence" / "data" / "gov-conventions.yaml"
G20 = {"ar", "au", "br", "ca", "cn", "fr", "de", "in", "id", "it", "jp", "kr", "mx", "ru", "sa"}
G20 |= {"za", "tr", "gb", "us", "eu"}
EU = {"at", "be", "bg", "hr", "cy", "cz", "dk", "ee", "fi", "fr", "de", "gr", "hu", "ie", "it"}
EU |= {"lv", "lt", "lu", "mt", "nl", "pl", "pt", "ro", "sk", "si", "es", "se"}
EFTA = {"is", "li", "no", "ch"}


def _raw() -> list[dict[str, object]]:
    items = yaml.safe_load(DATA.read_text("utf-8"))["conventions"]
    assert isinstance(items, list)
    return items


def test_every_convention_has_a_source_a_level_and_a_country() -> None:
    items = _raw()
    assert len(items) >= 150
    for item in items:
        assert str(item["source"]).startswith(("https://", "http://")), item
        assert item["level"] in LEVELS, item
        assert isinstance(item["country"], str) and re.fullmatch(r"[a-z]{2,3}", item["country"])


def test_conventions_cover_the_g20_and_the_eu_and_efta_countries() -> None:
    countries = {str(item["country"]) for item in _raw()}
    assert countries >= G20 | EU | EFTA, sorted((G20 | EU | EFTA) - countries)
    levels = {str(item["level"]) for item in _raw()}
    assert levels == LEVELS


def test_every_country_has_a_national_convention_and_agencies_are_named() -> None:
    items = _raw()
    national = {str(i["country"]) for i in items if i["level"] in {"national", "supranational"}}
    assert national >= G20 | EU | EFTA
    for item in items:
        if str(item.get("kind", "")).startswith(("agency", "portal")):
            assert item.get("body"), item  # an agency's entry says which agency


@pytest.mark.parametrize(
    ("host", "listed", "says"),
    [
        ("api.insee.fr", "insee.fr", "fr national agency/statistics: Insee"),
        ("api.met.no", "met.no", "no national agency/weather"),
        ("www.city.yokohama.lg.jp", "lg.jp", "jp local government"),
        ("www.zh.ch", "zh.ch", "ch regional government: canton of Zurich"),
        ("www.gencat.cat", "gencat.cat", "es regional"),
        ("www.ankara.bel.tr", "bel.tr", "tr local"),
        ("opendata.swiss", "opendata.swiss", "ch national portal"),
        ("www.who.int", "int", "int supranational"),
        ("rest.arbeitsagentur.de", "arbeitsagentur.de", "agency/employment"),
    ],
)
def test_builtin_conventions_match_with_their_country_level_and_source(
    host: str, listed: str, says: str
) -> None:
    match = DomainMatcher(builtin_domain_lists()).match(host)
    assert match.listed == listed
    assert match.list_name == "gov-conventions"
    assert match.list_record is not None and says in match.list_record
    assert "source http" in match.list_record
    assert match.list_line is not None
    line = DATA.read_text("utf-8").splitlines()[match.list_line - 1]
    assert f"pattern: {listed}," in line


@pytest.mark.parametrize(
    "host",
    [
        "gov.uk.co",
        "data-gouv.dev",
        "gob.mx.example.com",
        "govtech.com",
        "gouvernement-api.com",
        "insee.fr.example.net",
        "insee-fr.com",
        "data.gov.br.com",
        "europa.eu.com",
        "api-gov.uk",
        "www.admin.chat",
        "kommune.no.example.org",
        "int.example.com",
        "www.govtrack.us",
    ],
)
def test_look_alikes_are_not_official(host: str) -> None:
    assert DomainMatcher(builtin_domain_lists()).match(host).listed is None


def test_builtin_suffixes_still_come_first() -> None:
    lists = builtin_domain_lists()
    assert [d.name for d in lists] == ["gov-suffixes", "gov-conventions"]
    assert lists[0] == builtin_gov_suffixes()
    match = DomainMatcher(lists).match("data.gouv.fr")
    assert match.list_name == "gov-suffixes" and match.list_record is None


def test_the_shipped_file_loads_as_a_domain_list_format() -> None:
    text = DATA.read_text("utf-8")
    assert guess_format(str(DATA), text, "domains") == "gov-conventions"
    loaded = parse_domain_list(text, "gov-conventions", "mine", None, str(DATA))
    assert loaded.name == "mine" and loaded.source == str(DATA)
    assert loaded.domains == builtin_gov_conventions().domains
    assert loaded.updated == builtin_gov_conventions().updated


GOOD = "  - {pattern: example.gv, country: xx, level: national, source: 'https://x.example/'}\n"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("conventions: nope\n", "expected {name"),
        ("conventions:\n  - just-a-string\n", r"conventions\[0\]: expected a mapping"),
        ("conventions:\n  - {pattern: a.gv, country: xx, level: national}\n", "missing source"),
        (
            "conventions:\n  - {pattern: a.gv, country: xx, level: city, source: 'https://x/'}\n",
            "level 'city' is not one of",
        ),
        (
            "conventions:\n  - {pattern: '*.gv', country: xx, level: local, source: 'https://x/'}\n",
            "not a plain domain name",
        ),
        (
            "conventions:\n  - {pattern: a.gv, country: xx, level: local, source: 'see wiki'}\n",
            "source must be a URL",
        ),
        ("conventions:\n" + GOOD + GOOD, r"conventions\[1\]: pattern 'example.gv' is listed twice"),
        (
            "conventions:\n  - {pattern: x.gv, country: no, level: local, source: 'https://x/'}\n",
            "missing country",
        ),
        ("conventions: [\n", "not valid YAML"),
        ("conventions: []\n", "no conventions found"),
    ],
)
def test_bad_conventions_are_refused_naming_the_entry(body: str, message: str) -> None:
    with pytest.raises(ConventionError, match=message):
        parse_conventions(body, None, None, "mine.yaml")
    with pytest.raises(ListFormatError, match=message):
        parse_domain_list(body, "gov-conventions", None, None, "mine.yaml")


def test_a_small_conventions_file_keeps_lines_and_records() -> None:
    text = "name: mine\nupdated: 2026-01-02\nconventions:\n" + GOOD
    loaded = parse_conventions(text, None, None, "mine.yaml")
    assert loaded.name == "mine" and loaded.updated == "2026-01-02"
    assert loaded.lines == {"example.gv": 4}
    assert loaded.records["example.gv"] == "xx national; source https://x.example/"
