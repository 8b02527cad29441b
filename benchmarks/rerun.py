"""Benchmark: a cold audit run against a warm re-run with nothing changed (issue 7).

A fixture farm on 127.0.0.1 (a separate process, several host names through
``NetworkPolicy.host_overrides``, an injected latency on every request)
serves a catalog of N entries, each with its own spec of a realistic size:
the APIs.guru specs of the real-world corpus when ../shared/corpus is there,
else petstore-like specs grown to the corpus's size quartiles. The
farm honours ETag / If-None-Match like a well-behaved host.

Both runs go through the same code as ``auditor audit --store`` in this one
process: the cold run fills an empty store, the warm run re-audits with the
store's validators and snapshots (304s, no re-validation). Prints both times,
the ratio (goal: warm <= 20% of cold), the store size and the peak memory.

    python benchmarks/rerun.py                         # 500 entries, 20 hosts, 20 ms
    python benchmarks/rerun.py --entries 100 --latency-ms 50 --spec-workers 2
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import json
import multiprocessing
import os
import platform
import pstats
import resource
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "apisguru"
# Sizes (bytes) of the APIs.guru subset's quartiles, for specs grown from the fixtures.
FALLBACK_SIZES = (561, 9_000, 27_594, 90_000, 400_000, 1_453_416)


def corpus_specs() -> list[dict[str, Any]]:
    index = CORPUS / "subset_index.jsonl"
    documents = []
    for line in index.read_text().splitlines():
        row = json.loads(line)
        documents.append(json.loads((CORPUS / "specs" / row["file"]).read_bytes()))
    return documents


def grown_specs() -> list[dict[str, Any]]:
    """Petstore-like documents padded with paths to the corpus's size quartiles."""
    documents = []
    for target in FALLBACK_SIZES:
        paths: dict[str, Any] = {}
        document: dict[str, Any] = {
            "openapi": "3.0.3",
            "info": {"title": "Grown", "version": "1", "license": {"name": "MIT"}},
            "paths": paths,
        }
        i = 0
        while len(json.dumps(document)) < target:
            paths[f"/things{i}/{{id}}"] = {
                "get": {
                    "operationId": f"getThing{i}",
                    "parameters": [
                        {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                    ],
                    "responses": {"200": {"description": f"thing {i}"}},
                }
            }
            i += 1
        documents.append(document)
    return documents


def write_farm(folder: Path, entries: int, hosts: int) -> tuple[Path, list[str]]:
    """One distinct spec file per entry and a catalog; returns the catalog and the host names."""
    documents = corpus_specs() if CORPUS.is_dir() else grown_specs()
    names = [f"api-{h:02d}.bench.test" for h in range(hosts)]
    records = []
    for i in range(entries):
        document = dict(documents[i % len(documents)])
        info = dict(document.get("info") or {})
        info["title"] = f"{info.get('title', 'API')} #{i}"  # every entry its own document
        document["info"] = info
        (folder / f"e{i}.json").write_bytes(json.dumps(document).encode())
        origin = f"http://{names[i % hosts]}"
        records.append(
            {
                "id": f"e{i}",
                "title": info["title"],
                "organization": f"Org {i % 37}",
                "description": "A benchmark entry",
                "base_url": f"{origin}/e{i}/api",
                "spec_url": f"{origin}/e{i}/openapi.json",
                "docs_url": f"{origin}/e{i}/docs",
                "license": "MIT",
                "tags": ["bench"],
            }
        )
    catalog = folder / "catalog.json"
    catalog.write_text(json.dumps({"entries": records}))
    return catalog, names


def serve(folder: str, latency: float, ready: Any) -> None:
    """The farm (child process): every request waits ``latency`` seconds, specs carry ETags."""
    etags: dict[str, str] = {}
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return

        def _send(self, status: int, body: bytes, ctype: str, etag: str | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            if etag:
                self.send_header("ETag", etag)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def do_GET(self) -> None:
            time.sleep(latency)
            parts = self.path.split("?")[0].strip("/").split("/")
            if len(parts) == 2 and parts[1] == "openapi.json":
                path = Path(folder) / f"{parts[0]}.json"
                with lock:
                    etag = etags.get(parts[0])
                if etag is not None and self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = path.read_bytes()
                etag = f'"{hashlib.sha256(body).hexdigest()[:20]}"'
                with lock:
                    etags[parts[0]] = etag
                self._send(200, body, "application/json", etag)
            elif len(parts) == 2 and parts[1] == "api":
                self._send(200, b'{"ok": true}', "application/json")
            elif len(parts) == 2 and parts[1] == "docs":
                self._send(200, b"<html><body>docs</body></html>", "text/html")
            else:
                self._send(404, b"not found", "text/plain")

        do_HEAD = do_GET

    class Farm(ThreadingHTTPServer):
        # listen()'s backlog is read in the constructor: set after it, it is still 5, and
        # 64 clients connecting at once then wait on SYN retransmits (seconds, or forever).
        request_queue_size = 1024
        daemon_threads = True

    server = Farm(("127.0.0.1", 0), Handler)
    ready.put(server.server_address[1])
    server.serve_forever()


def count_analyses() -> list[int]:
    """Spec analyses (parse + validate) run in this process: the work a warm run skips."""
    import auditor.probes.spec_document as spec_document

    calls: list[int] = []
    real = getattr(spec_document, "analyse_spec")  # noqa: B009 - patched below

    def counting(data: bytes, *rest: Any) -> Any:
        calls.append(len(data))
        return real(data, *rest)

    setattr(spec_document, "analyse_spec", counting)  # noqa: B010 - a benchmark probe
    return calls


def store_mb(store: Path) -> float:
    return sum(p.stat().st_size for p in store.parent.glob(store.name + "*")) / 1e6


def peak_rss_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=500)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--spec-workers", type=int, default=0)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--http-client", choices=("aiohttp", "httpx"), default="aiohttp")
    parser.add_argument("--profile", action="store_true", help="cProfile the warm run, top 30")
    parser.add_argument("--profile-sort", default="tottime", help="pstats sort key (cumulative…)")
    parser.add_argument(
        "--baseline", action="store_true", help="first time a run without a store (its overhead)"
    )
    args = parser.parse_args()

    import asyncio

    from auditor.catalog import load_sources
    from auditor.cli.store_support import record_audit
    from auditor.context import AuditSettings, Limits, NetworkPolicy
    from auditor.methodology import load_methodology
    from auditor.run.loop import run_audit
    from auditor.spec.validate import validator_id

    with tempfile.TemporaryDirectory(prefix="auditor-rerun-") as tmp:
        folder = Path(tmp)
        catalog, names = write_farm(folder, args.entries, args.hosts)
        ready: Any = multiprocessing.get_context("spawn").Queue()
        farm = multiprocessing.get_context("spawn").Process(
            target=serve, args=(str(folder), args.latency_ms / 1000, ready), daemon=True
        )
        farm.start()
        port = ready.get(timeout=60)
        settings = AuditSettings(
            limits=Limits(timeout=30, concurrency=args.concurrency, per_host=4),
            network=NetworkPolicy(host_overrides={n: ("127.0.0.1", port) for n in names}),
            spec_workers=args.spec_workers,
            http_client=args.http_client,
        )
        methodology = load_methodology()
        loaded = asyncio.run(load_sources([str(catalog)], settings))
        store = folder / "audit.db"
        spec_bytes = sum(p.stat().st_size for p in folder.glob("e*.json"))
        print(
            f"{len(loaded.entries)} entries, {len(names)} hosts, {args.latency_ms:g} ms per request, "
            f"specs {spec_bytes / 1e6:.1f} MB ({'corpus' if CORPUS.is_dir() else 'grown'}), "
            f"{validator_id()}, spec workers {args.spec_workers}, {args.http_client}"
        )
        analyses = count_analyses()
        timings: dict[str, float] = {}
        cpu: dict[str, float] = {}
        for label in ("baseline", "cold", "warm") if args.baseline else ("cold", "warm"):
            analyses.clear()
            profiler = cProfile.Profile() if args.profile and label == "warm" else None
            if profiler is not None:
                profiler.enable()
            started, cpu_started = time.perf_counter(), time.process_time()
            if label == "baseline":
                results = run_audit(loaded.entries, settings, methodology)
            else:
                results = record_audit(
                    store,
                    [str(catalog)],
                    loaded.entries,
                    settings,
                    methodology,
                    resume=False,
                    window_days=None,
                    progress=lambda total, work: work(lambda _r: None),
                )
            timings[label] = time.perf_counter() - started
            cpu[label] = time.process_time() - cpu_started
            if profiler is not None:
                profiler.disable()
                pstats.Stats(profiler).sort_stats(args.profile_sort).print_stats(30)
            scored = sum(r.assessment.score is not None for r in results)
            valid = sum(
                any(f.check == "spec.valid" and f.outcome.value == "pass" for f in r.findings)
                for r in results
            )
            unchanged = sum(
                any(f.check == "spec.fetched" and f.facts.get("status") == 304 for f in r.findings)
                for r in results
            )
            downloaded = sum(
                f.facts.get("wire_bytes") or 0
                for r in results
                for f in r.findings
                if f.check == "spec.fetched"
            )
            counted = (
                f"{len(analyses)} analysed" if not args.spec_workers else "analyses in workers"
            )
            failures = Counter(
                f"{f.check}: {f.facts.get('error_class') or f.message[:60]}"
                for r in results
                for f in r.findings
                if f.outcome.value in ("error", "unknown")
                and f.check.startswith(("availability", "spec", "probe"))
            )
            if failures:
                print(f"  {label} unknowns/errors: {dict(failures.most_common(6))}")
            print(
                f"{label}: {timings[label]:.2f} s, CPU {cpu[label]:.2f} s ({scored} scored, {valid} valid specs, "
                f"{unchanged} answered 304, {downloaded / 1e6:.1f} MB of specs downloaded, "
                f"{counted}), store {store_mb(store):.1f} MB, peak RSS {peak_rss_mib():.0f} MiB"
            )
        farm.terminate()
        ratio = timings["warm"] / timings["cold"]
        if "baseline" in timings:
            print(f"store overhead on a cold run: {timings['cold'] / timings['baseline'] - 1:+.1%}")
        print(
            f"warm/cold = {ratio:.1%} (goal <= 20%: {'met' if ratio <= 0.20 else 'NOT met'}), "
            f"CPU {cpu['warm'] / cpu['cold']:.1%}; load {os.getloadavg()[0]:.1f}; "
            f"store {store_mb(store):.1f} MB; peak RSS {peak_rss_mib():.0f} MiB; "
            f"{os.cpu_count()} cores, Python {platform.python_version()}, "
            f"{datetime.now(UTC):%Y-%m-%d}"
        )


if __name__ == "__main__":
    main()
