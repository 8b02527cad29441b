"""Entry ids as file names: safe on every file system, unique within a site.

Ids come from catalogs and may hold slashes, ``..``, reserved device names
or differ only by case. A name is a lower-case slug of the id; when the slug
loses information (it differs from the id) or is reserved, a short hash of
the id is appended, so two entries never write the same
file and no id can step outside the output folder.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable

MAX_STEM = 80
_UNSAFE = re.compile(r"[^a-z0-9._-]+")
_RESERVED = frozenset(
    {"con", "prn", "aux", "nul", "index", "methodology"}
    | {f"com{i}" for i in range(10)}
    | {f"lpt{i}" for i in range(10)}
)


def slug(entry_id: str) -> str:
    """The readable part of a file name: lower-case ``[a-z0-9._-]``, no leading dot."""
    text = _UNSAFE.sub("-", entry_id.lower())
    text = re.sub(r"-{2,}", "-", text).strip(".-_")
    return text[:MAX_STEM].rstrip(".-_") or "entry"


def _digest(entry_id: str, length: int) -> str:
    return hashlib.sha256(entry_id.encode("utf-8", "surrogatepass")).hexdigest()[:length]


def file_names(entry_ids: Iterable[str]) -> dict[str, str]:
    """Map each distinct id to a distinct file stem (without extension)."""
    ids = list(dict.fromkeys(entry_ids))
    slugs = {entry_id: slug(entry_id) for entry_id in ids}
    names: dict[str, str] = {}
    for entry_id, stem in slugs.items():
        plain = stem == entry_id and stem.split(".")[0] not in _RESERVED
        names[entry_id] = stem if plain else f"{stem}-{_digest(entry_id, 10)}"
    # A hashed name could, in theory, equal another id's plain slug: lengthen it.
    length = 10
    while len(set(names.values())) < len(names):
        length += 6
        counts = Counter(names.values())
        for entry_id, name in names.items():
            if counts[name] > 1:
                names[entry_id] = f"{slugs[entry_id]}-{_digest(entry_id, length)}"
    return names
