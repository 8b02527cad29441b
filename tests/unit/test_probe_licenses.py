"""Licence normalisation to SPDX and the class verdict over several sources."""

from __future__ import annotations

import pytest

from auditor.evidence import licenses
from auditor.model import Outcome
from auditor.probes.license_statement import classify, spec_statement


@pytest.mark.parametrize(
    ("text", "spdx", "cls"),
    [
        # data.gouv.fr licence ids
        ("lov2", "etalab-2.0", "open"),
        ("fr-lo", "LicenseRef-etalab-1.0", "open"),
        ("odc-odbl", "ODbL-1.0", "open"),
        ("odc-by", "ODC-By-1.0", "open"),
        ("odc-pddl", "PDDL-1.0", "open"),
        ("cc-by", "CC-BY-4.0", "open"),
        ("cc-zero", "CC0-1.0", "open"),
        ("other-closed", "LicenseRef-datagouv-other-closed", "restrictive"),
        # names SPDX spells differently
        ("Licence Ouverte / Open Licence version 2.0", "etalab-2.0", "open"),
        ("Licence Ouverte / Etalab 2.0", "etalab-2.0", "open"),
        ("Apache License, Version 2.0", "Apache-2.0", "open"),
        ("Apache 2.0", "Apache-2.0", "open"),
        ("MIT License", "MIT", "open"),
        ("CC BY 4.0", "CC-BY-4.0", "open"),
        ("Open Government Licence v3.0", "OGL-UK-3.0", "open"),
        # SPDX ids and expressions, any case
        ("mit", "MIT", "open"),
        ("GPL-3.0", "GPL-3.0-only", "open"),
        ("CC-BY-NC-4.0", "CC-BY-NC-4.0", "restrictive"),
        ("BUSL-1.1", "BUSL-1.1", "restrictive"),
        ("MIT OR Apache-2.0", "MIT OR Apache-2.0", "open"),
        ("CC-BY-NC-4.0 OR MIT", "CC-BY-NC-4.0 OR MIT", "open"),
        ("CC-BY-NC-4.0 AND MIT", "CC-BY-NC-4.0 AND MIT", "restrictive"),
        # licence URLs
        ("https://creativecommons.org/licenses/by-sa/4.0/", "CC-BY-SA-4.0", "open"),
        ("https://creativecommons.org/licenses/by-nc/4.0/deed.fr", "CC-BY-NC-4.0", "restrictive"),
        ("https://www.etalab.gouv.fr/licence-ouverte-open-licence", "etalab-2.0", "open"),
        ("https://opendatacommons.org/licenses/odbl/1-0/", "ODbL-1.0", "open"),
        ("https://opensource.org/licenses/MIT", "MIT", "open"),
        ("http://www.apache.org/licenses/LICENSE-2.0.html", "Apache-2.0", "open"),
        ("https://spdx.org/licenses/Apache-2.0.html", "Apache-2.0", "open"),
        (
            "http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
            "OGL-UK-3.0",
            "open",
        ),
        ("Proprietary", "LicenseRef-proprietary", "restrictive"),
    ],
)
def test_normalise(text: str, spdx: str, cls: str) -> None:
    found = licenses.normalise(text)
    assert found is not None
    assert (found.id, found.cls) == (spdx, cls)


@pytest.mark.parametrize(
    "text",
    [
        "other-at",
        "Licence maison",
        "https://example.com/licence",
        "LicenseRef-foo",
        "Queen's Printer License",  # license-expression's validate() raised AttributeError
    ],
)
def test_unrecognised_statements_name_nothing(text: str) -> None:
    assert licenses.normalise(text) is None
    assert licenses.is_stated(text)


@pytest.mark.parametrize("text", [None, "", "  ", "notspecified", "Not specified", "unknown"])
def test_not_stated(text: str | None) -> None:
    assert not licenses.is_stated(text)


def _s(source: str, text: str) -> tuple[str, str, licenses.Normalised | None]:
    return source, repr(text), licenses.normalise(text)


@pytest.mark.parametrize(
    ("statements", "cls", "outcome"),
    [
        ([], "none", Outcome.UNKNOWN),
        ([_s("catalog", "lov2")], "open", Outcome.PASS),
        ([_s("catalog", "lov2"), _s("spec", "Licence Ouverte / Etalab 2.0")], "open", Outcome.PASS),
        ([_s("spec", "CC-BY-NC-4.0")], "restrictive", Outcome.FAIL),
        ([_s("catalog", "Licence maison")], "unrecognised", Outcome.FAIL),
        ([_s("catalog", "Licence maison"), _s("spec", "MIT")], "open", Outcome.PASS),
        ([_s("catalog", "odc-odbl"), _s("spec", "CC-BY-NC-4.0")], "conflicting", Outcome.FAIL),
        (
            [_s("catalog", "MIT"), _s("docs", "https://opensource.org/licenses/Apache-2.0")],
            "conflicting",
            Outcome.FAIL,
        ),
    ],
)
def test_classify(
    statements: list[tuple[str, str, licenses.Normalised | None]], cls: str, outcome: Outcome
) -> None:
    got_cls, got_outcome, message, sources = classify(statements)
    assert (got_cls, got_outcome) == (cls, outcome)
    for source, said, _ in statements:  # the evidence names each source and what it said
        assert source in message and said in message
    assert len(sources) == len(statements)


def test_conflict_names_both_ids() -> None:
    _, _, message, _ = classify([_s("catalog", "odc-odbl"), _s("spec", "CC-BY-NC-4.0")])
    assert "ODbL-1.0 vs CC-BY-NC-4.0" in message


@pytest.mark.parametrize(
    ("info", "expected_id"),
    [
        (
            {"name": "Apache 2.0", "url": "https://www.apache.org/licenses/LICENSE-2.0"},
            "Apache-2.0",
        ),
        ({"name": "Licence maison", "url": "https://opensource.org/licenses/MIT"}, "MIT"),
        ({"identifier": "EUPL-1.2", "name": "EUPL"}, "EUPL-1.2"),
        ({"name": "Ma licence"}, None),
    ],
)
def test_spec_statement_tries_identifier_name_then_url(
    info: dict[str, str], expected_id: str | None
) -> None:
    found = spec_statement(info)
    assert found is not None
    shown, known = found
    assert (known.id if known else None) == expected_id
    assert all(value in shown for value in info.values())


def test_spec_without_licence_states_nothing() -> None:
    assert spec_statement(None) is None
    assert spec_statement({"name": "  "}) is None
