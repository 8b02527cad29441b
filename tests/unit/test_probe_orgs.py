"""GitHub organisation lists: which URL names which organisation, and the list formats."""

from __future__ import annotations

import pytest

from auditor.evidence.list_formats import ListFormatError, parse_org_list
from auditor.evidence.orgs import OrgMatcher, builtin_github_orgs, github_org_of


@pytest.mark.parametrize(
    ("url", "org"),
    [
        ("https://github.com/etalab/api-data/blob/main/openapi.yaml", "etalab"),
        ("https://GitHub.com/Etalab", "etalab"),
        ("https://www.github.com/betagouv/x", "betagouv"),
        ("https://raw.githubusercontent.com/alphagov/x/main/spec.json", "alphagov"),
        ("https://api.github.com/repos/18F/x/contents/a.yaml", "18f"),
        ("https://etalab.github.io/schema/", "etalab"),
        ("https://github.com/", None),
        ("https://github.com/orgs/etalab/people", None),
        ("https://github.com.example.org/etalab", None),  # look-alike host
        ("https://gitlab.com/etalab/x", None),
        ("https://a.b.github.io/", None),
        ("https://example.com/github.com/etalab", None),
        ("not a url", None),
    ],
)
def test_github_org_of(url: str, org: str | None) -> None:
    assert github_org_of(url) == org


def test_builtin_list_names_section_and_line() -> None:
    builtin = builtin_github_orgs()
    match = OrgMatcher((builtin,)).match("ETALAB")
    assert match is not None
    assert (match.org, match.section, match.list_name) == ("etalab", "France", "gov-github-orgs")
    assert match.line and match.line > 1
    assert OrgMatcher((builtin,)).match("petstore-inc") is None


GOVERNMENTS_YML = """# Official government institutions
Argentina:
  - argob
  - gcba

France:
  - betagouv
  - etalab

U.S. Federal:
  - 18f
"""


@pytest.mark.parametrize(
    ("text", "fmt", "orgs", "line_of"),
    [
        (
            GOVERNMENTS_YML,
            "governments-yml",
            {"argob", "gcba", "betagouv", "etalab", "18f"},
            ("etalab", 8),
        ),
        (
            "https://dev.ch-poitiers.fr\nhttps://github.com/1024pix\nhttps://framagit.org/x\nbetagouv\n",
            "lines",
            {"1024pix", "betagouv"},
            ("betagouv", 4),
        ),
        (
            "organisation,url-politique-floss\nhttps://github.com/betagouv,https://doc\nhttps://gitlab.com/x,https://y\n",
            "csv",
            {"betagouv"},
            ("betagouv", 2),
        ),
    ],
)
def test_org_list_formats(text: str, fmt: str, orgs: set[str], line_of: tuple[str, int]) -> None:
    parsed = parse_org_list(text, fmt, None, None, "/lists/governments.yml")
    assert parsed.orgs == orgs
    assert parsed.lines[line_of[0]] == line_of[1]
    assert parsed.name == "governments"


def test_sections_are_kept_for_the_evidence() -> None:
    parsed = parse_org_list(GOVERNMENTS_YML, "governments-yml", "gov", "2024-03", "x.yml")
    match = OrgMatcher((parsed,)).match("18F")
    assert match is not None and match.section == "U.S. Federal" and match.list_updated == "2024-03"


@pytest.mark.parametrize(
    ("text", "fmt"),
    [("a: b\n", "governments-yml"), ("https://gitlab.com/x\n", "lines"), ("x", "zip")],
)
def test_unusable_org_lists_are_refused(text: str, fmt: str) -> None:
    with pytest.raises(ListFormatError):
        parse_org_list(text, fmt, None, None, "x")
