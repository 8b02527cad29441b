"""Where the real-world corpus is, what version of each source it holds, and its local specs.

The corpus is never copied into the project: the report reads it where it
lies (``--corpus``, else ``$AUDITOR_CORPUS``, else ``../shared/corpus`` next to
the project root) and names the commit or package version each catalog came
from, as SOURCES.md records it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from auditor.model import Entry

PROJECT_ROOT = Path(__file__).resolve().parents[2]
APIGOUV_SITE = "https://api.gouv.fr/swaggers/"
"""api.gouv.fr serves ``public/swaggers/`` at this address; auditor's apigouv source
resolves the catalog's relative ``/swaggers/…`` links against it (docs/catalogs.md)."""


class CorpusMissing(Exception):
    """The corpus folder (or a part the report needs) is not there."""


def default_corpus() -> Path:
    """``$AUDITOR_CORPUS`` if set, else ``../shared/corpus`` relative to the project root."""
    env = os.environ.get("AUDITOR_CORPUS")
    return Path(env) if env else PROJECT_ROOT.parent / "shared" / "corpus"


REQUIRED = ("api_gouv_fr/_data/api", "apisguru/specs", "SOURCES.md")


def check_corpus(path: Path) -> Path:
    """``path`` resolved, or CorpusMissing naming what is absent and how to point at it."""
    if not path.is_dir():
        raise CorpusMissing(
            f"real-world corpus not found at {path}: pass --corpus PATH or set AUDITOR_CORPUS "
            "(the corpus is only present in the dev workspace; nothing was measured)"
        )
    absent = [part for part in REQUIRED if not (path / part).exists()]
    if absent:
        raise CorpusMissing(f"{path}: not the real-world corpus (missing {', '.join(absent)})")
    return path.resolve()


@dataclass(frozen=True, slots=True)
class Provenance:
    """One SOURCES.md row: the corpus path, where it came from, and which commit or version."""

    path: str
    source: str
    version: str


def provenance(corpus: Path, prefix: str) -> Provenance | None:
    """The SOURCES.md row whose corpus path starts with ``prefix``, or None."""
    try:
        text = (corpus / "SOURCES.md").read_text(encoding="utf-8")
    except OSError:
        return None
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and cells[0].startswith(prefix):
            return Provenance(cells[0], cells[1], cells[2])
    return None


def local_swagger(corpus: Path, entry: Entry) -> Path | None:
    """The corpus copy of a spec api.gouv.fr serves under /swaggers/, or None.

    Only api.gouv.fr's own ``/swaggers/`` addresses map: that folder is what the
    site serves (the corpus README says so). Other spec URLs (a producer's own
    server) have no copy known to be the same document, so they stay unmapped.
    """
    if not entry.spec_url or not entry.spec_url.startswith(APIGOUV_SITE):
        return None
    relative = entry.spec_url.removeprefix(APIGOUV_SITE).split("?", 1)[0]
    root = (corpus / "api_gouv_fr" / "public" / "swaggers").resolve()
    candidate = (root / relative).resolve()
    if not candidate.is_relative_to(root) or not candidate.is_file():
        return None
    return candidate


def with_local_specs(corpus: Path, entries: list[Entry]) -> tuple[list[Entry], int]:
    """Entries whose api.gouv.fr spec has a corpus copy read it from disk (as ``gate --spec``)."""
    mapped = 0
    out = []
    for entry in entries:
        local = local_swagger(corpus, entry)
        if local is not None:
            entry = replace(entry, local_spec=str(local))
            mapped += 1
        out.append(entry)
    return out, mapped


LOCAL_SPEC_FOLDERS = ("api_gouv_fr/public/swaggers", "openapi_specs/french_public")
"""French public specs the corpus holds, analysed on their own (offline) for the spec axis."""


def local_spec_files(corpus: Path) -> list[Path]:
    """Every JSON/YAML file under ``LOCAL_SPEC_FOLDERS``, sorted."""
    files: list[Path] = []
    for folder in LOCAL_SPEC_FOLDERS:
        root = corpus / folder
        if root.is_dir():
            files.extend(
                p for p in root.rglob("*") if p.suffix in {".json", ".yaml", ".yml"} and p.is_file()
            )
    return sorted(files)
