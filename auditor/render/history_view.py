"""The history parts of the pages, as plain data: uptime, strip, incidents, trend, changes.

Built once per entry (and once for the index) from the store's window
(``auditor.store.history``) and its changes (``auditor.store.changes``),
then drawn by the HTML and Markdown templates. Every chart comes with the
rows of a table that says the same in text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup

from auditor.methodology.model import Methodology
from auditor.render.change_view import ChangeRow, score_text
from auditor.render.findings import age_text, parse_time
from auditor.render.history_charts import ChartPoint, escaped, line_svg, strip_svg, tier_bands
from auditor.render.uptime import (
    DEGRADED,
    DOWN,
    NOT_VERIFIED,
    UP,
    Day,
    Incident,
    Uptime,
    day_strip,
    incidents,
    latency_percentiles,
    percent_text,
    uptimes,
)
from auditor.store.history import StoreHistory, Verification

DEGRADED_BANNER = (
    "this run was degraded: the auditing machine could not reach the network; "
    "its verifications are not counted"
)


@dataclass(frozen=True, slots=True)
class Table:
    """A chart's text alternative: a caption, column heads and rows of text."""

    caption: str
    heads: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    @property
    def html(self) -> Markup:
        """``<details>`` holding the table; built here (up to 90 rows on thousands of pages),
        every cell escaped and cleaned as the templates would."""

        head = "".join(f"<th>{escaped(h)}</th>" for h in self.heads)
        body = "\n".join(
            "<tr><td>" + "</td><td>".join([escaped(c) for c in row]) + "</td></tr>"
            for row in self.rows
        )
        return Markup(
            f'<details class="data"><summary>{escaped(self.caption)} (as a table)'
            f"</summary>\n<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n"
            "</tbody>\n</table>\n</details>"
        )


@dataclass(frozen=True, slots=True)
class Chart:
    svg: Markup
    table: Table


@dataclass(frozen=True, slots=True)
class IncidentRow:
    start: str
    end: str
    duration: str
    failed: int
    first_error: str
    open: bool
    before_window: bool


@dataclass(frozen=True, slots=True)
class StripView:
    chart: Chart
    summary: str
    days: tuple[Day, ...]
    counts: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class EntryHistory:
    run_id: int
    window_days: float
    status: str
    """``up``, ``down since …``, or ``unknown``: where the latest verification left it."""
    status_class: str
    uptimes: tuple[Uptime, ...]
    latency: Mapping[str, str]
    strip: StripView
    latency_chart: Chart | None
    incidents: tuple[IncidentRow, ...]
    trend: Chart | None
    changes: tuple[ChangeRow, ...]
    schema_source: str | None
    schema_age: str | None
    feed: str


def when(at: str | None) -> str:
    """``2026-11-30 03:17 UTC`` from an ISO time."""
    if not at:
        return "—"
    return at[:16].replace("T", " ") + " UTC"


def _ms(value: float | None) -> str:
    return "unknown" if value is None else f"{value:g} ms"


def _incident_rows(found: Sequence[Incident]) -> tuple[IncidentRow, ...]:
    return tuple(
        IncidentRow(
            start=("on or before " if i.started_before_window else "") + when(i.start),
            end="ongoing" if i.open else when(i.end),
            duration=(f"{i.duration} so far" if i.open else i.duration),
            failed=i.failed,
            first_error=i.first_error,
            open=i.open,
            before_window=i.started_before_window,
        )
        for i in found
    )


def strip_view(days: Sequence[Day], subject: str) -> StripView:
    counts = {s: sum(d.status == s for d in days) for s in (UP, DEGRADED, DOWN, NOT_VERIFIED)}
    summary = (
        f"{len(days)} days: {counts[UP]} up, {counts[DEGRADED]} degraded, {counts[DOWN]} down, "
        f"{counts[NOT_VERIFIED]} not verified"
    )
    rows = tuple(
        (d.day.isoformat(), d.status, d.text.split(": ", 1)[1]) for d in days if d.status != UP
    )
    table = Table(
        f"Days that were not up ({len(rows)} of {len(days)})", ("day", "status", "detail"), rows
    )
    svg = strip_svg(days, title=f"Daily status of {subject}, one cell a day (UTC)", summary=summary)
    return StripView(Chart(svg, table), summary, tuple(days), counts)


def latency_chart(verifications: Sequence[Verification], title: str) -> Chart | None:
    def answer(v: Verification) -> str:
        return "failed (no answer counted)" if v.outcome == "fail" else _ms(v.latency_ms)

    points = [
        ChartPoint(v.at, v.latency_ms, f"{when(v.at)}: {answer(v)}")
        for v in verifications
        if v.outcome in ("pass", "fail")
    ]
    if not any(p.value is not None for p in points):
        return None
    summary = f"{sum(p.value is not None for p in points)} measured answers"
    svg = line_svg(points, title=title, summary=summary, unit=" ms")
    rows = tuple((when(p.at), p.label.split(": ", 1)[1]) for p in points)
    return Chart(
        svg, Table("Response time per verification", ("verification", "slowest answer"), rows)
    )


def trend_chart(
    points: Sequence[tuple[str, int, float | None, str | None]],
    methodology: Methodology,
    title: str,
) -> Chart | None:
    """``points`` are (time, run, score, tier); drawn over the methodology's tier bands."""
    if not points:
        return None
    chart_points = [
        ChartPoint(at, score, f"{when(at)}, run {run}: {score_text(score)} ({tier or 'unknown'})")
        for at, run, score, tier in points
    ]
    known = [p for p in chart_points if p.value is not None]
    summary = (
        f"{len(points)} runs; from {score_text(known[0].value)} to {score_text(known[-1].value)}"
        if known
        else f"{len(points)} runs, every score unknown"
    )
    svg = line_svg(
        chart_points, title=title, summary=summary, y_max=100.0, bands=tier_bands(methodology)
    )
    rows = tuple(
        (when(at), str(run), score_text(score), tier or "unknown")
        for at, run, score, tier in points
    )
    return Chart(svg, Table("Score per run", ("run started", "run", "score", "tier"), rows))


def _status(verifications: Sequence[Verification], found: Sequence[Incident]) -> tuple[str, str]:
    judged = [v for v in verifications if v.outcome in ("pass", "fail")]
    if not judged:
        return "unknown: no verification in the window", "unknown"
    if found and found[0].open:
        return f"down since {when(found[0].start)}", "fail"
    return f"up (last verified {when(judged[-1].at)})", "pass"


def entry_history(
    entry_id: str,
    title: str,
    name: str,
    history: StoreHistory,
    changes: Sequence[ChangeRow],
    methodology: Methodology,
) -> EntryHistory:
    verifications = history.verifications.get(entry_id, ())
    found = incidents(verifications, history.as_of)
    status, status_class = _status(verifications, found)
    started = {r.id: r.started_at for r in history.runs}
    trend = [
        (started.get(p.run_id, ""), p.run_id, p.score, p.tier)
        for p in history.results.get(entry_id, ())
        if p.run_id in started
    ]
    points = history.results.get(entry_id, ())
    sha = points[-1].spec_sha256 if points else None
    capture = history.captures.get(sha) if sha else None
    as_of = parse_time(history.as_of) or datetime.now().astimezone()
    latency = {k: _ms(v) for k, v in latency_percentiles(verifications).items()}
    return EntryHistory(
        run_id=history.run.id,
        window_days=history.window_days,
        status=status,
        status_class=status_class,
        uptimes=uptimes(verifications, history.as_of),
        latency=latency,
        strip=strip_view(day_strip(verifications, history.as_of, int(history.window_days)), title),
        latency_chart=latency_chart(verifications, f"Response time of {title} (slowest endpoint)"),
        incidents=_incident_rows(found),
        trend=trend_chart(trend, methodology, f"Trust score of {title} per run"),
        changes=tuple(sorted(changes, key=lambda c: c.run_id, reverse=True)),
        schema_source=(capture.format_label or "the spec") if capture else None,
        schema_age=age_text(parse_time(capture.captured_at), as_of) if capture else None,
        feed=f"../feeds/{name}.xml",
    )


def uptime_summary(uptime: Uptime) -> str:
    return f"{percent_text(uptime.share)} ({uptime.detail})"
