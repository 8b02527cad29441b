"""Licence statements normalised to SPDX ids and classed open or restrictive.

SPDX ids and expressions are read with ``license-expression`` and its bundled
SPDX/ScanCode licence index, whose category (Permissive, Copyleft, Public
Domain… or Proprietary Free, Commercial, Source-available…) gives the class.
On top of it, a table of what catalogs write that SPDX spells differently
(data.gouv.fr ids such as ``lov2``, ``fr-lo``, ``odc-odbl``; "Licence Ouverte
/ Etalab 2.0"; "Apache License, Version 2.0") and of licence URLs
(creativecommons.org, opendatacommons.org, etalab.gouv.fr…).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any
from urllib.parse import urlsplit

from license_expression import ExpressionError, Licensing, get_license_index, get_spdx_licensing

OPEN = "open"
RESTRICTIVE = "restrictive"
UNRECOGNISED = "unrecognised"

_OPEN_CATEGORIES = frozenset({"Permissive", "Copyleft", "Copyleft Limited", "Public Domain"})
_RESTRICTIVE_CATEGORIES = frozenset(
    {
        "Proprietary Free",
        "Commercial",
        "Free Restricted",
        "Source-available",
        "Patent License",
        "CLA",
    }
)

# What people and catalogs write -> SPDX id (or LicenseRef- when SPDX has none).
_ALIASES: dict[str, str] = {
    # data.gouv.fr licence ids (udata)
    "lov2": "etalab-2.0",
    "fr-lo": "LicenseRef-etalab-1.0",
    "odc-odbl": "ODbL-1.0",
    "odc-by": "ODC-By-1.0",
    "odc-pddl": "PDDL-1.0",
    "cc-by": "CC-BY-4.0",
    "cc-by-sa": "CC-BY-SA-4.0",
    "cc-zero": "CC0-1.0",
    "other-closed": "LicenseRef-datagouv-other-closed",
    # French public-sector names
    "etalab 2.0": "etalab-2.0",
    "etalab": "etalab-2.0",
    "licence ouverte": "LicenseRef-etalab-1.0",
    "licence ouverte 1.0": "LicenseRef-etalab-1.0",
    "licence ouverte v1.0": "LicenseRef-etalab-1.0",
    "licence ouverte 2.0": "etalab-2.0",
    "licence ouverte v2.0": "etalab-2.0",
    "licence ouverte version 2.0": "etalab-2.0",
    "licence ouverte / open licence": "LicenseRef-etalab-1.0",
    "licence ouverte / open licence version 2.0": "etalab-2.0",
    "licence ouverte / open licence 2.0": "etalab-2.0",
    "licence ouverte / etalab 2.0": "etalab-2.0",
    "licence ouverte etalab 2.0": "etalab-2.0",
    "licence ouverte / etalab": "etalab-2.0",
    "open licence 2.0": "etalab-2.0",
    "open licence version 2.0": "etalab-2.0",
    # common names
    "odbl": "ODbL-1.0",
    "open database license": "ODbL-1.0",
    "open database license (odbl)": "ODbL-1.0",
    "open database license (odbl) v1.0": "ODbL-1.0",
    "cc0": "CC0-1.0",
    "cc by": "CC-BY-4.0",
    "cc by-sa": "CC-BY-SA-4.0",
    "cc-by-nc": "CC-BY-NC-4.0",
    "creative commons attribution 4.0 international": "CC-BY-4.0",
    "creative commons attribution 4.0": "CC-BY-4.0",
    "creative commons attribution-sharealike 4.0 international": "CC-BY-SA-4.0",
    "creative commons attribution-noncommercial 4.0 international": "CC-BY-NC-4.0",
    "apache 2": "Apache-2.0",
    "apache 2.0": "Apache-2.0",
    "apache license 2.0": "Apache-2.0",
    "apache license, version 2.0": "Apache-2.0",
    "apache license version 2.0": "Apache-2.0",
    "apache-2": "Apache-2.0",
    "mit license": "MIT",
    "the mit license": "MIT",
    "bsd": "BSD-3-Clause",
    "gplv3": "GPL-3.0-only",
    "gpl-3.0": "GPL-3.0-only",
    "agpl-3.0": "AGPL-3.0-only",
    "lgpl-3.0": "LGPL-3.0-only",
    "open government licence v3.0": "OGL-UK-3.0",
    "open government licence": "OGL-UK-3.0",
    "ogl": "OGL-UK-3.0",
    "proprietary": "LicenseRef-proprietary",
    "all rights reserved": "LicenseRef-proprietary",
}
# LicenseRef ids auditor names itself, with their class.
_OWN_REFS: dict[str, tuple[str, str]] = {
    ref.lower(): (ref, cls)
    for ref, cls in (
        ("LicenseRef-etalab-1.0", OPEN),
        ("LicenseRef-datagouv-other-closed", RESTRICTIVE),
        ("LicenseRef-proprietary", RESTRICTIVE),
    )
}
# Licence URLs -> SPDX id; {0} etc. are filled from the match groups.
_URLS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), target)
    for pattern, target in (
        (r"^creativecommons\.org/publicdomain/zero/1\.0", "CC0-1.0"),
        (r"^creativecommons\.org/licenses/(by(?:-nc)?(?:-sa|-nd)?)/(\d\.\d)", "CC-{0}-{1}"),
        (r"^opendatacommons\.org/licenses/odbl", "ODbL-1.0"),
        (r"^opendatacommons\.org/licenses/by", "ODC-By-1.0"),
        (r"^opendatacommons\.org/licenses/pddl", "PDDL-1.0"),
        (
            r"^(?:www\.)?etalab\.gouv\.fr/(?:wp-content/uploads/2017/04/.*etalab.*|licence-ouverte-open-licence)",
            "etalab-2.0",
        ),
        (r"^(?:www\.)?etalab\.gouv\.fr/.*licence-ouverte.*v?1", "LicenseRef-etalab-1.0"),
        (
            r"^(?:www\.)?nationalarchives\.gov\.uk/doc/open-government-licence/version/(\d)",
            "OGL-UK-{0}.0",
        ),
        (r"^(?:www\.)?apache\.org/licenses/license-2\.0", "Apache-2.0"),
        (r"^opensource\.org/licenses?/([a-z0-9.+-]+?)(?:\.php|\.html)?/?$", "{0}"),
        (r"^spdx\.org/licenses/([a-z0-9.+-]+?)(?:\.html|\.json)?/?$", "{0}"),
        (r"^(?:www\.)?gnu\.org/licenses/(a?gpl|lgpl)-3\.0", "{0}-3.0-only"),
    )
)
NOT_STATED = frozenset(
    {"", "notspecified", "not specified", "none", "unknown", "n/a", "non specifiee", "other"}
)


@dataclass(frozen=True, slots=True)
class Normalised:
    """What a statement names: an SPDX id or expression (None when unrecognised) and its class."""

    id: str | None
    cls: str


def _key(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"\s+", " ", plain.strip().lower())


@cache
def _licensing() -> Licensing:
    return get_spdx_licensing()


@cache
def _categories() -> dict[str, str]:
    """SPDX key (lower case) -> ScanCode category, from the bundled index."""
    found: dict[str, str] = {}
    for item in get_license_index():
        category = item.get("category")
        keys = [item.get("spdx_license_key"), *(item.get("other_spdx_license_keys") or [])]
        for key in keys:
            if key and category:
                found.setdefault(str(key).lower(), str(category))
    return found


def _class_of_key(key: str) -> str:
    own = _OWN_REFS.get(key.lower())
    if own:
        return own[1]
    category = _categories().get(key.lower())
    if category in _OPEN_CATEGORIES:
        return OPEN
    if category in _RESTRICTIVE_CATEGORIES:
        return RESTRICTIVE
    return UNRECOGNISED


def spdx(text: str) -> Normalised | None:
    """An SPDX id or expression, validated against the bundled list, with its class."""
    own = _OWN_REFS.get(text.lower())
    if own:
        return Normalised(*own)
    try:
        checked = _licensing().validate(text)
    except (ExpressionError, AttributeError):
        # license-expression's validate() itself raises AttributeError on a name with a
        # character keys may not hold ("Queen's Printer License"): not an SPDX expression.
        return None
    if checked.errors or not checked.normalized_expression:
        return None
    expression: Any = _licensing().parse(checked.normalized_expression)
    keys = [s.key for s in _licensing().license_symbols(expression, decompose=True)]
    classes = [_class_of_key(k) for k in keys]
    either = getattr(expression, "operator", "").strip() == "OR"
    if (either and OPEN in classes) or all(c == OPEN for c in classes):
        cls = OPEN
    elif UNRECOGNISED in classes and not either:
        cls = UNRECOGNISED
    else:
        cls = RESTRICTIVE
    return Normalised(checked.normalized_expression, cls)


def from_url(url: str) -> Normalised | None:
    try:
        parts = urlsplit(url.strip().lower())
    except ValueError:
        return None
    if not parts.hostname:
        return None
    where = parts.hostname.removeprefix("www.") + parts.path
    for pattern, target in _URLS:
        found = pattern.search(where)
        if found:
            return spdx(target.format(*(g.upper() for g in found.groups())))
    return None


@lru_cache(maxsize=1024)
def normalise(text: str) -> Normalised | None:
    """What ``text`` (an id, a name, an expression or a URL) names, or None if unrecognised."""
    key = _key(text)
    if key in _ALIASES:
        return spdx(_ALIASES[key])
    if key.startswith(("http://", "https://")):
        return from_url(key)
    direct = spdx(text.strip())
    if direct is not None:
        return direct
    words = re.sub(r"\b(the|licen[cs]e|version|v(?=\d))\b|[,()]", " ", key).split()
    for candidate in (" ".join(words), "-".join(words)):
        if candidate in _ALIASES:
            return spdx(_ALIASES[candidate])
        found = spdx(candidate) if candidate else None
        if found is not None:
            return found
    return None


def is_stated(text: str | None) -> bool:
    return text is not None and _key(text) not in NOT_STATED


def load() -> None:
    """Read the bundled licence index now (~0.5 s, once per process); call it off the event loop."""
    _licensing()
    _categories()


def loaded() -> bool:
    """The index is read already: ``load`` would return at once, no thread needed for it."""
    return _licensing.cache_info().currsize > 0 and _categories.cache_info().currsize > 0
