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
from auditor.render.language import ENGLISH, N_, Language
from auditor.render.uptime import (
    DEGRADED,
    DOWN,
    NOT_VERIFIED,
    UP,
    Day,
    Incident,
    Uptime,
    day_strip,
    duration_text,
    incidents,
    latency_percentiles,
    milliseconds,
    percent_text,
    uptimes,
)
from auditor.store.history import StoreHistory, Verification

DEGRADED_BANNER = N_(
    "this run was degraded: the auditing machine could not reach the network; "
    "its verifications are not counted"
)


@dataclass(frozen=True, slots=True)
class Table:
    """A chart's text alternative: a caption, column heads and rows of text."""

    caption: str
    heads: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    as_table: str = "%(caption)s (as a table)"
    """The summary line, in the page's language (``Language.gettext`` of this message)."""

    @property
    def html(self) -> Markup:
        """``<details>`` holding the table; built here (up to 90 rows on thousands of pages),
        every cell escaped and cleaned as the templates would."""

        head = "".join(f"<th>{escaped(h)}</th>" for h in self.heads)
        body = "\n".join(
            "<tr><td>" + "</td><td>".join([escaped(c) for c in row]) + "</td></tr>"
            for row in self.rows
        )
        summary = escaped(self.as_table % {"caption": self.caption})
        return Markup(
            f'<details class="data"><summary>{summary}'
            f"</summary>\n<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n"
            "</tbody>\n</table>\n</details>"
        )


@dataclass(frozen=True, slots=True)
class Chart:
    svg: Markup
    table: Table


@dataclass(frozen=True, slots=True)
class UptimeRow:
    """One period's uptime as the pages print it (``auditor.render.uptime.Uptime``, in words)."""

    key: str
    label: str
    text: str
    detail: str
    share: float | None


def uptime_rows(figures: Sequence[Uptime], tr: Language = ENGLISH) -> tuple[UptimeRow, ...]:
    return tuple(
        UptimeRow(u.key, tr.gettext(u.label), percent_text(u.share, tr), u.detail_in(tr), u.share)
        for u in figures
    )


def table(
    caption: str, heads: Sequence[str], rows: Sequence[tuple[str, ...]], tr: Language
) -> Table:
    """A Table whose caption, column heads and summary line are in ``tr``'s language."""
    return Table(
        caption,
        tuple(tr.gettext(h) for h in heads),
        tuple(rows),
        tr.gettext("%(caption)s (as a table)"),
    )


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
    uptimes: tuple[UptimeRow, ...]
    latency: Mapping[str, str]
    strip: StripView
    latency_chart: Chart | None
    incidents: tuple[IncidentRow, ...]
    trend: Chart | None
    changes: tuple[ChangeRow, ...]
    schema_source: str | None
    schema_age: str | None
    feed: str


def when(at: str | None, tr: Language = ENGLISH) -> str:
    """``2026-11-30 03:17 UTC`` from an ISO time (``30 nov. 2026, 03:17 UTC``)."""
    if not at:
        return "—"
    return tr.gettext("%(time)s UTC") % {"time": tr.minute(at)}


def _ms(value: float | None, tr: Language = ENGLISH) -> str:
    return tr.gettext("unknown") if value is None else milliseconds(value, tr)


def _incident_rows(found: Sequence[Incident], tr: Language) -> tuple[IncidentRow, ...]:
    def lasted(i: Incident) -> str:
        text = duration_text(i.duration_s, tr)
        return tr.gettext("%(duration)s so far") % {"duration": text} if i.open else text

    return tuple(
        IncidentRow(
            start=(
                tr.gettext("on or before %(time)s") % {"time": when(i.start, tr)}
                if i.started_before_window
                else when(i.start, tr)
            ),
            end=tr.gettext("ongoing") if i.open else when(i.end, tr),
            duration=lasted(i),
            failed=i.failed,
            first_error=i.first_error,
            open=i.open,
            before_window=i.started_before_window,
        )
        for i in found
    )


def strip_view(days: Sequence[Day], subject: str, tr: Language = ENGLISH) -> StripView:
    counts = {s: sum(d.status == s for d in days) for s in (UP, DEGRADED, DOWN, NOT_VERIFIED)}
    summary = tr.ngettext(
        "%(num)d days: %(up)s up, %(degraded)s degraded, %(down)s down, "
        "%(not_verified)s not verified",
        "%(num)d days: %(up)s up, %(degraded)s degraded, %(down)s down, "
        "%(not_verified)s not verified",
        len(days),
    ) % {
        "num": len(days),
        "up": counts[UP],
        "degraded": counts[DEGRADED],
        "down": counts[DOWN],
        "not_verified": counts[NOT_VERIFIED],
    }
    rows = tuple(
        (tr.day(d.day.isoformat()), tr.gettext(d.status), d.detail_in(tr))
        for d in days
        if d.status != UP
    )
    caption = tr.gettext("Days that were not up (%(shown)s of %(total)s)") % {
        "shown": len(rows),
        "total": len(days),
    }
    title = tr.gettext("Daily status of %(subject)s, one cell a day (UTC)") % {"subject": subject}
    svg = strip_svg(days, title=title, summary=summary, tr=tr)
    chart = Chart(svg, table(caption, (N_("day"), N_("status"), N_("detail")), rows, tr))
    return StripView(chart, summary, tuple(days), counts)


def latency_chart(
    verifications: Sequence[Verification], title: str, tr: Language = ENGLISH
) -> Chart | None:
    def answer(v: Verification) -> str:
        if v.outcome == "fail":
            return tr.gettext("failed (no answer counted)")
        return _ms(v.latency_ms, tr)

    measured = [v for v in verifications if v.outcome in ("pass", "fail")]
    answers = [answer(v) for v in measured]
    points = [
        ChartPoint(v.at, v.latency_ms, tr.gettext("%(time)s: %(answer)s") % {
            "time": when(v.at, tr), "answer": text})
        for v, text in zip(measured, answers, strict=True)
    ]  # fmt: skip
    if not any(p.value is not None for p in points):
        return None
    count = sum(p.value is not None for p in points)
    summary = tr.ngettext("%(num)d measured answer", "%(num)d measured answers", count) % {
        "num": count
    }
    unit = tr.gettext("%(ms)s ms") % {"ms": ""}
    svg = line_svg(points, title=title, summary=summary, unit=unit, tr=tr)
    rows = tuple((when(p.at, tr), text) for p, text in zip(points, answers, strict=True))
    heads = (N_("verification"), N_("slowest answer"))
    return Chart(svg, table(tr.gettext("Response time per verification"), heads, rows, tr))


def runs_text(count: int, tr: Language) -> str:
    return tr.ngettext("%(num)d run", "%(num)d runs", count) % {"num": count}


def trend_chart(
    points: Sequence[tuple[str, int, float | None, str | None]],
    methodology: Methodology,
    title: str,
    tr: Language = ENGLISH,
) -> Chart | None:
    """``points`` are (time, run, score, tier); drawn over the methodology's tier bands.

    A tier is shown as recorded (its id) in English, by its name in another language."""
    if not points:
        return None

    def tier_text(tier: str | None) -> str:
        if tier is None:
            return tr.gettext("unknown")
        found = None if tr.english else methodology.tier_by_id(tier)
        return found.name if found else tier

    chart_points = [
        ChartPoint(at, score, tr.gettext("%(time)s, run %(run)s: %(score)s (%(tier)s)") % {
            "time": when(at, tr), "run": run, "score": score_text(score, tr),
            "tier": tier_text(tier)})
        for at, run, score, tier in points
    ]  # fmt: skip
    known = [p for p in chart_points if p.value is not None]
    summary = (
        tr.gettext("%(runs)s; from %(first)s to %(last)s") % {
            "runs": runs_text(len(points), tr), "first": score_text(known[0].value, tr),
            "last": score_text(known[-1].value, tr)}
        if known
        else tr.gettext("%(runs)s, every score unknown") % {"runs": runs_text(len(points), tr)}
    )  # fmt: skip
    svg = line_svg(
        chart_points, title=title, summary=summary, y_max=100.0, bands=tier_bands(methodology),
        tr=tr,
    )  # fmt: skip
    rows = tuple(
        (when(at, tr), str(run), score_text(score, tr), tier_text(tier))
        for at, run, score, tier in points
    )
    heads = (N_("run started"), N_("run"), N_("score"), N_("tier"))
    return Chart(svg, table(tr.gettext("Score per run"), heads, rows, tr))


def _status(
    verifications: Sequence[Verification], found: Sequence[Incident], tr: Language
) -> tuple[str, str]:
    judged = [v for v in verifications if v.outcome in ("pass", "fail")]
    if not judged:
        return tr.gettext("unknown: no verification in the window"), "unknown"
    if found and found[0].open:
        return tr.gettext("down since %(time)s") % {"time": when(found[0].start, tr)}, "fail"
    return tr.gettext("up (last verified %(time)s)") % {"time": when(judged[-1].at, tr)}, "pass"


def entry_history(
    entry_id: str,
    title: str,
    name: str,
    history: StoreHistory,
    changes: Sequence[ChangeRow],
    methodology: Methodology,
    tr: Language = ENGLISH,
) -> EntryHistory:
    """The entry's history part; ``methodology`` is the one the pages describe (in ``tr``)."""
    verifications = history.verifications.get(entry_id, ())
    found = incidents(verifications, history.as_of)
    status, status_class = _status(verifications, found, tr)
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
    latency = {k: _ms(v, tr) for k, v in latency_percentiles(verifications).items()}
    days = day_strip(verifications, history.as_of, int(history.window_days))
    return EntryHistory(
        run_id=history.run.id,
        window_days=history.window_days,
        status=status,
        status_class=status_class,
        uptimes=uptime_rows(uptimes(verifications, history.as_of), tr),
        latency=latency,
        strip=strip_view(days, title, tr),
        latency_chart=latency_chart(
            verifications,
            tr.gettext("Response time of %(title)s (slowest endpoint)") % {"title": title},
            tr,
        ),
        incidents=_incident_rows(found, tr),
        trend=trend_chart(
            trend,
            methodology,
            tr.gettext("Trust score of %(title)s per run") % {"title": title},
            tr,
        ),
        changes=tuple(sorted(changes, key=lambda c: c.run_id, reverse=True)),
        schema_source=(capture.format_label or tr.gettext("the spec")) if capture else None,
        schema_age=age_text(parse_time(capture.captured_at), as_of, tr) if capture else None,
        feed=f"../feeds/{name}.xml",
    )


def uptime_summary(uptime: Uptime, tr: Language = ENGLISH) -> str:
    return f"{percent_text(uptime.share, tr)} ({uptime.detail_in(tr)})"
