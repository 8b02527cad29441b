"""What every catalog source returns: entries, plus problems naming entry and field.

A source is anything with a ``label`` and an async ``records()`` iterator of
``SourceRecord``: one per catalog record (its Entry, or None when it had to be
skipped, and the problems met while mapping it), plus records without an entry
for problems about the source as a whole. Sources iterate instead of building
lists so a 10,000-entry catalog is mapped one record (or one page) at a time.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

from auditor.model import (
    CatalogProblem as CatalogProblem,  # re-exported: the catalog sources use it
)
from auditor.model import Entry

if TYPE_CHECKING:  # the registry's own module imports every source module
    from auditor.catalog.material import Material


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """One record as a source mapped it; ``entry`` is None when it was skipped or when the
    problems are about the source as a whole."""

    entry: Entry | None
    problems: tuple[CatalogProblem, ...] = ()


class CatalogSource(Protocol):
    """The one interface every catalog reader implements."""

    label: str

    def records(self) -> AsyncGenerator[SourceRecord, None]: ...


Form = Literal["remote", "folder", "file"]


@dataclass(frozen=True, slots=True)
class SourceType:
    """What one catalog reader declares to the registry (``auditor/catalog/registry.py``).

    ``form`` is the SOURCE location it reads: ``remote`` (nothing or a URL, fetched by
    the reader itself, page by page), ``folder``, or ``file`` (a file or a URL whose
    bytes auditor reads for it, within ``max_spec_bytes``). ``detect`` says whether
    a location given without prefix or ``--source-type`` is of this type (None: never
    detected, only chosen). ``read`` builds the reader, raising CatalogError when the
    location is not of this type. ``server_filtered`` when the reader sends
    ``--organization``/``--tag``/``--q`` to the server, whose search then stands in for
    the local ``--q`` check.
    """

    name: str
    """The ``--source-type`` value."""
    form: Form
    read: Callable[[Material], CatalogSource]
    detect: Callable[[Material], bool] | None = None
    prefix: str | None = None
    """``apigouv:``: a SOURCE starting with it chooses this type (case aside)."""
    server_filtered: bool = False


@dataclass
class LoadedCatalog:
    entries: list[Entry] = field(default_factory=list)
    problems: list[CatalogProblem] = field(default_factory=list)
    entry_problems: dict[str, list[CatalogProblem]] = field(default_factory=dict)
    """Problems of each entry, by its final (disambiguated) id; also in ``problems``."""
    filtered_out: int = 0
    """Entries dropped by --organization/--tag/--q."""

    def __repr__(self) -> str:
        # Counts only: Python 3.11's asyncio.run formats the main task, result included,
        # when it checks its SIGINT handler; a full repr of 10,000 entries took 0.3 s.
        return (
            f"LoadedCatalog({len(self.entries)} entries, {len(self.problems)} problems, "
            f"{self.filtered_out} filtered out)"
        )

    def extend(self, other: LoadedCatalog) -> None:
        self.entries.extend(other.entries)
        self.problems.extend(other.problems)
        for entry_id, problems in other.entry_problems.items():
            self.entry_problems.setdefault(entry_id, []).extend(problems)
        self.filtered_out += other.filtered_out


def slugify(text: str) -> str:
    """A stable, file-name-safe id from free text."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-zA-Z0-9.]+", "-", ascii_text).strip("-.").lower()
    return slug[:80] or "entry"


def text_value(value: Any) -> str | None:
    """A trimmed string, or None for missing/blank; scalars become text, containers None."""
    if value is None or isinstance(value, dict | list):
        return None
    text = str(value).strip()
    return text or None


def tag_list(value: Any) -> tuple[str, ...] | None:
    """Tags from a list or a comma-separated string, trimmed, order kept, duplicates
    dropped; None when the value is of another type."""
    if isinstance(value, str):
        items: list[Any] = value.split(",")
    elif isinstance(value, list):
        items = value
    else:
        return None
    tags: dict[str, None] = {}
    for item in items:
        if isinstance(item, dict | list) or item is None:
            continue
        text = str(item).strip()
        if text:
            tags.setdefault(text, None)
    return tuple(tags)


def official_claim(value: Any) -> str | None:
    """The official catalog id a free-text ``catalog`` value claims, spelling aside."""
    text = text_value(value)
    if text is None:
        return None
    key = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    aliases = {
        "api_gouv_fr": "api_gouv_fr",
        "apigouv": "api_gouv_fr",
        "api_gouv": "api_gouv_fr",
        "datagouv": "datagouv",
        "data_gouv_fr": "datagouv",
        "data_gouv": "datagouv",
        "datagouv_fr": "datagouv",
    }
    return aliases.get(key)
