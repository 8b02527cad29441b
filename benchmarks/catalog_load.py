"""How long does reading a 10,000-entry catalog take, per source type?

Writes synthetic catalogs of N entries (native JSON, native YAML, CSV, a
data.gouv.fr dump) to a temporary folder and serves the same records as a
paginated fake data.gouv.fr API on 127.0.0.1; then times ``load_sources`` on
each. The baseline, measured in the same run, is ``orjson.loads`` of the
native JSON file: the ratio says what mapping, line numbering and id checks
cost on top of parsing. Usage: python benchmarks/catalog_load.py [--entries 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson
import yaml

from auditor.catalog import SourceOptions, load_sources
from auditor.context import AuditSettings, NetworkPolicy

SETTINGS = AuditSettings(network=NetworkPolicy(allow_private=True))


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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=10_000)
    args = parser.parse_args()
    n = args.entries
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


if __name__ == "__main__":
    main()
