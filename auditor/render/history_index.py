"""The index's history parts: open incidents, catalog uptime, changes, catalog trends.

Also the per-row extras of the entries table: where each score went since
the previous run (arrow and delta, or "new") and its 30-day uptime.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from auditor.methodology.model import Methodology
from auditor.render.change_view import ChangeRow, delta_text
from auditor.render.history_charts import ChartPoint, line_svg, tier_bands
from auditor.render.history_view import (
    Chart,
    UptimeRow,
    runs_text,
    table,
    uptime_rows,
    when,
)
from auditor.render.language import ENGLISH, N_, Language
from auditor.render.uptime import duration_text, incidents, percent_text, uptimes
from auditor.store.history import StoreHistory, Verification
from auditor.store.session import parse_iso

ARROWS = {"up": "▲", "down": "▼", "same": "", "new": N_("new")}


@dataclass(frozen=True, slots=True)
class OpenIncident:
    entry_id: str
    title: str
    name: str
    since: str
    start: str
    duration: str
    first_error: str


@dataclass(frozen=True, slots=True)
class RowHistory:
    """Extra cells of one index row."""

    direction: str
    """``up``, ``down``, ``same`` or ``new`` (not in the previous run)."""
    arrow: str
    delta: float | None
    delta_text: str
    uptime: UptimeRow
    down: bool


@dataclass(frozen=True, slots=True)
class IndexHistory:
    run_id: int
    run_at: str
    previous_id: int | None
    previous_at: str | None
    runs: int
    degraded: bool
    uptimes: tuple[UptimeRow, ...]
    open_incidents: tuple[OpenIncident, ...]
    changed: tuple[ChangeRow, ...]
    new: tuple[tuple[str, str, str], ...]
    """(entry id, title, file name) of entries not in the previous run."""
    gone: tuple[tuple[str, str], ...]
    """(entry id, title) of the previous run's entries no longer audited."""
    mean_chart: Chart | None
    uptime_chart: Chart | None
    rows: Mapping[str, RowHistory]
    run_when: str = ""
    """The run's start to the minute, in the page's language (``Language.minute``)."""
    previous_when: str | None = None


def _row(
    history: StoreHistory, entry_id: str, verifications: Sequence[Verification], tr: Language
) -> RowHistory:
    points = history.results.get(entry_id, ())
    previous = history.previous
    before = next((p for p in points if previous is not None and p.run_id == previous.id), None)
    now = points[-1] if points else None
    figure = next(u for u in uptimes(verifications, history.as_of) if u.key == "30d")
    shown = uptime_rows((figure,), tr)[0]
    found = incidents(verifications, history.as_of)
    down = bool(found and found[0].open)
    if before is None:
        new = tr.gettext(ARROWS["new"])
        return RowHistory("new", new, None, new, shown, down)
    delta = None
    if now is not None and now.score is not None and before.score is not None:
        delta = round(now.score - before.score, 2)
    direction = "same" if not delta else ("up" if delta > 0 else "down")
    if delta:
        text = delta_text(delta, tr)
    else:
        text = tr.gettext("unchanged") if delta == 0 else tr.gettext("unknown")
    return RowHistory(direction, ARROWS[direction], delta, text, shown, down)


def _catalog_charts(
    history: StoreHistory,
    everything: Sequence[Verification],
    methodology: Methodology,
    tr: Language,
) -> tuple[Chart | None, Chart | None]:
    if not history.runs:
        return None, None
    means, mean_rows = [], []
    for run in history.runs:
        mean = run.counts.get("mean_score") if isinstance(run.counts, Mapping) else None
        value = (
            float(mean) if isinstance(mean, int | float) and not isinstance(mean, bool) else None
        )
        text = tr.number(value)  # "unknown" for None
        started = when(run.started_at, tr)
        label = tr.gettext("%(time)s, run %(run)s: mean %(mean)s") % {
            "time": started, "run": run.id, "mean": text}  # fmt: skip
        means.append(ChartPoint(run.started_at, value, label))
        mean_rows.append((started, str(run.id), text))
    known = [p.value for p in means if p.value is not None]
    mean_summary = runs_text(len(means), tr) + (
        tr.gettext("; latest mean %(mean)s") % {"mean": tr.number(known[-1])} if known else ""
    )
    mean_svg = line_svg(
        means, title=tr.gettext("Catalog mean score per run"), summary=mean_summary, y_max=100.0,
        bands=tier_bands(methodology), tr=tr,
    )  # fmt: skip
    by_run: dict[int, list[str]] = defaultdict(list)
    for v in everything:
        if v.outcome in ("pass", "fail"):
            by_run[v.run_id].append(v.outcome)
    shares: list[ChartPoint] = []
    per_run: list[tuple[str, ...]] = []
    for run in history.runs:
        judged = by_run.get(run.id, [])
        share = 100 * judged.count("pass") / len(judged) if judged else None
        text = percent_text(share / 100, tr) if share is not None else tr.gettext("unknown")
        detail = tr.ngettext(
            "%(share)s of %(num)d verification", "%(share)s of %(num)d verifications", len(judged)
        ) % {"share": text, "num": len(judged)}
        value = round(share, 2) if share is not None else None
        started = when(run.started_at, tr)
        label = tr.gettext("%(time)s, run %(run)s: %(detail)s") % {
            "time": started, "run": run.id, "detail": detail}  # fmt: skip
        shares.append(ChartPoint(run.started_at, value, label))
        per_run.append((started, str(run.id), detail))
    uptime_svg = line_svg(
        shares, title=tr.gettext("Catalog uptime per run"), summary=runs_text(len(shares), tr),
        unit=tr.percent_sign, y_max=100.0, tr=tr,
    )  # fmt: skip
    return (
        Chart(
            mean_svg,
            table(
                tr.gettext("Mean score per run"),
                (N_("run started"), N_("run"), N_("mean score")),
                mean_rows,
                tr,
            ),
        ),
        Chart(
            uptime_svg,
            table(
                tr.gettext("Uptime per run"),
                (N_("run started"), N_("run"), N_("uptime")),
                per_run,
                tr,
            ),
        ),
    )


def index_history(
    history: StoreHistory,
    titles: Mapping[str, str],
    names: Mapping[str, str],
    changes: Sequence[ChangeRow],
    gone: Mapping[str, str],
    methodology: Methodology,
    tr: Language = ENGLISH,
) -> IndexHistory:
    """The index's history part; ``methodology`` is the one the pages describe (in ``tr``)."""
    everything: list[Verification] = []
    rows: dict[str, RowHistory] = {}
    open_now: list[OpenIncident] = []
    for entry_id in history.entries:
        verifications = history.verifications.get(entry_id, ())
        everything.extend(verifications)
        rows[entry_id] = _row(history, entry_id, verifications, tr)
        found = incidents(verifications, history.as_of) if rows[entry_id].down else ()
        if found:
            first = found[0]
            open_now.append(
                OpenIncident(
                    entry_id, titles.get(entry_id, entry_id), names.get(entry_id, entry_id),
                    when(first.start, tr), first.start,
                    duration_text(
                        (parse_iso(history.as_of) - parse_iso(first.start)).total_seconds(), tr
                    ),
                    first.first_error,
                )
            )  # fmt: skip
    everything.sort(key=lambda v: v.at)
    mean_chart, uptime_chart = _catalog_charts(history, everything, methodology, tr)
    previous = history.previous
    return IndexHistory(
        run_id=history.run.id,
        run_at=history.run.started_at,
        previous_id=previous.id if previous else None,
        previous_at=previous.started_at if previous else None,
        runs=len(history.runs),
        degraded=history.run_degraded,
        uptimes=uptime_rows(uptimes(everything, history.as_of), tr),
        open_incidents=tuple(sorted(open_now, key=lambda i: i.start)),
        changed=tuple(c for c in changes if c.run_id == history.run.id),
        new=tuple(
            (e, titles.get(e, e), names.get(e, e))
            for e, row in rows.items()
            if row.direction == "new" and previous is not None
        ),
        gone=tuple(sorted(gone.items())),
        mean_chart=mean_chart,
        uptime_chart=uptime_chart,
        rows=rows,
        run_when=tr.minute(history.run.started_at),
        previous_when=tr.minute(previous.started_at) if previous else None,
    )
