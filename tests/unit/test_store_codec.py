"""The store codec: entries and assessments round-trip through their stored JSON."""

from __future__ import annotations

from auditor.store.codec import (
    assessment_from_json,
    assessment_to_json,
    entry_from_json,
    entry_to_json,
)
from tests.support.store import entry, result


def test_entry_round_trips_with_raw_record_and_odd_values() -> None:
    import datetime

    original = entry(
        "e",
        tags=("a", "b"),
        base_url="https://x.example",
        raw={"published": datetime.date(2024, 1, 2), "nested": {1: {"x"}}},
    )
    back = entry_from_json(entry_to_json(original))
    assert back == original
    assert back.raw == {"published": "2024-01-02", "nested": {"1": ["x"]}}


def test_assessment_round_trips() -> None:
    one = result("e", up=False)
    back = assessment_from_json(assessment_to_json(one.assessment))
    assert back == one.assessment
    assert back.axis("availability").score == 0
