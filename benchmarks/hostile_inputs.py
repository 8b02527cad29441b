"""Hostile inputs against their bounds: time and peak memory of each, as a user would run them.

Every case is an ``auditor`` command in a fresh process, fed a document built
here (never the corpus): a spec made of a long ``$ref`` chain, a folder of
such specs with a short entry budget, a data.gouv.fr-style API on 127.0.0.1
that never stops paging, catalogs of 100,000 entries (all sharing one id, or
all distinct; YAML and JSON), and methodology files that try to blow up the
scores or the output. Each line prints wall time, CPU time, peak RSS, the
exit code, and the bound the case must stay under; a case past its kill time
is stopped and reported as such.

    python -m benchmarks.hostile_inputs            # every case
    python -m benchmarks.hostile_inputs --quick    # smaller catalogs (10,000 entries)
    python -m benchmarks.hostile_inputs --only spec

Bounds (the issue's): a spec below the size cap never holds a run past its
entry budget plus a margin; a catalog source stops at its page and entry caps;
a rules file that would not score, or would write without bound, is refused
with exit 2.
"""

from __future__ import annotations

import argparse
import http.server
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import yaml

ROOT = Path(__file__).resolve().parent.parent
ENTRY_BUDGET = 20.0
MARGIN = 5.0
MiB = 1024 * 1024


@dataclass(frozen=True)
class Case:
    name: str
    group: str
    argv: list[str]
    max_seconds: float
    max_rss_mib: float
    expect_exit: tuple[int, ...]
    kill_after: float


@dataclass(frozen=True)
class Measured:
    wall: float
    cpu: float
    rss_mib: float
    exit_code: int | None  # None: killed at kill_after


def run(case: Case, cwd: Path) -> Measured:
    """Run ``case`` in its own process group, measured by GNU time where there is one.

    ``wait4`` on a child forked from this process reports at least this process's own
    peak RSS (the child's high-water mark starts at the parent's, and this process
    holds the generated catalogs), so the child is started by ``/usr/bin/time``, a
    small process, whose report is the command's own.
    """
    report = cwd / f"time-{os.getpid()}-{time.monotonic_ns()}.txt"
    timed = Path("/usr/bin/time").exists()
    prefix = ["/usr/bin/time", "-f", "%M %U %S", "-o", str(report)] if timed else []
    started = time.perf_counter()
    process = subprocess.Popen(
        [*prefix, sys.executable, "-m", "auditor", *case.argv],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    killed = threading.Event()

    def kill() -> None:
        killed.set()
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)

    timer = threading.Timer(case.kill_after, kill)
    timer.start()
    _pid, status, usage = os.wait4(process.pid, 0)
    timer.cancel()
    wall = time.perf_counter() - started
    code = None if killed.is_set() else os.waitstatus_to_exitcode(status)
    cpu, rss_mib = usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024
    if timed and report.exists():
        fields = report.read_text().split()[-3:]  # GNU time puts "Command exited..." first
        if len(fields) == 3:
            rss_mib, cpu = int(fields[0]) / 1024, float(fields[1]) + float(fields[2])
    return Measured(wall, cpu, rss_mib, code)


# --- inputs ----------------------------------------------------------------------------


def ref_chain_spec(length: int) -> dict[str, object]:
    """An OpenAPI 3.0 document whose one schema is the end of a ``length``-long $ref chain."""
    schemas: dict[str, object] = {
        f"S{i}": {"$ref": f"#/components/schemas/S{i + 1}"} for i in range(length)
    }
    schemas[f"S{length}"] = {"type": "object", "properties": {"id": {"type": "string"}}}
    ok = {
        "description": "ok",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/S0"}}},
    }
    return {
        "openapi": "3.0.3",
        "info": {"title": f"chain of {length} refs", "version": "1"},
        "paths": {"/items": {"get": {"responses": {"200": ok}}}},
        "components": {"schemas": schemas},
    }


def healthy_spec(n: int) -> dict[str, object]:
    ok = {"description": "ok"}
    return {
        "openapi": "3.0.3",
        "info": {"title": f"healthy {n}", "version": "1", "license": {"name": "MIT"}},
        "paths": {f"/things{n}": {"get": {"responses": {"200": ok}}}},
    }


def catalog_records(count: int, same_id: bool) -> list[dict[str, object]]:
    return [
        {
            "id": "same" if same_id else f"api-{i}",
            "title": f"API {i}",
            "base_url": f"https://api{i % 500}.example.org/v1",
            "organization": f"Org {i % 97}",
        }
        for i in range(count)
    ]


def hostile_rules(tmp: Path, name: str, edit: Callable[[dict[str, object]], None]) -> Path:
    rules = yaml.safe_load((ROOT / "rules" / "trust-v1.yaml").read_text("utf-8"))
    edit(rules)
    path = tmp / f"{name}.yaml"
    path.write_text(yaml.safe_dump(rules, sort_keys=False), "utf-8")
    return path


def _first_axis(rules: dict[str, object]) -> dict[str, object]:
    axes = rules["axes"]
    assert isinstance(axes, list)
    axis = axes[0]
    assert isinstance(axis, dict)
    return axis


def _nan_points(rules: dict[str, object]) -> None:
    _first_axis(rules)["signals"][0]["points"] = float("nan")  # type: ignore[index]


def _inf_weight(rules: dict[str, object]) -> None:
    _first_axis(rules)["weight"] = float("inf")


def _wide_reason(rules: dict[str, object]) -> None:
    _first_axis(rules)["reason"] = "{score:>300000000}"


def _misspelled_check(rules: dict[str, object]) -> None:
    _first_axis(rules)["signals"][0]["check"] = "official_domian"  # type: ignore[index]


class EndlessPages(http.server.BaseHTTPRequestHandler):
    """A udata-style dataservices API whose every page points at a next one."""

    def do_GET(self) -> None:
        query = parse_qs(urlsplit(self.path).query)
        page = int(query.get("page", ["1"])[0])
        host = self.headers.get("Host", "127.0.0.1")
        records = [
            {
                "id": f"p{page}-{i}",
                "title": f"API {page}-{i}",
                "base_api_url": f"https://api{i}.example.org/",
                "organization": {"name": "Org", "badges": []},
            }
            for i in range(100)
        ]
        body = json.dumps(
            {
                "data": records,
                "page": page,
                "page_size": 100,
                "total": 10**9,
                "next_page": f"http://{host}/api/1/dataservices/?page={page + 1}",
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def endless_server() -> Iterator[int]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), EndlessPages)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


# --- cases -----------------------------------------------------------------------------


def spec_cases(tmp: Path) -> list[Case]:
    chain = tmp / "chain.json"
    chain.write_text(json.dumps(ref_chain_spec(5000)))
    folder = tmp / "six-chains"
    folder.mkdir()
    for i in range(6):
        (folder / f"chain{i}.json").write_text(json.dumps(ref_chain_spec(5000 + i)))
    for i in range(2):
        (folder / f"healthy{i}.json").write_text(json.dumps(healthy_spec(i)))
    budget = ["--limit", f"entry_timeout={ENTRY_BUDGET:g}s", "--format", "json"]
    bound = ENTRY_BUDGET + MARGIN
    return [
        Case(
            f"spec: one $ref chain ({chain.stat().st_size // 1024} KB)",
            "spec",
            ["audit", str(chain), *budget],
            bound,
            1024,
            (0, 1),
            kill_after=600,
        ),
        Case(
            "spec: 6 chains + 2 healthy, one run",
            "spec",
            ["audit", str(folder), *budget],
            bound,
            1024,
            (0, 1),
            kill_after=600,
        ),
    ]


def catalog_cases(tmp: Path, count: int, port: int) -> list[Case]:
    cases = [
        Case(
            "catalog: endless data.gouv.fr paging",
            "catalog",
            [
                "catalog",
                f"datagouv:http://127.0.0.1:{port}",
                "--allow-private-network",
                "--format",
                "json",
                "-o",
                str(tmp / "endless.json"),
            ],
            60,
            500,
            (0, 1),
            kill_after=120,
        )
    ]
    for same in (True, False):
        records = catalog_records(count, same)
        label = "one shared id" if same else "distinct ids"
        for fmt in ("json", "yaml"):
            path = tmp / f"catalog-{'same' if same else 'distinct'}.{fmt}"
            if fmt == "json":
                path.write_text(json.dumps(records))
            else:
                path.write_text(yaml.safe_dump(records, sort_keys=False))
            cases.append(
                Case(
                    f"catalog: {count:,} entries, {label}, {fmt.upper()} "
                    f"({path.stat().st_size / MiB:.0f} MB)",
                    "catalog",
                    ["catalog", str(path), "--format", "json", "-o", str(tmp / "out.json")],
                    60,
                    1024,
                    (0, 1),
                    kill_after=600,
                )
            )
    return cases


def rules_cases(tmp: Path) -> list[Case]:
    spec = tmp / "healthy.json"
    spec.write_text(json.dumps(healthy_spec(0)))
    edits = {
        "points: .nan": _nan_points,
        "weight: .inf": _inf_weight,
        "reason '{score:>300000000}'": _wide_reason,
        "check: official_domian": _misspelled_check,
    }
    return [
        Case(
            f"rules: {label}",
            "rules",
            [
                "audit",
                str(spec),
                "--rules",
                str(hostile_rules(tmp, f"rules{i}", edit)),
                "--format",
                "json",
                "-o",
                str(tmp / f"rules{i}.json"),
            ],
            5,
            300,
            (2,),
            kill_after=120,
        )
        for i, (label, edit) in enumerate(edits.items())
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000-entry catalogs")
    parser.add_argument("--only", choices=("spec", "catalog", "rules"))
    args = parser.parse_args()
    count = 10_000 if args.quick else 100_000
    tmp = Path(tempfile.mkdtemp(prefix="auditor-hostile-"))
    print(f"hostile inputs, {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, in {tmp}")
    print(
        f"{'case':<52} {'wall s':>8} {'cpu s':>7} {'RSS MiB':>8} {'exit':>6}  {'bound':<18} verdict"
    )
    failures = 0
    try:
        with endless_server() as port:
            cases = [
                *(spec_cases(tmp) if args.only in (None, "spec") else []),
                *(catalog_cases(tmp, count, port) if args.only in (None, "catalog") else []),
                *(rules_cases(tmp) if args.only in (None, "rules") else []),
            ]
            for case in cases:
                m = run(case, tmp)
                met = (
                    m.exit_code is not None
                    and m.exit_code in case.expect_exit
                    and m.wall <= case.max_seconds
                    and m.rss_mib <= case.max_rss_mib
                )
                failures += not met
                code = "killed" if m.exit_code is None else str(m.exit_code)
                bound = f"<={case.max_seconds:g}s <={case.max_rss_mib:g}MiB"
                print(
                    f"{case.name:<52} {m.wall:>8.2f} {m.cpu:>7.2f} {m.rss_mib:>8.0f} {code:>6}  "
                    f"{bound:<18} {'met' if met else 'NOT MET'}"
                    + (
                        ""
                        if m.exit_code in case.expect_exit
                        else f" (expected exit {case.expect_exit})"
                    ),
                    flush=True,
                )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{failures} case(s) not within their bounds")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
