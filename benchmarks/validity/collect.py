"""Run the audits the report reads: offline, on the corpus, under both methodologies.

No request leaves the machine: every run uses ``NetworkPolicy(offline=True)``,
under which the fetcher refuses to resolve any host (``auditor/net/backend.py``),
so what needs the network (availability, pages, security.txt, remote specs) is
established as unknown, never as a fail. An audit is run once per catalog and
its findings are scored under each methodology (the rule engine is pure, as in
``auditor rescore``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from auditor.catalog import load_sources
from auditor.config import Config
from auditor.context import AuditSettings, NetworkPolicy
from auditor.evidence.lists import settings_with_lists
from auditor.methodology.engine import assess
from auditor.methodology.load import load_methodology, resolve_rules
from auditor.methodology.model import Methodology
from auditor.model import Assessment, Entry, Finding
from auditor.run.loop import run_audit
from benchmarks.validity.corpus import local_spec_files, with_local_specs

RULES = ("trust-v1", "trust-v1-strict")
"""The methodologies compared, by built-in name (rules/<name>.yaml)."""


def methodologies() -> dict[str, Methodology]:
    return {name: load_methodology(resolve_rules(name)) for name in RULES}


def offline_settings() -> AuditSettings:
    """Built-in lists only, no network: the settings ``auditor gate --offline`` runs with."""
    return AuditSettings(network=NetworkPolicy(offline=True))


@dataclass(frozen=True, slots=True)
class Row:
    """One entry: what the catalog said, what the probes found, and its scores by rules name."""

    entry: Entry
    findings: tuple[Finding, ...]
    assessments: Mapping[str, Assessment]


@dataclass(frozen=True, slots=True)
class Run:
    """One catalog audited offline."""

    key: str
    label: str
    source: str
    rows: tuple[Row, ...]
    problems: tuple[str, ...] = ()
    mapped_specs: int = 0
    seconds: float = 0.0
    lists: tuple[str, ...] = field(default_factory=tuple)

    def scores(self, rules: str) -> dict[str, float | None]:
        return {r.entry.id: r.assessments[rules].score for r in self.rows}

    def tiers(self, rules: str) -> dict[str, str | None]:
        return {r.entry.id: r.assessments[rules].tier for r in self.rows}

    def row(self, entry_id: str) -> Row:
        return next(r for r in self.rows if r.entry.id == entry_id)


def audit(
    key: str,
    label: str,
    sources: list[str],
    settings: AuditSettings,
    rules: Mapping[str, Methodology],
    *,
    corpus: Path | None = None,
) -> Run:
    """Read ``sources``, audit their entries offline, score them under every methodology.

    With ``corpus``, api.gouv.fr ``/swaggers/`` specs are read from the corpus copy.
    """
    started = time.perf_counter()
    loaded = asyncio.run(load_sources(sources, settings))
    entries, mapped = (
        with_local_specs(corpus, loaded.entries) if corpus is not None else (loaded.entries, 0)
    )
    first, *others = rules.items()
    results = run_audit(entries, settings, first[1])
    rows = tuple(
        Row(
            r.entry,
            r.findings,
            {
                first[0]: r.assessment,
                **{name: assess(r.entry.id, r.findings, m) for name, m in others},
            },
        )
        for r in results
    )
    return Run(
        key,
        label,
        " ".join(sources),
        rows,
        tuple(str(p) for p in loaded.problems),
        mapped,
        round(time.perf_counter() - started, 2),
    )


def corpus_lists(corpus: Path) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The public-sector lists the corpus holds, as ``--domain-list`` / ``--github-org-list``."""
    domains = (
        f"fr-public={corpus / 'gov_domains/fr_secteur_public/urls.txt'}",
        f"us-dotgov={corpus / 'gov_domains/us_dotgov/current-full.csv'}",
        f"uk-public={corpus / 'gov_domains/uk_public_sector/user_domains.json'}",
        f"apigouv-vouched=vouched:apigouv:{corpus / 'api_gouv_fr'}",
    )
    orgs = (
        f"gov-github={corpus / 'gov_github_orgs/_data/governments.yml'}",
        f"fr-disic={corpus / 'gov_github_orgs/fr_disic/comptes-organismes-publics'}",
    )
    return domains, orgs


def with_corpus_lists(
    settings: AuditSettings, corpus: Path
) -> tuple[AuditSettings, tuple[str, ...]]:
    """``settings`` plus the corpus's lists (read from disk), and the list names for the text."""
    domains, orgs = corpus_lists(corpus)
    loaded, _notes = settings_with_lists(settings, Config(), domains, orgs)
    names = tuple(v.split("=", 1)[0] for v in (*domains, *orgs))
    return loaded, names


def local_specs(corpus: Path, settings: AuditSettings, rules: Mapping[str, Methodology]) -> Run:
    """The corpus's French public specs, each audited as a one-spec entry."""
    files = local_spec_files(corpus)
    return audit(
        "local-specs",
        "French public specs in the corpus",
        [str(f) for f in files],
        settings,
        rules,
    )
