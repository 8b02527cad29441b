"""What every catalog source returns: entries, plus problems naming entry and field."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from auditor.model import Entry


@dataclass(frozen=True, slots=True)
class CatalogProblem:
    """A record that could not be mapped cleanly; the run goes on without or around it."""

    origin: str
    message: str
    entry: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = self.origin
        if self.entry:
            where += f": entry {self.entry}"
        if self.field:
            where += f": field {self.field!r}"
        return f"{where}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "origin": self.origin,
            "entry": self.entry,
            "field": self.field,
            "message": self.message,
        }


@dataclass
class LoadedCatalog:
    entries: list[Entry] = field(default_factory=list)
    problems: list[CatalogProblem] = field(default_factory=list)

    def extend(self, other: LoadedCatalog) -> None:
        self.entries.extend(other.entries)
        self.problems.extend(other.problems)


def slugify(text: str) -> str:
    """A stable, file-name-safe id from free text."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-zA-Z0-9.]+", "-", ascii_text).strip("-.").lower()
    return slug[:80] or "entry"
