"""Everything the report prints, gathered in one pass: header facts and the offline runs."""

from __future__ import annotations

import os
import platform
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TypeVar, cast

from auditor import __version__
from auditor.methodology.model import Methodology
from benchmarks.validity.analyses import SignalRow, signal_rows
from benchmarks.validity.collect import (
    RULES,
    Run,
    audit,
    local_specs,
    methodologies,
    offline_settings,
    with_corpus_lists,
)
from benchmarks.validity.corpus import PROJECT_ROOT, check_corpus, provenance

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Report:
    corpus: Path
    header: tuple[tuple[str, str], ...]
    rules: dict[str, Methodology]
    runs: tuple[Run, ...]
    """The two catalogs as measured: api.gouv.fr (its /swaggers/ specs read from the corpus), APIs.guru."""
    unmapped: Run
    """api.gouv.fr without the corpus's specs, to show what the mapping changes."""
    listed: tuple[Run, ...]
    """The same two catalogs with the corpus's public-sector lists loaded."""
    list_names: tuple[str, ...]
    local: Run
    seconds: float
    computed: dict[str, object] = field(default_factory=dict, compare=False)
    """Sections computed once and read by several parts of the document (see ``once``)."""

    def once(self, key: str, compute: Callable[[], T]) -> T:
        """``compute()``, remembered under ``key`` for this report (re-scoring is not free)."""
        if key not in self.computed:
            self.computed[key] = compute()
        return cast(T, self.computed[key])


MEASURED = ("auditor", "rules", "benchmarks")
"""The folders whose uncommitted changes would change the figures (docs do not)."""


def project_commit() -> str:
    """The project's git commit, noting uncommitted changes to what is measured, or ``unknown``."""
    try:
        head = subprocess.run(
            ["git", "-C", str(PROJECT_ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            [
                "git",
                "-C",
                str(PROJECT_ROOT),
                "status",
                "--porcelain",
                "--untracked-files=no",
                "--",
                *MEASURED,
            ],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{head}{' (+ uncommitted changes)' if dirty else ''}"


def machine() -> str:
    cores = os.cpu_count() or 0
    return (
        f"{platform.node() or 'unknown host'}: {platform.system()} {platform.release()}, "
        f"{platform.machine()}, {cores} core{'s' if cores != 1 else ''}, "
        f"Python {platform.python_version()}"
    )


def _provenance(corpus: Path, prefix: str) -> str:
    found = provenance(corpus, prefix)
    if found is None:
        return "not recorded in SOURCES.md"
    return f"{found.source}, {found.version}"


def build(corpus_path: Path, *, with_lists: bool = True) -> Report:
    """Run every offline audit the report needs (about 15 s on the 2-core dev machine)."""
    started = time.perf_counter()
    corpus = check_corpus(corpus_path)
    rules = methodologies()
    settings = offline_settings()
    apigouv = [f"apigouv:{corpus / 'api_gouv_fr'}"]
    apisguru = [f"apisguru:{corpus / 'apisguru'}"]
    runs = (
        audit("apigouv", "api.gouv.fr", apigouv, settings, rules, corpus=corpus),
        audit("apisguru", "APIs.guru subset", apisguru, settings, rules),
    )
    unmapped = audit("apigouv", "api.gouv.fr (no local specs)", apigouv, settings, rules)
    listed: tuple[Run, ...] = ()
    names: tuple[str, ...] = ()
    if with_lists:
        listed_settings, names = with_corpus_lists(settings, corpus)
        listed = (
            audit("apigouv", "api.gouv.fr + lists", apigouv, listed_settings, rules, corpus=corpus),
            audit("apisguru", "APIs.guru subset + lists", apisguru, listed_settings, rules),
        )
    local = local_specs(corpus, settings, rules)
    header = (
        ("Generated", datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")),
        ("Machine", machine()),
        ("auditor", f"{__version__}, project commit {project_commit()}"),
        *(
            (f"Methodology `{name}`", f"{m.id} {m.version} ({m.title}), rules/{name}.yaml")
            for name, m in rules.items()
        ),
        ("Corpus", str(corpus)),
        ("api.gouv.fr catalog", _provenance(corpus, "api_gouv_fr/_data/api")),
        ("APIs.guru subset", _provenance(corpus, "apisguru/")),
        ("Network", "none: every run used NetworkPolicy(offline=True); no host was resolved"),
    )
    return Report(
        corpus,
        header,
        rules,
        runs,
        unmapped,
        listed,
        names,
        local,
        round(time.perf_counter() - started, 1),
    )


def catalog_signals(report: Report, run: Run) -> list[SignalRow]:
    """Every outcome signal of ``trust-v1`` over ``run``, with what it decides (computed once)."""
    return report.once(
        f"signals:{run.label}", partial(signal_rows, run, RULES[0], report.rules[RULES[0]])
    )
