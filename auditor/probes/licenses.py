"""Licence names people write, normalised to SPDX ids and classed open/restrictive.

A first table of the licences public catalogs use (including the French
ones SPDX spells differently: Licence Ouverte / Etalab 2.0, data.gouv.fr ids
such as ``lov2`` and ``fr-lo``).
"""

from __future__ import annotations

import re

OPEN = "open"
RESTRICTIVE = "restrictive"

# normalised alias -> (SPDX id or well-known id, class)
_TABLE: dict[str, tuple[str, str]] = {
    "mit": ("MIT", OPEN),
    "apache-2.0": ("Apache-2.0", OPEN),
    "apache 2.0": ("Apache-2.0", OPEN),
    "apache license 2.0": ("Apache-2.0", OPEN),
    "apache license, version 2.0": ("Apache-2.0", OPEN),
    "bsd-2-clause": ("BSD-2-Clause", OPEN),
    "bsd-3-clause": ("BSD-3-Clause", OPEN),
    "isc": ("ISC", OPEN),
    "mpl-2.0": ("MPL-2.0", OPEN),
    "gpl-3.0": ("GPL-3.0-only", OPEN),
    "agpl-3.0": ("AGPL-3.0-only", OPEN),
    "lgpl-3.0": ("LGPL-3.0-only", OPEN),
    "cc0-1.0": ("CC0-1.0", OPEN),
    "cc0": ("CC0-1.0", OPEN),
    "cc-by-4.0": ("CC-BY-4.0", OPEN),
    "cc by 4.0": ("CC-BY-4.0", OPEN),
    "cc-by": ("CC-BY-4.0", OPEN),
    "cc-by-sa-4.0": ("CC-BY-SA-4.0", OPEN),
    "cc-by-sa": ("CC-BY-SA-4.0", OPEN),
    "odc-odbl": ("ODbL-1.0", OPEN),
    "odbl": ("ODbL-1.0", OPEN),
    "odbl-1.0": ("ODbL-1.0", OPEN),
    "odc-by": ("ODC-By-1.0", OPEN),
    "odc-pddl": ("PDDL-1.0", OPEN),
    "etalab-2.0": ("etalab-2.0", OPEN),
    "lov2": ("etalab-2.0", OPEN),
    "licence ouverte / open licence version 2.0": ("etalab-2.0", OPEN),
    "licence ouverte v2.0": ("etalab-2.0", OPEN),
    "licence ouverte 2.0": ("etalab-2.0", OPEN),
    "open licence 2.0": ("etalab-2.0", OPEN),
    "fr-lo": ("etalab-1.0", OPEN),
    "licence ouverte": ("etalab-1.0", OPEN),
    "ogl-uk-3.0": ("OGL-UK-3.0", OPEN),
    "open government licence v3.0": ("OGL-UK-3.0", OPEN),
    "cc-by-nc-4.0": ("CC-BY-NC-4.0", RESTRICTIVE),
    "cc-by-nc": ("CC-BY-NC-4.0", RESTRICTIVE),
    "cc-by-nd-4.0": ("CC-BY-ND-4.0", RESTRICTIVE),
    "cc-by-nc-sa-4.0": ("CC-BY-NC-SA-4.0", RESTRICTIVE),
    "cc-by-nc-nd-4.0": ("CC-BY-NC-ND-4.0", RESTRICTIVE),
    "proprietary": ("LicenseRef-proprietary", RESTRICTIVE),
    "all rights reserved": ("LicenseRef-proprietary", RESTRICTIVE),
}
NOT_STATED = frozenset({"", "notspecified", "not specified", "none", "unknown", "other-at"})


def _key(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower())


def normalise(text: str) -> tuple[str, str] | None:
    """(id, class) for a known licence name or id, else None."""
    return _TABLE.get(_key(text))


def is_stated(text: str | None) -> bool:
    return text is not None and _key(text) not in NOT_STATED
