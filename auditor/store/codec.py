"""JSON for what the store keeps: entries, findings, assessments, spec reports.

Untrusted catalogs and servers put arbitrary values into ``raw`` and
``facts``; anything JSON cannot hold is written as its string form rather
than failing the entry.
"""

from __future__ import annotations

import dataclasses
import threading
import zlib
from collections.abc import Mapping
from typing import Any

import orjson
import zstandard

from auditor.model import Assessment, AxisScore, Entry, Finding, Outcome, SignalScore
from auditor.spec.analyse import SpecReport

_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY
_OUTCOMES = {outcome.value: outcome for outcome in Outcome}


def outcome(value: str) -> Outcome:
    """``Outcome(value)`` without the enum's call machinery (~8 µs, 30 times an entry read);
    an unknown value raises the same ValueError."""
    found = _OUTCOMES.get(value)
    return found if found is not None else Outcome(value)


def _fallback(value: Any) -> Any:
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def dumps_bytes(value: Any) -> bytes:
    """``dumps`` as UTF-8, for a value packed or cut into a larger one (``orjson.Fragment``)."""
    return orjson.dumps(value, default=_fallback, option=_OPTIONS)


def dumps(value: Any) -> str:
    return dumps_bytes(value).decode("utf-8")


def loads(text: str | bytes | None) -> Any:
    return orjson.loads(text) if text else None


ZSTD_LEVEL = 1
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
"""How a zstd frame begins. A zlib stream (what stores before schema version 4 hold) never
does: its first two bytes, read as a number, are a multiple of 31, and 0x28B5 is not."""


class _Codecs(threading.local):
    """A zstd compressor and decompressor for each thread: zstandard's are not thread-safe
    (the event loop and the snapshot packing thread both pack), and making one for each
    value costs as much as packing a 4 KB assessment with it (~18 µs)."""

    def __init__(self) -> None:
        self.compressor = zstandard.ZstdCompressor(level=ZSTD_LEVEL)
        self.decompressor = zstandard.ZstdDecompressor()


_CODECS = _Codecs()


def pack(text: str | bytes) -> bytes:
    """zstd at level 1 (since schema version 4). Measured on 300 APIs.guru specs (40 MB): 56 ms
    of CPU for an 8.2x smaller copy, where zlib at level 1 (what versions 1-3 wrote) took 201
    ms for 6.0x and zlib at level 6 527 ms for 8.0x; a 4.5 KB assessment packs in 11 µs
    (zlib: 30). Like zlib, zstandard releases the GIL while it compresses (two threads
    packing 14 MB five times each, 2 cores: 0.17 s one after the other, 0.12 s side by side)."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    return _CODECS.compressor.compress(data)


def unpack(data: bytes | None) -> bytes | None:
    """The inverse of ``pack``, for what this auditor packs (zstd) and what stores of
    schema versions 1-3 hold (zlib); None for a missing or damaged value."""
    if data is None:
        return None
    try:
        if data[:4] == _ZSTD_MAGIC:
            return _CODECS.decompressor.decompress(data)
        return zlib.decompress(data)
    except (zlib.error, zstandard.ZstdError):
        return None


def entry_dict(entry: Entry) -> dict[str, Any]:
    return entry.to_dict() | {"raw": dict(entry.raw)}


def entry_to_json(entry: Entry) -> str:
    return dumps(entry_dict(entry))


def load_packed(value: str | bytes | None) -> Any:
    """JSON stored as text (older stores) or packed with ``pack``."""
    if isinstance(value, bytes):
        return loads(unpack(value))
    return loads(value)


def entry_from_json(text: str) -> Entry:
    return entry_from_dict(loads(text))


def entry_from_dict(data: Mapping[str, Any]) -> Entry:
    known = {f.name for f in dataclasses.fields(Entry)}
    values = {k: v for k, v in data.items() if k in known}
    values["tags"] = tuple(values.get("tags") or ())
    values["raw"] = dict(values.get("raw") or {})
    return Entry(**values)


def finding_from_row(row: Mapping[str, Any], facts: Mapping[str, Any] | None = None) -> Finding:
    return Finding(
        check=row["check_id"],
        outcome=outcome(row["outcome"]),
        message=row["message"],
        probe=row["probe"],
        subject=row["subject"],
        facts=facts if facts is not None else (loads(row["facts"]) or {}),
        observed_at=row["observed_at"],
    )


def assessment_to_json(assessment: Assessment) -> str:
    return dumps(
        {
            "entry_id": assessment.entry_id,
            "score": assessment.score,
            "tier": assessment.tier,
            "methodology_id": assessment.methodology_id,
            "methodology_version": assessment.methodology_version,
            "assessed_at": assessment.assessed_at,
            "axes": [axis.to_dict() | {"id": axis.id} for axis in assessment.axes],
        }
    )


def _signal(data: Mapping[str, Any]) -> SignalScore:
    return SignalScore(
        id=data["id"],
        name=data["name"],
        outcome=outcome(data["outcome"]),
        points=data["points"],
        max_points=data["max_points"],
        evidence=data["evidence"],
    )


def assessment_from_json(value: str | bytes) -> Assessment:
    data: dict[str, Any] = load_packed(value)
    axes = tuple(
        AxisScore(
            id=axis["id"],
            name=axis["name"],
            weight=axis["weight"],
            score=axis["score"],
            reason=axis["reason"],
            signals=tuple(_signal(s) for s in axis["signals"]),
        )
        for axis in data["axes"]
    )
    return Assessment(
        entry_id=data["entry_id"],
        score=data["score"],
        tier=data["tier"],
        axes=axes,
        methodology_id=data["methodology_id"],
        methodology_version=data["methodology_version"],
        assessed_at=data["assessed_at"],
    )


REPORT_FIELDS = frozenset(f.name for f in dataclasses.fields(SpecReport))


def report_from_facts(facts: Mapping[str, Any]) -> SpecReport | None:
    """The ``SpecReport`` stored as JSON, or None when it is incomplete or unreadable.

    A report stored by an older auditor lacks fields a newer one adds; it is
    not reused (the spec is analysed again) rather than filled with defaults.
    """
    if not facts.keys() >= REPORT_FIELDS:
        return None
    try:
        return SpecReport.from_dict(dict(facts))
    except (KeyError, TypeError, ValueError):
        return None
