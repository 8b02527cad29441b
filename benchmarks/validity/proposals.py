"""Proposals: where a signal decides almost nothing or disagrees with the reviewer.

The reasoning is written here; every figure in it is measured on the run
(``analyses.py``) or simulated on the run's own findings (``whatif.py``), so a
change to auditor moves the numbers and the text keeps saying what they are.
Nothing here changes scoring code or rules files: each item is a proposal.
"""

from __future__ import annotations

from collections import Counter

from auditor import checks
from auditor.model import Outcome
from benchmarks.validity.analyses import (
    extremes,
    official,
    spec_status,
    strict_changes,
)
from benchmarks.validity.build import Report, catalog_signals
from benchmarks.validity.collect import RULES, Run
from benchmarks.validity.markdown import code_list, share
from benchmarks.validity.whatif import (
    Effect,
    Rewrite,
    constant_signals,
    converter_contacts,
    domain_fallback,
    effect,
    hosts_of,
    licence_classes,
    licence_none_unknown,
    spec_in_hand,
    without_axis,
)

BASE, STRICT = RULES
GATEWAY_PRIVATE = {
    "specs-apisetu.gov.in-cholainsurance": "Cholamandalam MS General Insurance, a company",
    "specs-apisetu.gov.in-godigit": "Go Digit General Insurance, a company",
    "specs-apisetu.gov.in-chitkarauniversity": "Chitkara University, a private university",
}
"""Reviewer's reading of the API Setu entries' own titles (spec ``info.title``)."""
OPEN_TO_A_READER = {
    "U.S. Public Domain License": "US federal works are in the public domain",
    "GNU GENERAL PUBLIC LICENSE": "the GPL, version unstated",
    "Open Parliament Licence": "the UK Parliament's OGL-style open licence",
    "Open Government Licence - Surrey": "an OGL-style municipal open licence",
    "Open Government License - British Columbia": "OGL-BC, an open government licence",
}


def _effect(e: Effect) -> str:
    median = (
        f"median composite {e.median_before:g} → {e.median_after:g}"
        if e.median_before is not None and e.median_after is not None
        else "no composite"
    )
    examples = f" (e.g. {'; '.join(e.examples[:3])})" if e.examples else ""
    return f"{e.touched} entries re-scored, {median}, {e.tier_changes} tier changes{examples}"


def headlines(report: Report) -> str:
    lines = []
    for run in report.runs:
        rows = {s.check: s for s in catalog_signals(report, run)}
        od = rows[checks.OFFICIAL_DOMAIN.id]
        changes = strict_changes(run, BASE, STRICT)
        unread = sum(1 for c in changes if c.spec == "declared")
        lines.append(
            f"* **{run.label}**: official domain decides the `trust-v1` tier of "
            f"{share(od.decides.decides_tier, len(run.rows))} entries (swing "
            f"{od.decides.median_points:g} composite points offline); "
            f"{share(len(changes), len(run.rows))} entries change tier under `trust-v1-strict`, "
            f"{unread} of them only because their spec could not be read offline."
        )
    lines.append(
        "* Availability is unknown everywhere (no request left the machine); offline "
        "composites are conditional on it, and the tier of most entries depends on it "
        "(section *Availability*)."
    )
    lines.append(
        f"* {len(proposal_items(report))} proposals close the report, each with its measured "
        "or simulated effect; among them: give APIs.guru folder entries the spec they are read "
        "from, read the official domain from the docs URL when it is the only URL, and stop "
        "scoring a stated-but-unrecognised licence below no licence."
    )
    return "\n".join(lines)


def proposals(report: Report) -> str:
    return "\n".join(f"{i}. {text}" for i, text in enumerate(proposal_items(report), 1))


def proposal_items(report: Report) -> list[str]:
    return report.once("proposals", lambda: _items(report))


def _items(report: Report) -> list[str]:
    apigouv, guru = report.runs
    base, strict = report.rules[BASE], report.rules[STRICT]
    items: list[str] = []

    docs = domain_fallback("docs_url", lambda e: e.docs_url)
    unknown = [r for r in apigouv.rows if official(r, "official-domain") == "unknown"]
    kinds = Counter(str(r.entry.raw.get("producer_type") or "no type") for r in unknown)
    _, bottom = extremes(apigouv, BASE, STRICT, base)
    in_bottom = sum(
        1 for x in bottom if official(apigouv.row(x.entry), "official-domain") == "unknown"
    )
    lists_note = ""
    if report.listed:
        lists_note = (
            " Loading the corpus's public-sector lists does not help (official-domain passes "
            f"{_passes(apigouv, 'official-domain')} → {_passes(report.listed[0], 'official-domain')}"
            "): the unknowns have no URL to match, and the fails are on "
            + ", ".join(f"{d} ({n})" for d, n in _failed_domains(apigouv).most_common())
            + ", hosts on shared platforms or companies' own domains."
        )
    items.append(
        "**The official domain ignores the docs URL.** The probe reads the base URL, else the "
        "spec URL, else the homepage; an entry with only a docs URL gets *unknown* ('no URL to "
        f"check'): {len(unknown)} api.gouv.fr entries, by producer type "
        + ", ".join(f"{k} {v}" for k, v in kinds.most_common())
        + f"; {in_bottom} of the ten lowest composites are among them. *Propose:* fall back to "
        "the docs URL (the same lists and own-record matching, the evidence naming the field). "
        f"Simulated on the findings: {len(_passing(apigouv, docs))} of them would pass; "
        f"api.gouv.fr: {_effect(effect(apigouv, BASE, base, docs))}.{lists_note}"
    )

    origin = domain_fallback("origin", lambda e: e.raw.get("origin_spec_url"))
    no_spec_url = sum(1 for r in guru.rows if r.entry.local_spec and not r.entry.spec_url)
    items.append(
        "**APIs.guru folder entries never 'declare' the spec they are read from.** The "
        f"folder source sets `local_spec` but not `spec_url`, so {no_spec_url} of "
        f"{len(guru.rows)} entries fail `metadata.spec_url`, losing 10 metadata and 30 "
        "agent-readiness points, although auditor holds and validates their spec. *Propose:* "
        "map `info.x-origin[-1].url` (where APIs.guru fetched it) to `spec_url`, as the "
        "`list.json` mode maps `swaggerUrl`, and resolve a relative `servers[].url` against it. "
        f"Simulated (spec URL passing): {_effect(effect(guru, BASE, base, spec_in_hand))}. "
        "Resolving relative servers against the origin would also give the official-domain "
        f"probe a URL: {len(_passing(guru, origin))} entries now *unknown* would pass "
        f"({code_list(_passing(guru, origin))}), "
        f"{effect(guru, BASE, base, origin).tier_changes} tier changes."
    )

    classes = licence_classes(guru, BASE)
    none_g = len(licence_classes(apigouv, BASE).get("none", []))
    statements = _unrecognised_open(guru)
    items.append(
        "**Licence: saying nothing scores more than saying something auditor cannot read.** "
        "`none` earns 50 (shown *unknown*), `unrecognised` 30. On api.gouv.fr the catalog has "
        f"no licence field, so {share(none_g, len(apigouv.rows))} entries get the same 50: the "
        f"axis decides nothing there but adds {_lic_points(report, True):g} composite points to "
        f"everyone ({_lic_points(report, False):g} offline, without availability). On "
        f"APIs.guru, {len(classes.get('unrecognised', []))} statements are unrecognised, and a "
        "reviewer reads several as open: "
        + "; ".join(
            f"'{k}' ({v}, {n} entr{'y' if n == 1 else 'ies'})" for k, (v, n) in statements.items()
        )
        + ". *Propose:* (a) make `none` truly unknown (leave the composite, like availability) "
        "or score it at most `unrecognised`; (b) add those names to the licence table. "
        "Simulated (a), `none` leaving the composite: api.gouv.fr "
        f"{_effect(effect(apigouv, BASE, base, licence_none_unknown))}; APIs.guru "
        f"{_effect(effect(guru, BASE, base, licence_none_unknown))}."
    )

    converted = converter_contacts(guru)
    items.append(
        "**A spec document's licence and contact are not the API's.** "
        f"{len(converted)} APIs.guru entries ({code_list(converted, 3)}) name the converter "
        "(aws2openapi) as contact and carry the converted models' Apache-2.0: licence clarity "
        "100 and a filled contact for AWS services whose terms and support are elsewhere. "
        "*Propose:* the APIs.guru source should keep a contact whose URL is the "
        "`x-origin` converter's as `raw['converter_contact']`, and the licence evidence should "
        "say 'spec document licence' when only `info.license` states it (a reviewer weighs it "
        "less than a catalog or provider statement)."
    )

    gateway = hosts_of(guru).get("apisetu.gov.in", [])
    private = [e for e in GATEWAY_PRIVATE if e in gateway]
    items.append(
        "**A government gateway's domain vouches for the operator, not the publisher.** "
        f"{len(gateway)} APIs.guru entries pass the official domain on `apisetu.gov.in` "
        "(India's API Setu, which serves DigiLocker issuers' APIs); the reviewer reads "
        f"{len(private)} of them as private publishers ("
        + "; ".join(f"`{e}`: {GATEWAY_PRIVATE[e]}" for e in private)
        + "). *Propose:* a `gateways` list (like `shared-platforms.yaml`) whose matches pass "
        "as 'served by a government gateway' and earn part of the 40 points unless the "
        "organisation is itself shown public."
    )

    changes = strict_changes(apigouv, BASE, STRICT)
    unread = [c for c in changes if c.spec == "declared"]
    no_agent = without_axis(strict, "agent_readiness")
    strict_effect = effect(
        apigouv,
        BASE,
        strict,
        lambda r: r.findings,
        lambda r: no_agent if spec_status(r) == "declared" else strict,
    )
    items.append(
        "**`trust-v1-strict` offline punishes a spec it could not read.** Of the "
        f"{len(changes)} api.gouv.fr tier changes, {len(unread)} are entries whose spec URL is "
        "on a producer's server: their spec-quality signals are unknown and unearned, so "
        "agent readiness falls to the few catalog-level points. *Propose:* under strict, make "
        "agent readiness *unknown* (out of the composite) when `spec.quality` is unknown, as "
        "availability is, and say so in the gate's text. Simulated: tier changes against "
        f"`trust-v1` fall from {len(changes)} to {strict_effect.tier_changes}."
    )

    listed = report.listed
    if listed:
        before = _passes(apigouv, "github-org")
        after = _passes(listed[0], "github-org")
        gained = _new_orgs(apigouv, listed[0])
        tiers = sum(
            1
            for r in apigouv.rows
            if r.assessments[BASE].tier != listed[0].row(r.entry.id).assessments[BASE].tier
        )
        items.append(
            "**The government GitHub organisation signal decides little with the built-in "
            f"list.** {before} api.gouv.fr entries pass; with GitHub's government list and "
            f"DISIC's French public-body accounts loaded, {after} do, "
            + ", ".join(f"`{org}` ({lst})" for org, lst in gained)
            + f" newly recognised, {tiers} tier changes. *Propose:* ship DISIC's "
            "`comptes-organismes-publics` (Licence Ouverte 2.0) as a built-in list with a "
            "provenance record, as the built-in organisations are."
        )

    const = {run.label: constant_signals(run, BASE, base) for run in report.runs}
    items.append(
        "**Signals that are constant over a catalog rank nothing inside it.** "
        + " ".join(
            f"{label}: {', '.join(f'`{s}` ({o})' for s, o in sigs)}."
            for label, sigs in const.items()
        )
        + " Some are by design (the portal listing is what the catalog is; availability, "
        "policy and discovery need the network). Two are the catalog's schema, not the "
        "entry: api.gouv.fr has no base-URL or licence field, so every entry fails both and "
        "metadata completeness cannot exceed 80. *Propose:* let a source declare fields its "
        "schema cannot hold, scored *not applicable* (out of the axis) instead of *fail*."
    )

    same_page = [
        r.entry.id
        for r in apigouv.rows
        if r.entry.docs_url and r.entry.docs_url == r.entry.homepage_url
    ]
    items.append(
        "**One page counted as both docs and homepage.** "
        f"{len(same_page)} api.gouv.fr entries give the same URL for both "
        f"({code_list(same_page, 4)}); it earns 10 + 10 metadata and 20 + 10 agent-readiness "
        "points twice. *Propose:* count a URL once (homepage *fail* with 'same as docs_url')."
    )

    distinct = len({r.assessments[BASE].score for r in apigouv.rows})
    top, bottom = extremes(apigouv, BASE, STRICT, base)
    scores = apigouv.scores(BASE)
    tenth = top[-1].score
    first = 1 + sum(1 for v in scores.values() if v is not None and tenth is not None and v > tenth)
    items.append(
        f"**The composite is coarse; rank by tie groups.** api.gouv.fr's {len(apigouv.rows)} "
        f"entries take {distinct} distinct composites offline: the tenth highest sits in a tie "
        f"of {top[-1].ties} (ranks {first}–{first + top[-1].ties - 1}), and the lowest "
        f"composite is shared by {bottom[0].ties} entries, so which ten are 'the ten lowest' is "
        "the alphabet's choice. *Propose:* reports and `auditor diff` show ranks as tie groups "
        f"({first}–{first + top[-1].ties - 1}) rather than ordinal ranks."
    )
    return items


def _passes(run: Run, signal_id: str) -> int:
    return sum(1 for row in run.rows if official(row, signal_id) == "pass")


def _passing(run: Run, rewrite: Rewrite) -> list[str]:
    """Entry ids the rewrite turns into an official-domain pass."""
    found = []
    for row in run.rows:
        new = rewrite(row)
        if new is not None and any(
            f.check == checks.OFFICIAL_DOMAIN.id and f.outcome is Outcome.PASS for f in new
        ):
            found.append(row.entry.id)
    return found


def _new_orgs(plain: Run, listed: Run) -> list[tuple[str, str]]:
    """GitHub organisations that pass only with the lists loaded, with the list that names them."""
    found: dict[str, str] = {}
    for row in listed.rows:
        if official(plain.row(row.entry.id), "github-org") == "pass":
            continue
        for f in row.findings:
            if f.check == checks.GOVERNMENT_GITHUB_ORG.id and f.outcome is Outcome.PASS:
                found.setdefault(str(f.facts.get("org")), str(f.facts.get("list")))
    return sorted(found.items())


def _failed_domains(run: Run) -> Counter[str]:
    """Registrable domains of the official-domain fails."""
    found: Counter[str] = Counter()
    for row in run.rows:
        for f in row.findings:
            if f.check == checks.OFFICIAL_DOMAIN.id and f.outcome is Outcome.FAIL:
                found[str(f.facts.get("registrable_domain") or f.facts.get("host"))] += 1
    return found


def _metadata_ceiling(report: Report, constant: list[tuple[str, str]]) -> float:
    """The most metadata completeness can score when the constant fails stay failed."""
    axis = next(a for a in report.rules[BASE].axes if a.id == "metadata_completeness")
    lost = {s.split("/", 1)[1] for s, o in constant if s.startswith(axis.id + "/") and o == "fail"}
    kept = sum(sig.points for sig in axis.signals if sig.id not in lost)
    return round(100 * kept / axis.possible, 2)


def _lic_points(report: Report, online: bool) -> float:
    """Composite points the licence axis's 'none' value adds (availability known or not)."""
    axes = report.rules[BASE].axes
    licence = next(a for a in axes if a.id == "license_clarity")
    none = licence.signals[0].values["none"].points
    weights = sum(a.weight for a in axes if online or a.id != "availability")
    return round(none * licence.weight / weights, 2)


def _unrecognised_open(run: Run) -> dict[str, tuple[str, int]]:
    """The unrecognised licence statements a reviewer reads as open, with their counts."""
    counted: Counter[str] = Counter()
    for row in run.rows:
        lic = next((f for f in row.findings if f.check == checks.LICENSE.id), None)
        if lic is None or lic.facts.get("class") != "unrecognised" or not row.entry.license:
            continue
        if row.entry.license in OPEN_TO_A_READER:
            counted[row.entry.license] += 1
    return {k: (OPEN_TO_A_READER[k], n) for k, n in counted.most_common()}
