"""Loading the official lists a run checks against: from a file or a URL, cached.

Lists come from the user's configuration (``domain_lists`` and
``github_org_lists`` in auditor.toml / ``[tool.auditor]``: tables with
``path_or_url``, optional ``name``, ``format``, ``updated``) and from the
command line (``--domain-list`` / ``--github-org-list FILE_OR_URL``, or
``NAME=FILE_OR_URL``). A domain list may also be built from an official
portal's records (``vouched:apigouv:CHECKOUT``, ``vouched:datagouv:FILE_OR_URL``
or ``format = "vouched-apigouv"`` / ``"vouched-datagouv"``; see ``vouched.py``).
A URL list is fetched once through the run's guarded
fetcher and kept on disk (``$XDG_CACHE_HOME/auditor/lists`` or
``~/.cache/auditor/lists``) for ``max_age``; when a refresh fails an older
copy is used and a note says so. A list that cannot be read at all is an
error: the user asked for it, and scoring without it would be silently wrong.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import re
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, TypeVar

from auditor.config import Config, ConfigError
from auditor.context import AuditSettings
from auditor.errors import AuditorError, CatalogError
from auditor.evidence.domains import DomainList
from auditor.evidence.list_formats import (
    ListFormatError,
    guess_format,
    parse_domain_list,
    parse_org_list,
)
from auditor.evidence.orgs import OrgList
from auditor.evidence.vouched import (
    Vouched,
    VouchError,
    vouched_from_apigouv,
    vouched_from_datagouv,
)
from auditor.net.fetcher import Fetcher

MAX_LIST_BYTES = 64 * 1024 * 1024
DEFAULT_MAX_AGE = timedelta(days=1)
KINDS = {"domains": "domain_lists", "github_orgs": "github_org_lists"}
VOUCHED_FORMATS = {"apigouv": "vouched-apigouv", "datagouv": "vouched-datagouv"}


class ListError(AuditorError):
    """An official list that could not be loaded; the message names it."""


@dataclass(frozen=True, slots=True)
class ListSource:
    """Where one list comes from and how to read it."""

    kind: str
    """``domains`` or ``github_orgs``."""
    location: str
    name: str | None = None
    format: str | None = None
    updated: str | None = None

    @property
    def is_url(self) -> bool:
        return self.location.startswith(("http://", "https://"))


@dataclass(frozen=True, slots=True)
class OfficialLists:
    domains: tuple[DomainList, ...] = ()
    github_orgs: tuple[OrgList, ...] = ()
    notes: tuple[str, ...] = field(default=())
    """What the user should know (a stale cached copy was used…)."""


def vouched_format(location: str) -> tuple[str | None, str]:
    """``vouched:apigouv:PATH`` -> ``("vouched-apigouv", "PATH")``; other locations unchanged."""
    if not location.startswith("vouched:"):
        return None, location
    portal, sep, rest = location.removeprefix("vouched:").partition(":")
    if not sep or not rest or portal not in VOUCHED_FORMATS:
        raise ListError(
            f"{location!r}: expected vouched:apigouv:CHECKOUT or vouched:datagouv:FILE_OR_URL"
        )
    return VOUCHED_FORMATS[portal], rest


def from_cli(kind: str, value: str) -> ListSource:
    """``FILE_OR_URL`` or ``NAME=FILE_OR_URL``; for domains also ``[NAME=]vouched:PORTAL:…``."""
    name: str | None = None
    head, sep, rest = value.partition("=")
    if sep and re.fullmatch(r"[A-Za-z0-9_.-]+", head):
        name, value = head, rest
    fmt, location = vouched_format(value) if kind == "domains" else (None, value)
    return ListSource(kind, location, name=name, format=fmt)


def from_config(config: Config) -> list[ListSource]:
    """The lists the configuration names; relative paths are read from the config's folder."""
    base = config.path.parent if config.path is not None else Path.cwd()
    sources = []
    for kind, key in KINDS.items():
        value = config.get(key, [])
        if not isinstance(value, list):
            raise ConfigError(f"{config.path}: {key} must be a list of tables or strings")
        for index, item in enumerate(value):
            where = f"{config.path}: {key}[{index}]"
            if isinstance(item, str):
                item = {"path_or_url": item}
            if not isinstance(item, dict) or not isinstance(item.get("path_or_url"), str):
                raise ConfigError(f"{where}: needs path_or_url = '...'")
            unknown = set(item) - {"name", "path_or_url", "format", "updated"}
            if unknown:
                raise ConfigError(f"{where}: unknown keys {sorted(unknown)}")
            fmt, location = (
                vouched_format(item["path_or_url"])
                if kind == "domains"
                else (None, item["path_or_url"])
            )
            if not location.startswith(("http://", "https://")):
                location = str((base / os.path.expanduser(location)).resolve())
            sources.append(
                ListSource(
                    kind,
                    location,
                    _opt_str(item, "name", where),
                    _opt_str(item, "format", where) or fmt,
                    _opt_str(item, "updated", where),
                )
            )
    return sources


def _opt_str(item: dict[str, Any], key: str, where: str) -> str | None:
    value = item.get(key)
    if value is None:
        return None
    if isinstance(value, date):  # TOML's bare 2024-12-11
        return value.isoformat()[:10]
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise ConfigError(f"{where}: {key} must be text")
    return str(value)


def default_cache_dir() -> Path:
    root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(root) / "auditor" / "lists"


def _date_of(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).date().isoformat()
    except (TypeError, ValueError):
        return None


class _Cache:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def paths(self, url: str) -> tuple[Path, Path]:
        key = hashlib.sha256(url.encode()).hexdigest()[:32]
        return self.directory / f"{key}.body", self.directory / f"{key}.json"

    def read(self, url: str) -> tuple[bytes, dict[str, Any]] | None:
        body, meta = self.paths(url)
        try:
            info = json.loads(meta.read_text("utf-8"))
            return body.read_bytes(), info if isinstance(info, dict) else {}
        except (OSError, ValueError):
            return None

    def write(self, url: str, data: bytes, info: dict[str, Any]) -> None:
        body, meta = self.paths(url)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            body.write_bytes(data)
            meta.write_text(json.dumps(info), "utf-8")
        except OSError:
            return  # a cache we cannot write only costs a refetch next time


async def _read_url(
    source: ListSource, fetcher: Fetcher, cache: _Cache, max_age: timedelta, notes: list[str]
) -> tuple[bytes, str | None]:
    cached = cache.read(source.location)
    now = datetime.now(UTC)
    if cached is not None:
        try:
            fetched_at = datetime.fromisoformat(str(cached[1].get("fetched_at")))
        except ValueError:
            fetched_at = datetime.fromtimestamp(0, UTC)  # unreadable metadata: refresh
        if fetched_at.tzinfo is not None and now - fetched_at < max_age:
            return cached[0], cached[1].get("updated")
    obs = await fetcher.fetch(source.location, max_bytes=MAX_LIST_BYTES)
    if obs.status == 200 and obs.body is not None and obs.error_class is None:
        updated = _date_of(obs.last_modified) or now.date().isoformat()
        cache.write(
            source.location,
            obs.body,
            {"url": source.location, "fetched_at": now.isoformat(), "updated": updated},
        )
        return obs.body, updated
    problem = obs.describe()
    if cached is not None:
        notes.append(
            f"list {source.location}: refresh failed ({problem}); using the copy fetched "
            f"{cached[1].get('fetched_at')}"
        )
        return cached[0], cached[1].get("updated")
    raise ListError(f"cannot fetch list {source.location}: {problem}")


def _read_file(source: ListSource) -> tuple[bytes, str | None]:
    path = Path(source.location)
    try:
        size = path.stat().st_size
        if size > MAX_LIST_BYTES:
            raise ListError(f"list {path} is {size:,} bytes, over the {MAX_LIST_BYTES:,}-byte cap")
        data = path.read_bytes()
        modified = datetime.fromtimestamp(path.stat().st_mtime, UTC).date().isoformat()
    except OSError as exc:
        raise ListError(f"cannot read list {path}: {exc.strerror or exc}") from exc
    return data, modified


async def load_lists(
    sources: list[ListSource],
    settings: AuditSettings,
    *,
    cache_dir: Path | None = None,
    max_age: timedelta = DEFAULT_MAX_AGE,
) -> OfficialLists:
    """Read every list; raises ListError (naming the list) when one cannot be used."""
    if not sources:
        return OfficialLists()
    cache = _Cache(cache_dir or default_cache_dir())
    notes: list[str] = []
    domains: list[DomainList] = []
    orgs: list[OrgList] = []
    async with Fetcher(settings) as fetcher:
        for source in sources:
            if source.kind == "domains" and source.format == "vouched-apigouv":
                domains.append(_apigouv(source, notes))
                continue
            if source.is_url:
                data, found_date = await _read_url(source, fetcher, cache, max_age, notes)
            else:
                data, found_date = _read_file(source)
            text = data.decode("utf-8-sig", errors="replace")
            fmt = source.format or guess_format(source.location, text, source.kind)
            updated = source.updated
            try:
                if source.kind == "domains" and source.format == "vouched-datagouv":
                    updated = updated or found_date
                    vouched = vouched_from_datagouv(text, source.location, source.name, updated)
                    domains.append(_noted(vouched, notes))
                elif source.kind == "domains":
                    parsed_domains = parse_domain_list(
                        text, fmt, source.name, updated, source.location
                    )
                    if parsed_domains.updated is None:
                        parsed_domains = _dated(parsed_domains, found_date)
                    domains.append(parsed_domains)
                else:
                    parsed_orgs = parse_org_list(text, fmt, source.name, updated, source.location)
                    if parsed_orgs.updated is None:
                        parsed_orgs = _dated(parsed_orgs, found_date)
                    orgs.append(parsed_orgs)
            except (ListFormatError, VouchError) as exc:
                raise ListError(f"list {source.location}: {exc}") from exc
    return OfficialLists(tuple(domains), tuple(orgs), tuple(notes))


def _noted(vouched: Vouched, notes: list[str]) -> DomainList:
    summary = vouched.summary()
    if summary:
        notes.append(summary)
    return vouched.domains


def _apigouv(source: ListSource, notes: list[str]) -> DomainList:
    """The domains api.gouv.fr vouches for, from a local checkout (a folder, never a URL)."""
    if source.is_url:
        raise ListError(
            f"list {source.location}: vouched:apigouv reads a local checkout of "
            "https://github.com/etalab/api.gouv.fr, not a URL"
        )
    try:
        vouched = vouched_from_apigouv(Path(source.location), source.name, source.updated)
    except CatalogError as exc:
        raise ListError(f"list {source.location}: {exc}") from exc
    return _noted(vouched, notes)


_Listed = TypeVar("_Listed", DomainList, OrgList)


def _dated(value: _Listed, updated: str | None) -> _Listed:
    return replace(value, updated=updated)


def settings_with_lists(
    settings: AuditSettings,
    config: Config,
    domain_cli: tuple[str, ...] = (),
    github_org_cli: tuple[str, ...] = (),
) -> tuple[AuditSettings, tuple[str, ...]]:
    """``settings`` carrying the lists named in ``config`` and on the command line.

    Synchronous, for the CLI (call it outside a running event loop); returns
    the notes to show the user. Raises ListError or ConfigError.
    """
    sources = [
        *from_config(config),
        *(from_cli("domains", v) for v in domain_cli),
        *(from_cli("github_orgs", v) for v in github_org_cli),
    ]
    if not sources:
        return settings, ()
    lists = asyncio.run(load_lists(sources, settings))
    updated = replace(
        settings,
        domain_lists=(*settings.domain_lists, *lists.domains),
        github_org_lists=(*settings.github_org_lists, *lists.github_orgs),
    )
    return updated, lists.notes
