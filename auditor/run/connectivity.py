"""The auditor's own connectivity: its network failing is not the APIs failing.

On a machine whose network is down every verification fails, and a
scheduled run would record a night of outages for every API (and page
everyone at once). Three things tell the auditor's failures apart:

- **One exchange**: a resolver that gave no answer (EAI_AGAIN, a lookup that
  timed out) or no route out of this machine (ENETUNREACH, EHOSTUNREACH)
  never reached the API. Such findings are not established (unknown, with
  the cause) as the entry is scored, in every run.
- **A canary** (``--canary URL``, ``[verifier] canary``): a URL that should
  always answer, fetched before and after the run. Any HTTP answer will do;
  none at all means the auditor's network is down.
- **The whole run**: when (nearly) every host of the run failed at the
  network level (no HTTP answer: DNS, connect, timeout, reset, TLS), the
  network that failed is the auditor's, whatever each error said.

A run found so is **degraded**: the store marks it, every verification that
failed at the network level in it is recorded as not established and the
entries are scored again without them (availability over the window counts
only what was established), and the command says so on stderr.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from auditor import checks
from auditor.context import AuditSettings
from auditor.errors import AuditorError
from auditor.methodology.engine import assess
from auditor.methodology.model import Methodology
from auditor.model import AuditResult, Finding, Outcome
from auditor.net.fetcher import Fetcher
from auditor.net.guard import url_problem
from auditor.net.observation import AUDITOR_SIDE, NETWORK_LEVEL, HttpObservation
from auditor.probes.availability import verification

NETWORK_FAILED_SHARE = 0.9
"""Share of a run's hosts failing at the network level that makes the run degraded."""
MIN_HOSTS = 5
"""Fewer hosts than this are too few to judge the network by (a canary still can)."""
OWN_NETWORK = "the auditor's own network failed"
ENDPOINTS = frozenset(check.id for check in checks.AVAILABILITY_ENDPOINTS.values())


class CanaryError(AuditorError):
    """A canary URL that can never answer (malformed, or refused by the network policy)."""


@dataclass(frozen=True, slots=True)
class CanaryCheck:
    url: str
    when: str
    """``start`` or ``end`` of the run."""
    observation: HttpObservation

    @property
    def answered(self) -> bool:
        """Any HTTP answer, even a 404 or a 500: the network reached a server."""
        return self.observation.status is not None

    @property
    def reason(self) -> str:
        return (
            f"canary {self.url} got no answer at the {self.when} of the run "
            f"({self.observation.describe()})"
        )


async def _fetch(settings: AuditSettings, url: str) -> HttpObservation:
    async with Fetcher(settings) as fetcher:
        return await fetcher.fetch(url, keep_body=False)


def check_canary(settings: AuditSettings, url: str, when: str) -> CanaryCheck:
    """Fetch the canary through the run's policy; CanaryError if it can never answer."""
    problem = url_problem(url)
    if problem is not None:
        raise CanaryError(f"canary {url!r}: {problem}")
    observation = asyncio.run(_fetch(settings, url))
    if observation.error_class in ("refused", "bad_url"):
        hint = (
            "; add --allow-private-network for a canary on this machine or an intranet"
            if observation.error_class == "refused"
            else ""
        )
        raise CanaryError(f"canary {url}: {observation.describe()}{hint}")
    return CanaryCheck(url, when, observation)


def _network_failure(finding: Finding, causes: frozenset[str]) -> bool:
    facts = finding.facts
    return (
        finding.outcome is Outcome.FAIL
        and facts.get("error_class") in causes
        and facts.get("status") is None
    )


def not_established(
    findings: Sequence[Finding], causes: frozenset[str], why: str
) -> tuple[Finding, ...] | None:
    """``findings`` with every failure of an exchange in ``causes`` made unknown (None when
    there was none); the availability verification is worked out again from its endpoints."""
    if not any(_network_failure(f, causes) for f in findings):
        return None
    settled = [
        replace(
            f,
            outcome=Outcome.UNKNOWN,
            message=f"not established ({why}): {f.message}",
            facts={**f.facts, "not_established": why},
        )
        if _network_failure(f, causes)
        else f
        for f in findings
    ]
    endpoints = [f for f in settled if f.check in ENDPOINTS]
    for i, finding in enumerate(settled):
        if finding.check == checks.AVAILABILITY.id and endpoints:
            again = verification(endpoints, finding.subject)
            settled[i] = replace(again, observed_at=finding.observed_at)
    return tuple(settled)


def settle(
    result: AuditResult,
    methodology: Methodology,
    earlier: Sequence[Finding],
    *,
    causes: frozenset[str] = NETWORK_LEVEL,
    why: str = OWN_NETWORK,
) -> AuditResult | None:
    """``result`` with its network failures not established and scored again, or None if
    it had none. ``earlier`` are the window's findings the entry was first scored with."""
    findings = not_established(result.findings, causes, why)
    if findings is None:
        return None
    assessment = assess(result.entry.id, (*findings, *earlier), methodology)
    return AuditResult(result.entry, findings, assessment)


def settle_own_failures(findings: Sequence[Finding]) -> Sequence[Finding]:
    """Every run: exchanges that never left this machine establish nothing about the API."""
    return not_established(findings, AUDITOR_SIDE, "the auditor's resolver or route") or findings


def network_wide_failure(results: Iterable[AuditResult]) -> str | None:
    """Why the run's network was the auditor's, when (nearly) every host failed at the
    network level; None otherwise (or with too few hosts to tell)."""
    answered: set[str] = set()
    failed: dict[str, str] = {}
    for result in results:
        for finding in result.findings:
            if finding.check not in ENDPOINTS:
                continue
            host = (urlsplit(str(finding.facts.get("url") or "")).hostname or "").lower()
            if not host:
                continue
            if finding.facts.get("status") is not None:
                answered.add(host)
            elif (error := finding.facts.get("error_class")) in NETWORK_LEVEL:
                failed.setdefault(host, str(error))
    failing = {host: error for host, error in failed.items() if host not in answered}
    judged = len(answered | failing.keys())
    if judged < MIN_HOSTS or len(failing) < NETWORK_FAILED_SHARE * judged:
        return None
    classes = ", ".join(f"{kind} {n}" for kind, n in Counter(failing.values()).most_common())
    return (
        f"{len(failing)} of {judged} hosts got no HTTP answer at all ({classes}): "
        f"{OWN_NETWORK}, not the APIs"
    )


def not_established_count(results: Iterable[AuditResult]) -> int:
    """Results whose availability the auditor's network kept from being established: an
    endpoint left unknown after an exchange that got no HTTP answer."""

    def unknown_by_network(finding: Finding) -> bool:
        return (
            finding.check in ENDPOINTS
            and finding.outcome is Outcome.UNKNOWN
            and finding.facts.get("error_class") in NETWORK_LEVEL
            and finding.facts.get("status") is None
        )

    return sum(any(unknown_by_network(f) for f in result.findings) for result in results)


def degraded_warning(reasons: Sequence[str], results: Sequence[AuditResult], where: str) -> str:
    """The loud stderr message of a degraded run."""
    lines = [
        f"WARNING: {where} is DEGRADED: the auditor's own network failed.",
        *(f"WARNING:   {reason}" for reason in reasons),
        f"WARNING: {not_established_count(results)} of {len(results)} entries got no HTTP "
        "answer: recorded as not established (unknown), not as failures of the APIs; "
        "availability over the window ignores them and `auditor notify` sends no down "
        "event for them.",
    ]
    return "\n".join(lines)


class NetworkWatch:
    """A run's canary checks and its verdict: what recording and ``audit`` share."""

    def __init__(
        self, settings: AuditSettings, canary: str | None, say: Callable[[str], None]
    ) -> None:
        self._settings = settings
        self._canary = canary
        self._say = say

    def start(self) -> str | None:
        """Check the canary before the run: the reason the network is down, or None."""
        if self._canary is None:
            return None
        check = check_canary(self._settings, self._canary, "start")
        if check.answered:
            return None
        self._say(f"WARNING: {check.reason}: this machine's network looks down")
        return check.reason

    def finish(self, results: Iterable[AuditResult]) -> list[str]:
        """The reasons the run was degraded, found after it: the canary, the whole run."""
        reasons = []
        if self._canary is not None:
            check = check_canary(self._settings, self._canary, "end")
            if not check.answered:
                reasons.append(check.reason)
        wide = network_wide_failure(results)
        if wide is not None:
            reasons.append(wide)
        return reasons
