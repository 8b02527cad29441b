"""An analysis packed for its snapshot, its ``fields`` rows serialised once.

A recording run writes each new analysis twice over: packed whole in its
snapshot (so that a later run reuses it), and the ``spec.inventory`` finding's
facts, which list the same rows (up to 500 a document, most of both values).
Serialising the rows once and cutting that JSON into both (``orjson.Fragment``)
saves a cold run the second pass over them (~0.1 ms a document). The packing
runs in the snapshot library's thread; ``write_result`` takes the JSON from it.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, replace
from typing import Any, cast

import orjson

from auditor.spec.analyse import SpecReport
from auditor.store.codec import dumps_bytes, pack


@dataclass(frozen=True, slots=True)
class PackedReport:
    """An analysis packed for its snapshot, and its ``fields`` rows as the JSON written
    there: the ``spec.inventory`` finding lists the same rows (the same objects), and its
    facts are written with this JSON cut in rather than serialised again
    (``facts_text``: tens of kilobytes a document, most of both values)."""

    packed: bytes
    fields: tuple[dict[str, Any], ...]
    fields_json: bytes

    def rows_of(self, rows: object) -> bytes | None:
        """``fields_json`` when ``rows`` are these very rows (not equal ones: the same
        objects, so nothing is compared), else None."""
        fields = self.fields
        if type(rows) is list and len(rows) == len(fields) and all(map(operator.is_, rows, fields)):
            return self.fields_json
        return None


def pack_report(report: SpecReport) -> PackedReport:
    """``report`` packed; its rows' JSON kept for the finding that lists them."""
    fields_json = dumps_bytes(report.fields)
    text = dumps_bytes(replace(report, fields=cast(Any, orjson.Fragment(fields_json))))
    return PackedReport(pack(text), report.fields, fields_json)
