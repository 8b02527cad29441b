"""A result of the JSON results document, its axes told in the page's language.

Results keep the English names and reasons the engine wrote when it scored.
A page in another language asks the methodology room to tell them again
(:func:`auditor.methodology.localize.localized_assessment`: the recorded
findings scored under the same methodology in that language) and shows the
new words only when that gives back exactly the recorded numbers. Otherwise
(another methodology version, findings left out of the file, a hand-edited
file) the recorded reasons stay, marked on the page as English text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from auditor.methodology.localize import localized_assessment
from auditor.methodology.model import Methodology
from auditor.model import Assessment, AxisScore, Finding, Outcome, SignalScore


def _signal(data: Mapping[str, Any]) -> SignalScore:
    return SignalScore(
        id=str(data["id"]),
        name=str(data["name"]),
        outcome=Outcome(data["outcome"]),
        points=data["points"],
        max_points=data["max_points"],
        evidence=str(data["evidence"]),
    )


def recorded_assessment(result: Mapping[str, Any], stated: Mapping[str, Any]) -> Assessment:
    """The Assessment a result was written from (``stated``: the document's methodology);
    KeyError, TypeError or ValueError when the result is not as ``audit`` writes it."""
    axes = tuple(
        AxisScore(
            id=str(axis_id),
            name=str(axis["name"]),
            weight=axis["weight"],
            score=axis["score"],
            reason=str(axis["reason"]),
            signals=tuple(_signal(s) for s in axis["signals"]),
        )
        for axis_id, axis in result["axes"].items()
    )
    return Assessment(
        entry_id=str(result["id"]),
        score=result["score"],
        tier=result["tier"],
        axes=axes,
        methodology_id=str(stated["id"]),
        methodology_version=str(stated["version"]),
        assessed_at=str(result.get("assessed_at") or ""),
    )


def retold(
    result: Mapping[str, Any], stated: Any, methodology: Methodology
) -> tuple[Mapping[str, Any], bool]:
    """``result`` with its axes in ``methodology``'s language and True, or ``result`` as it
    is and False when its numbers cannot be given back exactly (or it cannot be read)."""
    if not isinstance(stated, Mapping) or not isinstance(result.get("findings"), list):
        return result, False
    try:
        recorded = recorded_assessment(result, stated)
        findings = [Finding.from_dict(f) for f in result["findings"]]
    except (KeyError, TypeError, ValueError, AttributeError):
        return result, False
    told = localized_assessment(recorded, findings, methodology)
    if told is recorded:
        return result, False
    return dict(result) | {"axes": {axis.id: axis.to_dict() for axis in told.axes}}, True
