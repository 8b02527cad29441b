"""``--shard K/N``: parsing, the host key, a split that covers each entry once, balanced parts."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

import pytest

from auditor.model import Entry
from auditor.scale.shard import (
    Shard,
    balanced_parts,
    parse_marker,
    parse_shard,
    select_shard,
    shard_key,
    shard_number,
)
from tests.conftest import ROOT


def catalog(entries: int = 240, hosts: int = 37) -> list[Entry]:
    """Entries on ``hosts`` hosts of uneven size, some on subdomains, some without any URL."""
    out = []
    for i in range(entries):
        h = (i * i) % hosts
        if i % 11 == 0:
            out.append(Entry(id=f"bare-{i}", title="no URL at all"))
        elif i % 3 == 0:
            out.append(
                Entry(id=f"e{i}", title="t", spec_url=f"https://api{i % 4}.org{h}.gouv.fr/s")
            )
        else:
            out.append(Entry(id=f"e{i}", title="t", base_url=f"https://www.org{h}.gouv.fr/v1"))
    return out


@pytest.mark.parametrize(
    ("text", "expected"), [("1/1", Shard(1, 1)), ("3/8", Shard(3, 8)), (" 8 / 8 ", Shard(8, 8))]
)
def test_parse_shard_accepts_one_based_k_of_n(text: str, expected: Shard) -> None:
    assert parse_shard(text) == expected
    assert parse_marker(expected.marker) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0/3", "between 1 and 3"),
        ("4/3", "between 1 and 3"),
        ("x", "is not K/N"),
        ("1/0", "at least 1"),
        ("-1/3", "is not K/N"),
        ("1.5/3", "is not K/N"),
        ("", "is not K/N"),
    ],
)
def test_parse_shard_refuses_bad_values_with_a_reason(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_shard(text)


def test_the_key_is_the_registrable_host_of_base_url_then_spec_then_homepage_then_id() -> None:
    assert shard_key(Entry("a", "t", base_url="https://api.data.gouv.fr/x")) == "host:data.gouv.fr"
    assert shard_key(Entry("b", "t", base_url="https://www.data.gouv.fr")) == "host:data.gouv.fr"
    both = Entry("c", "t", base_url="https://a.example.org", spec_url="https://b.example.net/s")
    assert shard_key(both) == "host:example.org"
    assert shard_key(Entry("d", "t", spec_url="https://x.example.net/s")) == "host:example.net"
    assert shard_key(Entry("e", "t", homepage_url="http://10.1.2.3:8080/")) == "host:10.1.2.3"
    assert shard_key(Entry("f", "t", base_url="not a url", homepage_url="https://h.co.uk/")) == (
        "host:h.co.uk"
    )
    assert shard_key(Entry("g", "t", docs_url="https://docs.example.org")) == "id:g"
    assert shard_key(Entry("h", "t", base_url="https://API.Example.ORG.")) == "host:example.org"


@pytest.mark.parametrize("count", [1, 2, 3, 5, 8])
def test_shards_cover_every_entry_exactly_once_and_keep_hosts_whole(count: int) -> None:
    entries = catalog()
    shards = [select_shard(entries, Shard(k, count)) for k in range(1, count + 1)]
    seen = Counter(e.id for shard in shards for e in shard)
    assert set(seen) == {e.id for e in entries} and set(seen.values()) == {1}
    owner: dict[str, int] = {}
    for k, shard in enumerate(shards, start=1):
        for e in shard:
            assert owner.setdefault(shard_key(e), k) == k  # one host, one shard
        assert [e.id for e in shard] == [e.id for e in entries if e in shard]  # catalog order
    if count > 1:
        assert sum(1 for shard in shards if shard) > 1


def test_the_split_is_the_same_in_every_process_and_on_every_machine() -> None:
    """SHA-256, not the salted hash(): pinned values, and another interpreter agrees."""
    assert [shard_number("host:data.gouv.fr", n) for n in (2, 3, 8)] == [2, 3, 6]
    assert shard_number("id:bare-0", 5) == 4
    script = (
        "from auditor.scale.shard import shard_number;"
        "print([shard_number(f'host:h{i}.gouv.fr', 7) for i in range(20)])"
    )
    here = str([shard_number(f"host:h{i}.gouv.fr", 7) for i in range(20)])
    for seed in ("1", "2"):
        other = subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
            env={"PYTHONHASHSEED": seed, "PATH": ""},
        )
        assert other.stdout.strip() == here


def test_balanced_parts_keep_hosts_whole_and_even_out_entries() -> None:
    entries = catalog(400, 23)
    parts = balanced_parts(entries, 4)
    assert len(parts) == 4
    assert sorted(e.id for p in parts for e in p) == sorted(e.id for e in entries)
    keys = [{shard_key(e) for e in p} for p in parts]
    assert all(not (a & b) for i, a in enumerate(keys) for b in keys[i + 1 :])
    largest_host = max(Counter(shard_key(e) for e in entries).values())
    sizes = [len(p) for p in parts]
    assert max(sizes) - min(sizes) <= largest_host
    assert balanced_parts(entries, 4) == parts  # deterministic


def test_balanced_parts_never_split_a_host_to_fill_parts() -> None:
    one_host = [Entry(f"e{i}", "t", base_url=f"https://x{i}.gouv.fr") for i in range(2)] + [
        Entry("big", "t", base_url="https://big.example.org")
    ]
    assert len(balanced_parts(one_host, 10)) == 3
    assert balanced_parts([], 4) == []
