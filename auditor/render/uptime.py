"""Uptime, the daily status strip and incidents, from an entry's stored verifications.

Pure arithmetic over ``auditor.store.history.Verification``s, as of a
moment (the end of the run the site shows). The rules, stated once:

- **uptime** over a period (the 24 hours, 7, 30 or 90 days up to that
  moment, the start excluded, so a nightly run 24 h earlier is not in "24
  hours") is the share of verifications that succeeded
  among those with a verdict (pass or fail); a period without any is
  *unknown*, never 0 or 100 %. Verifications that could not be made
  (refused, offline, a degraded run) are left out.
- **a day** (UTC) is *up* when every verification with a verdict passed
  and none answered slower than ``SLOW_MS``; *down* when every one failed;
  *degraded* when some passed and some failed, or one was that slow; *not
  verified* without any verdict.
- **an incident** is a streak of failed verifications: it starts at the
  first failed one, lasts through verifications that could not be made, and
  ends at the next success (open when there is none yet). Its first error is
  the first failed verification's message.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from auditor.render.language import ENGLISH, N_, Language
from auditor.store.history import Verification
from auditor.store.session import days_before, parse_iso
from auditor.store.stats import percentile

UP, DEGRADED, DOWN, NOT_VERIFIED = N_("up"), N_("degraded"), N_("down"), N_("not verified")
"""Statuses of a day: data (CSS classes, colours), shown through ``Language.gettext``."""
SLOW_MS = 5000.0
"""An answer slower than this makes a day *degraded* (Upptime's usual ``maxResponseTime``)."""
PERIODS = (
    ("24h", N_("24 hours"), 1.0),
    ("7d", N_("7 days"), 7.0),
    ("30d", N_("30 days"), 30.0),
    ("90d", N_("90 days"), 90.0),
)


@dataclass(frozen=True, slots=True)
class Uptime:
    key: str
    label: str
    days: float
    share: float | None
    """0-1, None (unknown) when no verification in the period had a verdict."""
    succeeded: int
    judged: int

    @property
    def text(self) -> str:
        return percent_text(self.share)

    @property
    def detail(self) -> str:
        return self.detail_in(ENGLISH)

    def detail_in(self, tr: Language) -> str:
        """``3 of 5 verifications`` in ``tr``'s language."""
        if self.judged == 0:
            return tr.gettext("no verification")
        return tr.ngettext(
            "%(passed)s of %(num)d verification", "%(passed)s of %(num)d verifications", self.judged
        ) % {"passed": self.succeeded, "num": self.judged}


@dataclass(frozen=True, slots=True)
class Day:
    day: date
    status: str
    passed: int
    failed: int
    unverified: int
    slowest_ms: float | None

    @property
    def text(self) -> str:
        """The cell's text alternative."""
        return self.text_in(ENGLISH)

    def text_in(self, tr: Language) -> str:
        """The cell's text alternative in ``tr``'s language: ``2026-11-28: degraded (…)``."""
        return tr.gettext("%(day)s: %(status)s") % {
            "day": tr.day(self.day.isoformat()),
            "status": self.detail_in(tr),
        }

    def detail_in(self, tr: Language) -> str:
        """The status and its counts: ``degraded (1 of 2 verifications passed)``."""
        counts = []
        if self.passed or self.failed:
            total = self.passed + self.failed
            counts.append(
                tr.ngettext(
                    "%(passed)s of %(num)d verification passed",
                    "%(passed)s of %(num)d verifications passed",
                    total,
                )
                % {"passed": self.passed, "num": total}
            )
        if self.unverified:
            counts.append(
                tr.ngettext(
                    "%(num)d could not be made", "%(num)d could not be made", self.unverified
                )
                % {"num": self.unverified}
            )
        if self.status == DEGRADED and self.slowest_ms is not None and self.slowest_ms >= SLOW_MS:
            counts.append(
                tr.gettext("slowest answer %(ms)s") % {"ms": milliseconds(self.slowest_ms, tr)}
            )
        status = tr.gettext(self.status)
        return f"{status} ({'; '.join(counts)})" if counts else status


@dataclass(frozen=True, slots=True)
class Incident:
    start: str
    end: str | None
    """The first success after the streak; None while it is still open."""
    failed: int
    first_error: str
    duration_s: float
    started_before_window: bool
    """The window opens on a failure: it may have started earlier."""

    @property
    def open(self) -> bool:
        return self.end is None

    @property
    def duration(self) -> str:
        return duration_text(self.duration_s)


def percent_text(share: float | None, tr: Language = ENGLISH) -> str:
    """``99.2%``; ``100%`` only when nothing failed, ``0%`` only when nothing passed; ``unknown``
    for None. In another language, its digits and percent sign (``99,2 %``)."""
    if share is None:
        return tr.gettext("unknown")
    value = 100 * share
    if 0 < value < 0.1:
        mark, shown = "<", 0.1  # something answered: not 0 %
    elif 99.99 < value < 100:
        mark, shown = ">", 99.99  # something failed: not 100 %
    else:
        digits = 2 if 99.95 <= value < 100 else 1
        mark, shown = "", float(f"{value:.{digits}f}")
    return f"{mark}{tr.number(shown)}{tr.percent_sign}"


def milliseconds(value: float, tr: Language = ENGLISH) -> str:
    """``4.7 ms`` (``4,7 ms``)."""
    return tr.gettext("%(ms)s ms") % {"ms": tr.number(value)}


def duration_text(seconds: float, tr: Language = ENGLISH) -> str:
    """``2 d 3 h``, ``3 h 5 min``, ``5 min`` (French ``2 j 3 h``)."""
    minutes = int(max(0, seconds) // 60)
    days, rest = divmod(minutes, 1440)
    hours, minutes = divmod(rest, 60)
    if days:
        return tr.gettext("%(days)s d %(hours)s h") % {"days": days, "hours": hours}
    if hours:
        return tr.gettext("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes}
    return tr.gettext("%(minutes)s min") % {"minutes": minutes}


def uptimes(verifications: Sequence[Verification], as_of: str) -> tuple[Uptime, ...]:
    end = parse_iso(as_of)
    last = end.timestamp()
    figures = []
    for key, label, days in PERIODS:
        first = days_before(end, days).timestamp()
        passed = judged = 0
        for v in verifications:
            if first < v.ts <= last and v.outcome in ("pass", "fail"):
                judged += 1
                passed += v.outcome == "pass"
        share = round(passed / judged, 4) if judged else None
        figures.append(Uptime(key, label, days, share, passed, judged))
    return tuple(figures)


def latency_percentiles(verifications: Sequence[Verification]) -> dict[str, float | None]:
    values = [v.latency_ms for v in verifications if v.latency_ms is not None]
    return {f"p{q}": percentile(values, q / 100) for q in (50, 90, 99)}


def day_strip(verifications: Sequence[Verification], as_of: str, days: int = 90) -> tuple[Day, ...]:
    """One cell per UTC day, the oldest first, ending on the day of ``as_of``."""
    last = parse_iso(as_of).date()
    first = last - timedelta(days=days - 1)
    buckets: dict[date, list[Verification]] = {}
    for v in verifications:
        day = datetime.fromtimestamp(v.ts, UTC).date()
        if first <= day <= last:
            buckets.setdefault(day, []).append(v)
    cells = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        found = buckets.get(day, [])
        passed = sum(v.outcome == "pass" for v in found)
        failed = sum(v.outcome == "fail" for v in found)
        slow = max((v.latency_ms for v in found if v.latency_ms is not None), default=None)
        if (passed and failed) or (passed and slow is not None and slow >= SLOW_MS):
            status = DEGRADED
        elif passed:
            status = UP
        elif failed:
            status = DOWN
        else:
            status = NOT_VERIFIED
        cells.append(Day(day, status, passed, failed, len(found) - passed - failed, slow))
    return tuple(cells)


def incidents(verifications: Sequence[Verification], as_of: str) -> tuple[Incident, ...]:
    """Failure streaks, the newest first."""
    found: list[Incident] = []
    start: Verification | None = None
    failed = 0
    first_seen = True
    opened_first = False
    for v in verifications:
        if v.outcome == "fail":
            if start is None:
                start, failed, opened_first = v, 0, first_seen
            failed += 1
        elif v.outcome == "pass" and start is not None:
            found.append(_incident(start, v.at, failed, opened_first))
            start = None
        if v.outcome in ("pass", "fail"):
            first_seen = False
    if start is not None:
        found.append(_incident(start, None, failed, opened_first, as_of))
    return tuple(reversed(found))


def _incident(
    start: Verification, end: str | None, failed: int, before: bool, as_of: str | None = None
) -> Incident:
    finish: datetime = parse_iso(end or as_of or start.at)
    return Incident(
        start=start.at,
        end=end,
        failed=failed,
        first_error=start.message or "the verification failed",
        duration_s=(finish - parse_iso(start.at)).total_seconds(),
        started_before_window=before,
    )
