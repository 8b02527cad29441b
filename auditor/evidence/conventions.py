"""World government domain conventions (``data/gov-conventions.yaml``).

The built-in suffixes name one or two domains a country; officials in most
countries also sit on other names: a regional government's own domain
(``gencat.cat``, ``zh.ch``), local-government suffixes (``lg.jp``, ``bel.tr``),
national agencies and open-data portals on domains of their own (``insee.fr``,
``met.no``, ``opendata.swiss``). Each convention carries its country, level,
kind and a source URL, and the evidence repeats them, so a person can check
why a host counted as official without trusting auditor's word for it.

The same format can be loaded with ``--domain-list`` (format
``gov-conventions``); a pattern is a domain matched label-wise like any list
entry, never a wildcard.
"""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files
from typing import Any

import yaml

from auditor.errors import AuditorError
from auditor.evidence.domains import DomainList, list_entry
from auditor.yaml_loader import safe_load

LEVELS = frozenset({"national", "regional", "local", "supranational"})
REQUIRED = ("pattern", "country", "level", "source")


class ConventionError(AuditorError):
    """A conventions file that cannot be used; the message names the entry."""


def describe(item: dict[str, Any]) -> str:
    """``fr national agency/statistics: Insee; source https://www.insee.fr/``."""
    kind = f" {item['kind']}" if item.get("kind") else ""
    body = f": {item['body']}" if item.get("body") else ""
    return f"{item['country']} {item['level']}{kind}{body}; source {item['source']}"


def parse_conventions(
    text: str, name: str | None, updated: str | None, source: str | None
) -> DomainList:
    """A DomainList with one record per convention; raises ConventionError naming the entry."""
    try:
        data: Any = safe_load(text)
    except yaml.YAMLError as exc:
        raise ConventionError(f"not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("conventions"), list):
        raise ConventionError("expected {name, updated, conventions: [{pattern, country, ...}]}")
    lines = _pattern_lines(text)
    records: dict[str, str] = {}
    found_lines: dict[str, int] = {}
    for index, item in enumerate(data["conventions"]):
        where = f"conventions[{index}]"
        if not isinstance(item, dict):
            raise ConventionError(f"{where}: expected a mapping, got {type(item).__name__}")
        missing = [key for key in REQUIRED if not str(item.get(key) or "").strip()]
        if missing:
            raise ConventionError(f"{where}: missing {', '.join(missing)}")
        if item["level"] not in LEVELS:
            raise ConventionError(
                f"{where}: level {item['level']!r} is not one of {sorted(LEVELS)}"
            )
        pattern = str(item["pattern"]).strip().lower()
        domain = list_entry(pattern)
        if domain is None or domain != pattern:
            raise ConventionError(f"{where}: pattern {pattern!r} is not a plain domain name")
        if not str(item["source"]).startswith(("https://", "http://")):
            raise ConventionError(f"{where}: source must be a URL")
        if domain in records:
            raise ConventionError(f"{where}: pattern {domain!r} is listed twice")
        records[domain] = describe(item)
        if domain in lines:
            found_lines[domain] = lines[domain]
    if not records:
        raise ConventionError("no conventions found")
    return DomainList(
        name or str(data.get("name") or "gov-conventions"),
        updated or (str(data["updated"]) if data.get("updated") else None),
        frozenset(records),
        source,
        found_lines,
        records,
    )


def _pattern_lines(text: str) -> dict[str, int]:
    lines: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        match = re.search(r"\bpattern:\s*['\"]?([A-Za-z0-9.-]+)", line)
        if match and not line.lstrip().startswith("#"):
            lines.setdefault(match.group(1).lower(), number)
    return lines


@cache
def builtin_gov_conventions() -> DomainList:
    """The shipped conventions, parsed once per process."""
    text = files("auditor.evidence").joinpath("data/gov-conventions.yaml").read_text("utf-8")
    return parse_conventions(text, None, None, None)
