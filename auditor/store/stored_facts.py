"""A finding's facts as the store holds them, parsed only when someone reads them.

A spec's inventory is tens of kilobytes of JSON, kept once as a shared blob
and cited by reference from every finding that has it. Reading a run back,
or reusing an unchanged spec's findings in the next run, need not parse it:
the scorer reads a few small facts, a table never shows it, and recording
the finding again writes the same reference back (``facts_text``). Whoever
shows the facts (``Finding.to_dict``) parses them then, as they would have
been parsed before. The same holds on the way in from a ``--workers`` process
(``with_json_facts``): large facts cross the pipe as their JSON text
(``JsonFacts``) and are stored as that text.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any

from auditor.model import AuditResult, SharedFacts
from auditor.store.codec import dumps, loads, unpack

BLOB_THRESHOLD = 512
"""Facts this large (a spec's analysis and examples, the same run after run) are stored once,
by hash; small ones (an HTTP observation, different every run) stay inline."""
BLOB_KEY = "$auditor.blob"
BASE_KEY = "$auditor.base"
"""Beside a blob reference: the base URL the blob's facts were stored without."""
_REFERENCE = '{"' + BLOB_KEY + '":"'
"""How ``facts_text`` writes a reference to a blob: ``{"$auditor.blob":"<sha256>"}``, with
``,"$auditor.base":"<url>"`` before the brace for facts kept without their base URL."""


def reference(data: Any) -> tuple[str, str | None] | None:
    """(sha256, base URL or None) when ``data`` (parsed stored JSON) refers to a blob."""
    if type(data) is not dict or type(data.get(BLOB_KEY)) is not str:
        return None
    if len(data) == 1:
        return data[BLOB_KEY], None
    base = data.get(BASE_KEY)
    if len(data) == 2 and type(base) is str:
        return data[BLOB_KEY], base
    return None


def text_reference(text: str) -> tuple[str, str | None] | None:
    """``reference`` of a ``facts`` column, without parsing the common plain reference."""
    if text.startswith(_REFERENCE) and text.endswith('"}') and len(text) == len(_REFERENCE) + 66:
        return text[len(_REFERENCE) : -2], None
    return reference(loads(text)) if text and BLOB_KEY in text else None


def blob_reference(text: str) -> str | None:
    """The blob (sha256) ``text`` refers to, or None for facts stored inline."""
    found = text_reference(text)
    return found[0] if found is not None else None


def untemplate(pieces: Any, base: str) -> dict[str, Any]:
    """Facts stored as the pieces of their JSON cut at ``base`` (``facts_text._template``),
    with ``base`` put back."""
    if type(pieces) is not list or not all(type(p) is str for p in pieces):
        return {}
    data = loads(dumps(base)[1:-1].join(pieces))
    return data if isinstance(data, dict) else {}


class LazyFacts(Mapping[str, Any]):
    """Facts kept as text and parsed on first access (``_parse``): read-only, equal to the
    dict they hold."""

    __slots__ = ("_data",)

    def __init__(self) -> None:
        self._data: dict[str, Any] | None = None

    def _parse(self) -> Any:
        raise NotImplementedError

    def _facts(self) -> dict[str, Any]:
        data = self._data
        if data is None:
            value = self._parse()
            data = self._data = value if isinstance(value, dict) else {}
        return data

    def __getitem__(self, key: str) -> Any:
        return self._facts()[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self._facts().get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self._facts()

    def __iter__(self) -> Iterator[str]:
        return iter(self._facts())

    def __len__(self) -> int:
        return len(self._facts())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Mapping):
            return NotImplemented
        if isinstance(other, LazyFacts):
            other = other._facts()
        return self._facts() == (other if type(other) is dict else dict(other))

    __hash__ = None  # type: ignore[assignment]  # like a dict

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._facts()!r})"


class JsonFacts(LazyFacts):
    """A finding's facts as their JSON text, not stored yet: how a worker process sends a
    large one (a spec's inventory, ~26 KB) to the parent, whose unpickling then reads one
    string instead of hundreds of small dicts, and which the store writes without
    serialising it again (``facts_text.facts_text``)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def _parse(self) -> Any:
        return loads(self.text)

    def __reduce__(self) -> tuple[Any, ...]:
        return (JsonFacts, (self.text,))


class StoredFacts(LazyFacts):
    """Facts read from a ``findings`` row, parsed on first access.

    ``text`` is the row's ``facts`` column; for a reference, ``packed`` is the
    blob's data (read with the row, so the facts read without the store, after
    it is closed) or ``b""`` when the store no longer holds it (then the facts
    are empty, as ``FactsReader`` reads them); ``base``, the base URL a templated
    blob was stored without.
    """

    __slots__ = ("base", "packed", "text")

    def __init__(self, text: str, packed: bytes | None = None, base: str | None = None) -> None:
        super().__init__()
        self.text = text
        self.packed = packed
        self.base = base

    @property
    def storable(self) -> bool:
        """``text`` can be written back as it is: inline, or a blob the store holds."""
        return self.packed is None or bool(self.packed)

    def _parse(self) -> Any:
        value = loads(unpack(self.packed)) if self.packed is not None else loads(self.text)
        return untemplate(value, self.base) if self.base is not None else value

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled (a worker's result on its way to the parent) as the stored text."""
        return (StoredFacts, (self.text, self.packed, self.base))


def with_json_facts(result: AuditResult) -> AuditResult:
    """``result`` with its large facts (``BLOB_THRESHOLD`` bytes of JSON and more: a spec's
    inventory, its request examples) as their JSON text (``JsonFacts``), as a worker process
    sends it to the parent that records it: a string pickles and unpickles far faster than
    the hundreds of small dicts it stands for, and ``facts_text`` stores it as it is.
    Serialised with the store's own ``dumps``, so the blobs are the ones a run in one
    process would write."""
    findings = list(result.findings)
    changed = False
    for i, finding in enumerate(findings):
        facts = finding.facts
        if type(facts) not in (dict, SharedFacts) or not facts:
            continue
        text = dumps(facts)
        if len(text) >= BLOB_THRESHOLD:
            findings[i] = replace(finding, facts=JsonFacts(text))
            changed = True
    return replace(result, findings=tuple(findings)) if changed else result
