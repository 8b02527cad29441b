"""Official-domain matching and the list formats it reads (pure, no network)."""

from __future__ import annotations

import pytest

from auditor.evidence.domains import DomainMatcher, build_domain_list, builtin_gov_suffixes
from auditor.evidence.list_formats import ListFormatError, guess_format, parse_domain_list

BUILTIN = builtin_gov_suffixes()
FR = build_domain_list(
    "fr-public",
    "2024-12-11",
    [
        ("1jeune1solution.pole-emploi.fr", 3),
        ("0030858s.esidoc.fr", 4),
        ("https://www.bischheim.alsace", 5),
        ("lycée-brossolette.fr", 6),
        ("www.free.fr.", 7),
    ],
    "urls.txt",
)


@pytest.mark.parametrize(
    ("host", "listed"),
    [
        ("www.data.gouv.fr", "gouv.fr"),
        ("data.gouv.fr", "gouv.fr"),
        ("DATA.GOUV.FR.", "gouv.fr"),
        ("api.nasa.gov", "gov"),
        ("www.gov.uk", "gov.uk"),
        ("gouv.fr.example.com", None),  # look-alike: gouv.fr is a label prefix, not a suffix
        ("data-gouv.fr", None),  # look-alike: a different registrable domain
        ("datagouv.fr", None),
        ("gouvfr.com", None),
        ("evilgov", None),
        ("example.com", None),
        ("127.0.0.1", None),
        ("gov.example", None),
    ],
)
def test_builtin_suffixes_match_label_wise(host: str, listed: str | None) -> None:
    match = DomainMatcher((BUILTIN,)).match(host)
    assert match.listed == listed
    if listed:
        assert match.list_name == "gov-suffixes"
        assert match.list_updated
        assert match.list_line and match.list_line > 0


@pytest.mark.parametrize(
    ("host", "listed"),
    [
        ("1jeune1solution.pole-emploi.fr", "1jeune1solution.pole-emploi.fr"),
        ("api.1jeune1solution.pole-emploi.fr", "1jeune1solution.pole-emploi.fr"),
        ("pole-emploi.fr", None),  # listing a host below never vouches for its parent
        ("0030858s.esidoc.fr", "0030858s.esidoc.fr"),
        ("other.esidoc.fr", None),  # shared hosting: a neighbour is not official
        ("esidoc.fr", None),
        ("bischheim.alsace", "bischheim.alsace"),  # from https://www.bischheim.alsace
        ("api.bischheim.alsace", "bischheim.alsace"),
        ("xn--lyce-brossolette-dqb.fr", "xn--lyce-brossolette-dqb.fr"),
        ("lycée-brossolette.fr", "xn--lyce-brossolette-dqb.fr"),
        ("1jeune1solution.pole-emploi.fr.example.com", None),
    ],
)
def test_loaded_list_matches_hosts_and_their_subdomains_only(host: str, listed: str | None) -> None:
    match = DomainMatcher((BUILTIN, FR)).match(host)
    assert match.listed == listed
    if listed:
        assert match.list_name == "fr-public"
        assert match.list_source == "urls.txt"


def test_www_prefix_is_stripped_only_above_a_public_suffix() -> None:
    assert "free.fr" in FR.domains  # whoever runs www.free.fr runs free.fr
    shared = build_domain_list("x", None, [("www.github.io", 1)])
    assert "www.github.io" in shared.domains  # github.io is a public suffix: keep www


def test_matcher_reports_the_registrable_domain() -> None:
    match = DomainMatcher((BUILTIN,)).match("www.data.gouv.fr")
    assert match.registrable == "data.gouv.fr"
    assert DomainMatcher((BUILTIN,)).match("10.0.0.1").registrable is None


CISA_CSV = (
    "Domain name,Domain type,Organization name,Suborganization name,City,State,Security contact email\n"
    "29palms.gov,City,City of Twentynine Palms,,Twentynine Palms,CA,(blank)\n"
    "ACUS.GOV,Federal - Executive,Administrative Conference of the United States,,Washington,DC,x\n"
)
UK_JSON = """{
    "version": "0.1.0",
    "domains": [
        {"domain_pattern": "*.gov.scot", "organisation_id": null},
        {"domain_pattern": "acas.org.uk", "organisation_id": "x"}
    ]
}"""
FR_LINES = (
    "# communes\n"
    "aspach-le-bas.alsace\n"
    "www.cdg73.com  # (redirection from www.cdg73.fr)\n"
    "\n"
    "https://www.mulhausen.alsace/fr/\n"
)
SUFFIX_YAML = "name: mine\nupdated: '2025-01-02'\nsuffixes:\n  xx: [gob.xx, admin.xx]\n"


@pytest.mark.parametrize(
    ("text", "fmt", "expected", "line_of", "name", "updated"),
    [
        (CISA_CSV, "csv", {"29palms.gov", "acus.gov"}, ("acus.gov", 3), "current-full", None),
        (UK_JSON, "json", {"gov.scot", "acas.org.uk"}, ("acas.org.uk", 5), "current-full", None),
        (
            FR_LINES,
            "lines",
            {"aspach-le-bas.alsace", "cdg73.com", "mulhausen.alsace"},
            ("mulhausen.alsace", 5),
            "current-full",
            None,
        ),
        (
            SUFFIX_YAML,
            "gov-suffixes",
            {"gob.xx", "admin.xx"},
            ("admin.xx", 4),
            "mine",
            "2025-01-02",
        ),
    ],
)
def test_domain_list_formats(
    text: str,
    fmt: str,
    expected: set[str],
    line_of: tuple[str, int],
    name: str,
    updated: str | None,
) -> None:
    parsed = parse_domain_list(text, fmt, None, None, "/lists/current-full.csv")
    assert parsed.domains == expected
    assert parsed.lines[line_of[0]] == line_of[1]
    assert parsed.name == name
    assert parsed.updated == updated


def test_explicit_name_and_date_win() -> None:
    parsed = parse_domain_list(SUFFIX_YAML, "gov-suffixes", "custom", "2030-01-01", "x.yaml")
    assert (parsed.name, parsed.updated) == ("custom", "2030-01-01")


@pytest.mark.parametrize(
    ("location", "text", "kind", "fmt"),
    [
        ("/x/current-full.csv", "a,b", "domains", "csv"),
        ("https://h/user_domains.json", "{}", "domains", "json"),
        ("list", '{"domains": []}', "domains", "json"),
        ("/x/gov.yaml", "a: 1", "domains", "gov-suffixes"),
        ("/x/governments.yml", "a: 1", "github_orgs", "governments-yml"),
        ("/x/urls.txt", "https://a.fr", "domains", "lines"),
    ],
)
def test_format_is_guessed_from_name_then_content(
    location: str, text: str, kind: str, fmt: str
) -> None:
    assert guess_format(location, text, kind) == fmt


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        ("", "lines"),
        ("# only comments\n", "lines"),
        ("{not json", "json"),
        ("[]", "json"),
        ("x: 1", "gov-suffixes"),
        ("a", "nope"),
    ],
)
def test_unusable_lists_are_refused(text: str, fmt: str) -> None:
    with pytest.raises(ListFormatError):
        parse_domain_list(text, fmt, None, None, "x")
