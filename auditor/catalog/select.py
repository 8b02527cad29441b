"""Which reader a SOURCE argument gets: by URI prefix, by ``--source-type``, or detected.

The readers and their prefixes, forms and detectors are declared in
``auditor/catalog/registry.py``; this module only applies them. A prefix
(``datagouv:``, ``apigouv:``, ``apisguru:``) or ``--source-type`` *chooses* a type,
and only a choice lets api.gouv.fr and data.gouv.fr entries claim their portal's
listing (``Material.trusted``). Anything else is a file, folder or URL whose type is
detected: the first registered type of the right form whose ``detect`` says yes.
A SOURCE that is not a path and starts with a word close to a known prefix
(``apigov:x``) is refused with the prefix it probably meant.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from auditor.catalog.base import CatalogSource, SourceType
from auditor.catalog.datagouv_api import DEFAULT_SITE
from auditor.catalog.material import Material, is_url
from auditor.catalog.registry import REGISTRY, SOURCE_TYPES, prefixes
from auditor.catalog.spec_source import SingleSpecSource
from auditor.context import AuditSettings
from auditor.errors import CatalogError
from auditor.net.fetcher import Fetcher

__all__ = ["SOURCE_TYPES", "Material", "SingleSpecSource", "SourceOptions", "open_source"]

_WORD_PREFIX = re.compile(r"([A-Za-z][A-Za-z0-9_-]+):")
"""What a mistyped prefix looks like; one letter is a Windows drive (``C:``)."""


@dataclass(frozen=True, slots=True)
class SourceOptions:
    """How SOURCE arguments are read and filtered (``auditor audit``/``catalog`` flags)."""

    source_type: str = "auto"
    organization: str | None = None
    tag: str | None = None
    q: str | None = None
    datagouv_site: str = DEFAULT_SITE
    page_size: int = 100

    def __post_init__(self) -> None:
        if self.source_type not in SOURCE_TYPES:
            raise CatalogError(
                f"unknown source type {self.source_type!r}; expected one of {', '.join(SOURCE_TYPES)}"
            )


def split_prefix(source: str, registry: Sequence[SourceType] = REGISTRY) -> tuple[str | None, str]:
    """(the type a registered prefix names, or None; the rest)."""
    head, sep, rest = source.partition(":")
    name = prefixes(registry).get(f"{head.lower()}:") if sep else None
    return (name, rest) if name else (None, source)


def prefix_problem(source: str, registry: Sequence[SourceType] = REGISTRY) -> str | None:
    """Why ``source`` (not a path, URL or registered prefix) looks like a mistyped prefix."""
    found = _WORD_PREFIX.match(source)
    if found is None or is_url(source) or Path(source).exists():
        return None
    typed = found.group(1).lower() + ":"
    close = difflib.get_close_matches(typed, prefixes(registry), n=1, cutoff=0.7)
    if close:
        return (
            f"not a file, folder or URL, and {typed!r} is not a source prefix; "
            f"did you mean {close[0]!r}?"
        )
    return None


async def _fetch(url: str, settings: AuditSettings) -> bytes:
    async with Fetcher(settings) as fetcher:
        observation = await fetcher.fetch(url, max_bytes=settings.limits.max_spec_bytes)
    if observation.body is None or observation.status is None or observation.status >= 400:
        raise CatalogError(f"{url}: cannot fetch source: {observation.describe()}")
    return observation.body


async def _read(location: str, settings: AuditSettings) -> bytes:
    if is_url(location):
        return await _fetch(location, settings)
    path = Path(location)
    try:
        size = path.stat().st_size
        if size > settings.limits.max_spec_bytes:
            raise CatalogError(
                f"{location}: {size:,} bytes, over the {settings.limits.max_spec_bytes:,}-byte cap"
            )
        return path.read_bytes()
    except OSError as exc:
        raise CatalogError(f"{location}: cannot read: {exc.strerror or exc}") from exc


def _pick(types: list[SourceType], material: Material) -> tuple[SourceType, CatalogSource]:
    """The chosen type, or the first whose detector recognises the material."""
    for source_type in types:
        if material.trusted or (source_type.detect is not None and source_type.detect(material)):
            return source_type, source_type.read(material)
    raise CatalogError(f"{material.location}: not a catalog auditor can read")


async def choose_source(
    source: str,
    settings: AuditSettings,
    options: SourceOptions | None = None,
    registry: Sequence[SourceType] = REGISTRY,
) -> tuple[SourceType, CatalogSource]:
    """The registered type and the reader for one SOURCE argument; raises CatalogError
    when it cannot be read."""
    options = options or SourceOptions()
    chosen, location = split_prefix(source, registry)
    name = chosen or options.source_type
    trusted = name != "auto"
    if trusted:
        types = [t for t in registry if t.name == name]
    else:
        types = [t for t in registry if t.detect is not None]
    material = Material(location, settings, options, trusted=trusted)
    if trusted and (location == "" or is_url(location)):
        remote = [t for t in types if t.form == "remote"]
        if remote:
            return remote[0], remote[0].read(material)
    if not location:
        raise CatalogError(f"{source}: no path or URL after the prefix")
    if chosen is None:
        typo = prefix_problem(source, registry)
        if typo is not None:
            raise CatalogError(f"{source}: {typo}")
    if not is_url(location) and material.path.is_dir():
        folders = [t for t in types if t.form == "folder"]
        if not folders:
            raise CatalogError(f"{location}: is a folder; a {name} source is a file")
        return _pick(folders, material)
    files = [t for t in types if t.form == "file"]
    if not files:
        raise CatalogError(f"{location}: a {name} source must be a folder")
    data = await _read(location, settings)
    return _pick(files, Material(location, settings, options, trusted=trusted, data=data))


async def open_source(
    source: str, settings: AuditSettings, options: SourceOptions | None = None
) -> CatalogSource:
    """The reader for one SOURCE argument; raises CatalogError when it cannot be read."""
    return (await choose_source(source, settings, options))[1]
