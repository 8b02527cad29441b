"""A recorded assessment told in another language, for a report page in that language.

Results files and stores keep the English reasons the engine wrote at scoring time. A French
page re-tells them by scoring the recorded findings again under the same methodology told in
French: same ids, weights and points, so the same numbers. If they are not the same numbers
(the results were scored under another version of the methodology, or the findings were cut),
the recorded assessment is kept as it is: a page never shows a score the run did not give.
"""

from __future__ import annotations

from collections.abc import Iterable

from auditor.methodology.engine import assess
from auditor.methodology.model import Methodology
from auditor.model import Assessment, AxisScore, Finding


def _numbers(axes: Iterable[AxisScore]) -> list[tuple[object, ...]]:
    return [
        (
            a.id,
            a.weight,
            a.score,
            tuple((s.id, s.outcome, s.points, s.max_points) for s in a.signals),
        )
        for a in axes
    ]


def localized_assessment(
    recorded: Assessment, findings: Iterable[Finding], methodology: Methodology
) -> Assessment:
    """``recorded`` with its names and reasons in ``methodology.lang``, or ``recorded`` itself
    when the findings under ``methodology`` do not give back exactly the recorded numbers."""
    if (recorded.methodology_id, recorded.methodology_version) != (
        methodology.id,
        methodology.version,
    ):
        return recorded
    again = assess(recorded.entry_id, findings, methodology)
    same = (again.score, again.tier) == (recorded.score, recorded.tier) and _numbers(
        again.axes
    ) == _numbers(recorded.axes)
    if not same:
        return recorded
    return Assessment(
        entry_id=recorded.entry_id,
        score=recorded.score,
        tier=recorded.tier,
        axes=again.axes,
        methodology_id=recorded.methodology_id,
        methodology_version=recorded.methodology_version,
        assessed_at=recorded.assessed_at,
    )
