"""How fast does auditor validate specs, against plain openapi-spec-validator, same documents?

For the large specs in the corpus (GitHub 13 MB, Kubernetes, Stripe, Docker)
and a batch of APIs.guru specs, in one run, each engine in its own fresh
interpreter:

* ``reference/jsonschema`` and ``reference/jsonschema-rs``: plain
  ``openapi_spec_validator.validate(document)`` with
  OPENAPI_SPEC_VALIDATOR_SCHEMA_VALIDATOR_BACKEND pinned, on documents parsed
  beforehand by auditor's parser (parsing is not timed for it);
* ``auditor``: ``validate_document`` alone (same work as the reference) and
  the whole cold ``analyse_spec`` (parse + validate + inventory + examples +
  quality) from the raw bytes; then the warm re-run of an unchanged document
  (sha256 + on-disk cache hit, median of 5), which is what a second audit
  pays. Each process first handles one tiny document per version, untimed
  (imports, compiled meta-schemas), for both engines alike.

Prints per-spec times, ratios and verdicts; every verdict difference is
listed. Then the same batch serially vs through ``SpecPool`` (all cores);
whole processes (``peers.py``): ``auditor audit``, auditor's pipeline in a
fresh interpreter, Redocly CLI and Spectral (with ``--full`` also
openapi-spec-validator's CLI, both backends) on GitHub, Stripe and the batch;
the full SPEC_MANIFEST.jsonl agreement and swagger-parser's expectations, with
what each peer says about them (above all the 15 documents
openapi-spec-validator accepts and should not); last, a summary table: each
peer's time on GitHub, Stripe and the batch and how many times faster auditor
is, all from this run, with the load average (the machine may be shared).
Documents with ``$ref``s outside themselves are given to no peer (the
reference would fetch them).

Runs: ``--quick`` (about a minute: Stripe and 20 specs, one run each, no pool,
no manifest unless ``--manifest``); the default (large specs and 200; every
large-spec measurement, reference and peers included, the median of
``--repeat`` = 3, the peers' rounds interleaved; the batch once, auditor's
per-spec figures aside); ``--full`` (also the peers on all four large specs
and the osv CLI).

Usage: python -m benchmarks.spec_validation [--quick | --full] [--batch 200] [--repeat 3]
       [--manifest] [--no-pool] [--no-peers] [--no-node]
"""

from __future__ import annotations

import argparse
import datetime
import gc
import hashlib
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks import peers

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
LARGE = CORPUS / "openapi_specs" / "large"
BACKENDS = ("jsonschema", "jsonschema-rs")
TINY = [
    b'{"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {}}',
    *(
        b'{"openapi": "%s", "info": {"title": "t", "version": "1"}, "paths": {}}' % v
        for v in (b"3.0.3", b"3.1.0", b"3.2.0")
    ),
]


def documents(batch: int, quick: bool) -> list[Path]:
    large = sorted(p for p in LARGE.iterdir() if p.suffix in (".json", ".yaml"))
    if quick:
        large = [p for p in large if "stripe" in p.name]
    guru = sorted((CORPUS / "apisguru" / "specs").rglob("*.json"))[:batch]
    return large + guru


def short_name(path: Path) -> str:
    """github__api.github.com.json -> github; apisguru__stripe.com.json -> stripe."""
    owner, _, rest = path.name.partition("__")
    return (rest if owner == "apisguru" else owner).split(".")[0]


def label(path: Path) -> str:
    return str(path.relative_to(CORPUS))


# --- workers (each runs in a fresh interpreter) -------------------------------------


def work_auditor(paths: list[Path], repeat: int) -> None:
    from auditor.context import Limits
    from auditor.spec.analyse import analyse_spec
    from auditor.spec.cache import DiskCache
    from auditor.spec.detect import detect_format
    from auditor.spec.parse import parse_document, paused_gc
    from auditor.spec.validate import validate_document

    for tiny in TINY:  # imports and validator compilation, once per process: not timed
        analyse_spec(tiny)
    with tempfile.TemporaryDirectory() as cache_dir:
        disk = DiskCache(cache_dir, Limits())
        for path in paths:
            data = path.read_bytes()
            cold = []
            for _ in range(repeat if path.parent == LARGE else 1):
                started = time.perf_counter()
                report = analyse_spec(data)
                cold.append(time.perf_counter() - started)
            with paused_gc():
                document = parse_document(data)
                started = time.perf_counter()
                verdict = validate_document(document, detect_format(document))
                validate_s = time.perf_counter() - started
            del document
            disk.put(report)
            gc.collect()
            warm_runs = []
            for _ in range(5):
                started = time.perf_counter()
                hit = disk.get(hashlib.sha256(data).hexdigest())
                warm_runs.append(time.perf_counter() - started)
                assert hit == report
            warm = statistics.median(warm_runs)
            emit(
                path,
                cold_first=cold[0],
                cold=statistics.median(cold),
                validate=validate_s,
                warm=warm,
                valid=verdict.valid,
                external=bool(verdict.external_refs),
                error=(verdict.errors or (verdict.note or "",))[0][:160],
                fields=report.field_count,
            )
    rss()


def work_reference(paths: list[Path], backend: str, repeat: int) -> None:
    os.environ["OPENAPI_SPEC_VALIDATOR_SCHEMA_VALIDATOR_BACKEND"] = backend
    from openapi_spec_validator import validate
    from openapi_spec_validator.schemas import get_validator_backend

    from auditor.spec.parse import parse_document

    assert get_validator_backend() == backend
    for tiny in TINY:  # the reference's own first-use costs, likewise not timed
        validate(parse_document(tiny))
    for path in paths:
        document = parse_document(path.read_bytes())
        runs = []
        for _ in range(repeat if path.parent == LARGE else 1):
            started = time.perf_counter()
            error = ""
            try:
                validate(document)
                valid = True
            except Exception as exc:
                valid, error = False, f"{type(exc).__name__}: {str(exc).splitlines()[0][:140]}"
            runs.append(time.perf_counter() - started)
        emit(path, seconds=statistics.median(runs), valid=valid, error=error)
    rss()


def work_pool(paths: list[Path]) -> None:
    import asyncio
    from functools import partial

    from auditor.spec.analyse import analyse_spec
    from auditor.spec.pool import SpecPool

    blobs = [p.read_bytes() for p in paths]
    started = time.perf_counter()
    for blob in blobs:
        analyse_spec(blob)
    serial = time.perf_counter() - started
    workers = os.cpu_count() or 1
    pool = SpecPool(workers)

    async def run(items: list[bytes]) -> float:
        loop = asyncio.get_running_loop()
        begun = time.perf_counter()
        await asyncio.gather(*(loop.run_in_executor(pool, partial(analyse_spec, b)) for b in items))
        return time.perf_counter() - begun

    asyncio.run(run(TINY * 4 * workers))  # start the workers, compile their validators
    before = os.times()
    pooled = asyncio.run(run(blobs))
    after = os.times()
    pool.shutdown()
    busy = (after.user + after.system) - (before.user + before.system)
    row = {"serial": serial, "pooled": pooled, "workers": workers, "loop_cpu": busy}
    print(json.dumps(row), flush=True)


def emit(path: Path, **values: Any) -> None:
    print(json.dumps({"path": label(path), **values}), flush=True)


def rss() -> None:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"peak_rss_mb": round(peak)}), flush=True)


# --- the driver ---------------------------------------------------------------------


def listing(paths: list[Path], directory: Path, name: str) -> str:
    """The workers read their documents' paths from a file (the batch is long)."""
    target = directory / name
    target.write_text("\n".join(str(p) for p in paths))
    return str(target)


def spawn(*args: str) -> list[dict[str, Any]]:
    command = [sys.executable, __file__, "--worker", *args]
    out = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT)
    return [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]


def by_path(rows: list[dict[str, Any]]) -> tuple[dict[str, dict[str, Any]], float | None]:
    peak = next((r["peak_rss_mb"] for r in rows if "peak_rss_mb" in r), None)
    return {r["path"]: r for r in rows if "path" in r}, peak


def fmt_s(value: float | None) -> str:
    return "—" if value is None else f"{value:8.3f}"


def verdict(value: bool | None) -> str:
    return {True: "valid", False: "invalid", None: "none"}[value]


Cells = dict[str, dict[str, float]]
"""In-process seconds by target (``github``, ``stripe``, ``200 APIs.guru specs``) and row."""


def batch_name(count: int) -> str:
    return f"{count} APIs.guru specs"


def compare(
    paths: list[Path], repeat: int, ref_repeat: int, tmp: Path
) -> tuple[list[Path], Cells, str]:
    """The in-process table; returns the documents without external ``$ref``s, the cells of
    the summary (load average before each engine's process included) and its verdict line."""
    loads = {"auditor": os.getloadavg()[0]}
    auditor, auditor_rss = by_path(spawn("auditor", listing(paths, tmp, "all"), str(repeat)))
    refusable = [p for p in paths if not auditor[label(p)]["external"]]
    given = listing(refusable, tmp, "local")
    refs = {}
    for backend in BACKENDS:
        loads[backend] = os.getloadavg()[0]
        refs[backend] = by_path(spawn("reference", given, backend, str(ref_repeat)))
    cells: Cells = {}

    print(f"{'spec':44} {'KB':>7} {'ref py':>8} {'ref rs':>8} {'aud val':>8} {'aud all':>8}"
          f" {'warm ms':>8} {'py/val':>7} {'rs/val':>7} {'py/all':>7} {'rs/all':>7}"
          "  verdicts (ref py / ref rs / auditor)")  # fmt: skip
    totals = {"py": 0.0, "rs": 0.0, "val": 0.0, "all": 0.0, "warm": 0.0}
    differences = []
    for path in paths:
        name = label(path)
        mine = auditor[name]
        py, rs = refs["jsonschema"][0].get(name), refs["jsonschema-rs"][0].get(name)
        if path.parent != LARGE and py and rs:
            totals["py"] += py["seconds"]
            totals["rs"] += rs["seconds"]
            totals["val"] += mine["validate"]
            totals["all"] += mine["cold"]
            totals["warm"] += mine["warm"]
        if path.parent == LARGE and py and rs:
            cells[short_name(path)] = {
                "val": mine["validate"],
                "all": mine["cold"],
                "py": py["seconds"],
                "rs": rs["seconds"],
            }
        ours = mine["valid"]
        theirs = [r["valid"] if r else None for r in (py, rs)]
        agree = all(t is None or (ours is True) == t for t in theirs)
        if not agree or (py and rs and py["valid"] != rs["valid"]):
            differences.append((name, theirs, ours, py, rs, mine))
        if path.parent == LARGE or not agree:
            print(
                f"{name[-44:]:44} {path.stat().st_size / 1024:7.0f} "
                f"{fmt_s(py['seconds'] if py else None)} {fmt_s(rs['seconds'] if rs else None)} "
                f"{fmt_s(mine['validate'])} {fmt_s(mine['cold'])} {mine['warm'] * 1000:8.1f} "
                f"{(py['seconds'] / mine['validate']) if py else 0:6.1f}x "
                f"{(rs['seconds'] / mine['validate']) if rs else 0:6.1f}x "
                f"{(py['seconds'] / mine['cold']) if py else 0:6.1f}x "
                f"{(rs['seconds'] / mine['cold']) if rs else 0:6.1f}x  "
                f"{'/'.join(verdict(t) for t in theirs)} / {verdict(ours)}"
                + ("" if agree else "   <-- differs")
            )
    batch = len([p for p in paths if p.parent != LARGE])
    given_batch = len([p for p in refusable if p.parent != LARGE])
    if totals["all"]:
        cells[batch_name(given_batch)] = {k: totals[k] for k in ("val", "all", "py", "rs")}
    for cell in cells.values():
        cell.update({f"load {k}": v for k, v in loads.items()})
    print(f"\nbatch of {batch} APIs.guru specs (given to the reference: {given_batch}):")
    print(f"  reference jsonschema {totals['py']:.2f} s, jsonschema-rs {totals['rs']:.2f} s")
    print(f"  auditor validate {totals['val']:.2f} s, whole cold analysis {totals['all']:.2f} s,"
          f" warm re-run {totals['warm'] * 1000:.0f} ms")  # fmt: skip
    if totals["all"]:
        print(f"  ratios, validation alone: {totals['py'] / totals['val']:.1f}x (jsonschema), "
              f"{totals['rs'] / totals['val']:.1f}x (jsonschema-rs)")  # fmt: skip
        print(f"  ratios: {totals['py'] / totals['all']:.1f}x (jsonschema), "
              f"{totals['rs'] / totals['all']:.1f}x (jsonschema-rs) with auditor's whole analysis;"
              f" warm/cold {100 * totals['warm'] / totals['all']:.1f}%")  # fmt: skip
    gh = auditor.get("openapi_specs/large/github__api.github.com.json")
    gh_py = refs["jsonschema"][0].get("openapi_specs/large/github__api.github.com.json")
    if gh and gh_py:
        print(f"\nGitHub 13 MB: reference (jsonschema) {gh_py['seconds']:.2f} s (median of "
              f"{ref_repeat}); auditor cold {gh['cold']:.2f} s (median of {repeat}, first "
              f"{gh['cold_first']:.2f} s) = {gh_py['seconds'] / gh['cold']:.1f}x faster; warm "
              f"{gh['warm'] * 1000:.1f} ms = {100 * gh['warm'] / gh['cold']:.1f}% of cold")  # fmt: skip
    print(
        "load average before each process: " + ", ".join(f"{k} {v:.1f}" for k, v in loads.items())
    )
    print(f"peak RSS: auditor worker {auditor_rss} MB, reference jsonschema "
          f"{refs['jsonschema'][1]} MB, jsonschema-rs {refs['jsonschema-rs'][1]} MB")  # fmt: skip
    print(f"\nverdict differences: {len(differences)}")
    for name, theirs, ours, py, rs, mine in differences:
        print(f"  {name}: reference {theirs}, auditor {ours}")
        for who, row in (("ref py", py), ("ref rs", rs)):
            if row and row["error"]:
                print(f"    {who}: {row['error']}")
        print(f"    auditor: {mine['error']}")
    agreed = f"{len(paths) - len(differences)}/{len(paths)}"
    return refusable, cells, f"same verdict as osv, both backends, on {agreed} documents here"


def pool_figures(paths: list[Path], tmp: Path) -> None:
    (row,) = spawn("pool", listing(paths, tmp, "batch"))
    print(f"\nwhole analysis of the large specs and the batch: serial {row['serial']:.2f} s, SpecPool of "
          f"{row['workers']} workers {row['pooled']:.2f} s ({row['serial'] / row['pooled']:.2f}x); "
          f"CPU left on the event loop's process {row['loop_cpu']:.2f} s "
          f"(load average {os.getloadavg()[0]:.1f})")  # fmt: skip


def manifest_agreement() -> str:
    from auditor.spec.detect import detect_format
    from auditor.spec.parse import parse_document
    from auditor.spec.validate import validate_document

    rows = [json.loads(line) for line in (CORPUS / "SPEC_MANIFEST.jsonl").read_text().splitlines()]
    agree, other = 0, []
    started = time.perf_counter()
    for row in rows:
        document = parse_document((CORPUS / row["path"]).read_bytes())
        mine = validate_document(document, detect_format(document))
        expected = bool(row.get("osv_valid_with_osv_reader", row["osv_valid"]))
        if (mine.valid is True) == expected:
            agree += 1
        else:
            other.append((row["path"], expected, mine))
    took = time.perf_counter() - started
    print(f"\nSPEC_MANIFEST.jsonl: {agree}/{len(rows)} verdicts agree with openapi-spec-validator "
          f"0.9.0 ({took:.1f} s for parse + validate of all {len(rows)}; the manifest's own "
          f"validation times add up to {sum(r['validate_seconds'] for r in rows):.1f} s)")  # fmt: skip
    for path, expected, mine in other:
        print(
            f"  {path}: reference {expected}, auditor {mine.valid} — {mine.note or mine.errors[:1]}"
        )
    unknown = sum(mine.valid is None for _, _, mine in other)
    return (f"SPEC_MANIFEST.jsonl: same verdict as osv 0.9.0 on {agree}/{len(rows)}; of the "
            f"others, {unknown} without a verdict (multi-file: external $refs not followed), "
            f"{len(other) - unknown} opposite")  # fmt: skip


def swagger_parser_cases(peers_run: list[peers.Tool]) -> list[str]:
    """auditor and the peers against swagger-parser's expected outcomes (its 49 test cases)."""
    prefix = "invalid_specs/swagger_parser/"
    reference = {
        row["path"].removeprefix(prefix): bool(
            row.get("osv_valid_with_osv_reader", row["osv_valid"])
        )
        for row in map(json.loads, (CORPUS / "SPEC_MANIFEST.jsonl").read_text().splitlines())
        if row["path"].startswith(prefix)
    }
    chosen = [t for t in peers_run if not t.name.startswith("osv CLI")]
    return peers.swagger_parser_peers(CORPUS / prefix, reference, chosen)


def summary(
    cells: Cells, whole: peers.Results, targets: list[str], names: list[str], verdicts: list[str]
) -> None:
    """The headline: each peer's time on GitHub, Stripe and the batch, and how many times
    faster auditor is (peer / auditor), all from this run."""
    shown = [t for t in targets if t in cells or any(g == t for g, _ in whole)]
    print("\n=== auditor against its peers, this run (Nx: the peer's time / auditor's, "
          "i.e. auditor is N times faster)")  # fmt: skip
    print(f"{'':34}" + "".join(f"{t:>30}" for t in shown))

    def line(title: str, cell: Callable[[str], str | None]) -> None:
        print(f"{title:34}" + "".join(f"{cell(t) or '—':>30}" for t in shown))

    def inproc(key: str, base: str = "") -> Callable[[str], str | None]:
        def cell(t: str) -> str | None:
            if (c := cells.get(t)) is None:
                return None
            ratios = f" {c[key] / c['all']:5.1f}x ({c[key] / c['val']:.0f}x)" if base else ""
            return f"{c[key]:.2f} s{ratios}"

        return cell

    print("in process, same parsed document (osv: openapi-spec-validator 0.9 validate()):")
    line("  auditor validate_document", inproc("val"))
    line("  auditor analyse_spec, cold", inproc("all"))
    line("  osv, jsonschema backend", inproc("py", "x"))
    line("  osv, jsonschema-rs backend", inproc("rs", "x"))
    line("  load average (auditor/py/rs)", lambda t: "/".join(
        f"{v:.1f}" for k, v in cells.get(t, {}).items() if k.startswith("load")) or None)  # fmt: skip
    print("  (x: against analyse_spec, all of auditor's work; in brackets against "
          "validate_document, the same work; large specs: medians of --repeat)")  # fmt: skip

    def whole_cell(name: str) -> Callable[[str], str | None]:
        def cell(t: str) -> str | None:
            m, pipe, audit = (
                whole.get((t, n)) for n in (name, "auditor pipeline", "auditor audit")
            )
            if m is None or pipe is None or audit is None:
                return None
            if name.startswith("auditor"):
                waited = "*" if m.cpu < 0.5 * m.wall else ""
                return f"{waited}{m.wall:.2f} s (CPU {m.cpu:.1f} s)"
            return f"{m.wall:.2f} s {m.wall / pipe.wall:5.1f}x ({m.wall / audit.wall:.1f}x)"

        return cell

    print("whole process, one command (start-up, reading and parsing included):")
    for name in names:
        line(f"  {name}", whole_cell(name))
    line("  load average", lambda t: next(
        (f"{m.load:.1f}" for (g, _), m in whole.items() if g == t), None))  # fmt: skip
    print("  (x: against `auditor pipeline`, the same work: analyse_spec in a fresh interpreter;"
          " in brackets against `auditor audit`, the whole audit with its network probes)")  # fmt: skip
    print("  *: less CPU than half the wall time: waiting on network probes (offline DNS)")
    runs = {t: len(m.walls) for (t, n), m in whole.items() if n == "auditor pipeline"}
    print("  runs per cell (median): " + ", ".join(f"{t} {n}" for t, n in runs.items()))
    print("verdicts:")
    for text in verdicts:
        print(f"  {text}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each large spec (median)")
    parser.add_argument(
        "--manifest", action="store_true", help="check all 538 manifest verdicts (also --quick)"
    )
    parser.add_argument("--no-pool", action="store_true")
    parser.add_argument("--no-peers", action="store_true", help="no whole-process comparison")
    parser.add_argument("--no-node", action="store_true", help="leave out Redocly and Spectral")
    modes = parser.add_mutually_exclusive_group()
    modes.add_argument("--quick", action="store_true", help="Stripe and 20 specs, one run each")
    modes.add_argument("--full", action="store_true", help="everything, medians, the osv CLI")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        kind, names, *rest = args.worker
        paths = [Path(line) for line in Path(names).read_text().splitlines() if line]
        if kind == "auditor":
            work_auditor(paths, int(rest[0]))
        elif kind == "reference":
            work_reference(paths, rest[0], int(rest[1]))
        else:
            work_pool(paths)
        return
    if not CORPUS.is_dir():
        sys.exit(f"corpus not found at {CORPUS}")
    print(f"spec validation benchmark — {platform.python_implementation()} "
          f"{platform.python_version()}, {os.cpu_count()} cores, "
          f"{datetime.date.today().isoformat()}, load average {os.getloadavg()[0]:.1f}\n")  # fmt: skip
    if args.quick:
        args.batch, args.repeat, args.no_pool = min(args.batch, 20), 1, True
    paths = documents(args.batch, args.quick)
    with tempfile.TemporaryDirectory() as tmp:
        local, cells, agreed = compare(paths, args.repeat, args.repeat, Path(tmp))
        if not args.no_pool:
            pool_figures(paths, Path(tmp))
    peers_run = peers.tools(osv_cli=args.full, node=not (args.no_node or args.no_peers))
    whole: peers.Results = {}
    batch = [p for p in local if p.parent != LARGE]
    if not args.no_peers:
        large = [p for p in local if p.parent == LARGE and (args.full or p.suffix == ".json")]
        groups = [(short_name(p), [p], args.repeat) for p in large]
        print(f"\nwhole processes (each large spec: median of {args.repeat} rounds, tools "
              f"interleaved; load average {os.getloadavg()[0]:.1f}); the batch is one command "
              f"over all {len(batch)} files, once:")  # fmt: skip
        whole = peers.whole_process([*groups, (batch_name(len(batch)), batch, 1)], peers_run)
    verdicts = [agreed]
    if args.manifest or not args.quick:
        verdicts.append(manifest_agreement())
    verdicts += swagger_parser_cases(peers_run)
    targets = ["github", "stripe", batch_name(len(batch))]
    summary(cells, whole, targets, [t.name for t in peers_run], verdicts)


if __name__ == "__main__":
    main()
