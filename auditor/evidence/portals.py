"""Official portals: the sites whose pages vouch that an API is listed (``data/portals.yaml``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from urllib.parse import urlsplit

from auditor.evidence.html_links import same_site
from auditor.model import Entry
from auditor.yaml_loader import safe_load


@dataclass(frozen=True, slots=True)
class Portal:
    host: str
    name: str
    catalog: str | None


@cache
def portals() -> tuple[Portal, ...]:
    text = files("auditor.evidence").joinpath("data/portals.yaml").read_text("utf-8")
    data = safe_load(text)
    return tuple(Portal(p["host"], p["name"], p.get("catalog")) for p in data["portals"])


def portal_for(url: str | None) -> Portal | None:
    if not url:
        return None
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return None
    return next((p for p in portals() if same_site(host, p.host)), None)


DATAGOUV_OFFICIAL_BADGES = frozenset({"public-service", "certified"})
"""The badges that make a data.gouv.fr organisation a public producer."""


def entry_badges(entry: Entry) -> list[str]:
    """The data.gouv.fr organisation badges the catalog source kept for ``entry``, sorted."""
    return sorted({str(b) for b in entry.raw.get("organization_badges") or ()})


def official_badges(badges: Iterable[str]) -> list[str]:
    """Those of ``badges`` that make an organisation public, sorted (empty: not public)."""
    return sorted(set(badges) & DATAGOUV_OFFICIAL_BADGES)
