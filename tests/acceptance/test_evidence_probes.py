"""The proof, licence and agent-discovery probes against real HTTP on 127.0.0.1.

Official-looking host names (``www.example.gouv.fr``, ``api.gouv.fr``) are
pointed at the local server with ``NetworkPolicy.host_overrides``, so the
probes see the same hosts they would in the wild and nothing leaves the
machine.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from auditor.catalog import load_sources
from auditor.context import AuditSettings, Limits, NetworkPolicy
from auditor.evidence.domains import DomainList, DomainMatcher, builtin_gov_suffixes
from auditor.evidence.list_formats import parse_org_list
from auditor.evidence.orgs import OrgList, OrgMatcher, builtin_github_orgs
from auditor.model import Entry, Finding, Outcome
from auditor.net.fetcher import Fetcher
from auditor.probes import PROBES
from auditor.probes.context import EntryContext, RunContext
from tests.conftest import FIXTURES, LocalServer


class Site:
    """Several host names served by one local server, dispatched on the Host header."""

    def __init__(self, server: LocalServer) -> None:
        self.server = server
        self.pages: dict[tuple[str, str], tuple[int, bytes, str]] = {}
        self.hits: list[tuple[str, str]] = []
        self.hosts: set[str] = set()
        self.dead: set[str] = set()

    def add(
        self, url: str, body: str | bytes = "", status: int = 200, ctype: str = "text/html"
    ) -> None:
        host, _, path = url.removeprefix("http://").partition("/")
        path = "/" + path
        self.hosts.add(host)
        data = body.encode() if isinstance(body, str) else body
        self.pages[(host, path)] = (status, data, ctype)
        self.server.routes[path] = self._dispatch

    def _dispatch(self, h: BaseHTTPRequestHandler) -> None:
        host = (h.headers.get("Host") or "").split(":")[0]
        path = h.path.split("?")[0]
        self.hits.append((host, path))
        status, data, ctype = self.pages.get((host, path), (404, b"not found", "text/plain"))
        h.send_response(status)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    def settings(self, **limits: Any) -> AuditSettings:
        closed = socket.socket()
        closed.bind(("127.0.0.1", 0))
        dead_port = closed.getsockname()[1]
        closed.close()
        overrides = {h: ("127.0.0.1", self.server.port) for h in self.hosts}
        overrides |= {h: ("127.0.0.1", dead_port) for h in self.dead}
        return AuditSettings(
            limits=replace(Limits(retries=0, timeout=5), **limits),
            network=NetworkPolicy(allow_private=True, offline=True, host_overrides=overrides),
        )


@pytest.fixture(scope="module")
def shared_server() -> Iterator[LocalServer]:
    """One server for the module (stopping one costs half a second); routes reset per test."""
    server = LocalServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def site(shared_server: LocalServer) -> Site:
    shared_server.routes.clear()
    shared_server.requests.clear()
    return Site(shared_server)


def probe(
    entry: Entry,
    settings: AuditSettings,
    name: str,
    domain_lists: tuple[DomainList, ...] = (),
    org_lists: tuple[OrgList, ...] = (),
) -> Finding:
    """Run one registered probe on ``entry``; it must give exactly one finding."""

    async def go() -> list[Finding]:
        async with Fetcher(settings) as fetcher:
            run = RunContext(
                settings,
                fetcher,
                DomainMatcher((builtin_gov_suffixes(), *domain_lists)),
                github_orgs=OrgMatcher((builtin_github_orgs(), *org_lists)),
            )
            ctx = EntryContext(entry, run)
            try:
                return await PROBES[name](ctx)
            finally:
                ctx.cancel_pending()

    findings = asyncio.run(go())
    assert len(findings) == 1, findings
    return findings[0]


def page(*links: str, footer: str = "") -> str:
    anchors = "\n".join(
        f'<p><a href="{href}">{text}</a></p>'
        for href, _, text in (li.partition("|") for li in links)
    )
    return f"<!doctype html>\n<html><body>\n<main>\n{anchors}\n</main>\n<footer>{footer}</footer>\n</body></html>\n"


# --- reciprocal link ---------------------------------------------------------------------


def test_docs_page_linking_to_the_catalog_entry_passes(site: Site) -> None:
    site.add(
        "http://docs.example.com/api",
        page("https://api.gouv.fr/les-api/api-x/|Notre fiche api.gouv.fr"),
    )
    entry = Entry(
        "x",
        "X",
        docs_url="http://docs.example.com/api",
        catalog_url="https://api.gouv.fr/les-api/api-x",
    )
    found = probe(entry, site.settings(), "reciprocal_link")
    assert found.outcome is Outcome.PASS
    assert "http://docs.example.com/api (line 4)" in found.message
    assert "the catalog entry https://api.gouv.fr/les-api/api-x" in found.message
    assert found.facts["link"]["line"] == 4


def test_docs_linking_back_to_the_publishers_official_site_passes(site: Site) -> None:
    site.add("http://example-docs.readme.io/", page("http://www.example.gouv.fr/|Ministère"))
    entry = Entry(
        "x",
        "X",
        base_url="http://api.example.gouv.fr/v1",
        docs_url="http://example-docs.readme.io/",
    )
    found = probe(entry, site.settings(), "reciprocal_link")
    assert found.outcome is Outcome.PASS
    assert "publisher's official site (example.gouv.fr, list: gov-suffixes)" in found.message


@pytest.mark.parametrize(
    ("links", "why"),
    [
        (("/a|self", "http://www.example.gouv.fr/b|same host"), "links to itself"),
        (("http://status.example.gouv.fr/|status",), "same registrable domain: navigation"),
        (("http://www.other.gouv.fr/|another ministry",), "an official site, not the publisher's"),
        (("https://example.gouv.fr.evil.com/|look-alike",), "a look-alike host"),
        ((), "no links"),
    ],
)
def test_pages_without_a_link_back_fail(site: Site, links: tuple[str, ...], why: str) -> None:
    site.add("http://www.example.gouv.fr/", page(*links))
    entry = Entry(
        "x",
        "X",
        base_url="http://api.example.gouv.fr/v1",
        homepage_url="http://www.example.gouv.fr/",
    )
    found = probe(entry, site.settings(), "reciprocal_link")
    assert found.outcome is Outcome.FAIL, why
    assert "no link back to the publisher's site (example.gouv.fr)" in found.message


def test_unreachable_page_makes_reciprocal_link_unknown(site: Site) -> None:
    site.dead.add("docs.example.gouv.fr")
    site.add("http://www.example.gouv.fr/", page())
    entry = Entry(
        "x",
        "X",
        base_url="http://api.example.gouv.fr/v1",
        docs_url="http://docs.example.gouv.fr/",
        homepage_url="http://www.example.gouv.fr/",
    )
    found = probe(entry, site.settings(), "reciprocal_link")
    assert found.outcome is Outcome.UNKNOWN
    assert found.message.startswith("could not check: http://docs.example.gouv.fr/")


def test_large_page_is_read_whole_with_line_numbers(site: Site) -> None:
    filler = "".join(f'<p><a href="/page/{i}">page {i}</a></p>\n' for i in range(12000))
    body = page(footer='<a href="https://api.gouv.fr/les-api/api-x">fiche</a>').replace(
        "<main>\n", "<main>\n" + filler
    )
    assert 256 * 1024 < len(body) < 2 * 1024 * 1024  # parsed in a thread, under the page cap
    site.add("http://docs.example.com/", body)
    entry = Entry(
        "x",
        "X",
        docs_url="http://docs.example.com/",
        catalog_url="https://api.gouv.fr/les-api/api-x",
    )
    found = probe(entry, site.settings(), "reciprocal_link")
    assert found.outcome is Outcome.PASS
    assert found.facts["link"]["line"] == 12000 + 6


def test_oversized_page_is_not_read_and_stays_unknown(site: Site) -> None:
    site.add("http://www.example.gouv.fr/", page("http://www.other.gouv.fr/|x") + " " * 5000)
    entry = Entry(
        "x",
        "X",
        base_url="http://api.example.gouv.fr/v1",
        homepage_url="http://www.example.gouv.fr/",
    )
    found = probe(entry, site.settings(max_page_bytes=2000), "reciprocal_link")
    assert found.outcome is Outcome.UNKNOWN
    assert "2,000-byte cap" in found.message


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (Entry("x", "X", base_url="http://api.example.gouv.fr/v1"), "no docs or homepage URL"),
        (Entry("x", "X", homepage_url="http://petstore.example.com/"), "nothing to link back to"),
    ],
)
def test_nothing_to_look_at_fails_without_fetching(site: Site, entry: Entry, message: str) -> None:
    found = probe(entry, site.settings(), "reciprocal_link")
    assert found.outcome is Outcome.FAIL and message in found.message
    assert site.hits == []


# --- published policy --------------------------------------------------------------------


SECURITY_TXT = "Contact: mailto:security@example.gouv.fr\nExpires: {expires}\n"


@pytest.mark.parametrize(
    ("security", "homepage", "outcome", "evidence"),
    [
        (
            (200, SECURITY_TXT.format(expires="2099-01-01T00:00:00Z"), "text/plain"),
            page(),
            Outcome.PASS,
            "valid security.txt at http://api.example.gouv.fr/.well-known/security.txt "
            "(Contact: mailto:security@example.gouv.fr; Expires: 2099-01-01)",
        ),
        (
            (200, SECURITY_TXT.format(expires="2020-01-01T00:00:00Z"), "text/plain"),
            page(),
            Outcome.FAIL,
            "is not valid: expired on 2020-01-01",
        ),
        (
            (200, "Contact: mailto:x@y.fr\n", "text/plain"),
            page(),
            Outcome.FAIL,
            "is not valid: no Expires field",
        ),
        (
            (200, "<!doctype html><html><body>home</body></html>", "text/html"),
            page(),
            Outcome.FAIL,
            "answers an HTML page, not a security.txt",
        ),
        (
            (404, "", "text/plain"),
            page("/mentions-legales|Mentions légales", "/rgpd|Données personnelles"),
            Outcome.PASS,
            "legal notice (line 4: 'Mentions légales' -> http://www.example.gouv.fr/mentions-legales); "
            "privacy (line 5: 'Données personnelles' -> http://www.example.gouv.fr/rgpd)",
        ),
        (
            (404, "", "text/plain"),
            page(
                footer='<a href="/cgu">CGU</a> <a href="/accessibilite">Accessibilité : partiellement conforme</a>'
            ),
            Outcome.PASS,
            "terms (line 6: 'CGU'",
        ),
        (
            (404, "", "text/plain"),
            page("/blog|Blog"),
            Outcome.FAIL,
            "no legal notice, privacy, terms",
        ),
    ],
)
def test_published_policy(
    site: Site, security: tuple[int, str, str], homepage: str, outcome: Outcome, evidence: str
) -> None:
    status, body, ctype = security
    site.add("http://api.example.gouv.fr/.well-known/security.txt", body, status, ctype)
    site.add("http://www.example.gouv.fr/.well-known/security.txt", "", 404, "text/plain")
    site.add("http://www.example.gouv.fr/", homepage)
    entry = Entry(
        "x",
        "X",
        base_url="http://api.example.gouv.fr/v1",
        homepage_url="http://www.example.gouv.fr/",
    )
    found = probe(entry, site.settings(), "published_policy")
    assert found.outcome is outcome, found.message
    assert evidence in found.message


def test_dsfr_homepage_footer(site: Site) -> None:
    """A French government homepage (DSFR layout): its footer's legal pages count as a
    published policy; its site-wide links to other government sites are not a link back."""
    html = (FIXTURES / "evidence" / "dsfr-homepage.html").read_text("utf-8")
    site.add("http://www.example.gouv.fr/", html)
    entry = Entry(
        "x",
        "X",
        base_url="http://api.example.gouv.fr/v1",
        homepage_url="http://www.example.gouv.fr/",
    )
    policy = probe(entry, site.settings(), "published_policy")
    assert policy.outcome is Outcome.PASS
    assert set(policy.facts["policy_links"]) == {"accessibility", "legal notice", "privacy"}
    assert policy.facts["policy_links"]["legal notice"]["line"] == 36
    back = probe(entry, site.settings(), "reciprocal_link")
    # data.gouv.fr, legifrance.gouv.fr: not the publisher; status.example.gouv.fr: same domain
    assert back.outcome is Outcome.FAIL
    on_portal = replace(
        entry, catalog_url="https://www.data.gouv.fr/fr/organizations/ministere-exemple/"
    )
    assert probe(on_portal, site.settings(), "reciprocal_link").outcome is Outcome.PASS


def test_published_policy_unknown_when_nothing_answers(site: Site) -> None:
    site.dead.update({"api.example.gouv.fr", "www.example.gouv.fr"})
    entry = Entry(
        "x",
        "X",
        base_url="http://api.example.gouv.fr/v1",
        homepage_url="http://www.example.gouv.fr/",
    )
    found = probe(entry, site.settings(), "published_policy")
    assert found.outcome is Outcome.UNKNOWN
    assert found.message.startswith("could not check:")


# --- portal listing ----------------------------------------------------------------------


def test_official_catalog_ids_pass_from_the_record_alone(site: Site) -> None:
    entry = Entry("x", "X", catalog="api_gouv_fr", catalog_url="https://api.gouv.fr/les-api/x")
    found = probe(entry, site.settings(), "portal_listing")
    assert found.outcome is Outcome.PASS
    assert found.message.startswith("catalog: api_gouv_fr")
    assert site.hits == []


@pytest.mark.parametrize(
    ("badges", "outcome"),
    [
        (["public-service"], Outcome.PASS),
        (["certified", "company"], Outcome.PASS),
        (["company"], Outcome.FAIL),
        ([], Outcome.FAIL),
    ],
)
def test_datagouv_needs_a_public_service_or_certified_badge(
    site: Site, badges: list[str], outcome: Outcome
) -> None:
    entry = Entry("x", "X", catalog="datagouv", raw={"organization_badges": badges})
    found = probe(entry, site.settings(), "portal_listing")
    assert found.outcome is outcome
    assert found.facts["organization_badges"] == sorted(badges)


def test_api_gouv_fr_id_with_a_foreign_catalog_url_fails(site: Site) -> None:
    entry = Entry(
        "x", "X", catalog="api_gouv_fr", catalog_url="https://api-gouv.fr.example.com/les-api/x"
    )
    assert probe(entry, site.settings(), "portal_listing").outcome is Outcome.FAIL


def test_a_native_catalog_cannot_claim_an_official_portal(site: Site, tmp_path: Path) -> None:
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(
        "entries:\n"
        "  - {id: fake, title: Fake, catalog: api_gouv_fr, base_url: https://api.example.com/v1}\n"
        "  - id: fake2\n    title: Fake 2\n    catalog: data.gouv.fr\n"
        "    organization_badges: [public-service]\n    base_url: https://api.example.com/v2\n"
    )
    loaded = asyncio.run(load_sources([str(catalog)], site.settings()))
    assert [e.id for e in loaded.entries] == ["fake", "fake2"]
    for entry in loaded.entries:
        found = probe(entry, site.settings(), "portal_listing")
        assert found.outcome is Outcome.FAIL, (entry.id, entry.catalog, found.message)
        assert "not an official portal" in found.message


PORTAL_PAGE = """<!doctype html>
<html><body>
<header><a href="https://www.data.gouv.fr/">data.gouv.fr</a></header>
<main>
<h1>API Exemple</h1>
{main}
</main>
<footer><a href="https://twitter.com/">Twitter</a> <a href="https://api.gouv.fr/les-api">Toutes les API</a></footer>
</body></html>
"""


@pytest.mark.parametrize(
    ("main", "docs", "outcome"),
    [
        (
            '<a href="https://docs.example.com/v1/">Documentation technique</a>',
            "https://docs.example.com/v1",
            Outcome.PASS,
        ),
        ("<p>no link</p>", "https://docs.example.com/v1", Outcome.FAIL),
        # only the portal's site-wide links: borrowing them must not work
        ("<p>no link</p>", "https://twitter.com/", Outcome.FAIL),
        ("<p>no link</p>", "https://www.data.gouv.fr/", Outcome.FAIL),
        # a link to the portal itself is not a listing of the API
        (
            '<a href="https://api.gouv.fr/les-api">all</a>',
            "https://api.gouv.fr/les-api",
            Outcome.FAIL,
        ),
    ],
)
def test_official_portal_page_linking_to_the_docs(
    site: Site, main: str, docs: str, outcome: Outcome
) -> None:
    site.add("http://api.gouv.fr/les-api/exemple", PORTAL_PAGE.format(main=main))
    entry = Entry("x", "X", docs_url=docs, catalog_url="http://api.gouv.fr/les-api/exemple")
    found = probe(entry, site.settings(), "portal_listing")
    assert found.outcome is outcome, found.message
    if outcome is Outcome.PASS:
        assert "portal page http://api.gouv.fr/les-api/exemple (line 6)" in found.message
        assert "links to the API's docs: https://docs.example.com/v1/" in found.message


def test_unreachable_portal_page_is_unknown(site: Site) -> None:
    site.dead.add("api.gouv.fr")
    entry = Entry(
        "x", "X", docs_url="https://docs.example.com/", catalog_url="http://api.gouv.fr/les-api/x"
    )
    assert probe(entry, site.settings(), "portal_listing").outcome is Outcome.UNKNOWN


# --- GitHub organisation -----------------------------------------------------------------


def test_github_org_from_a_loaded_list(site: Site) -> None:
    loaded = parse_org_list(
        "Testland:\n  - ministry-of-tests\n", "governments-yml", "govs", "2024-03", "g.yml"
    )
    entry = Entry(
        "x",
        "X",
        spec_url="https://raw.githubusercontent.com/Ministry-Of-Tests/api/main/openapi.json",
    )
    found = probe(entry, site.settings(), "github_org", org_lists=(loaded,))
    assert found.outcome is Outcome.PASS
    assert (
        "'ministry-of-tests'" in found.message
        and "list: govs (2024-03) line 2, section 'Testland'" in found.message
    )
    other = Entry("y", "Y", docs_url="https://github.com/petstore-inc/docs")
    missed = probe(other, site.settings(), "github_org", org_lists=(loaded,))
    assert missed.outcome is Outcome.FAIL and "'petstore-inc'" in missed.message


# --- licence -----------------------------------------------------------------------------


def _spec(license_info: dict[str, str] | None) -> str:
    info: dict[str, Any] = {"title": "T", "version": "1"}
    if license_info:
        info["license"] = license_info
    return json.dumps({"openapi": "3.0.3", "info": info, "paths": {}})


@pytest.mark.parametrize(
    ("catalog_license", "spec_license", "docs", "cls", "evidence"),
    [
        ("lov2", None, page(), "open", "catalog (file) says 'lov2' (= etalab-2.0)"),
        (
            None,
            {"name": "Apache 2.0"},
            page(),
            "open",
            "spec info.license says name 'Apache 2.0' (= Apache-2.0)",
        ),
        (
            None,
            None,
            '<!doctype html>\n<html><head>\n<link rel="license" href="https://www.etalab.gouv.fr/licence-ouverte-open-licence">\n</head></html>',
            "open",
            'docs page http://docs.example.gouv.fr/ (line 3) rel="license"',
        ),
        (
            None,
            None,
            page("https://creativecommons.org/licenses/by-nc/4.0/|CC BY-NC"),
            "restrictive",
            "(line 4)",
        ),
        # the site's footer licence is the docs' own content licence, not the API's
        (
            None,
            None,
            page(footer='<a href="https://creativecommons.org/licenses/by/4.0/">CC BY</a>'),
            "none",
            "no licence",
        ),
        ("odc-odbl", {"name": "CC-BY-NC-4.0"}, page(), "conflicting", "ODbL-1.0 vs CC-BY-NC-4.0"),
        ("Licence maison", None, page(), "unrecognised", "catalog (file) says 'Licence maison'"),
    ],
)
def test_licence_statements_from_each_place(
    site: Site,
    catalog_license: str | None,
    spec_license: dict[str, str] | None,
    docs: str,
    cls: str,
    evidence: str,
) -> None:
    site.add(
        "http://api.example.gouv.fr/openapi.json", _spec(spec_license), ctype="application/json"
    )
    site.add("http://docs.example.gouv.fr/", docs)
    entry = Entry(
        "x",
        "X",
        spec_url="http://api.example.gouv.fr/openapi.json",
        docs_url="http://docs.example.gouv.fr/",
        license=catalog_license,
    )
    found = probe(entry, site.settings(), "license_statement")
    assert found.facts["class"] == cls, found.message
    assert evidence in found.message


# --- agent discovery ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("declared", "served", "outcome"),
    [
        (
            "/ai/llms.txt|llms.txt",
            ("/ai/llms.txt", 200, "# Exemple\n> API\n", "text/plain"),
            Outcome.PASS,
        ),
        ("/mcp|Serveur MCP", ("/mcp", 405, "", "text/plain"), Outcome.PASS),
        (
            "/ai/llms.txt|llms.txt",
            ("/ai/llms.txt", 200, "<!doctype html><html></html>", "text/html"),
            Outcome.FAIL,
        ),
        ("/mcp|MCP", ("/mcp", 404, "", "text/plain"), Outcome.FAIL),
    ],
)
def test_agent_document_declared_on_the_homepage(
    site: Site, declared: str, served: tuple[str, int, str, str], outcome: Outcome
) -> None:
    path, status, body, ctype = served
    site.add("http://www.example.gouv.fr/", page(declared))
    site.add(f"http://www.example.gouv.fr{path}", body, status, ctype)
    entry = Entry("x", "X", homepage_url="http://www.example.gouv.fr/")
    found = probe(entry, site.settings(), "agent_discovery")
    assert found.outcome is outcome, found.message
    if outcome is Outcome.PASS:
        assert "declared at http://www.example.gouv.fr/ (line 4)" in found.message
