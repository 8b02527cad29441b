"""Which domain a portal's mention of a URL vouches for: never a shared platform's."""

from __future__ import annotations

import pytest

from auditor.evidence.platforms import shared_platforms, vouchable


@pytest.mark.parametrize(
    ("mention", "domain"),
    [
        ("https://api.insee.fr/catalogue/", "insee.fr"),
        ("https://hubeau.eaufrance.fr/page/api", "eaufrance.fr"),
        ("https://francetravail.io/data/api", "francetravail.io"),
        ("https://api-rva.sig.rennesmetropole.fr/", "rennesmetropole.fr"),
        ("https://WWW.Data.Gouv.FR:443/fr/", "data.gouv.fr"),
        ("http://data.loire-atlantique.fr", "loire-atlantique.fr"),
        ("https://www.xn--lyce-brossolette-dqb.fr/", "xn--lyce-brossolette-dqb.fr"),
        ("api.met.no", "met.no"),
    ],
)
def test_a_producers_own_host_vouches_for_its_registrable_domain(mention: str, domain: str) -> None:
    found = vouchable(mention)
    assert (found.domain, found.refused) == (domain, None)


@pytest.mark.parametrize(
    ("mention", "why"),
    [
        ("https://abes-esr.github.io/api/", "github.io, a private public suffix"),
        ("https://raw.githubusercontent.com/x/y", "githubusercontent.com, a private public suffix"),
        ("https://x.gitbook.io/docs", "gitbook.io, a private public suffix"),
        ("https://x.readthedocs.io/", "readthedocs.io, a private public suffix"),
        ("https://x.herokuapp.com/", "herokuapp.com, a private public suffix"),
        ("https://x.azurewebsites.net/", "azurewebsites.net, a private public suffix"),
        ("https://d1234.cloudfront.net/", "cloudfront.net, a private public suffix"),
        ("https://bucket.s3.amazonaws.com/", "s3.amazonaws.com, a private public suffix"),
        ("https://boamp-datadila.opendatasoft.com/api/", "shared platform (opendatasoft.com)"),
        ("https://a.osc-secnum-fr1.scalingo.io/", "shared platform (scalingo.io)"),
        ("https://github.com/etalab/x", "shared platform (github.com)"),
        ("https://app.swaggerhub.com/apis/x", "shared platform (swaggerhub.com)"),
        ("https://hub.arcgis.com/", "shared platform (arcgis.com)"),
        ("https://gouv.fr/", "a public suffix"),
        ("https://10.0.0.1/api", "not a host name"),
        ("https://[::1]/api", "not a host name"),
        ("not a url at all", "not a host name"),
    ],
)
def test_shared_platforms_and_non_hosts_vouch_for_nothing(mention: str, why: str) -> None:
    found = vouchable(mention)
    assert found.domain is None
    assert found.refused is not None and why in found.refused


def test_the_deny_list_holds_registrable_domains_only() -> None:
    platforms = shared_platforms()
    assert {"github.com", "opendatasoft.com", "scalingo.io", "amazonaws.com"} <= platforms
    for domain in platforms:
        assert vouchable(f"https://tenant.{domain}/").domain is None, domain
