"""Splitting a catalog by host: ``--shard K/N`` for CI matrices, balanced parts for Dask.

Every entry of one host goes to the same shard, so the per-host politeness
limit still holds when shards run on different machines at the same time
(two machines each keeping 4 requests in flight at one host would be 8).
The host is the registrable domain (``api.data.gouv.fr`` and
``www.data.gouv.fr`` are both ``data.gouv.fr``: one operator, one shard).

The shard of an entry is a SHA-256 of that key, not Python's ``hash()``
(salted per process), so every job of a matrix, on any machine, computes
the same split without talking to the others, and an entry stays in its
shard from one night to the next while the catalog grows.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from auditor.evidence.domains import is_ip, normalise_host, public_suffixes
from auditor.model import Entry

_SHARD = re.compile(r"^\s*(\d{1,6})\s*/\s*(\d{1,6})\s*$")
MARKER_PREFIX = "shard:"
"""How a shard run names itself among its sources in a store (``shard:2/8``), so
``--resume`` only continues the same shard and ``auditor merge`` can tell which are missing."""


@dataclass(frozen=True, slots=True)
class Shard:
    """Shard ``index`` of ``count`` (1-based, as written on the command line)."""

    index: int
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    @property
    def marker(self) -> str:
        return f"{MARKER_PREFIX}{self}"


def parse_shard(text: str) -> Shard:
    """``K/N`` with 1 <= K <= N; ValueError with a message a person can act on."""
    match = _SHARD.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not K/N (for example 2/8: shard 2 of 8)")
    index, count = int(match.group(1)), int(match.group(2))
    if count < 1:
        raise ValueError(f"{text!r}: the number of shards must be at least 1")
    if not 1 <= index <= count:
        raise ValueError(f"{text!r}: the shard number must be between 1 and {count} (1-based)")
    return Shard(index, count)


def parse_marker(source: str) -> Shard | None:
    """The shard a stored source list names (``shard:2/8``), None for an ordinary source."""
    if not source.startswith(MARKER_PREFIX):
        return None
    try:
        return parse_shard(source[len(MARKER_PREFIX) :])
    except ValueError:
        return None


def _host(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    if not host:
        return None
    clean = normalise_host(host) or host.lower().rstrip(".")
    if is_ip(clean):
        return clean
    return str(public_suffixes().privatesuffix(clean) or clean)


def shard_key(entry: Entry) -> str:
    """What an entry is grouped by: the registrable host of base_url, else spec_url,
    else homepage_url; an entry with none of them is on its own (its id)."""
    for url in (entry.base_url, entry.spec_url, entry.homepage_url):
        host = _host(url)
        if host is not None:
            return f"host:{host}"
    return f"id:{entry.id}"


def shard_number(key: str, count: int) -> int:
    """The 1-based shard of ``key`` among ``count``: the same on every machine and run."""
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def select_shard(entries: Iterable[Entry], shard: Shard) -> list[Entry]:
    """The entries of ``shard``, in catalog order."""
    return [e for e in entries if shard_number(shard_key(e), shard.count) == shard.index]


def balanced_parts(entries: Sequence[Entry], parts: int) -> list[list[Entry]]:
    """At most ``parts`` lists of whole hosts with about equal numbers of entries.

    For one run spread over workers (not for a matrix: this depends on the whole
    catalog). Largest host first into the lightest part; ties broken by the
    key's hash so the split is the same each time. Catalog order within a part.
    """
    keys = [shard_key(entry) for entry in entries]
    groups: dict[str, int] = defaultdict(int)
    for key in keys:
        groups[key] += 1
    if not groups:
        return []
    count = max(1, min(parts, len(groups)))
    order = sorted(groups, key=lambda k: (-groups[k], hashlib.sha256(k.encode()).digest()))
    loads = [0] * count
    chosen: dict[str, int] = {}
    for key in order:
        lightest = min(range(count), key=lambda i: (loads[i], i))
        chosen[key] = lightest
        loads[lightest] += groups[key]
    out: list[list[Entry]] = [[] for _ in range(count)]
    for entry, key in zip(entries, keys, strict=True):
        out[chosen[key]].append(entry)
    return [part for part in out if part]
