"""The shared data model crosses process boundaries (``--workers``, Dask, the spec pool):
every class must come back equal, every field included, through its constructor."""

from __future__ import annotations

import pickle
from dataclasses import fields

import pytest

from auditor.model import (
    Assessment,
    AuditResult,
    AxisScore,
    Entry,
    Finding,
    Outcome,
    SignalScore,
)

ENTRY = Entry(
    id="pets",
    title="Pets",
    description="d",
    organization="o",
    base_url="https://api.example.gouv.fr",
    spec_url="https://api.example.gouv.fr/openapi.json",
    docs_url="https://api.example.gouv.fr/docs",
    homepage_url="https://example.gouv.fr",
    contact="c@example.gouv.fr",
    license="etalab-2.0",
    tags=("a", "b"),
    catalog="datagouv",
    catalog_url="https://data.gouv.fr/x",
    origin="catalog.yaml:3",
    local_spec="spec.json",
    raw={"id": "pets"},
)
FINDING = Finding("spec.valid", Outcome.FAIL, "m", "spec_document", "s", {"k": [1]}, "t")
SIGNAL = SignalScore("sig", "Signal", Outcome.PASS, 2.5, 5.0, "evidence")
AXIS = AxisScore("availability", "Availability", 0.25, 50.0, "reason", (SIGNAL,))
ASSESSMENT = Assessment("pets", 73.25, "silver", (AXIS,), "trust", "1.0", "2026-12-02T00:00:00Z")
RESULT = AuditResult(ENTRY, (FINDING,), ASSESSMENT)


@pytest.mark.parametrize("instance", [ENTRY, FINDING, SIGNAL, AXIS, ASSESSMENT, RESULT])
def test_each_class_comes_back_whole(instance: object) -> None:
    again = pickle.loads(pickle.dumps(instance, protocol=pickle.HIGHEST_PROTOCOL))
    assert again == instance and type(again) is type(instance)
    for field in fields(instance):  # type: ignore[arg-type]
        assert getattr(again, field.name) == getattr(instance, field.name), field.name
    assert instance.__reduce__()[0] is type(instance)  # the constructor, not setstate
