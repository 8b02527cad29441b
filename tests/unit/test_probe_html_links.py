"""Reading links out of HTML with a real parser, and what a link points to."""

from __future__ import annotations

import pytest

from auditor.evidence.html_links import Link, decode, parse_links, points_under
from auditor.probes.agent_discovery import declared_kind
from auditor.probes.published_policy import policy_kinds

PAGE = """<!doctype html>
<html><head>
<base href="/v2/">
<link rel="license" href="https://creativecommons.org/licenses/by/4.0/">
</head><body>
<header><nav><a href="/">Accueil</a></nav></header>
<main>
<p>Voir <a href="docs?a=1&amp;b=2" title="Documentation">la doc</a>,
<a href="mailto:x@y.fr">écrire</a>, <a href="javascript:void(0)">js</a>, <a href="#top">haut</a>.</p>
<a href="https://api.gouv.fr/les-api/api-x">Fiche sur api.gouv.fr</a>
</main>
<footer><a href="/mentions-legales">Mentions légales</a></footer>
</body></html>
"""


def test_parse_links_resolves_base_and_skips_non_http() -> None:
    links = parse_links(PAGE, "https://x.gouv.fr/home")
    urls = [link.url for link in links]
    assert urls == [
        "https://creativecommons.org/licenses/by/4.0/",
        "https://x.gouv.fr/",
        "https://x.gouv.fr/v2/docs?a=1&b=2",
        "https://api.gouv.fr/les-api/api-x",
        "https://x.gouv.fr/mentions-legales",
    ]
    by_url = {link.url: link for link in links}
    assert by_url["https://creativecommons.org/licenses/by/4.0/"].rel == ("license",)
    docs = by_url["https://x.gouv.fr/v2/docs?a=1&b=2"]
    assert docs.text == "la doc Documentation"
    assert docs.line == 8 and not docs.in_chrome
    assert by_url["https://x.gouv.fr/"].in_chrome  # in <header>
    assert by_url["https://x.gouv.fr/mentions-legales"].in_chrome  # in <footer>
    assert by_url["https://x.gouv.fr/mentions-legales"].line == 12


def test_broken_html_still_parses() -> None:
    links = parse_links("<p><a href=/a>one<a href='/b'>two</p></div>", "http://h/")
    assert [link.url for link in links] == ["http://h/a", "http://h/b"]


@pytest.mark.parametrize(
    ("body", "content_type", "text"),
    [
        ("données".encode("latin-1"), "text/html; charset=ISO-8859-1", "données"),
        (
            b'<meta charset="windows-1252"><p>\xe9t\xe9',
            "text/html",
            '<meta charset="windows-1252"><p>été',
        ),
        ("été".encode(), "text/html", "été"),
        (b"\xff\xfe bad", "text/html; charset=nonsense", "\ufffd\ufffd bad"),
    ],
)
def test_decode(body: bytes, content_type: str, text: str) -> None:
    assert decode(body, content_type) == text


@pytest.mark.parametrize(
    ("link", "target", "under"),
    [
        ("https://api.gouv.fr/les-api/api-x", "https://api.gouv.fr/les-api/api-x", True),
        ("http://api.gouv.fr/les-api/api-x/", "https://api.gouv.fr/les-api/api-x", True),
        ("https://api.gouv.fr/les-api/api-x/demande", "https://api.gouv.fr/les-api/api-x", True),
        ("https://api.gouv.fr/les-api/api-x#top", "https://api.gouv.fr/les-api/api-x", True),
        ("https://api.gouv.fr/les-api/api-xy", "https://api.gouv.fr/les-api/api-x", False),
        ("https://api.gouv.fr/les-api", "https://api.gouv.fr/les-api/api-x", False),
        ("https://www.data.gouv.fr/fr/", "https://data.gouv.fr/", True),
        ("https://data.gouv.fr.evil.com/", "https://data.gouv.fr/", False),
        ("https://h:8443/a", "https://h/a", False),
    ],
)
def test_points_under(link: str, target: str, under: bool) -> None:
    assert points_under(link, target) is under


def _link(url: str, text: str = "", rel: tuple[str, ...] = ()) -> Link:
    return Link(url, url, text, rel, "a", None)


@pytest.mark.parametrize(
    ("link", "kinds"),
    [
        (_link("https://x.fr/mentions-legales"), ["legal notice"]),
        (_link("https://x.fr/page/12", "Mentions légales"), ["legal notice"]),
        (_link("https://x.fr/donnees-personnelles", "Données personnelles"), ["privacy"]),
        (_link("https://x.fr/cgu", "CGU"), ["terms"]),
        (_link("https://x.fr/a", "Conditions générales d'utilisation"), ["terms"]),
        (_link("https://x.fr/accessibilite", "Accessibilité : non conforme"), ["accessibility"]),
        (_link("https://x.com/legal/privacy", "Privacy policy"), ["legal notice", "privacy"]),
        (_link("https://x.com/terms-of-service"), ["terms"]),
        (_link("https://x.com/photos", "Photos"), []),
        (_link("https://x.com/blog/cguide", "Le guide"), []),
    ],
)
def test_policy_kinds(link: Link, kinds: list[str]) -> None:
    assert policy_kinds(link) == kinds


@pytest.mark.parametrize(
    ("link", "kind"),
    [
        (_link("https://x.fr/llms.txt"), "llms.txt"),
        (_link("https://x.fr/docs/llms-full.txt"), "llms.txt"),
        (_link("https://x.fr/mcp"), "mcp"),
        (_link("https://x.fr/connect", "Serveur MCP"), "mcp"),
        (_link("https://x.fr/s", rel=("mcp",)), "mcp"),
        (_link("https://x.fr/mcpherson"), None),
        (_link("https://x.fr/docs"), None),
    ],
)
def test_declared_agent_documents(link: Link, kind: str | None) -> None:
    assert declared_kind(link) == kind
