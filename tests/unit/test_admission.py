"""Admission: a few entries per host at a time, lazily read, nothing lost or repeated."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.model import Entry
from auditor.run.admission import HostAdmission, host_of


def entry(i: int, host: str | None) -> Entry:
    url = f"https://{host}/api/{i}" if host else None
    return Entry(id=f"e{i}", title=f"E{i}", base_url=url)


def drain(admission: HostAdmission) -> list[Entry]:
    started = []
    while (e := admission.next()) is not None:
        started.append(e)
    return started


def test_host_of_prefers_base_url_then_spec_url_then_the_entry_itself() -> None:
    assert (
        host_of(Entry(id="a", title="A", base_url="https://API.Example.org./v1"))
        == "api.example.org"
    )
    assert (
        host_of(Entry(id="b", title="B", spec_url="https://specs.example.org/x"))
        == "specs.example.org"
    )
    assert host_of(Entry(id="c", title="C", base_url="http://[::1")) == "entry:c"  # unparsable
    assert host_of(Entry(id="d", title="D")) == "entry:d"


def test_a_crowded_host_lets_other_hosts_start() -> None:
    entries = [entry(i, "gateway.example") for i in range(10)] + [entry(10, "other.example")]
    admission = HostAdmission(entries, per_host=2, lookahead=100)
    started = drain(admission)
    assert [e.id for e in started] == ["e0", "e1", "e10"]
    assert admission.waiting == 8


def test_finishing_an_entry_starts_the_next_of_its_host_in_catalog_order() -> None:
    entries = [entry(i, "gateway.example") for i in range(5)]
    admission = HostAdmission(entries, per_host=2, lookahead=100)
    first = drain(admission)
    admission.finished(first[0])
    assert [e.id for e in drain(admission)] == ["e2"]
    admission.finished(first[1])
    admission.finished(entries[2])
    assert [e.id for e in drain(admission)] == ["e3", "e4"]
    assert admission.waiting == 0


def test_every_entry_starts_exactly_once_and_never_more_than_per_host_run_together() -> None:
    hosts = ["a.example", "b.example", "c.example", None]
    entries = [entry(i, hosts[(i * 7) % 4]) for i in range(200)]
    admission = HostAdmission(entries, per_host=3, lookahead=10)
    running: list[Entry] = []
    seen: list[str] = []
    while True:
        running.extend(new := drain(admission))
        seen.extend(e.id for e in new)
        per_host: dict[str, int] = {}
        for e in running:
            per_host[host_of(e)] = per_host.get(host_of(e), 0) + 1
        assert max(per_host.values(), default=0) <= 3
        if not running:
            break
        admission.finished(running.pop(0))
    assert sorted(seen) == sorted(e.id for e in entries)
    assert len(seen) == len(set(seen))


def test_reads_the_catalog_lazily_holding_at_most_lookahead_waiting_entries() -> None:
    pulled = 0

    def catalog() -> Iterator[Entry]:
        nonlocal pulled
        for i in range(1_000_000):
            pulled += 1
            yield entry(i, "one-host.example")

    admission = HostAdmission(catalog(), per_host=4, lookahead=50)
    assert len(drain(admission)) == 4
    assert admission.waiting == 50
    assert pulled == 54
