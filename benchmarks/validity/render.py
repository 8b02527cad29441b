"""The report's measured sections as Markdown (the reviewer's reading is in ``render_review.py``)."""

from __future__ import annotations

from collections import Counter

from benchmarks.validity.aggregate import bucket_labels
from benchmarks.validity.analyses import (
    THRESHOLD,
    availability_bounds,
    distributions,
    official,
    spec_status,
    strict_changes,
)
from benchmarks.validity.build import Report, catalog_signals
from benchmarks.validity.collect import RULES, Run
from benchmarks.validity.markdown import cell, code_list, pct, share, table

BASE, STRICT = RULES
SPEC_STATUS = {
    "analysed": "spec read (valid or invalid)",
    "declared": "spec URL declared, not readable offline",
    "none": "no spec declared",
}


def tier_names(report: Report) -> list[tuple[str, str]]:
    tiers = sorted(report.rules[BASE].tiers, key=lambda t: -t.min)
    return [(t.id, t.name) for t in tiers]


def tier_counts(report: Report, counts: Counter[str]) -> str:
    parts = [f"{name} {counts[tid]}" for tid, name in tier_names(report) if counts[tid]]
    if counts["unknown"]:
        parts.append(f"unknown {counts['unknown']}")
    return ", ".join(parts) or "none"


def summary(report: Report) -> str:
    rows = []
    for run in report.runs:
        for name in RULES:
            dist = distributions(run, name, report.rules[name])["composite"]
            tiers = Counter(r.assessments[name].tier or "unknown" for r in run.rows)
            rows.append(
                (
                    run.label,
                    len(run.rows),
                    f"`{name}`",
                    dist.median,
                    tier_counts(report, tiers),
                    pct(dist.unknown, dist.total),
                )
            )
    return table(
        ("catalog", "entries", "rules", "median composite", "tiers", "composite unknown"),
        rows,
        "lrlrlr",
    )


def method(report: Report) -> str:
    apigouv, apisguru = report.runs
    declared = sum(1 for r in apigouv.rows if r.entry.spec_url)
    moved = [(r, report.unmapped.row(r.entry.id)) for r in apigouv.rows if r.entry.local_spec]
    deltas = sorted(
        {
            round((r.assessments[BASE].score or 0) - (u.assessments[BASE].score or 0), 2)
            for r, u in moved
        }
    )
    licensed = sum(
        1
        for r, u in moved
        if r.assessments[BASE].axis("license_clarity").score
        != u.assessments[BASE].axis("license_clarity").score
    )
    local_apisguru = sum(1 for r in apisguru.rows if r.entry.local_spec)
    problems = "; ".join(f"{run.label}: {len(run.problems)}" for run in report.runs)
    return "\n".join(
        [
            f"* **Sources.** `apigouv:<corpus>/api_gouv_fr` ({len(apigouv.rows)} entries) and "
            f"`apisguru:<corpus>/apisguru` ({len(apisguru.rows)} entries, one per spec file), read "
            f"by auditor's own catalog sources (`auditor.catalog.load_sources`); catalog problems "
            f"reported while mapping: {problems}.",
            "* **Offline.** Each catalog was audited once with `auditor.run.loop.run_audit` under "
            "`AuditSettings(network=NetworkPolicy(offline=True))` (what `auditor gate --offline` "
            "uses): the fetcher refuses to resolve any host, so every check that needs the network "
            "(availability, docs and home pages, security.txt, llms.txt, remote specs) is *unknown*, "
            "never *fail*. Its findings were then scored under each methodology with the pure rule "
            "engine, as `auditor rescore` does.",
            f"* **Local specs.** {declared} api.gouv.fr entries declare a spec URL; "
            f"{apigouv.mapped_specs} of them point at api.gouv.fr's own `/swaggers/…` (the catalog's "
            "relative `doc_tech_link`, which auditor's apigouv source resolves against "
            "`https://api.gouv.fr`), and the corpus holds that folder (`api_gouv_fr/public/swaggers/`), "
            "so those entries were given the corpus file as `Entry.local_spec`, as `auditor gate "
            "--spec` does. The other spec URLs are on the producers' own servers and stay *unknown* "
            f"offline. Reading the local copy moved those {len(moved)} composites by "
            f"{', '.join(f'{d:+g}' for d in deltas) or 'nothing'} points: the spec-valid "
            "signal (15 agent-readiness points) earned or refused instead of unknown and "
            f"unearned, and for {licensed} of them the licence the spec states: a real advantage "
            "over the entries whose spec could not be read, to keep in mind when reading the "
            "top of the api.gouv.fr table. The APIs.guru entries "
            f"({local_apisguru} of them) are spec files, read from disk.",
            "* **Lists.** The main runs use the built-in lists only (government suffixes, world "
            "conventions, the built-in government GitHub organisations, and for api.gouv.fr entries what their "
            "own record vouches for), as a plain `auditor audit` does. A second pair of runs loads "
            f"the corpus's public-sector lists ({code_list(report.list_names)}) the way "
            "`--domain-list`/`--github-org-list` would, to show what they change.",
            f"* **Time.** All runs together: {report.seconds:g} s "
            f"({', '.join(f'{r.label} {r.seconds:g} s' for r in (*report.runs, report.local))}).",
        ]
    )


def availability(report: Report) -> str:
    base = report.rules[BASE]
    axis = next(a for a in base.axes if a.id == "availability")
    others = sum(a.weight for a in base.axes if a.id != "availability")
    total = others + axis.weight
    lines = [
        f"Availability is unknown for every entry ({sum(len(r.rows) for r in report.runs)} of "
        f"{sum(len(r.rows) for r in report.runs)}): it needs requests, and none was made. Under "
        f"`unknown_signals: {axis.unknown_signals}` the axis then has no established signal, "
        f"is *unknown*, and leaves the composite, which becomes the weighted mean of the other "
        f"four axes (weights {others:g} instead of {total:g}). So the offline composite is "
        "**not** a trust score with availability at zero, nor at full marks: it is the score "
        "*conditional on* availability, and each axis counts "
        f"{total / others:.3g}× more than it would online.",
        "",
        f"What it can say: the bounds. With one verification in the window, availability "
        f"scores 100 or 0, and the composite becomes {others / total:g} × offline + "
        f"{100 * axis.weight / total:g} or {others / total:g} × offline. The table gives the "
        "tiers at each bound (every entry's own findings, availability forced to pass, then to "
        "fail):",
        "",
    ]
    rows = []
    for run in report.runs:
        for name in RULES:
            b = availability_bounds(run, name, report.rules[name])
            rows.append(
                (
                    run.label,
                    f"`{name}`",
                    tier_counts(report, b.offline),
                    tier_counts(report, b.all_up),
                    tier_counts(report, b.all_down),
                    share(b.depends, len(run.rows)),
                )
            )
    lines.append(
        table(
            (
                "catalog",
                "rules",
                "offline (availability unknown)",
                "if every check answered",
                "if none answered",
                "tier depends on availability",
            ),
            rows,
        )
    )
    declared = availability_bounds(report.runs[0], BASE, base).declared
    lines += [
        "",
        "What it cannot say: whether any of these APIs answers today, how fast, or with what "
        "certificate. The api.gouv.fr catalog's own `uptime` figure "
        f"({declared} of {len(report.runs[0].rows)} entries declare one) is kept as "
        "`declared_availability` and never scored, so it does not stand in for a measurement "
        "here either. Rankings inside this report compare entries under the same missing "
        "axis, so they rank what was measured, not the APIs as a user meets them; an offline "
        "composite is below what the entry would score with every verification passing, and "
        "above what it would score with none.",
    ]
    return "\n".join(lines)


def distribution_tables(report: Report) -> str:
    parts = []
    labels = bucket_labels()
    for run in report.runs:
        for name in RULES:
            rules = report.rules[name]
            dists = distributions(run, name, rules)
            names = {a.id: a.name for a in rules.axes} | {"composite": "**Composite**"}
            rows = [
                (names[key], *d.buckets, d.median, pct(d.unknown, d.total))
                for key, d in dists.items()
            ]
            parts.append(f"### {run.label}, `{name}` ({len(run.rows)} entries)\n")
            parts.append(table(("axis", *labels, "median", "unknown"), rows, "l" + "r" * 12))
            distinct = len({r.assessments[name].score for r in run.rows})
            parts.append(f"\n{distinct} distinct composite values.\n")
    return "\n".join(parts)


def signal_table(report: Report, run: Run, axis_ids: tuple[str, ...] | None) -> str:
    rows = []
    every = catalog_signals(report, run)
    for s in (s for s in every if axis_ids is None or s.axis in axis_ids):
        o, d = s.outcomes, s.decides
        by = ", ".join(f"{k} {v}" for k, v in d.decided_by.items() if v) or "–"
        rows.append(
            (
                f"{s.name} (`{s.check}`, {s.points:g})",
                o["pass"],
                o["fail"],
                o["unknown"],
                o["error"],
                d.median_points,
                share(d.moves, d.total),
                share(d.decides_tier, d.total),
                by,
            )
        )
    return table(
        (
            "signal (check, points)",
            "pass",
            "fail",
            "unknown",
            "error",
            "swing (median pts)",
            f"moves ≥ {THRESHOLD:g} pts",
            "decides the tier",
            "tier-deciding, by outcome",
        ),
        rows,
        "lrrrrrrrl",
    )


def officialness(report: Report) -> str:
    axes = report.rules[BASE].axes
    weight = next(a.weight for a in axes if a.id == "officialness")
    online = sum(a.weight for a in axes)
    offline = sum(a.weight for a in axes if a.id != "availability")
    parts = [
        "For each signal: the verdicts the engine gave under `trust-v1`, then what the signal "
        "decides. *Swing* is how far the composite moves between the signal passing and "
        "failing, each entry's other findings as observed (median over the catalog; the engine "
        f"re-scores the entry twice). *Moves ≥ {THRESHOLD:g} pts* counts entries where that "
        "swing is at least "
        f"{THRESHOLD:g} composite points; *decides the tier* those whose tier differs between "
        "the two, split by the signal's actual outcome (an *unknown* there is a tier waiting on "
        "evidence the offline run could not gather). Offline the swing is the signal's points × "
        f"{weight:g}/{offline:g} (officialness weight over the weights left without "
        f"availability), so it is the same for every entry and the *moves* column is all or "
        f"nothing; online it would be × {weight:g}/{online:g}. The informative columns are "
        "the verdicts and *decides the tier*.",
        "",
    ]
    for run in report.runs:
        parts += [f"### {run.label}", "", signal_table(report, run, ("officialness",)), ""]
    if report.listed:
        parts += [lists_section(report), ""]
    return "\n".join(parts)


def lists_section(report: Report) -> str:
    rows = []
    for plain, listed in zip(report.runs, report.listed, strict=True):
        for axis_signal, check in (
            ("official-domain", "official_domain"),
            ("github-org", "government_github_org"),
        ):
            before = Counter(official(r, axis_signal) for r in plain.rows)
            after = Counter(official(r, axis_signal) for r in listed.rows)
            rows.append((plain.label, f"`{check}`", _pfu(before), _pfu(after)))
        changed = sum(
            1
            for r in plain.rows
            if r.assessments[BASE].tier != listed.row(r.entry.id).assessments[BASE].tier
        )
        rows.append(
            (plain.label, "tier changes (`trust-v1`)", "–", share(changed, len(plain.rows)))
        )
    return "\n".join(
        [
            "### With the corpus's public-sector lists loaded",
            "",
            "The same audits with " + code_list(report.list_names) + " loaded "
            "(pass / fail / unknown):",
            "",
            table(("catalog", "signal", "built-in lists", "with the corpus lists"), rows),
        ]
    )


def _pfu(counts: Counter[str]) -> str:
    return f"{counts['pass']} / {counts['fail']} / {counts['unknown'] + counts['error']}"


def other_signals(report: Report) -> str:
    parts = [
        "The same measure for every other `outcome` signal of `trust-v1` (a check read by two "
        "signals, such as `metadata.docs_url`, is forced once and moves both):",
        "",
    ]
    axes = tuple(a.id for a in report.rules[BASE].axes if a.id != "officialness")
    for run in report.runs:
        parts += [f"### {run.label}", "", signal_table(report, run, axes), ""]
    return "\n".join(parts)


def strict_section(report: Report) -> str:
    parts = [
        "`trust-v1-strict` differs from `trust-v1` only in agent readiness: it scores the spec's "
        "own quality (operationIds, parameter docs, response schemas…) instead of which catalog "
        "fields are filled. Its spec signals are *unknown and unearned* when the spec could not "
        "be read, so offline an entry whose spec sits on a producer's server loses them although "
        "nothing is known against it. The changes are therefore split by spec status.",
        "",
    ]
    for run in report.runs:
        changes = strict_changes(run, BASE, STRICT)
        moves = Counter((c.before, c.after) for c in changes)
        status = Counter(spec_status(r) for r in run.rows)
        by_status = Counter(c.spec for c in changes)
        parts += [f"### {run.label}: {share(len(changes), len(run.rows))} entries change tier", ""]
        parts.append(
            ", ".join(f"{a} → {b}: {n}" for (a, b), n in sorted(moves.items(), key=str))
            or "No tier changes."
        )
        parts.append("")
        parts.append(
            table(
                ("spec status", "entries", "tier changes"),
                [(SPEC_STATUS[k], status[k], share(by_status[k], status[k])) for k in SPEC_STATUS],
                "lrr",
            )
        )
        parts.append("")
        for key, text in SPEC_STATUS.items():
            listed = [c for c in changes if c.spec == key]
            if listed:
                items = ", ".join(
                    f"`{c.entry}` ({cell(c.score_before)} {c.before} → {cell(c.score_after)} {c.after})"
                    for c in listed
                )
                parts += [f"*{text}*: {items}", ""]
    return "\n".join(parts)
