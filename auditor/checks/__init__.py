"""Every finding ``check`` id, defined once: who emits it, what it can say, how to fix a fail.

Probes emit findings, rules files score them, the gate, store and renderers
read them; a free string in any of those places let a typo (a rules file's
``check: official_domian``) load and stay unknown forever. Here each id has
one definition, in the spirit of OpenSSF Scorecard's probe ``def.yml``:
probes take their ids from it (a misspelt constant is a NameError, not a
new id), and the methodology loader refuses a rule whose check no probe
emits. The module imports only the data model, so the loader can read it
without pulling in the probes or the network stack.
"""

from __future__ import annotations

from dataclasses import dataclass

from auditor.model import RECOMMENDED_FIELDS, Outcome

PASS, FAIL, UNKNOWN, ERROR = Outcome.PASS, Outcome.FAIL, Outcome.UNKNOWN, Outcome.ERROR


@dataclass(frozen=True, slots=True)
class Check:
    """One check id and what a reader (person, rules author, renderer) may rely on.

    ``probe`` is the name in ``auditor.probes.PROBES`` that emits the finding
    (and the finding's own ``probe`` field); None for the audit loop's own
    report. ``outcomes`` are the outcomes the code actually emits. ``classes``
    are the ``facts.class`` values a ``lookup`` rule keys on, ``facts`` the
    0..1 facts a ``ratio`` rule may read; empty when the check has none.
    """

    id: str
    probe: str | None
    outcomes: tuple[Outcome, ...]
    description: str
    remediation: str
    classes: tuple[str, ...] = ()
    facts: tuple[str, ...] = ()

    @property
    def scorable(self) -> bool:
        """A rule can earn or lose points on it (it is more than a breakage report)."""
        return PASS in self.outcomes or FAIL in self.outcomes


METADATA: dict[str, Check] = {
    name: Check(
        f"metadata.{name}",
        "metadata_fields",
        (PASS, FAIL),
        f"The catalog record fills `{name}`"
        + (" with a URL auditor may fetch." if name.endswith("_url") else "."),
        f"Fill `{name}` in the catalog record"
        + (" with a public http(s) URL." if name.endswith("_url") else "."),
    )
    for name in RECOMMENDED_FIELDS
}
"""``metadata.<field>``, one per recommended catalog field (``auditor.model.RECOMMENDED_FIELDS``)."""

OFFICIAL_DOMAIN = Check(
    "official_domain",
    "official_domain",
    (PASS, FAIL, UNKNOWN, ERROR),
    "The base URL's host (else the spec URL's, else the homepage's) is on an official"
    " domain list, matched label by label; unknown when the entry has no URL, error when"
    " the URL has no host.",
    "Serve the API from the publisher's government domain, or load the list that vouches"
    " for it (`--domain-list`).",
)
OFFICIAL_DOMAIN_SPEC_URL = Check(
    "official_domain.spec_url",
    "official_domain",
    (PASS, FAIL, ERROR),
    "The same question for the spec URL, reported when it is not the URL already judged"
    " (shown, not scored by the built-in rules).",
    "Publish the spec on the publisher's own domain, or load a list that names its host.",
)
PORTAL_LISTING = Check(
    "portal_listing",
    "portal_listing",
    (PASS, FAIL, UNKNOWN),
    "The entry comes from an official catalog (api.gouv.fr; data.gouv.fr with a"
    " public-service or certified organisation), or its `catalog_url` is an official"
    " portal page that links to the API.",
    "Get the API listed on an official portal and set `catalog_url` to its page there.",
)
GOVERNMENT_GITHUB_ORG = Check(
    "government_github_org",
    "github_org",
    (PASS, FAIL),
    "The spec, docs or homepage URL is under a GitHub organisation on a government list.",
    "Host the spec or docs under the publisher's government GitHub organisation, or load"
    " a list that names it (`--github-org-list`).",
)
RECIPROCAL_LINK = Check(
    "reciprocal_link",
    "reciprocal_link",
    (PASS, FAIL, UNKNOWN),
    "The docs page or homepage links back to the catalog entry or to the publisher's"
    " official site; unknown when a page could not be fetched.",
    "Link the API's docs or homepage to its catalog entry or to the publisher's official site.",
)
PUBLISHED_POLICY = Check(
    "published_policy",
    "published_policy",
    (PASS, FAIL, UNKNOWN),
    "A valid `/.well-known/security.txt` (RFC 9116) at the base-URL or homepage origin,"
    " or homepage links to legal notice, privacy, terms or accessibility pages.",
    "Publish a security.txt with Contact and Expires, or link the legal pages from the homepage.",
)
AVAILABILITY = Check(
    "availability",
    "availability",
    (PASS, FAIL, UNKNOWN),
    "One verification: every declared endpoint (base URL, spec URL) answers without a"
    " 5xx within the timeout (401/403 count as answering); unknown when nothing could"
    " be tried.",
    "Make the base URL and the spec URL answer, or fix the URLs in the catalog record.",
)
AVAILABILITY_ENDPOINTS: dict[str, Check] = {
    field: Check(
        f"availability.{field}",
        "availability",
        (PASS, FAIL, UNKNOWN),
        f"The `{field}` endpoint's own answer (status, latency, TLS)"
        + (", part of the verification." if field != "docs_url" else ", shown, not scored."),
        f"Make `{field}` answer without a 5xx, or correct it in the catalog record.",
    )
    for field in ("base_url", "spec_url", "docs_url")
}
"""``availability.<field>``: one endpoint's answer, for the base, spec and docs URLs."""
TLS_CERTIFICATE_EXPIRY = Check(
    "tls.certificate_expiry",
    "availability",
    (PASS, FAIL),
    "The TLS certificate of an endpoint that answered over https is valid for 14 more days"
    " or longer.",
    "Renew the certificate (automate it, e.g. with ACME).",
)
SPEC_FETCHED = Check(
    "spec.fetched",
    "spec_document",
    (PASS, FAIL, UNKNOWN, ERROR),
    "The spec could be fetched (or read from the local file) within the size cap;"
    " unknown when policy refused the fetch, error when the local file could not be read.",
    "Serve the spec at `spec_url` with a 2xx, under the spec size cap.",
)
SPEC_FORMAT_KNOWN = Check(
    "spec.format_known",
    "spec_document",
    (PASS, FAIL, UNKNOWN),
    "A spec is declared and is a readable OpenAPI 3.x or Swagger 2.0 document.",
    "Declare `spec_url` and publish an OpenAPI (or Swagger 2.0) document there.",
)
SPEC_VALID = Check(
    "spec.valid",
    "spec_document",
    (PASS, FAIL, UNKNOWN),
    "The spec parses and validates against its version's schema and rules (fail when it does"
    " not parse or does not validate); unknown when it was not validated (not an OpenAPI or"
    " Swagger document, an unsupported version, external `$ref`s, the analysis failed). Its"
    ' `notes` fact holds what the validator skips ("stricter than openapi-spec-validator").',
    "Fix the validation errors the finding lists (the first is quoted in the message).",
)
SPEC_INVENTORY = Check(
    "spec.inventory",
    "spec_document",
    (PASS,),
    "The operations and data fields a readable spec declares (facts for the reports).",
    "Nothing to fix: this is an inventory, not a verdict.",
)
SPEC_EXAMPLES = Check(
    "spec.examples",
    "spec_document",
    (PASS, UNKNOWN),
    "Request examples (curl) built from the spec's operations; unknown when there is no operation.",
    "Declare operations (and servers) so a request can be shown.",
)
SPEC_QUALITY = Check(
    "spec.quality",
    "spec_document",
    (PASS, FAIL, UNKNOWN),
    "How well the spec documents its operations: the mean of the known shares passes at"
    " 0.6; unknown when there are no operations or no readable spec.",
    "Give operations an operationId, a summary, described parameters, response schemas,"
    " examples and error responses.",
    facts=(
        "operation_id_share",
        "summary_share",
        "parameter_docs_share",
        "response_schema_share",
        "examples_share",
        "error_responses_share",
        "servers_declared",
        "security_declared",
        "pagination_documented",
        "rate_limit_documented",
        "stricter_rules_passed",
    ),
)
AGENT_DISCOVERY = Check(
    "agent_discovery",
    "agent_discovery",
    (PASS, FAIL, UNKNOWN),
    "An llms.txt or an MCP discovery document is published at the base-URL or homepage"
    " origin, or declared on the homepage and answering.",
    "Publish `/llms.txt` (or `/.well-known/mcp.json`) at the API's origin, or link it"
    " from the homepage.",
)
LICENSE = Check(
    "license",
    "license_statement",
    (PASS, FAIL, UNKNOWN),
    "The licence stated by the catalog record, the spec's `info.license` and the docs"
    " page, normalised to SPDX; `facts.class` says which case it is.",
    "State one open licence (an SPDX id) in the catalog record and in the spec's `info.license`.",
    classes=("open", "restrictive", "unrecognised", "none", "conflicting"),
)

_BY_PROBE: tuple[Check, ...] = (
    *METADATA.values(),
    OFFICIAL_DOMAIN,
    OFFICIAL_DOMAIN_SPEC_URL,
    PORTAL_LISTING,
    GOVERNMENT_GITHUB_ORG,
    RECIPROCAL_LINK,
    PUBLISHED_POLICY,
    AVAILABILITY,
    *AVAILABILITY_ENDPOINTS.values(),
    TLS_CERTIFICATE_EXPIRY,
    SPEC_FETCHED,
    SPEC_FORMAT_KNOWN,
    SPEC_VALID,
    SPEC_INVENTORY,
    SPEC_EXAMPLES,
    SPEC_QUALITY,
    AGENT_DISCOVERY,
    LICENSE,
)

PROBE_NAMES: tuple[str, ...] = tuple(dict.fromkeys(c.probe for c in _BY_PROBE if c.probe))
"""The probes the definitions name; a test holds them equal to ``auditor.probes.PROBES``."""

PROBE_FAILED: dict[str, Check] = {
    name: Check(
        f"probe.{name}",
        name,
        (ERROR,),
        f"The {name} probe raised or did not finish within the entry's time budget"
        " (emitted by the verifier, `auditor/run/verifier.py`).",
        "Report it: a probe must turn bad input into a finding, not break.",
    )
    for name in PROBE_NAMES
}
"""``probe.<name>``: a probe that broke or overran; its own checks stay unknown."""

AUDITOR_INTERNAL = Check(
    "auditor.internal",
    None,
    (ERROR,),
    "Scoring or verifying the entry raised an unexpected error; the entry is kept, unscored"
    " (emitted by the audit loop, `auditor/run/loop.py`, with probe `audit`).",
    "Report it with the entry: one bad entry never stops a run, but it is a bug.",
)

CHECKS: dict[str, Check] = {c.id: c for c in (*_BY_PROBE, *PROBE_FAILED.values(), AUDITOR_INTERNAL)}
"""Every check id auditor emits, by id, in the order the docs list them."""


def get(check_id: str) -> Check | None:
    """The definition of ``check_id``, or None when no code emits such a check."""
    return CHECKS.get(check_id)
