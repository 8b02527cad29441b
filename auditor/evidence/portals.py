"""Official portals: the sites whose pages vouch that an API is listed (``data/portals.yaml``)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from urllib.parse import urlsplit

import yaml

from auditor.evidence.html_links import same_site


@dataclass(frozen=True, slots=True)
class Portal:
    host: str
    name: str
    catalog: str | None


@cache
def portals() -> tuple[Portal, ...]:
    text = files("auditor.evidence").joinpath("data/portals.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    return tuple(Portal(p["host"], p["name"], p.get("catalog")) for p in data["portals"])


def portal_for(url: str | None) -> Portal | None:
    if not url:
        return None
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return None
    return next((p for p in portals() if same_site(host, p.host)), None)
