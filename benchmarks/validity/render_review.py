"""The report's reviewed sections: the extremes with what put them there, and the local specs."""

from __future__ import annotations

from benchmarks.validity.aggregate import Contribution
from benchmarks.validity.analyses import Extreme, agreement, extremes, spec_verdicts
from benchmarks.validity.build import Report
from benchmarks.validity.collect import RULES, Run
from benchmarks.validity.markdown import cell, share, table
from benchmarks.validity.reviews import review_for

BASE, STRICT = RULES
SHORT_AXES = {
    "officialness": "off",
    "availability": "avail",
    "metadata_completeness": "meta",
    "license_clarity": "lic",
    "agent_readiness": "agent",
}


def _parts(items: list[Contribution], field: str, limit: int = 3) -> str:
    shown = []
    for c in items[:limit]:
        points = getattr(c, field)
        outcome = "" if field == "earned" else f" {c.outcome}"
        shown.append(f"{SHORT_AXES.get(c.axis, c.axis)}/{c.signal}{outcome} {points:g}")
    return "; ".join(shown) or "–"


def _rows(run: Run, items: list[Extreme]) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for x in items:
        review = review_for(run.key, x.entry)
        tie = f" (tie of {x.ties})" if x.ties > 1 else ""
        rows.append(
            (
                x.rank,
                f"`{x.entry}`",
                f"{cell(x.score)} {x.tier or 'unknown'}{tie}",
                x.other,
                _parts(x.earned, "earned"),
                _parts(x.missed, "missed"),
                f"**{review.verdict}**: {review.note}" if review else "*not reviewed*",
            )
        )
    return rows


def extremes_section(report: Report) -> str:
    parts = [
        "Under `trust-v1`, ties broken by entry id (so a cut inside a tie is arbitrary; the tie "
        "size is shown). *Earned* and *missed* are the three signals that brought or cost the "
        "most composite points (a signal's points × its axis weight over the known axes' "
        "weights; axes: off = officialness, meta = metadata completeness, lic = licence "
        "clarity, agent = agent readiness; a licence that is 'none found' earns 50 of 100 while "
        "shown unknown, so it sits on both sides). The reviewer's notes were written after reading "
        "each entry's record and findings (`benchmarks/validity/reviews.py`).",
        "",
    ]
    headers = ("#", "entry", "composite", "strict", "earned most", "missed most", "reviewer")
    for run in report.runs:
        top, bottom = extremes(run, BASE, STRICT, report.rules[BASE])
        parts += [
            f"### {run.label}: ten highest",
            "",
            table(headers, _rows(run, top), "rlrrlll"),
            "",
            f"### {run.label}: ten lowest",
            "",
            table(headers, _rows(run, bottom), "rlrrlll"),
            "",
        ]
    return "\n".join(parts)


def specs_section(report: Report) -> str:
    verdicts = spec_verdicts(report.local, report.corpus, STRICT)
    guru = spec_verdicts(report.runs[1], report.corpus, STRICT)
    rows = [
        (
            f"`{v.path}`",
            v.version,
            v.auditor,
            {True: "valid", False: "invalid", None: "–"}[v.reference],
            v.strict_agent,
            (v.why[:110] + "…") if len(v.why) > 110 else v.why,
        )
        for v in verdicts
    ]
    agree = agreement(verdicts)
    agree_guru = agreement(guru)
    return "\n".join(
        [
            "The api.gouv.fr catalog links only some of these files, so the spec axis is also "
            "measured on the corpus's French public specs themselves (`api_gouv_fr/public/swaggers/`, "
            "`openapi_specs/french_public/`), each audited as a one-spec entry, offline. *auditor* "
            "is the `spec.valid` verdict (the 15 points of `trust-v1`'s spec signal since trust "
            "1.1.0); *reference* is openapi-spec-validator 0.9.0's verdict recorded in the corpus's "
            "`SPEC_MANIFEST.jsonl` (read with its own YAML reader where the manifest gives both); "
            "*strict agent* is the agent-readiness axis under `trust-v1-strict`.",
            "",
            table(
                ("file", "version", "auditor", "reference", "strict agent", "first error"),
                rows,
                "llllrl",
            ),
            "",
            "Agreement with the reference validator: "
            + "; ".join(f"{k} {v}" for k, v in sorted(agree.items()))
            + f" (of {len(verdicts)}). On the APIs.guru subset's {len(guru)} specs: "
            + "; ".join(f"{k} {share(v, len(guru))}" for k, v in sorted(agree_guru.items()))
            + ".",
        ]
    )
