"""Benchmark: ``auditor report --store`` on a store of N entries x R nightly runs (issue 15).

The store is made with the store's own recording functions (``begin_run``,
``record_result``, ``finish_run``): every entry gets, each night, the
findings a real audit records (metadata, officialness, three availability
endpoints and the verification, TLS, spec fetched / valid / inventory /
examples / quality, agent discovery, licence: 31 findings, the large facts
kept once as blobs), scored by the real rule engine. Most entries are up
every night; some fail now and then, a few are down for days, and a few
change their spec (an operation removed) on some nights. Runs are moved to
one a night, ending now.

Then ``auditor report --store`` runs in a child process, timed: wall and CPU
time and peak RSS (the child's, from wait4), and the cost per entry. The
goal: 2,000 entries x 90 runs in <= 30 s and < 500 MB on a 2-core machine,
with the cost growing with entries x window, not with all history (give
``--runs 180``: the report still reads 90 days).

    python benchmarks/history_site.py                      # 2000 entries, 90 runs
    python benchmarks/history_site.py --entries 200 --runs 30 --keep /tmp/small.db
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


FIELDS = [f"Record.field_{i}" for i in range(25)]
OPERATIONS = [f"GET /records/{i}" for i in range(12)] + ["DELETE /records/{id}"]


def spec_facts(entry: int, version: int) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """A spec document's sha256, its spec.valid facts and its inventory, by entry and version."""
    sha = hashlib.sha256(f"spec-{entry}-{version}".encode()).hexdigest()
    operations = OPERATIONS[: len(OPERATIONS) - version]
    valid = {
        "sha256": sha, "valid": True, "format_label": "OpenAPI 3.0.3", "version": "3.0.3",
        "size": 48_000 + entry, "operation_count": len(operations), "errors": [],
        "validator": "bench", "field_count": len(FIELDS),
    }  # fmt: skip
    inventory = {
        "fields": [
            {"name": f.split(".")[1], "schema": "Record", "location": "property",
             "type": "string", "description": f"The {f} of a record, as published."}
            for f in FIELDS
        ],
        "operations": operations, "field_count": len(FIELDS),
        "operation_count": len(operations), "truncated": False,
    }  # fmt: skip
    return sha, valid, inventory


def findings_for(entry: int, up: bool, slow: bool, version: int, at: str) -> list[Any]:
    from auditor.model import Finding, Outcome

    ok, ko = Outcome.PASS, Outcome.FAIL
    base = f"https://api{entry % 40}.example.org/v1/e{entry}"
    spec_url = f"{base}/openapi.json"
    latency = 80.0 + (entry * 7919 % 400) + (6000.0 if slow else 0.0)
    status = 200 if up else 503

    def f(check: str, outcome: Outcome, message: str, probe: str, subject: str | None = None,
          facts: dict[str, Any] | None = None) -> Finding:  # fmt: skip
        return Finding(check, outcome, message, probe, subject, facts or {}, observed_at=at)

    found = [
        f(f"metadata.{name}", ok if (entry + i) % 5 else ko, f"{name} present", "metadata_fields",
          facts={"field": name, "value": f"value of {name} for entry {entry}"})
        for i, name in enumerate(("title", "description", "organization", "base_url",
                                  "spec_url", "docs_url", "homepage_url", "contact", "license",
                                  "tags"))
    ]  # fmt: skip
    for check, outcome in (("official_domain", ok if entry % 3 else ko),
                           ("official_domain.spec_url", ok if entry % 3 else ko),
                           ("portal_listing", ko), ("government_github_org", ko),
                           ("reciprocal_link", ko), ("published_policy", ko)):  # fmt: skip
        found.append(f(check, outcome, f"{check}: checked", check, base,
                       {"url": base, "matched": outcome == ok, "tried": [base, spec_url]}))  # fmt: skip
    for field, url in (("base_url", base), ("spec_url", spec_url), ("docs_url", f"{base}/docs")):
        facts = {"url": url, "status": status, "latency_ms": latency, "tls_version": "TLSv1.3",
                 "http_version": "HTTP/1.1", "bytes": 2048, "content_type": "application/json"}  # fmt: skip
        found.append(f(f"availability.{field}", ok if up else ko,
                       f"{field}: HTTP {status} in {latency:g} ms", "availability", url, facts))  # fmt: skip
    message = (
        "verification succeeded: base_url: HTTP 200" if up
        else f"verification failed: base_url: HTTP 503 in {latency:g} ms"
    )  # fmt: skip
    found.append(f("availability", ok if up else ko, message, "availability", base))
    for _ in range(3):
        found.append(f("tls.certificate_expiry", ok, "expires in 80 days", "availability", base,
                       {"days_left": 80, "tls_version": "TLSv1.3"}))  # fmt: skip
    if up:
        sha, valid, inventory = spec_facts(entry, version)
        found += [
            f("spec.fetched", ok, "fetched", "spec_document", spec_url,
              {"url": spec_url, "status": 200, "etag": f'"{sha[:16]}"', "last_modified": None}),
            f("spec.format_known", ok, "OpenAPI 3.0.3", "spec_document", spec_url, valid),
            f("spec.valid", ok, "valid", "spec_document", spec_url, valid),
            f("spec.inventory", ok, "inventory", "spec_document", spec_url, inventory),
            f("spec.examples", ok, "examples", "spec_document", spec_url,
              {"examples": [{"method": "GET", "path": op.split()[1], "command": f"curl {base}"}
                            for op in OPERATIONS[:4]]}),
            f("spec.quality", ok, "quality", "spec_document", spec_url,
              {"summary_share": 0.8, "operation_id_share": 1.0, "servers_declared": True}),
        ]  # fmt: skip
    found.append(
        f("agent_discovery", ko, "no llms.txt", "agent_discovery", base, {"tried": [base]})
    )
    found.append(f("license", ok if entry % 4 else ko, "MIT (open)", "license_statement", None,
                   {"license": "MIT", "sources": ["catalog"]}))  # fmt: skip
    return found


def generate(path: Path, entries: int, runs: int, seed: int = 15) -> None:
    """The store: ``runs`` nights ending now, every entry each night."""
    from auditor.methodology import load_methodology
    from auditor.methodology.engine import assess
    from auditor.model import AuditResult, Entry
    from auditor.store import Store
    from auditor.store.records import record_result
    from auditor.store.runs import begin_run, finish_run

    rng = random.Random(seed)
    methodology = load_methodology()
    kinds = [rng.random() for _ in range(entries)]  # < .03 flaky, < .05 long outages
    version = [0] * entries
    down_until = [-1] * entries
    now = datetime.now(UTC).replace(microsecond=0)
    started = time.perf_counter()
    with Store.open(path, write=True) as store:
        store.db.execute("PRAGMA synchronous = OFF")  # making the store only; the report reads it
        for night in range(runs):
            at = now - timedelta(days=runs - 1 - night)
            run = begin_run(store, sources=["catalog.yaml"], methodology=methodology,
                            entry_count=entries, window_days=30.0)  # fmt: skip
            stamp = iso(at)
            for entry in range(entries):
                kind = kinds[entry]
                if kind < 0.05 and down_until[entry] < night and rng.random() < 0.02:
                    down_until[entry] = night + rng.randint(1, 6)
                up = not (night <= down_until[entry] or (kind < 0.03 and rng.random() < 0.2))
                up = up and rng.random() > 0.003
                if rng.random() < 0.004 and version[entry] < 3:
                    version[entry] += 1  # an operation removed: a BREAKING spec change
                slow = kind > 0.99 and rng.random() < 0.3
                found = findings_for(entry, up, slow, version[entry], stamp)
                the_entry = Entry(id=f"api-{entry:05d}", title=f"API number {entry}",
                                  organization=f"Office {entry % 50}",
                                  base_url=f"https://api{entry % 40}.example.org/v1/e{entry}",
                                  spec_url=f"https://api{entry % 40}.example.org/v1/e{entry}/openapi.json")  # fmt: skip
                result = AuditResult(
                    the_entry, tuple(found), assess(the_entry.id, found, methodology)
                )
                record_result(store, run.id, entry, result)
            finish_run(store, run.id)
            store.db.execute("UPDATE runs SET started_at = ?, finished_at = ? WHERE id = ?",
                             (stamp, iso(at + timedelta(minutes=20)), run.id))  # fmt: skip
            store.db.execute("UPDATE results SET finished_at = ? WHERE run_id = ?", (stamp, run.id))
            if night % 10 == 9 or night == runs - 1:
                spent = time.perf_counter() - started
                print(f"  night {night + 1}/{runs} recorded ({spent:.0f} s)", file=sys.stderr)


def timed_report(store: Path, site: Path) -> dict[str, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "auditor", "report", "--store", str(store), "-o", str(site)],
        capture_output=True, text=True, check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"report failed ({proc.returncode}): {proc.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "rss_mib": after.ru_maxrss / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=90)
    parser.add_argument("--keep", type=Path, help="keep the store here (reused if it exists)")
    parser.add_argument("--repeat", type=int, default=2, help="time the report this many times")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="auditor-history-") as tmp:
        store = args.keep or Path(tmp) / "audit.db"
        if not store.exists():
            print(
                f"recording {args.entries} entries x {args.runs} nightly runs ...", file=sys.stderr
            )
            started = time.perf_counter()
            generate(store, args.entries, args.runs)
            print(f"  store made in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        size = sum(p.stat().st_size for p in store.parent.glob(store.name + "*")) / 1e6
        print(f"store {store}: {size:.0f} MB, {args.entries} entries x {args.runs} runs")
        for attempt in range(args.repeat):
            site = Path(tmp) / f"site{attempt}"
            measured = timed_report(store, site)
            files = sum(1 for p in site.rglob("*") if p.is_file())
            megabytes = sum(p.stat().st_size for p in site.rglob("*") if p.is_file()) / 1e6
            print(
                f"report --store: wall {measured['wall']:.1f} s, CPU {measured['cpu']:.1f} s, "
                f"peak RSS {measured['rss_mib']:.0f} MiB, "
                f"{1000 * measured['wall'] / args.entries:.1f} ms per entry; "
                f"{files} files, {megabytes:.0f} MB"
            )


if __name__ == "__main__":
    main()
