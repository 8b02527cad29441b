"""The verifier against servers that misbehave on purpose, all on 127.0.0.1.

One catalog of hostile entries (bombs, trickles, resets, loops, a redirect to
the cloud metadata address, oversized headers…) and two well-behaved ones is
audited in a single run under small caps and timeouts, with tracemalloc on.
Each test then reads one entry: it must have the right finding, the healthy
entries must be untouched, the run must end within its bounds and memory
must stay far below what the servers tried to make us hold.

The server and the HTTP-library switch are in ``tests.support.hostile``:
every hostile suite runs once per HTTP library the fetcher can use.
"""

from __future__ import annotations

import functools
import gzip
import time
import tracemalloc
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

import brotli
import pytest

from auditor.context import AuditSettings, Limits, NetworkPolicy
from auditor.methodology import load_methodology
from auditor.model import AuditResult, Entry, Finding, Outcome
from auditor.net.transport import HTTP_CLIENTS
from auditor.run.loop import run_audit
from tests.support.hostile import Behaviour, HostileServer, Request, using_http_client

# --- the HTTP library under test and the server --------------------------------------


@pytest.fixture(scope="module", params=HTTP_CLIENTS, autouse=True)
def http_client(request: pytest.FixtureRequest) -> Iterator[str]:
    with using_http_client(request.param) as name:
        yield name


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    server = HostileServer()
    yield server
    server.stop()


# --- bodies that explode ------------------------------------------------------------

MiB = 1024 * 1024


@functools.cache
def bomb_blocks(encoding: str) -> tuple[bytes, bytes]:
    """(first, repeatable) compressed blocks of zeros that inflate ~1000:1.

    After a full flush a deflate stream restarts from an empty window, so the
    block that encodes one MiB of zeros can be repeated as often as we like.
    """
    if encoding == "br":
        compressor = brotli.Compressor(quality=5)
        data = b"".join(compressor.process(b"\0" * MiB) for _ in range(256))
        return data + compressor.finish(), b""
    wbits = {"gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}[encoding]
    compressor = zlib.compressobj(9, zlib.DEFLATED, wbits)
    first = compressor.compress(b"\0" * MiB) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(b"\0" * MiB) + compressor.flush(zlib.Z_FULL_FLUSH)
    return first, block * 64


def zeros_bomb(encoding: str, wire_bytes: int) -> Iterator[bytes]:
    """About ``wire_bytes`` of compressed zeros (10 MB of gzip is ~10 GB inflated), made lazily."""
    first, block = bomb_blocks(encoding)
    yield first
    sent = len(first)
    while block and sent < wire_bytes:
        yield block
        sent += len(block)


def bomb(encoding: str) -> Behaviour:
    def behaviour(r: Request) -> None:
        r.head(200, {"Content-Type": "application/json", "Content-Encoding": encoding})
        if r.method != "HEAD":
            r.stream(zeros_bomb(encoding, 10 * MiB))

    return behaviour


@functools.cache
def nested_bomb_body() -> bytes:
    return gzip.compress(b"".join(zeros_bomb("gzip", 256 * 1024)))


def nested_gzip_bomb(r: Request) -> None:
    """gzip inside gzip: the outer layer is small, the inner one explodes."""
    r.respond(200, nested_bomb_body(), Content_Encoding="gzip, gzip")


def never_ending(r: Request) -> None:
    r.head(200, {"Content-Type": "application/json", "Transfer-Encoding": "chunked"})
    piece = b"10000\r\n" + b" " * 0x10000 + b"\r\n"
    r.stream(iter(lambda: piece, None))


def thirty_mb_spec(declared: bool) -> Behaviour:
    def behaviour(r: Request) -> None:
        size = 30 * MiB
        fields = {"Content-Type": "application/json"}
        if declared:
            fields["Content-Length"] = str(size)
        r.head(200, fields)
        if r.method != "HEAD":
            r.stream(b" " * MiB for _ in range(30))

    return behaviour


def trickle(r: Request) -> None:
    r.head(200, {"Content-Type": "text/plain", "Content-Length": "1000"})
    if r.method != "HEAD":
        r.stream((b"x" for _ in range(1000)), pause=0.25)


def reset_mid_body(r: Request) -> None:
    r.head(200, {"Content-Type": "application/json", "Content-Length": "100000"})
    if r.method == "HEAD":
        return
    r.send(b"{" + b" " * 999)
    time.sleep(0.05)
    r.reset()


def close_without_answer(r: Request) -> None:
    r.sock.close()


def fat_headers(total: int) -> Behaviour:
    def behaviour(r: Request) -> None:
        fields = {f"X-Padding-{i}": "p" * 1000 for i in range(total // 1000)}
        r.respond(200, b"ok", **fields)

    return behaviour


def redirect(location: str) -> Behaviour:
    return lambda r: r.respond(302, b"", Location=location)


def fine(r: Request) -> None:
    r.respond(200, b'{"ok": true}', Content_Type="application/json")


# --- one run with every hostile entry -------------------------------------------------

LIMITS = Limits(
    timeout=2.0,
    fetch_timeout=4.0,
    entry_timeout=15.0,
    retries=0,
    max_spec_bytes=1 * MiB,
    max_page_bytes=256 * 1024,
    max_header_bytes=16 * 1024,
)

HOSTILE: dict[str, Behaviour] = {
    "/500": lambda r: r.respond(500, b"boom"),
    "/gzip-bomb": bomb("gzip"),
    "/deflate-bomb": bomb("deflate"),
    "/br-bomb": bomb("br"),
    "/nested-bomb": nested_gzip_bomb,
    "/never-ending": never_ending,
    "/30mb-declared": thirty_mb_spec(declared=True),
    "/30mb-streamed": thirty_mb_spec(declared=False),
    "/trickle": trickle,
    "/reset": reset_mid_body,
    "/hang-up": close_without_answer,
    "/fat-headers": fat_headers(40 * 1024),
    "/huge-headers": fat_headers(1024 * 1024),
    "/loop-a": redirect("/loop-b"),
    "/loop-b": redirect("/loop-a"),
    "/to-metadata": redirect("http://169.254.169.254/latest/meta-data/iam/"),
    "/fine": fine,
}


@dataclass
class HostileRun:
    results: dict[str, AuditResult]
    server: HostileServer
    seconds: float
    peak_bytes: int


@pytest.fixture(scope="module")
def hostile_run(http_client: str) -> Iterator[HostileRun]:
    server = HostileServer(routes=dict(HOSTILE))
    entries = [
        Entry(path.strip("/"), path, spec_url=server.url(path))
        for path in HOSTILE
        if path not in ("/loop-b", "/fine")
    ]
    entries.append(Entry("healthy-base", "Healthy", base_url=server.url("/fine")))
    entries.append(Entry("healthy-spec", "Healthy spec", spec_url=server.url("/fine")))
    settings = AuditSettings(network=NetworkPolicy(allow_private=True), limits=LIMITS)
    for encoding in ("gzip", "deflate", "br"):
        bomb_blocks(encoding)  # made before measuring: they are the server's memory
    nested_bomb_body()
    # Warm up (lazy imports, suffix lists, validators) so only the hostile run is measured.
    run_audit(entries[-1:], settings, load_methodology())
    tracemalloc.start()
    started = time.monotonic()
    try:
        results = run_audit(entries, settings, load_methodology())
        seconds = time.monotonic() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        server.stop()
    yield HostileRun({r.entry.id: r for r in results}, server, seconds, peak)


def fetch_fact(run: HostileRun, entry: str) -> Finding:
    return next(f for f in run.results[entry].findings if f.check == "availability.spec_url")


def probe_errors(result: AuditResult) -> list[str]:
    return [f.message for f in result.findings if f.check.startswith("probe.")]


def test_the_whole_hostile_run_ends_within_its_bounds(hostile_run: HostileRun) -> None:
    # Every fetch is bounded by fetch_timeout (4 s) and all run concurrently; a hang
    # or a read-to-the-end of a bomb would take minutes. Generous: 5x the bound.
    assert hostile_run.seconds < 20
    assert len(hostile_run.results) == len(HOSTILE) - 2 + 2


def test_memory_stays_bounded_while_servers_offer_gigabytes(hostile_run: HostileRun) -> None:
    # Bombs inflate to ~10 GB and two specs weigh 30 MB; caps are 1 MB and 256 KB.
    assert hostile_run.peak_bytes < 48 * MiB, f"peak {hostile_run.peak_bytes / MiB:.1f} MiB"


def test_no_entry_breaks_a_probe(hostile_run: HostileRun) -> None:
    for entry_id, result in hostile_run.results.items():
        assert probe_errors(result) == [], entry_id


def test_healthy_entries_are_unaffected(hostile_run: HostileRun) -> None:
    for entry_id in ("healthy-base", "healthy-spec"):
        result = hostile_run.results[entry_id]
        availability = next(f for f in result.findings if f.check == "availability")
        assert availability.outcome is Outcome.PASS, availability.message
        assert result.assessment.axis("availability").score == 100.0


def test_500_is_a_failed_verification_and_not_retried(hostile_run: HostileRun) -> None:
    finding = fetch_fact(hostile_run, "500")
    assert finding.outcome is Outcome.FAIL
    assert finding.facts["status"] == 500
    assert hostile_run.server.paths().count("/500") == 1


@pytest.mark.parametrize("entry", ["gzip-bomb", "deflate-bomb", "br-bomb", "nested-bomb"])
def test_compression_bombs_stop_at_the_decompressed_cap(
    hostile_run: HostileRun, entry: str
) -> None:
    facts = fetch_fact(hostile_run, entry).facts
    assert facts["error_class"] == "too_large"
    assert facts["error"] == f"decompressed body exceeds the {1 * MiB:,}-byte cap"
    assert facts["status"] == 200
    # stopped just past the cap, having read only a sliver of the 10 MB on the wire
    assert MiB < facts["bytes"] <= MiB + 256 * 1024
    assert facts["wire_bytes"] < 1 * MiB
    spec = {f.check: f for f in hostile_run.results[entry].findings}["spec.fetched"]
    assert spec.outcome is Outcome.FAIL


def test_never_ending_body_stops_at_the_cap(hostile_run: HostileRun) -> None:
    facts = fetch_fact(hostile_run, "never-ending").facts
    assert facts["error_class"] == "too_large"
    assert facts["error"] == f"body exceeds the {1 * MiB:,}-byte cap"


def test_30_mb_spec_declared_is_refused_before_reading(hostile_run: HostileRun) -> None:
    facts = fetch_fact(hostile_run, "30mb-declared").facts
    assert facts["error_class"] == "too_large"
    assert facts["error"] == f"body declares {30 * MiB:,} bytes, over the {MiB:,}-byte cap"
    assert facts["wire_bytes"] == 0


def test_30_mb_spec_streamed_stops_at_the_cap(hostile_run: HostileRun) -> None:
    facts = fetch_fact(hostile_run, "30mb-streamed").facts
    assert facts["error_class"] == "too_large"
    assert MiB < facts["wire_bytes"] <= 2 * MiB
    found = {f.check: f for f in hostile_run.results["30mb-streamed"].findings}
    assert found["spec.fetched"].outcome is Outcome.FAIL
    assert found["spec.format_known"].outcome is Outcome.UNKNOWN  # never analysed


def test_trickle_is_cut_at_the_request_timeout(hostile_run: HostileRun) -> None:
    facts = fetch_fact(hostile_run, "trickle").facts
    assert facts["error_class"] == "timeout"
    assert facts["status"] == 200  # it did answer; it never finished
    assert facts["wire_bytes"] < 20  # a byte every 0.25 s for 2 s
    assert facts["elapsed_ms"] < 4000  # the fetch budget


def test_reset_mid_body_keeps_the_status_and_says_reset(hostile_run: HostileRun) -> None:
    finding = fetch_fact(hostile_run, "reset")
    assert finding.outcome is Outcome.FAIL
    assert finding.facts["error_class"] == "reset"
    assert finding.facts["status"] == 200
    assert finding.facts["wire_bytes"] == 1000


def test_server_closing_without_answer_is_a_reset(hostile_run: HostileRun) -> None:
    finding = fetch_fact(hostile_run, "hang-up")
    assert finding.outcome is Outcome.FAIL
    assert finding.facts["error_class"] == "reset"
    assert finding.facts["status"] is None


def test_headers_over_the_cap_are_too_large(hostile_run: HostileRun) -> None:
    facts = fetch_fact(hostile_run, "fat-headers").facts
    assert facts["error_class"] == "too_large"
    assert "response headers" in facts["error"]
    assert "16,384-byte cap" in facts["error"]


def test_headers_over_the_transport_ceiling_are_too_large(hostile_run: HostileRun) -> None:
    facts = fetch_fact(hostile_run, "huge-headers").facts
    assert facts["error_class"] == "too_large"
    assert "response headers exceed" in facts["error"]


def test_redirect_loop_is_a_redirects_error(hostile_run: HostileRun) -> None:
    facts = fetch_fact(hostile_run, "loop-a").facts
    assert facts["error_class"] == "redirects"
    assert "loop" in facts["error"]
    # each hop fetched once (availability and the spec probe share the fetch), then stopped
    assert hostile_run.server.paths().count("/loop-a") == 1
    assert hostile_run.server.paths().count("/loop-b") == 1


def test_redirect_to_cloud_metadata_is_refused_as_unknown(hostile_run: HostileRun) -> None:
    finding = fetch_fact(hostile_run, "to-metadata")
    assert finding.outcome is Outcome.UNKNOWN
    assert finding.facts["error_class"] == "refused"
    assert finding.facts["error"].startswith("refused: private address 169.254.169.254")
    assert finding.facts["redirects"] == [hostile_run.server.url("/to-metadata")]
    availability = {f.check: f for f in hostile_run.results["to-metadata"].findings}["availability"]
    assert availability.outcome is Outcome.UNKNOWN
