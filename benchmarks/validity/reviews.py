"""The reviewer's reading: notes on the highest and lowest composites, written by a person.

These are judgements, not measurements: each was written after reading the
entry's catalog record, its findings and, where the corpus has it, its spec.
A key is an entry id, or a prefix ending in ``*`` for a family of entries that
share one story. An entry without a note is printed as *not reviewed*, so a
change that moves new entries into the top or bottom ten shows up as missing
notes, never as a stale verdict. Verdicts: ``agree`` (the composite is about
where a reviewer would put it), ``too high``, ``too low``, ``mixed`` (right
place, partly wrong reasons).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Review:
    verdict: str
    note: str


OFFICIAL_BUT_UNCHECKED = (
    "officialness too low: the record has no base, spec or homepage URL, so the official "
    "domain is unknown although the docs URL sits on {host}"
)

APIGOUV: dict[str, Review] = {
    "api-annuaire-education": Review(
        "agree",
        "complete record (spec, docs, homepage, contact) of the Education ministry on "
        "data.education.gouv.fr, spec valid; near the top is right, and *fair* rather than "
        "*good* only because licence, link-back, policy and availability are unknown offline",
    ),
    "api-declaration-pajemploi": Review(
        "agree",
        "Urssaf's declaration API: valid Swagger 2.0 spec, docs on portailapi.urssaf.fr; the "
        "homepage is open.urssaf.fr's dataset explorer rather than a page about this API, "
        "which the metadata signal cannot tell",
    ),
    "chorus-pro": Review(
        "agree",
        "AIFE's e-invoicing API, valid spec, docs and homepage on chorus-pro.gouv.fr: one of "
        "the most usable records in the catalog",
    ),
    "api-scolarite-ministere-education-nationale": Review(
        "mixed",
        "rises above better-documented entries on the spec's `info.license` (GNU GPL v3, an "
        "open code licence on the spec document, saying nothing about reusing pupils' data); "
        "no docs or homepage URL, so a reuser cannot learn how to get access",
    ),
    "api-agribalyse": Review(
        "mixed",
        "ADEME's data-fair dataset API: official and documented, but docs_url and homepage_url "
        "are the same page and both count; one of 28 entries tied at this composite",
    ),
    "api-aides-financieres-ademe": Review(
        "mixed", "same shape as api-agribalyse (one data-fair page counted as docs and homepage)"
    ),
    "api-aides-renovation-energetique": Review(
        "mixed", "same shape as api-agribalyse (one data-fair page counted as docs and homepage)"
    ),
    "api-aln": Review(
        "mixed",
        "DGALN's API on the ecology ministry's datahub with an OpenAPI document; docs and "
        "homepage are one `/docs` page counted twice; placement fine, ties arbitrary",
    ),
    "api-annuaire-administration-services-publics": Review(
        "agree",
        "DILA's directory API on service-public.fr with a spec URL, docs and homepage: "
        "deserves its place among the best records",
    ),
    "api-base-carbone": Review(
        "mixed", "same shape as api-agribalyse (one data-fair page counted as docs and homepage)"
    ),
    "webstat": Review("too low", OFFICIAL_BUT_UNCHECKED.format(host="webstat.banque-france.fr")),
    "scanr": Review(
        "too low",
        OFFICIAL_BUT_UNCHECKED.format(host="scanr.enseignementsup-recherche.gouv.fr")
        + "; low agent readiness (no spec declared) is right",
    ),
    "sandre-referentiel-v1-api": Review(
        "too low",
        "the record's docs URL is in fact the API's root (api.sandre.eaufrance.fr/referentiels/"
        "v1/), so the base URL is there but in the wrong field; officialness unknown for want of "
        "a checked URL",
    ),
    "dila-api-legifrance": Review(
        "too low",
        "Légifrance: the corpus's `public/swaggers/api-legifrance-v2.json` (a valid Swagger 2.0 "
        "spec api.gouv.fr itself serves) is linked by no entry, so the record scores as if no "
        "spec existed; docs on piste.gouv.fr leave the official domain unchecked",
    ),
    "arpent-resultats-api": Review(
        "mixed",
        "low agent readiness deserved (the docs URL is a pre-production API manager, "
        "api-pprd.agriculture.gouv.fr, no spec); officialness unknown although that host is "
        "under agriculture.gouv.fr",
    ),
    "api-vigieau": Review(
        "too low",
        "the docs URL is a Swagger UI (api.vigieau.beta.gouv.fr/swagger) on a gouv.fr host: "
        "both the spec and the official domain are one field away",
    ),
    "api-statut-demandeur-emploi": Review(
        "mixed",
        "restricted France Travail API documented only by an api.gouv.fr guide: low agent "
        "readiness is fair, officialness unknown is not (France Travail is a public body)",
    ),
    "api-rbe": Review(
        "mixed",
        "INPI's register documented by a PDF on inpi.fr: no spec, so low agent readiness is "
        "right; officialness unknown for want of a checked URL",
    ),
    "api-ma-cantine": Review(
        "too low",
        "the corpus's `public/swaggers/api-ma-cantine.yaml` (valid OAS 3.0.3) is linked by no "
        "entry; docs on ma-cantine.agriculture.gouv.fr leave the official domain unchecked",
    ),
    "api-ines": Review(
        "too low", OFFICIAL_BUT_UNCHECKED.format(host="ines.enseignementsup-recherche.gouv.fr")
    ),
}

APISGURU: dict[str, Review] = {
    "specs-nasa.gov-apod": Review(
        "agree",
        "NASA's Astronomy Picture of the Day on api.nasa.gov with an Apache-2.0 spec: a genuine "
        "public API, rightly first; no docs URL costs it",
    ),
    "specs-ptv.vic.gov.au": Review(
        "agree",
        "Public Transport Victoria, CC-BY-4.0 stated; its base URL is plain http, which only "
        "the online TLS facts would show",
    ),
    "specs-consumerfinance.gov": Review(
        "agree",
        "CFPB's HMDA API, official domain and the `cfpb` government GitHub organisation; no "
        "licence stated",
    ),
    "specs-amazonaws.com-*": Review(
        "mixed",
        "licence 100 and the contact come from the converted spec (Apache-2.0 of aws-sdk-js's "
        "models, contact = the aws2openapi converter's author), not from AWS's terms or support; "
        "officialness 0 is right by the axis' definition (not public sector) but says nothing "
        "about trusting AWS",
    ),
    "specs-vtex.local-*": Review(
        "agree",
        "the base URL is a placeholder (`vtex.local`, not a real host), no docs, contact or "
        "licence: the bottom is deserved",
    ),
    "specs-uspto.gov-bdss": Review(
        "too low",
        "USPTO's bulk data API: the spec's server is relative (`/BDSS-API`) and APIs.guru took "
        "it from bulkdata.uspto.gov (`x-origin`), so the official domain is unknown where a "
        "reviewer sees a .gov",
    ),
    "specs-ipqualityscore.com": Review(
        "agree", "commercial fraud-scoring API with a bare record (no docs, contact, licence)"
    ),
    "specs-increase.com": Review(
        "agree", "commercial banking API with a bare record (no docs, contact, licence)"
    ),
    "specs-oxforddictionaries.com": Review(
        "mixed",
        "low is fair (demo base URL, no docs), but it ranks below silent records because "
        "stating 'API Terms And Conditions' scores 30 on licence clarity where stating "
        "nothing scores 50",
    ),
    "specs-rubrikinc.github.io": Review(
        "agree", "a vendor's spec published on GitHub Pages, no server, no docs: deserved"
    ),
    "specs-fec.gov": Review(
        "too low",
        "OpenFEC (US Federal Election Commission): relative server `/v1`, origin "
        "api.open.fec.gov, so the official domain is unknown where a reviewer sees a .gov",
    ),
    "specs-akeneo.com": Review(
        "agree", "commercial PIM API whose only server is a demo host; bare record"
    ),
}

REVIEWS: dict[str, dict[str, Review]] = {"apigouv": APIGOUV, "apisguru": APISGURU}


def review_for(catalog: str, entry_id: str) -> Review | None:
    notes = REVIEWS.get(catalog, {})
    if entry_id in notes:
        return notes[entry_id]
    prefixes = [k for k in notes if k.endswith("*") and entry_id.startswith(k[:-1])]
    return notes[max(prefixes, key=len)] if prefixes else None
