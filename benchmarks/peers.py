"""Whole-process peers for ``benchmarks/spec_validation.py``: what a user would run instead.

Redocly CLI and Spectral are Node programs, and openapi-spec-validator has its
own CLI, so the only fair way to set them against auditor is the wall time of
one command each, start-up, imports and file reading included, on the same
files, in the same run. auditor is measured twice that way:

* ``auditor audit FILES --format json``: the real CLI, the whole audit of each
  spec as an entry: parse + validate + inventory + scoring + JSON output, plus
  a second parse at catalog load and up to one worker process per core for
  specs of 256 KB or more (the default ``--spec-workers``). Offline, its
  network probes end on DNS errors — at once for most names, after the
  resolver's timeout (5 s on this machine) for a few — so on a batch its wall
  time is mostly waiting; the CPU time printed next to it shows how much;
  ``auditor audit -w0`` is the same with ``--spec-workers 0`` (no worker process);
* ``auditor pipeline``: a fresh interpreter that runs ``analyse_spec`` on each
  file's bytes (this module's ``analyse`` worker), i.e. the spec pipeline
  alone, as the in-process benchmark calls it.

The Node linters run style rules too (Redocly's default ``recommended``
ruleset, Spectral's ``spectral:oas``), so they do more than validate; Redocly
is also run with its ``spec`` ruleset (structure only). They are installed once
with ``npm install --prefix`` into ``~/.cache/auditor-bench/node`` (override:
AUDITOR_BENCH_NODE) and their binaries are called directly, which spares
npx's ~0.45 s of package resolution per call. A tool that cannot run is
skipped with a printed note.

Verdicts are what each tool's exit status would say in CI (checked by hand on
valid and invalid files, Redocly CLI 2.77 and Spectral 6.16): auditor's
``valid``; openapi-spec-validator's ``FILE: OK``; Redocly: ``totals.errors``
of the file's JSON report is 0 (a file it cannot parse or process is a
rejection, and ends the command); Spectral: no result of severity 0 for the
file (a document in no format it knows only gets an ``unrecognized-format``
warning, so it passes).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

NODE_CACHE = Path(
    os.environ.get("AUDITOR_BENCH_NODE") or Path.home() / ".cache" / "auditor-bench" / "node"
)
NODE_PACKAGES = {"redocly": "@redocly/cli", "spectral": "@stoplight/spectral-cli"}
NODE_ENV = {
    "REDOCLY_TELEMETRY": "off",
    "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true",
    "NO_UPDATE_NOTIFIER": "1",
}
TIMEOUT_S = 1800.0


@dataclass(frozen=True)
class Said:
    """One tool's verdict on one file, and the first reason it gave for a rejection."""

    valid: bool | None  # None: no verdict (not checked, or the tool did not get to it)
    why: str = ""


NOTHING = Said(None)
Verdicts = dict[Path, Said]


@dataclass(frozen=True)
class Run:
    wall: float
    peak_mb: float
    """ru_maxrss of the command's process as reported by wait4 (its largest waited-for child
    included)."""
    cpu: float
    """User + system seconds of the command and the children it waited for (its workers):
    far below ``wall`` means it waited (on DNS, for ``auditor audit`` offline)."""
    returncode: int
    stdout: str
    stderr: str


def run_timed(command: Sequence[str], cwd: Path, env: dict[str, str] | None = None) -> Run:
    """Wall time and peak RSS of one command; output goes to files, not pipes (it can be MBs)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(
            list(command),
            cwd=cwd,
            env={**os.environ, **(env or {})},
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
        )
        timer = threading.Timer(TIMEOUT_S, process.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(
            wall,
            usage.ru_maxrss / 1024,
            usage.ru_utime + usage.ru_stime,
            process.returncode,
            out.read().decode(errors="replace"),
            err.read().decode(errors="replace"),
        )


# --- the tools ----------------------------------------------------------------------


@dataclass(frozen=True)
class Tool:
    name: str
    command: Callable[[Sequence[Path], Path], list[str]]
    """The command for these files, given a scratch directory (also the working directory)."""
    verdicts: Callable[[Run, Sequence[Path], Path], Verdicts]
    env: dict[str, str] = field(default_factory=dict)
    one_file: bool = False
    """Only measured on single files: openapi-spec-validator's CLI stops at the first invalid
    file of a list, so a batch command would not check the rest."""


def node_binary(name: str) -> tuple[Path | None, str]:
    """The installed linter, installing it once when npm is there; else None and why."""
    binary = NODE_CACHE / "node_modules" / ".bin" / name
    if not binary.exists():
        if shutil.which("npm") is None or shutil.which("node") is None:
            return None, "node/npm not found"
        print(f"  (installing {NODE_PACKAGES[name]} into {NODE_CACHE})", flush=True)
        NODE_CACHE.mkdir(parents=True, exist_ok=True)
        install = ["npm", "install", "--prefix", str(NODE_CACHE), "--no-audit", "--no-fund"]
        try:
            subprocess.run([*install, NODE_PACKAGES[name]], capture_output=True, timeout=900)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return None, f"npm install failed: {exc}"
    try:
        probe = subprocess.run(
            [str(binary), "--version"],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, **NODE_ENV},
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"cannot run {binary}: {exc}"
    if probe.returncode != 0:
        return None, f"{binary} --version failed: {probe.stderr.strip()[-200:]}"
    return binary, probe.stdout.strip().splitlines()[-1]


def auditor_audit_verdicts(run: Run, files: Sequence[Path], scratch: Path) -> Verdicts:
    said = {}
    for result in json.loads((scratch / "audit.json").read_text())["results"]:
        spec = result.get("spec") or {}
        why = "; ".join(spec.get("errors") or [])
        said[result["entry"].get("local_spec")] = Said(spec.get("valid"), why)
    return {f: said.get(str(f), NOTHING) for f in files}


def pipeline_verdicts(run: Run, files: Sequence[Path], scratch: Path) -> Verdicts:
    rows = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
    said = {r["path"]: Said(r["valid"], r["why"]) for r in rows}
    return {f: said.get(str(f), NOTHING) for f in files}


def osv_cli_verdicts(run: Run, files: Sequence[Path], scratch: Path) -> Verdicts:
    """``FILE: OK`` or ``FILE: Validation Error: …``, one line per file; a file it cannot
    parse gets a message without its name and exit status 1, which ends the command."""
    said: Verdicts = {}
    wanted = {f"{f}: ": f for f in files}
    for line in run.stdout.splitlines():
        for prefix, path in wanted.items():
            if line.startswith(prefix) and path not in said:
                rest = line.removeprefix(prefix)
                said[path] = Said(True) if rest == "OK" else Said(False, rest)
    if len(files) == 1 and not said and run.returncode == 1:
        message = (run.stdout + run.stderr).strip().splitlines()
        said[files[0]] = Said(False, f"cannot parse: {' '.join(message[:2])}")
    return {f: said.get(f, NOTHING) for f in files}


def redocly_verdicts(run: Run, files: Sequence[Path], scratch: Path) -> Verdicts:
    """One JSON object on stdout per file linted, and its progress lines on stderr.

    A file Redocly cannot parse (``Failed to parse API description``) or process
    (``Something went wrong when processing``: not an OpenAPI document, say) is
    rejected, exit status 1, and ends the command: the files after it get no verdict.
    """
    decoder, text, at, reports = json.JSONDecoder(), run.stdout, 0, []
    while (at := text.find("{", at)) >= 0:
        report, at = decoder.raw_decode(text, at)
        errors = [p for p in report["problems"] if p["severity"] == "error"]
        why = "; ".join(f"{p['ruleId']}: {p['message']}" for p in errors)
        reports.append(Said(report["totals"]["errors"] == 0, why))
    outcomes, said = iter(reports), Verdicts()
    current: Path | None = None
    lines = iter(run.stderr.splitlines())
    for line in lines:
        if line.startswith("validating ") and line.endswith("..."):
            current = (scratch / line[len("validating ") : -3]).resolve()
        elif current is not None and line.startswith(("Failed to parse", "Something went wrong")):
            reason = next((n.strip(" -") for n in lines if n.strip()), "")
            what = "parse" if line.startswith("Failed") else "process"
            said[current] = Said(False, f"cannot {what}: {reason}")
        elif current is not None and ": validated in " in line:
            said[current] = next(outcomes, NOTHING)
    return {f: said.get(f.resolve(), NOTHING) for f in files}


def spectral_verdicts(run: Run, files: Sequence[Path], scratch: Path) -> Verdicts:
    """A JSON list of results (``source``: the file's absolute path); severity 0 is an error.

    A file with none is valid: exit status 0 with the default ``--fail-severity error``.
    Exit status 2 and up is a failure of the command, not a verdict.
    """
    if run.returncode not in (0, 1):
        return dict.fromkeys(files, NOTHING)
    errors: dict[Path, list[str]] = {}
    unknown: set[Path] = set()
    for result in json.loads(run.stdout or "[]"):
        source = Path(result["source"]).resolve()
        if result["severity"] == 0:
            errors.setdefault(source, []).append(f"{result['code']}: {result['message']}")
        elif result["code"] == "unrecognized-format":
            unknown.add(source)
    said = {}
    for f in files:
        where = f.resolve()
        why = "; ".join(errors.get(where, ()))
        said[f] = Said(
            not why, why or ("unrecognized-format (a warning)" if where in unknown else "")
        )
    return said


def with_files(command: list[str], files: Sequence[Path], scratch: Path) -> list[str]:
    return [*command, *map(str, files)]


def auditor_command(*options: str) -> Callable[[Sequence[Path], Path], list[str]]:
    """``auditor audit FILES --format json``; ``-w0`` is ``--spec-workers 0`` (no worker
    process: the spec is analysed in a thread of the CLI's own process)."""
    installed = Path(sys.executable).parent / "auditor"
    launcher = [str(installed)] if installed.exists() else [sys.executable, "-m", "auditor"]

    def command(files: Sequence[Path], tmp: Path) -> list[str]:
        output = ["--format", "json", "-o", str(tmp / "audit.json")]
        return [*launcher, "audit", *map(str, files), *output, *options]

    return command


def tools(osv_cli: bool, node: bool) -> list[Tool]:
    """The peers that can run here; prints a note for each that cannot."""
    found = [
        Tool("auditor audit", auditor_command(), auditor_audit_verdicts),
        Tool("auditor audit -w0", auditor_command("--spec-workers", "0"), auditor_audit_verdicts),
        Tool(
            "auditor pipeline",
            lambda files, tmp: [sys.executable, __file__, "analyse", *map(str, files)],
            pipeline_verdicts,
        ),
    ]
    if osv_cli:
        osv = [sys.executable, "-m", "openapi_spec_validator"]
        for backend in ("jsonschema", "jsonschema-rs"):
            pinned = {"OPENAPI_SPEC_VALIDATOR_SCHEMA_VALIDATOR_BACKEND": backend}
            command = partial(with_files, osv)
            found.append(Tool(f"osv CLI {backend}", command, osv_cli_verdicts, pinned, True))
    if not node:
        print("  note: Redocly and Spectral skipped (--no-node)")
        return found
    redocly, why = node_binary("redocly")
    if redocly is None:
        print(f"  note: Redocly CLI skipped: {why}")
    else:
        print(f"  Redocly CLI {why}: {redocly}")
        lint = [str(redocly), "lint", "--format", "json", "--max-problems", "3"]
        lint += ["--lint-config", "off"]  # there is no redocly.yaml to lint
        for name, extra in (("redocly recommended", ()), ("redocly spec", ("--extends", "spec"))):
            found.append(
                Tool(name, partial(with_files, [*lint, *extra]), redocly_verdicts, NODE_ENV)
            )
    spectral, why = node_binary("spectral")
    if spectral is None:
        print(f"  note: Spectral skipped: {why}")
    else:
        print(f"  Spectral {why}: {spectral}")

        def spectral_command(files: Sequence[Path], tmp: Path) -> list[str]:
            (tmp / "ruleset.yaml").write_text('extends: ["spectral:oas"]\n')
            ruleset = str(tmp / "ruleset.yaml")
            return [str(spectral), "lint", "-r", ruleset, "-f", "json", "-q", *map(str, files)]

        found.append(Tool("spectral oas", spectral_command, spectral_verdicts, NODE_ENV))
    return found


# --- measuring ----------------------------------------------------------------------


@dataclass(frozen=True)
class Measured:
    wall: float  # median
    walls: tuple[float, ...]
    cpu: float  # of the median run
    peak_mb: float
    verdicts: Verdicts
    failed: str = ""
    load: float = 0.0  # 1-minute load average before the runs (median over the rounds)


def measure(tool: Tool, files: Sequence[Path], repeat: int) -> Measured:
    return combine([measure_once(tool, files) for _ in range(repeat)])


def measure_once(tool: Tool, files: Sequence[Path]) -> Measured:
    failed = ""
    with tempfile.TemporaryDirectory() as scratch:
        run = run_timed(tool.command(files, Path(scratch)), Path(scratch), tool.env)
        try:
            verdicts = tool.verdicts(run, files, Path(scratch))
        except (OSError, ValueError, KeyError) as exc:
            verdicts = dict.fromkeys(files, NOTHING)
            failed = f"exit {run.returncode}, {type(exc).__name__}: {run.stderr.strip()[-200:]}"
    return Measured(run.wall, (run.wall,), run.cpu, run.peak_mb, verdicts, failed)


def combine(runs: list[Measured]) -> Measured:
    """The median run's wall and CPU time, the highest peak, the last verdicts."""
    ordered = sorted(runs, key=lambda m: m.wall)
    middle = ordered[(len(ordered) - 1) // 2]
    walls = tuple(w for m in runs for w in m.walls)
    peak = max(m.peak_mb for m in runs)
    last = runs[-1]
    return Measured(statistics.median(walls), walls, middle.cpu, peak, last.verdicts, last.failed)


Results = dict[tuple[str, str], Measured]


def whole_process(groups: list[tuple[str, list[Path], int]], peers: list[Tool]) -> Results:
    """Each tool on each group of files (one command for the group), then ratios and verdicts.

    Repetitions go round the tools (A B C, A B C, …) so that the other work on
    a shared machine, which comes and goes, weighs on every tool alike.
    """
    results: Results = {}
    for group, files, repeat in groups:
        active = [t for t in peers if not (t.one_file and len(files) > 1)]
        for tool in peers:
            if tool not in active:
                print(f"  {group} / {tool.name}: not run (it stops at the first invalid file)")
        rounds: dict[str, list[Measured]] = {t.name: [] for t in active}
        loads = []
        for _ in range(repeat):
            loads.append(os.getloadavg()[0])
            for tool in active:
                rounds[tool.name].append(measure_once(tool, files))
        load = statistics.median(loads)
        for tool in active:
            got = results[group, tool.name] = replace(combine(rounds[tool.name]), load=load)
            runs = ", ".join(f"{w:.2f}" for w in got.walls)
            print(f"  {group} / {tool.name}: {got.wall:.2f} s (runs {runs}; CPU {got.cpu:.2f} s; "
                  f"load {load:.1f}), peak {got.peak_mb:.0f} MB {got.failed}", flush=True)  # fmt: skip
    names = [t.name for t in peers]

    def row(label: str, group: str, cell: Callable[[Measured], str]) -> None:
        found = (results.get((group, n)) for n in names)
        print(f"{label:34}" + "".join(f"{cell(m) if m else '—':>22}" for m in found))

    print(f"\n{'whole process, wall s (peak MB)':34}" + "".join(f"{n:>22}" for n in names))
    for group, _, repeat in groups:
        row(f"{group} ×{repeat}", group, lambda m: f"{m.wall:.2f} ({m.peak_mb:.0f})")
    for base in ("auditor audit", "auditor pipeline"):
        print(f"\nratios, tool / {base} (>1: auditor faster)")
        for group, _, _ in groups:
            own = results[group, base].wall
            row(group, group, lambda m: f"{m.wall / own:.1f}x")  # noqa: B023 (called at once)
    for group, _, _ in groups:
        audit = results[group, "auditor audit"]
        if audit.cpu < 0.5 * audit.wall:
            print(f"  note: on {group}, `auditor audit` used {audit.cpu:.1f} s of CPU in "
                  f"{audit.wall:.1f} s: mostly waiting on its network probes (offline DNS), so "
                  "`auditor pipeline` is the like-for-like row there")  # fmt: skip
    print("\nverdicts against auditor pipeline's (valid/invalid/no verdict; differences listed):")
    for group, files, _ in groups:
        mine = results[group, "auditor pipeline"].verdicts
        for name in names:
            if (group, name) not in results:
                continue
            theirs = results[group, name].verdicts
            differ = [f for f in files if (theirs[f].valid is True) != (mine[f].valid is True)]
            counts = [sum(theirs[f].valid is v for f in files) for v in (True, False, None)]
            print(f"  {group} / {name}: {counts[0]}/{counts[1]}/{counts[2]}, "
                  f"{len(files) - len(differ)}/{len(files)} agree")  # fmt: skip
            for path in differ[:6]:
                print(f"      {path.name}: {name} {theirs[path].valid}, auditor "
                      f"{mine[path].valid} — {(theirs[path].why or mine[path].why)[:150]}")  # fmt: skip
            if len(differ) > 6:
                print(f"      … and {len(differ) - 6} more")
    return results


def verdicts_of(tool: Tool, files: Sequence[Path]) -> Verdicts:
    """Verdicts from one command; files it left without one (Redocly stops at the first file
    it cannot parse) are tried again one by one."""
    said = measure(tool, files, 1).verdicts
    for path in [f for f in files if said[f].valid is None]:
        said[path] = measure(tool, [path], 1).verdicts[path]
    return said


def swagger_parser_peers(base: Path, reference: dict[str, bool], peers: list[Tool]) -> list[str]:
    """Every tool on swagger-parser's 49 cases; the 15 openapi-spec-validator accepts, listed.
    Returns the summary's lines."""
    cases = json.loads((base / "EXPECTED.json").read_text())["cases"]
    files = [base / c["file"] for c in cases]
    chosen = [t for t in peers if not t.name.startswith("auditor audit")]  # the pipeline's
    verdicts = {t.name: verdicts_of(t, files) for t in chosen}
    valid = sum(c["valid"] for c in cases)
    print(f"\nswagger-parser's cases (EXPECTED.json: {valid} valid, {len(cases) - valid} invalid): "
          "outcomes as expected")  # fmt: skip
    scores = {}
    for name, said in [("openapi-spec-validator 0.9.0 (manifest)", None), *verdicts.items()]:
        got = [reference[c["file"]] if said is None else said[f].valid is True for c, f in zip(cases, files, strict=True)]  # fmt: skip
        right = [g == c["valid"] for g, c in zip(got, cases, strict=True)]
        accepted = sum(r for r, c in zip(right, cases, strict=True) if c["valid"])
        scores[name] = sum(right)
        print(f"  {name:42} {sum(right)}/{len(cases)} (accepts {accepted}/{valid} valid, "
              f"rejects {sum(right) - accepted}/{len(cases) - valid} invalid)")  # fmt: skip
    missed = [
        (c, f) for c, f in zip(cases, files, strict=True) if reference[c["file"]] != c["valid"]
    ]
    print(f"\nthe {len(missed)} documents openapi-spec-validator accepts and swagger-parser rejects "
          "(✓ accepted, ✗ rejected, ? no verdict):")  # fmt: skip
    print(f"  {'case':48}" + "".join(f"{n:>20}" for n in verdicts))
    mark = {True: "✓", False: "✗", None: "?"}
    for case, path in missed:
        marks = "".join(f"{mark[v[path].valid]:>20}" for v in verdicts.values())
        print(f"  {case['name'][:48]:48}{marks}")
    summary = [f"swagger-parser's EXPECTED.json, outcomes as expected of {len(cases)} (and how "
               f"many of the {len(missed)} osv wrongly accepts are rejected):"]  # fmt: skip
    cells = [f"osv 0.9.0 {scores['openapi-spec-validator 0.9.0 (manifest)']} (0)"]
    for name, said in verdicts.items():
        caught = sum(said[f].valid is False for _, f in missed)
        print(f"  {name} rejects {caught} of these {len(missed)}")
        cells.append(f"{name} {scores[name]} ({caught})")
    summary.append("  " + ", ".join(cells))
    for name, said in verdicts.items():
        lenient = [c["name"] for c, f in zip(cases, files, strict=True)
                   if not c["valid"] and not reference[c["file"]] and said[f].valid is True]  # fmt: skip
        if lenient:
            print(f"  {name} accepts {len(lenient)} that both reject: {', '.join(lenient)}")
    print("their reasons for rejecting them (first errors; recommended's style errors left out):")
    for case, path in missed:
        for name, said in verdicts.items():
            if said[path].valid is False and name != "redocly recommended":
                print(f"  {case['name'][:40]:40} {name}: {said[path].why[:110]}")
    return summary


def analyse(paths: list[str]) -> None:
    """The ``auditor pipeline`` worker: ``analyse_spec`` on each file, one verdict line each."""
    from auditor.spec.analyse import analyse_spec

    for path in paths:
        report = analyse_spec(Path(path).read_bytes())
        why = "; ".join(report.errors) or report.parse_error or report.note or ""
        print(json.dumps({"path": path, "valid": report.valid, "why": why}), flush=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["analyse"]:
        analyse(sys.argv[2:])
    else:
        sys.exit("usage: python benchmarks/peers.py analyse FILE... (used by spec_validation.py)")
