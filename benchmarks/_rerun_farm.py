"""The re-run benchmarks' farm: one spec per entry, served with ETags and a latency.

A threaded ``http.server`` in its own (spawned) process, so that the run under test
keeps its core; every request waits ``latency`` seconds, each spec answers
``If-None-Match`` with a 304 as a well-behaved host does, and the farm counts what each
host name was asked and reports its own CPU (``STATS_PATH``, as ``_farm.py``'s does).
Used by ``rerun.py`` and ``warm_budget.py``: the same entries, hosts and specs for both.

Each answer leaves without Nagle's delay (``TCP_NODELAY``, as nginx, uvicorn and the
throughput farm's asyncio server set it). Until 2026-12-03 it did not: ``http.server``
writes the head, then the body, and with Nagle on the body waited for the client to
acknowledge the head, which Linux delays up to 40 ms. So an answer with a body took
20 ms or up to 60 ms at random, not the ``latency`` the farm stands for: in the
warm run, the 1,560 request slots were held 35.9 ms on average (the head arrived
after 21.3, the rest was waiting for the body), 25.2 ms with the delay gone.
``nagle=True`` (``--nagle-farm``) serves as before, to compare with older figures.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import threading
import time
import urllib.request
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from benchmarks._farm import STATS_PATH

ROOT = Path(__file__).resolve().parent.parent
CORPUS = (
    Path(os.environ["AUDITOR_CORPUS"])
    if os.environ.get("AUDITOR_CORPUS")
    else ROOT.parent / "shared" / "corpus"
) / "apisguru"
"""The real-world corpus: ../shared/corpus beside the checkout, or $AUDITOR_CORPUS (a worktree)."""
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
    names = [f"api.bench{h:02d}.test" for h in range(hosts)]
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


def serve(folder: str, latency: float, ready: Any, nagle: bool = False) -> None:
    """The farm (child process): every request waits ``latency`` seconds, specs carry ETags."""
    etags: dict[str, str] = {}
    asked: Counter[str] = Counter()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = not nagle

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
            if self.path == STATS_PATH:  # uncounted, no latency: what each host was asked
                with lock:  # and the farm's CPU so far, as _farm.py's: it shares the cores
                    stats = json.dumps({"hosts": dict(asked), "cpu": time.process_time()})
                    asked.clear()
                self._send(200, stats.encode(), "application/json")
                return
            with lock:
                asked[(self.headers.get("Host") or "").rsplit(":", 1)[0]] += 1
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


def add_nagle_flag(parser: argparse.ArgumentParser) -> None:
    """``--nagle-farm``, for the benchmarks that start this farm."""
    parser.add_argument(
        "--nagle-farm",
        action="store_true",
        help="serve as the farm did until 2026-12-03: each body held back by Nagle's "
        "algorithm until the head is acknowledged (up to 40 ms more an answer; "
        "benchmarks/_rerun_farm.py), to compare with figures measured then",
    )


def farm_kind(nagle: bool) -> str:
    """How the farm answers, for a benchmark's header."""
    return "with Nagle (as before 2026-12-03)" if nagle else "TCP_NODELAY"


def start_farm(folder: Path, latency: float, *, nagle: bool = False) -> tuple[Any, int]:
    """The farm serving ``folder`` in its own process (started with spawn), and its port;
    ``nagle``: as it served until 2026-12-03 (the module's docstring)."""
    ready: Any = multiprocessing.get_context("spawn").Queue()
    farm = multiprocessing.get_context("spawn").Process(
        target=serve, args=(str(folder), latency, ready, nagle), daemon=True
    )
    farm.start()
    return farm, int(ready.get(timeout=60))


def farm_asked(port: int) -> tuple[Counter[str], float]:
    """Requests per host the farm served since the last call (and reset its counts), and
    the farm process's CPU seconds so far (subtract two readings)."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{STATS_PATH}", timeout=30) as answer:
        data = json.loads(answer.read())
    return Counter(data["hosts"]), float(data["cpu"])
