"""The store codec: entries and assessments round-trip through their stored JSON."""

from __future__ import annotations

import threading
import zlib

from auditor.store.codec import (
    assessment_from_json,
    assessment_to_json,
    entry_from_json,
    entry_to_json,
    pack,
    unpack,
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


def test_packed_values_are_zstd_and_values_of_version_1_stores_still_read() -> None:
    document = b'{"openapi": "3.1.0", "paths": {}}' * 200
    packed = pack(document)
    assert packed[:4] == b"\x28\xb5\x2f\xfd" and len(packed) < len(document) / 10
    assert unpack(packed) == document
    assert unpack(pack(document.decode("utf-8"))) == document
    assert unpack(zlib.compress(document, 1)) == document  # what schema versions 1-3 wrote


def test_damaged_or_missing_values_unpack_to_none() -> None:
    packed = pack(b"x" * 1000)
    assert unpack(None) is None
    assert unpack(packed[:-4] + b"\0\0\0\0") is None  # a zstd frame cut short
    assert unpack(b"\x78\x01not zlib at all") is None
    assert unpack(b"") is None


def test_threads_pack_side_by_side_without_mixing_their_values() -> None:
    documents = [bytes([65 + n]) * (50_000 + n) for n in range(8)]
    out: dict[int, list[bytes | None]] = {}

    def work(n: int) -> None:
        out[n] = [unpack(pack(documents[n])) for _ in range(20)]

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(out[n] == [documents[n]] * 20 for n in range(8))
