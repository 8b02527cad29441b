"""A finding's facts as the store writes and reads them: inline JSON, or a reference to
a blob kept once by its sha256 (a spec's inventory, its request examples: the same run
after run, and for every entry citing the document).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import orjson

from auditor.model import SharedFacts
from auditor.store.codec import dumps, loads, pack, unpack
from auditor.store.db import Store
from auditor.store.packed_report import PackedReport
from auditor.store.stored_facts import (
    BASE_KEY,
    BLOB_KEY,
    BLOB_THRESHOLD,
    JsonFacts,
    StoredFacts,
    text_reference,
)
from auditor.store.stored_facts import reference as blob_reference
from auditor.store.stored_facts import untemplate as _untemplate

MIN_BASE = 8
"""Shorter base URLs are not taken out (a placeholder host, a bare scheme)."""


def _template(text: str, facts: Mapping[str, Any]) -> tuple[str, str] | None:
    """Facts that name the host they were made for (``spec.examples``: ``base_url`` and every
    curl command), as JSON without it: ``text`` (their JSON) cut at each occurrence of the
    base URL, as a JSON list of the pieces; and the base URL. The same spec served by many
    hosts, or at many paths of one, is then one blob, not one an entry. Joining the pieces
    with the base URL gives ``text`` back exactly, whatever the strings hold."""
    base = facts.get("base_url")
    if type(base) is not str:
        return None
    needle = dumps(base)[1:-1]  # as it appears inside the JSON strings
    if len(needle) < MIN_BASE or needle not in text:
        return None
    return dumps(text.split(needle)), base


class Held(set[str]):
    """What a recording run knows the store holds: blobs (sha256) it wrote or found, and
    notes of ``write_result`` (snapshots held whole, validators written).

    ``every_blob``: the store held no blob when the run began, so the blobs named here
    are all it holds (only one process writes a store: ``WriterLock``), and a blob not
    named is written without looking for it first (were it there, ``INSERT OR IGNORE``
    would keep it: only the packing would be lost).
    """

    def __init__(self, *, every_blob: bool = False) -> None:
        super().__init__()
        self.every_blob = every_blob

    def clear(self) -> None:
        """A rolled-back write: forget everything noted, the blobs of earlier commits too,
        so look for each again."""
        super().clear()
        self.every_blob = False


def _blob(store: Store, text: str, held: set[str] | None) -> str:
    """Keep ``text`` as a blob (once: by its sha256); its digest."""
    data = text.encode("utf-8")
    digest = hashlib.sha256(data).hexdigest()
    if held is None or digest not in held:
        # Nightly runs see the same inventories again: look before compressing (~0.5 ms a blob).
        absent = isinstance(held, Held) and held.every_blob
        if (
            absent
            or not store.db.execute("SELECT 1 FROM blobs WHERE sha256 = ?", (digest,)).fetchone()
        ):
            store.db.execute(
                "INSERT OR IGNORE INTO blobs (sha256, data) VALUES (?, ?)", (digest, pack(data))
            )
        if held is not None:
            held.add(digest)
    return digest


def facts_text(
    store: Store,
    facts: Mapping[str, Any],
    threshold: int = BLOB_THRESHOLD,
    held: set[str] | None = None,
    packed: PackedReport | None = None,
) -> str:
    """``facts`` as JSON, or a reference to a blob holding it when it is large.

    Facts made for one host (request examples) are kept as a blob without its base
    URL, which stays in the reference: ``{"$auditor.blob": sha, "$auditor.base": url}``.

    ``held``: blobs (sha256) a recording run knows the store holds, so the same
    inventory cited by many entries is looked up once (``write_result`` notes there
    too the snapshots held whole and the validators written); whoever passes it must
    forget it when a write is rolled back.

    Facts read from the store and not changed since (``StoredFacts``: an unchanged
    spec's findings reused) are written back as they were stored, unparsed; facts
    a worker sent as JSON (``JsonFacts``) are stored as that JSON; facts many entries
    share (``SharedFacts``) are serialised once a run, then cited as stored while the
    blob they name is in ``held``.

    ``packed``: the entry's analysis as its snapshot is written; facts listing its very
    ``fields`` rows (``spec.inventory``) are written with the rows' JSON made there.
    """
    if isinstance(facts, StoredFacts) and facts.storable and threshold == BLOB_THRESHOLD:
        return facts.text
    if type(facts) is SharedFacts and held is not None and threshold == BLOB_THRESHOLD:
        stored = facts.stored
        if stored is None or not _still_held(stored, held):
            stored = facts.stored = _facts_text(store, facts, threshold, held, packed)
        return stored
    return _facts_text(store, facts, threshold, held, packed)


def _still_held(text: str, held: set[str]) -> bool:
    """``text`` (what shared facts were stored as) can be written again: inline facts, or a
    blob this run wrote or found (a rolled-back write forgets what it noted in ``held``)."""
    found = text_reference(text)
    return found is None or found[0] in held


def _facts_text(
    store: Store,
    facts: Mapping[str, Any],
    threshold: int,
    held: set[str] | None,
    packed: PackedReport | None = None,
) -> str:
    if isinstance(facts, JsonFacts):  # serialised where they were made (a worker): not again
        text = facts.text
    else:
        rows = packed.rows_of(facts.get("fields")) if packed is not None else None
        plain = facts if type(facts) in (dict, SharedFacts) else dict(facts)
        # the same text either way: orjson writes a fragment as it is, in the key's place
        text = dumps(plain if rows is None else {**plain, "fields": orjson.Fragment(rows)})
    if len(text) < threshold:
        return text
    templated = _template(text, facts) if '"base_url"' in text else None
    if templated is not None:
        pieces, base = templated
        digest = _blob(store, pieces, held)
        return '{"' + BLOB_KEY + '":"' + digest + '","' + BASE_KEY + '":' + dumps(base) + "}"
    return '{"' + BLOB_KEY + '":"' + _blob(store, text, held) + '"}'


class FactsReader:
    """Reads stored facts back, resolving shared blobs once per read."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._blobs: dict[str, Any] = {}
        self._packed: dict[str, bytes] = {}
        self._stored: dict[str, StoredFacts] = {}

    def stored(self, text: str) -> StoredFacts:
        """The facts, parsed when first read (``StoredFacts``); a blob's data is read now,
        packed, so they still read once the store is closed. Findings citing one blob
        (with one base URL) share one (read-only) copy: it is parsed once, however many
        read it."""
        found = text_reference(text)
        if found is None:
            return StoredFacts(text)
        facts = self._stored.get(text)
        if facts is None:
            digest, base = found
            packed = self._packed.get(digest)
            if packed is None:
                packed = self._packed[digest] = self._blob(digest) or b""
            facts = self._stored[text] = StoredFacts(text, packed, base)
        return facts

    def _blob(self, digest: str) -> bytes | None:
        """Blob ``digest``'s packed data, None when the store no longer holds it."""
        row = self._store.db.execute(
            "SELECT data FROM blobs WHERE sha256 = ?", (digest,)
        ).fetchone()
        return bytes(row[0]) if row is not None else None

    def __call__(self, text: str) -> dict[str, Any]:
        data = loads(text) or {}
        found_reference = blob_reference(data)
        if found_reference is not None:
            digest, base = found_reference
            if digest not in self._blobs:
                packed = self._blob(digest)
                self._blobs[digest] = (loads(unpack(packed)) or {}) if packed is not None else {}
            found = self._blobs[digest]
            if base is not None:
                return _untemplate(found, base)
            return dict(found) if isinstance(found, dict) else {}
        return data if isinstance(data, dict) else {}
