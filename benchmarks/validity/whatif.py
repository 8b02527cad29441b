"""What-ifs behind the proposals: the same findings, re-scored as a proposal would score them.

Nothing here changes auditor's code or rules files. A proposal is simulated on
the run's own findings (a check forced to the outcome the proposed probe would
give, a finding the proposed rule would ignore, an axis option changed in an
in-memory copy of the methodology) and re-scored with the pure rule engine, so
the document can say how much each proposal would move before anyone writes it.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

from auditor import checks
from auditor.evidence.domains import DomainMatcher, builtin_domain_lists
from auditor.evidence.vouched import own_record_match
from auditor.methodology.engine import assess
from auditor.methodology.model import Methodology
from auditor.model import Entry, Finding, Outcome
from benchmarks.validity.aggregate import forced, signal_outcome
from benchmarks.validity.collect import Row, Run


@dataclass(frozen=True, slots=True)
class Effect:
    """How a simulated change moves a catalog: entries touched, median shift, tier changes."""

    touched: int
    median_before: float | None
    median_after: float | None
    tier_changes: int
    examples: tuple[str, ...]


Rewrite = Callable[[Row], tuple[Finding, ...] | None]
"""Findings as the proposal would have them, or None when it leaves the entry alone."""


def effect(
    run: Run,
    rules: str,
    methodology: Methodology,
    rewrite: Rewrite,
    methodology_for: Callable[[Row], Methodology] | None = None,
) -> Effect:
    """``rewrite`` applied to every entry and re-scored (with ``methodology_for(row)`` if given),
    compared with the entry's score under ``rules``."""
    before: list[float] = []
    after: list[float] = []
    touched = changes = 0
    examples: list[str] = []
    for row in run.rows:
        old = row.assessments[rules]
        new_findings = rewrite(row)
        chosen = methodology_for(row) if methodology_for is not None else methodology
        new = old if new_findings is None else assess(row.entry.id, new_findings, chosen)
        touched += new_findings is not None
        if old.score is not None:
            before.append(old.score)
        if new.score is not None:
            after.append(new.score)
        if new.tier != old.tier:
            changes += 1
            if len(examples) < 5:
                examples.append(f"{row.entry.id} ({old.tier} → {new.tier})")
    return Effect(touched, _median(before), _median(after), changes, tuple(examples))


def rescored(run: Run, methodology: Methodology, base: str) -> Effect:
    """Every entry re-scored under another (in-memory) methodology, tiers compared to ``base``."""
    return effect(run, base, methodology, lambda row: row.findings) if run.rows else _empty()


def _empty() -> Effect:
    return Effect(0, None, None, 0, ())


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 2) if values else None


def host_of(url: str | None) -> str | None:
    if not url:
        return None
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


def official_host(matcher: DomainMatcher, entry: Entry, url: str | None) -> bool:
    """Whether ``url``'s host passes as the official-domain probe would match it."""
    host = host_of(url)
    if not host:
        return False
    return bool(matcher.match(host).listed or own_record_match(entry, host))


def domain_fallback(field: str, url_of: Callable[[Entry], str | None]) -> Rewrite:
    """official_domain, when unknown for want of a URL, read from another URL of the entry."""
    matcher = DomainMatcher(builtin_domain_lists())

    def rewrite(row: Row) -> tuple[Finding, ...] | None:
        outcomes = [f.outcome for f in row.findings if f.check == checks.OFFICIAL_DOMAIN.id]
        if Outcome.UNKNOWN not in outcomes or not url_of(row.entry):
            return None
        passed = official_host(matcher, row.entry, url_of(row.entry))
        outcome = Outcome.PASS if passed else Outcome.FAIL
        return forced(row.findings, checks.OFFICIAL_DOMAIN.id, outcome)

    rewrite.__doc__ = f"official_domain read from {field} when no base, spec or homepage URL"
    return rewrite


def spec_in_hand(row: Row) -> tuple[Finding, ...] | None:
    """metadata.spec_url passing for an entry whose spec the catalog handed over as a file."""
    if row.entry.spec_url or not row.entry.local_spec:
        return None
    return forced(row.findings, checks.METADATA["spec_url"].id, Outcome.PASS)


def licence_none_unknown(row: Row) -> tuple[Finding, ...] | None:
    """The licence finding dropped when nothing was stated: the axis becomes unknown."""
    lic = [f for f in row.findings if f.check == checks.LICENSE.id]
    if not any(f.facts.get("class") == "none" for f in lic):
        return None
    return tuple(f for f in row.findings if f.check != checks.LICENSE.id)


def without_axis(methodology: Methodology, axis_id: str) -> Methodology:
    """A copy of ``methodology`` without axis ``axis_id`` (as if it were unknown)."""
    return replace(methodology, axes=tuple(a for a in methodology.axes if a.id != axis_id))


def licence_classes(run: Run, rules: str) -> dict[str, list[str]]:
    """The licence statements by class, as the evidence words them (for the unrecognised ones)."""
    found: dict[str, list[str]] = {}
    for row in run.rows:
        lic = next((f for f in row.findings if f.check == checks.LICENSE.id), None)
        cls = str(lic.facts.get("class")) if lic is not None else "missing"
        found.setdefault(cls, []).append(row.entry.id)
    return found


def constant_signals(run: Run, rules: str, methodology: Methodology) -> list[tuple[str, str]]:
    """(axis/signal, outcome) for signals with the same outcome on every entry of the run."""
    same: list[tuple[str, str]] = []
    for axis in methodology.axes:
        for signal in axis.signals:
            seen = {signal_outcome(r.assessments[rules], axis.id, signal.id) for r in run.rows}
            if len(seen) == 1:
                same.append((f"{axis.id}/{signal.id}", seen.pop()))
    return same


def converter_contacts(run: Run) -> list[str]:
    """Entries whose spec names the tool that converted it as its contact (APIs.guru's
    ``info.x-origin[].converter.url`` equal to ``info.contact.url``): the contact and
    licence then describe the conversion, not the API."""
    found = []
    for row in run.rows:
        if not row.entry.local_spec:
            continue
        try:
            info = json.loads(Path(row.entry.local_spec).read_bytes()).get("info") or {}
        except (OSError, ValueError, AttributeError):
            continue
        origins = info.get("x-origin") or []
        converters = {
            (o.get("converter") or {}).get("url") for o in origins if isinstance(o, dict)
        } - {None}
        contact = info.get("contact") or {}
        if converters and isinstance(contact, dict) and contact.get("url") in converters:
            found.append(row.entry.id)
    return found


def hosts_of(run: Run, field: str = "base_url") -> dict[str, list[str]]:
    """Entry ids by the host of ``field``."""
    found: dict[str, list[str]] = {}
    for row in run.rows:
        host = host_of(getattr(row.entry, field))
        if host:
            found.setdefault(host, []).append(row.entry.id)
    return found
