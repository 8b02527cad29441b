"""How long does reading a 10,000-entry catalog take, per source type?

Writes synthetic catalogs of N entries (native JSON, native YAML, CSV, a
data.gouv.fr dump) to a temporary folder and serves the same records as a
paginated fake data.gouv.fr API on 127.0.0.1; then times ``load_sources`` on
each. The baseline, measured in the same run, is ``orjson.loads`` of the
native JSON file: the ratio says what mapping, line numbering and id checks
cost on top of parsing.

Then the large cases: native JSON and YAML catalogs of ``--large`` entries
(100,000 by default), once with distinct ids and once with every entry sharing
one id (each renamed ``api~N``, the disambiguation path). Each is loaded once in
a fresh process, which reports its wall time and peak RSS (``ru_maxrss``); the
baseline, measured the same way in the same run, is ``orjson.loads`` of the
distinct-id JSON file. A case still running after ``--child-timeout`` seconds is
stopped and shown as such (a quadratic step shows up that way).

Usage: python benchmarks/catalog_load.py [--entries 10000] [--large 100000]
[--child-timeout 600] [--skip-small]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import fields, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson
import yaml

from auditor.catalog import SourceOptions, load_sources
from auditor.context import AuditSettings, Limits, NetworkPolicy
from auditor.run.peak_rss import peak_rss_mib

SETTINGS = AuditSettings(network=NetworkPolicy(allow_private=True))
_ROOMY = {
    "max_spec_bytes": 2**30,
    "max_yaml_nodes": 100_000_000,
    "max_catalog_entries": 10_000_000,
    "max_catalog_pages": 1_000_000,
}
# caps wide enough for the large cases (only the fields this checkout knows, so the same
# script measures the code before a cap was added)
LARGE_SETTINGS = AuditSettings(
    limits=replace(Limits(), **{f.name: _ROOMY[f.name] for f in fields(Limits) if f.name in _ROOMY})
)


def native(i: int) -> dict[str, Any]:
    return {
        "id": f"api-{i}",
        "title": f"API number {i}",
        "description": "A synthetic entry. " * 5,
        "organization": f"Org {i % 50}",
        "base_url": f"https://api{i}.example.gouv.fr/v1",
        "spec_url": f"https://api{i}.example.gouv.fr/openapi.json",
        "license": "etalab-2.0",
        "tags": ["synthetic", f"group-{i % 7}"],
    }


def dataservice(i: int) -> dict[str, Any]:
    return {
        "id": f"{i:024x}",
        "slug": f"api-{i}",
        "title": f"API number {i}",
        "description": "A synthetic dataservice. " * 5,
        "base_api_url": f"https://api{i}.example.gouv.fr/v1",
        "machine_documentation_url": f"https://api{i}.example.gouv.fr/openapi.json",
        "license": "lov2",
        "tags": ["synthetic"],
        "contact_points": [{"email": f"contact{i}@example.gouv.fr"}],
        "organization": {
            "id": f"org{i % 50}",
            "name": f"Org {i % 50}",
            "badges": [{"kind": "public-service"}],
        },
        "availability": 99.9,
    }


def timed(work: Callable[[], Any]) -> tuple[float, float, Any]:
    """Seconds (best of 3) and peak traced MiB of one call."""
    best = float("inf")
    result = None
    for _ in range(3):
        started = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - started)
    tracemalloc.start()
    work()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return best, peak, result


def serve(records: list[dict[str, Any]], page_size: int) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            return

        def do_GET(self) -> None:
            page = int(parse_qs(urlsplit(self.path).query).get("page", ["1"])[0])
            start = (page - 1) * page_size
            more = start + page_size < len(records)
            base = f"http://127.0.0.1:{self.server.server_address[1]}/api/1/dataservices/"
            body = orjson.dumps(
                {
                    "data": records[start : start + page_size],
                    "page": page,
                    "page_size": page_size,
                    "total": len(records),
                    "next_page": f"{base}?page={page + 1}&page_size={page_size}" if more else None,
                }
            )
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def small_cases(n: int) -> None:
    """The 10,000-entry workload: every source type, best of 3, traced peak."""
    rows = [native(i) for i in range(n)]
    services = [dataservice(i) for i in range(n)]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "c.json").write_text(json.dumps({"entries": rows}, indent=2))
        (folder / "c.yaml").write_text(yaml.safe_dump(rows, allow_unicode=True))
        with (folder / "c.csv").open("w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows({**r, "tags": ", ".join(r["tags"])} for r in rows)
        (folder / "dump.json").write_text(json.dumps({"data": services, "total": n}, indent=2))
        server, site = serve(services, 100)
        try:
            baseline, base_peak, _ = timed(lambda: orjson.loads((folder / "c.json").read_bytes()))
            print(
                f"{n:,} entries; baseline orjson.loads(native JSON): {baseline:.3f} s, {base_peak:.0f} MiB peak"
            )
            cases = {
                "native JSON": str(folder / "c.json"),
                "native YAML": str(folder / "c.yaml"),
                "CSV": str(folder / "c.csv"),
                "data.gouv.fr dump": f"datagouv:{folder / 'dump.json'}",
                "data.gouv.fr API, 100/page": f"datagouv:{site}",
            }
            for label, source in cases.items():
                seconds, peak, loaded = timed(
                    lambda s=source: asyncio.run(load_sources([s], SETTINGS, SourceOptions()))
                )
                assert len(loaded.entries) == n, (label, len(loaded.entries))
                print(
                    f"{label:>28}: {seconds:.3f} s  ({seconds / baseline:5.1f}x baseline), "
                    f"{peak:.0f} MiB peak, {n / seconds:,.0f} entries/s"
                )
        finally:
            server.shutdown()


def child(kind: str, path: str) -> None:
    """Run one large case in this (fresh) process; print its figures as JSON."""
    started_rss = peak_rss_mib()
    started = time.perf_counter()
    if kind == "baseline":
        count = len(orjson.loads(Path(path).read_bytes())["entries"])
    else:
        loaded = asyncio.run(load_sources([path], LARGE_SETTINGS, SourceOptions()))
        count = len(loaded.entries)
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {"seconds": seconds, "rss": peak_rss_mib(), "start_rss": started_rss, "n": count}
        )
    )


def run_child(kind: str, path: Path, timeout: float) -> dict[str, float] | None:
    command = [sys.executable, __file__, "--child", kind, str(path)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        return None
    except subprocess.CalledProcessError as exc:
        raise SystemExit(f"{kind} {path} failed:\n{exc.stderr}") from exc
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def large_cases(n: int, timeout: float) -> None:
    """Native JSON and YAML of ``n`` entries, distinct ids and one shared id, one process each."""
    distinct = [native(i) for i in range(n)]
    shared = [{**row, "id": "api"} for row in distinct]  # titles differ: renamed, not merged
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files: dict[str, Path] = {}
        for ids, rows in (("distinct ids", distinct), ("one shared id", shared)):
            slug = ids.replace(" ", "-")
            files[f"JSON, {ids}"] = folder / f"{slug}.json"
            files[f"JSON, {ids}"].write_bytes(
                orjson.dumps({"entries": rows}, option=orjson.OPT_INDENT_2)
            )
            files[f"YAML, {ids}"] = folder / f"{slug}.yaml"
            files[f"YAML, {ids}"].write_text(
                yaml.dump(rows, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False)
            )
        base = run_child("baseline", files["JSON, distinct ids"], timeout)
        assert base is not None, "the baseline itself timed out"
        size = files["JSON, distinct ids"].stat().st_size / 2**20
        print(
            f"\n{n:,} entries, one process per case; baseline orjson.loads(native JSON, "
            f"{size:.0f} MiB): {base['seconds']:.3f} s, {base['rss']:.0f} MiB peak RSS "
            f"({base['start_rss']:.0f} MiB before loading)"
        )
        for label, path in files.items():
            got = run_child("load", path, timeout)
            mib = path.stat().st_size / 2**20
            if got is None:
                print(f"{label:>28} ({mib:3.0f} MiB): stopped after {timeout:.0f} s")
                continue
            assert got["n"] == n, (label, got["n"])
            print(
                f"{label:>28} ({mib:3.0f} MiB): {got['seconds']:7.2f} s "
                f"({got['seconds'] / base['seconds']:6.1f}x baseline), "
                f"{got['rss']:5.0f} MiB peak RSS ({got['rss'] / base['rss']:4.1f}x baseline)"
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--child-timeout", type=float, default=600.0)
    parser.add_argument("--skip-small", action="store_true")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    if not args.skip_small:
        small_cases(args.entries)
    if args.large:
        large_cases(args.large, args.child_timeout)


if __name__ == "__main__":
    main()
