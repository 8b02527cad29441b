"""api.gouv.fr: a checkout of its repository, one Markdown file per API.

Each ``_data/api/<slug>.md`` starts with YAML front matter; the producer named
there has its own file in ``_data/producteurs/``. The slug is the file name
(the site publishes the entry at https://api.gouv.fr/les-api/<slug>). Keys the
site does not know, such as the real ``extrenal_site`` typo, are reported with
the key they were probably meant to be, and are not used. The mapping table is
in docs/catalogs.md.

A checkout is untrusted input: nothing outside its ``_data`` folder is read,
whether a ``producer`` names ``../../x`` or a file is a symlink pointing away
(paths are resolved, symlinks included, before the containment check).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import AsyncGenerator, Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin

from auditor.catalog.base import (
    CatalogProblem,
    SourceRecord,
    SourceType,
    slugify,
    tag_list,
    text_value,
)
from auditor.context import AuditSettings
from auditor.errors import CatalogError
from auditor.model import Entry
from auditor.net.guard import url_problem
from auditor.spec.parse import parse_document

CATALOG_ID = "api_gouv_fr"
SITE = "https://api.gouv.fr"
MAX_FILE_BYTES = 1024 * 1024
ACCESS_TYPES = {1: "open", 0: "open_with_account", -1: "restricted"}
KNOWN_KEYS = frozenset(
    {
        # read by auditor (see the mapping table)
        "title", "tagline", "producer", "contact_link", "doc_tech_link", "doc_tech_external",
        "external_site", "is_open", "keywords", "themes", "datagouv_uuid", "uptime",
        "rate_limiting_resume",
        # known to api.gouv.fr, kept in raw
        "partners", "account_link", "rate_limiting_description", "rate_limiting_link",
        "monitoring_link", "monitoring_description", "stats_detail_resume",
        "stats_detail_description", "stats_detail_link", "last_update", "content_intro",
        "access_page", "datapass_link", "visits_2019", "category", "stat",
        "is_france_connected", "useSwaggerProxy", "clients", "hide_pre_footer", "layout",
        "additional_css", "access_link", "access_description", "access_condition", "logo",
    }
)  # fmt: skip
_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)^---[ \t]*\r?$", re.S | re.M)
_EMAIL = re.compile(r"(mailto:)?[^@\s,]+@[^@\s,]+\.[^@\s,]+")


def find_checkout(path: Path) -> tuple[Path, Path]:
    """(api folder, producers folder) for a checkout root, its ``_data`` or ``_data/api``."""
    candidates = [(path / "_data" / "api", path / "_data" / "producteurs")]
    candidates.append((path / "api", path / "producteurs"))
    if path.name == "api":
        candidates.append((path, path.parent / "producteurs"))
    for api, producers in candidates:
        if api.is_dir():
            return api, producers
    raise CatalogError(f"{path}: not an api.gouv.fr checkout (no _data/api folder)")


def front_matter(path: Path) -> dict[str, Any]:
    """The YAML front matter of a Markdown file; raises ValueError saying why not."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ValueError(f"{size:,} bytes, over the {MAX_FILE_BYTES:,}-byte cap")
    data = path.read_bytes()
    match = _FRONT_MATTER.match(data.decode("utf-8", "replace"))
    if match is None:
        raise ValueError("no YAML front matter (--- ... ---) at the top")
    document = parse_document(match.group(1).encode(), max_nodes=100_000)
    if not isinstance(document, dict):
        raise ValueError("front matter is not a mapping")
    return document


def _contact(value: str | None) -> tuple[str | None, str | None]:
    """The contact and, when it is neither e-mail addresses (comma-separated) nor a URL, why."""
    if value is None:
        return None, None
    if all(_EMAIL.fullmatch(part.strip()) for part in value.split(",")):
        return value, None
    if value.startswith(("http://", "https://")) and url_problem(value) is None:
        return value, None
    return value, "neither an e-mail address nor an http(s) URL"


class ApiGouvSource:
    """All ``_data/api/*.md`` entries of an api.gouv.fr checkout, in file-name order."""

    def __init__(self, path: Path, settings: AuditSettings, *, trusted: bool = True) -> None:
        self.label = str(path)
        self._api_dir, self._producers_dir = find_checkout(path)
        self._tree = self._api_dir.parent.resolve()
        self._trusted = trusted
        self._producers: dict[str, dict[str, Any] | None] = {}

    def inside(self, path: Path) -> bool:
        """Whether ``path``, symlinks resolved, stays in the checkout's ``_data`` folder."""
        try:
            return path.resolve().is_relative_to(self._tree)
        except (OSError, RuntimeError):  # a symlink loop
            return False

    def producer_path(self, slug: str) -> Path | None:
        """The producer file a slug names, or None when it would leave the checkout."""
        path = self._producers_dir / f"{slug}.md"
        return path if self.inside(path) else None

    def producer(self, slug: str) -> dict[str, Any] | None:
        if slug not in self._producers:
            path = self.producer_path(slug)
            try:
                readable = path is not None and path.is_file()
                self._producers[slug] = front_matter(path) if path and readable else None
            except (OSError, ValueError):
                self._producers[slug] = None
        return self._producers[slug]

    async def records(self) -> AsyncGenerator[SourceRecord, None]:
        if not self._trusted:
            note = CatalogProblem(
                self.label,
                "read as an api.gouv.fr checkout (detected); its entries count as api.gouv.fr "
                "listings only when you select it with apigouv:PATH or --source-type apigouv",
            )
            yield SourceRecord(None, (note,))
        for record in self._iter():
            yield record

    def _iter(self) -> Iterator[SourceRecord]:
        for index, path in enumerate(sorted(self._api_dir.glob("*.md"))):
            origin = str(path)
            if not self.inside(path):
                problem = CatalogProblem(
                    origin, "skipped: a link to a file outside the checkout; not read", path.stem
                )
                yield SourceRecord(None, (problem,))
                continue
            try:
                record = front_matter(path)
            except (OSError, ValueError) as exc:  # DocumentError is a ValueError
                problem = CatalogProblem(origin, f"skipped: {exc}", f"#{index + 1}")
                yield SourceRecord(None, (problem,))
                continue
            entry, problems = self.entry_from_front_matter(record, path.stem, origin)
            yield SourceRecord(entry, tuple(problems))

    def entry_from_front_matter(
        self, record: dict[str, Any], slug: str, origin: str
    ) -> tuple[Entry, list[CatalogProblem]]:
        entry_id = slugify(slug)
        problems: list[CatalogProblem] = []

        def problem(field: str, message: str) -> None:
            problems.append(CatalogProblem(origin, message, entry_id, field))

        for key in record:
            if key not in KNOWN_KEYS:
                close = difflib.get_close_matches(str(key), KNOWN_KEYS, n=1, cutoff=0.8)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                problem(str(key), f"unknown key{hint}; kept in raw but not used")
        title = text_value(record.get("title"))
        if title is None:
            problem("title", "missing; using the file name")
        producer_slug = text_value(record.get("producer"))
        organization = None
        if producer_slug is None:
            problem("producer", "missing; organisation unknown")
        elif self.producer_path(producer_slug) is None:
            problem(
                "producer",
                f"{producer_slug!r} names a file outside the checkout; not read, "
                "organisation unknown",
            )
        else:
            producer = self.producer(producer_slug)
            organization = text_value(producer.get("name")) if producer else None
            if organization is None:
                problem(
                    "producer",
                    f"{producer_slug!r} has no named producer file in _data/producteurs; "
                    "using the identifier as organisation",
                )
                organization = producer_slug
        spec_url = self._link(record, "doc_tech_link", problem, relative_ok=True)
        docs_url = self._link(record, "doc_tech_external", problem)
        homepage = self._link(record, "external_site", problem)
        contact, contact_problem = _contact(text_value(record.get("contact_link")))
        if contact is None:
            problem("contact_link", "missing")
        elif contact_problem:
            problem("contact_link", contact_problem)
        tags: dict[str, None] = {}
        for key in ("keywords", "themes"):
            found = tag_list(record.get(key)) if record.get(key) is not None else ()
            if found is None:
                problem(key, "is not a list; ignored")
            for tag in found or ():
                tags.setdefault(tag, None)
        is_open = record.get("is_open")
        access = ACCESS_TYPES.get(is_open) if isinstance(is_open, int) else None
        if access is None:
            problem("is_open", f"is {is_open!r}, expected 1, 0 or -1; access type unknown")
        raw = {k: v for k, v in record.items() if k != "uptime"}
        raw.update(
            slug=slug,
            producer_site=text_value((self.producer(producer_slug) or {}).get("site"))
            if producer_slug
            else None,
            producer_type=text_value((self.producer(producer_slug) or {}).get("type"))
            if producer_slug
            else None,
            access_type=access,
            declared_availability=record.get("uptime"),
            rate_limiting=text_value(record.get("rate_limiting_resume")),
        )
        if not self._trusted:
            raw["catalog_claim"] = CATALOG_ID
        entry = Entry(
            id=entry_id,
            title=title or slug,
            description=text_value(record.get("tagline")),
            organization=organization,
            base_url=None,
            spec_url=spec_url,
            docs_url=docs_url,
            homepage_url=homepage,
            contact=contact,
            license=None,
            tags=tuple(tags),
            catalog=CATALOG_ID if self._trusted else "file",
            catalog_url=f"{SITE}/les-api/{quote(slug)}",
            origin=origin,
            raw=raw,
        )
        return entry, problems

    @staticmethod
    def _link(
        record: dict[str, Any],
        key: str,
        problem: Callable[[str, str], None],
        *,
        relative_ok: bool = False,
    ) -> str | None:
        value = record.get(key)
        text = text_value(value)
        if text is None:
            if value is not None and not isinstance(value, str):
                problem(key, f"is a {type(value).__name__}, not a URL; ignored")
            return None
        if relative_ok and text.startswith("/") and not text.startswith("//"):
            return urljoin(SITE + "/", text)
        return text  # kept as stated; an unusable URL is reported downstream


APIGOUV = SourceType(
    "apigouv",
    "folder",
    lambda material: ApiGouvSource(material.path, material.settings, trusted=material.trusted),
    detect=lambda material: (material.path / "_data" / "api").is_dir(),
    prefix="apigouv:",
)
"""``apigouv:PATH``, or a folder with ``_data/api`` (then it cannot claim the listing)."""
