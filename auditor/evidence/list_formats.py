"""Reading official lists in the formats their publishers use.

Domain lists: ``gov-suffixes`` and ``gov-conventions`` (auditor's YAML), ``csv`` (CISA's .gov
registry ``current-full.csv``: column "Domain name"; any CSV with a domain,
name or host column), ``json`` (the UK public-sector ``user_domains.json``:
``domains[].domain_pattern``; or a plain list), ``lines`` (one host or URL a
line, ``#`` comments: the French public-sector ``urls.txt`` and host lists).

GitHub organisation lists: ``governments-yml`` (GitHub's government list:
sections of logins), ``csv`` or ``lines`` of logins or GitHub URLs (DISIC's
account lists).

Every item keeps its line number so evidence can point at it.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import yaml

from auditor.errors import AuditorError
from auditor.evidence.conventions import ConventionError, parse_conventions
from auditor.evidence.domains import DomainList, build_domain_list
from auditor.evidence.orgs import LOGIN_RE, OrgList, build_org_list, github_org_of, sectioned_logins
from auditor.yaml_loader import safe_load

DOMAIN_FORMATS = ("gov-suffixes", "gov-conventions", "csv", "json", "lines")
ORG_FORMATS = ("governments-yml", "csv", "lines")
_DOMAIN_COLUMNS = ("domain name", "domain", "domain_name", "name", "host", "hostname", "url")
_ORG_COLUMNS = ("organisation", "organization", "org", "login", "url", "account")


class ListFormatError(AuditorError):
    """A list that cannot be read in the format asked for; names the list."""


def guess_format(location: str, text: str, kind: str) -> str:
    """The format from the file name, then from the content."""
    path = urlsplit(location).path if "://" in location else location
    suffix = PurePosixPath(path).suffix.lower()
    head = text.lstrip()[:1]
    if suffix == ".csv":
        return "csv"
    if suffix == ".json" or head in {"{", "["}:
        return "json" if kind == "domains" else "lines"
    if suffix in {".yml", ".yaml"}:
        if kind != "domains":
            return "governments-yml"
        return "gov-conventions" if re.search(r"^conventions:", text, re.M) else "gov-suffixes"
    return "lines"


def _line_items(text: str) -> Iterator[tuple[str, int]]:
    for number, raw in enumerate(text.splitlines(), start=1):
        line = re.split(r"(?:^|\s)[#;]", raw, maxsplit=1)[0].strip()
        if line:
            yield line.split()[0], number


def _csv_items(text: str, columns: tuple[str, ...]) -> Iterator[tuple[str, int]]:
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        return
    folded = [h.strip().lower() for h in header]
    column = next((folded.index(c) for c in columns if c in folded), None)
    if column is None:  # no header we know: the first column holds the items
        column = 0
        if header:
            yield header[0], 1
    for row in reader:
        if column < len(row) and row[column].strip():
            yield row[column], reader.line_num


def _json_items(text: str) -> Iterator[tuple[str, int]]:
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise ListFormatError(f"not valid JSON: {exc}") from exc
    if isinstance(document, dict):
        document = document.get("domains", [])
    if not isinstance(document, list):
        raise ListFormatError("expected a list or {domains: [...]}")
    values = []
    for item in document:
        if isinstance(item, dict):
            item = item.get("domain_pattern") or item.get("domain") or item.get("name")
        if isinstance(item, str):
            values.append(item)
    # Line numbers: each value's first occurrence, scanning forward.
    position = 0
    for value in values:
        found = text.find(json.dumps(value), position)
        if found < 0:
            found = text.find(value, position)
        if found >= 0:
            position = found + len(value)
        yield value, text.count("\n", 0, max(found, 0)) + 1


def parse_domain_list(
    text: str, fmt: str, name: str | None, updated: str | None, source: str
) -> DomainList:
    """A DomainList from a list's text; raises ListFormatError when it holds none."""
    default_name = PurePosixPath(urlsplit(source).path if "://" in source else source).stem
    if fmt == "gov-suffixes":
        try:
            data: Any = safe_load(text)
        except yaml.YAMLError as exc:
            raise ListFormatError(f"not valid YAML: {exc}") from exc
        if not isinstance(data, dict) or not isinstance(data.get("suffixes"), dict):
            raise ListFormatError("expected {name, updated, suffixes: {country: [domains]}}")
        wanted = {
            str(d).lower()
            for group in data["suffixes"].values()
            if isinstance(group, list)
            for d in group
        }
        items = [(t, n) for t, n in _yaml_tokens(text) if t in wanted]
        name = name or str(data.get("name") or default_name)
        updated = updated or (str(data["updated"]) if data.get("updated") else None)
    elif fmt == "gov-conventions":
        try:
            return parse_conventions(text, name, updated, source)
        except ConventionError as exc:
            raise ListFormatError(str(exc)) from exc
    elif fmt == "csv":
        items = list(_csv_items(text, _DOMAIN_COLUMNS))
    elif fmt == "json":
        items = list(_json_items(text))
    elif fmt == "lines":
        items = list(_line_items(text))
    else:
        raise ListFormatError(f"unknown domain list format {fmt!r} (one of {DOMAIN_FORMATS})")
    result = build_domain_list(name or default_name, updated, items, source)
    if not result.domains:
        raise ListFormatError(f"no domains found (read as {fmt})")
    return result


def _yaml_tokens(text: str) -> Iterator[tuple[str, int]]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.lstrip().startswith("#"):
            for token in re.findall(r"[A-Za-z0-9.-]+", line):
                yield token.lower(), number


def _login(text: str) -> str | None:
    text = text.strip()
    if "://" in text or text.startswith(("github.com/", "www.github.com/")):
        return github_org_of(text if "://" in text else "https://" + text)
    return text if LOGIN_RE.match(text) else None


def parse_org_list(
    text: str, fmt: str, name: str | None, updated: str | None, source: str
) -> OrgList:
    """An OrgList from a list's text; raises ListFormatError when it holds none."""
    default_name = PurePosixPath(urlsplit(source).path if "://" in source else source).stem
    items: list[tuple[str, str | None, int]]
    if fmt == "governments-yml":
        try:
            data: Any = safe_load(text)
        except yaml.YAMLError as exc:
            raise ListFormatError(f"not valid YAML: {exc}") from exc
        items = sectioned_logins(text, data)
        if isinstance(data, dict):
            name = name or (str(data["name"]) if data.get("name") else None)
            updated = updated or (str(data["updated"]) if data.get("updated") else None)
    elif fmt in {"csv", "lines"}:
        raw = _csv_items(text, _ORG_COLUMNS) if fmt == "csv" else _line_items(text)
        items = [(login, None, n) for value, n in raw if (login := _login(value))]
    else:
        raise ListFormatError(
            f"unknown GitHub organisation list format {fmt!r} (one of {ORG_FORMATS})"
        )
    result = build_org_list(name or default_name, updated, items, source)
    if not result.orgs:
        raise ListFormatError(f"no GitHub organisations found (read as {fmt})")
    return result
