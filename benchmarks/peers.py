"""Whole-process peers for ``benchmarks/spec_validation.py``: what a user would run instead.

Redocly CLI and Spectral are Node programs, and openapi-spec-validator has its
own CLI, so the only fair way to set them against auditor is the wall time of
one command each, start-up, imports and file reading included, on the same
files, in the same run. auditor is measured twice that way:

* ``auditor audit FILES --format json``: the real CLI, the whole audit of each
  spec as an entry. Its network probes fail at once on DNS here (no internet),
  so this is parse + validate + inventory + scoring + JSON output, plus a
  second parse at catalog load and up to one worker process per core for specs
  of 256 KB or more (the default ``--spec-workers``);
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

Verdicts: auditor's ``valid``; openapi-spec-validator's ``FILE: OK``;
Redocly: no problem of severity error; Spectral: no result of severity 0.
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
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
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
    """``FILE: OK`` or ``FILE: Validation Error: …``, one line per file."""
    said: Verdicts = {}
    wanted = {f"{f}: ": f for f in files}
    for line in run.stdout.splitlines():
        for prefix, path in wanted.items():
            if line.startswith(prefix) and path not in said:
                rest = line.removeprefix(prefix)
                said[path] = Said(True) if rest == "OK" else Said(False, rest)
    return {f: said.get(f, NOTHING) for f in files}


def redocly_verdicts(run: Run, files: Sequence[Path], scratch: Path) -> Verdicts:
    """One JSON object on stdout per file linted, and its progress lines on stderr.

    A file Redocly cannot parse is rejected (``Failed to parse API description``)
    and ends the command: the files after it get no verdict.
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
        elif current is not None and line.startswith("Failed to parse API description"):
            reason = next((n.strip(" -") for n in lines if n.strip()), "")
            said[current] = Said(False, f"cannot parse: {reason}")
        elif current is not None and ": validated in " in line:
            said[current] = next(outcomes, NOTHING)
    return {f: said.get(f.resolve(), NOTHING) for f in files}


def spectral_verdicts(run: Run, files: Sequence[Path], scratch: Path) -> Verdicts:
    """A JSON list of results; severity 0 is an error. A file with none is valid."""
    if run.returncode not in (0, 1):
        return dict.fromkeys(files, NOTHING)
    errors: dict[str, list[str]] = {}
    for result in json.loads(run.stdout or "[]"):
        if result["severity"] == 0:
            errors.setdefault(result["source"], []).append(f"{result['code']}: {result['message']}")
    return {f: Said(str(f) not in errors, "; ".join(errors.get(str(f), ()))) for f in files}


def tools(osv_cli: bool, node: bool) -> list[Tool]:
    """The peers that can run here; prints a note for each that cannot."""
    auditor_bin = Path(sys.executable).parent / "auditor"
    found = [
        Tool(
            "auditor audit",
            lambda files, tmp: [
                *(
                    (str(auditor_bin),)
                    if auditor_bin.exists()
                    else (sys.executable, "-m", "auditor")
                ),
                *("audit", *map(str, files), "--format", "json", "-o", str(tmp / "audit.json")),
            ],
            auditor_audit_verdicts,
        ),
        Tool(
            "auditor pipeline",
            lambda files, tmp: [sys.executable, __file__, "analyse", *map(str, files)],
            pipeline_verdicts,
        ),
    ]
    if osv_cli:
        for backend in ("jsonschema", "jsonschema-rs"):
            found.append(
                Tool(
                    f"osv CLI {backend}",
                    lambda files, tmp: [
                        sys.executable,
                        "-m",
                        "openapi_spec_validator",
                        *map(str, files),
                    ],
                    osv_cli_verdicts,
                    {"OPENAPI_SPEC_VALIDATOR_SCHEMA_VALIDATOR_BACKEND": backend},
                )
            )
    if not node:
        print("  note: Redocly and Spectral skipped (--no-node)")
        return found
    redocly, why = node_binary("redocly")
    if redocly is None:
        print(f"  note: Redocly CLI skipped: {why}")
    else:
        print(f"  Redocly CLI {why}: {redocly}")
        lint = [
            str(redocly),
            "lint",
            "--format",
            "json",
            "--max-problems",
            "3",
            "--lint-config",
            "off",
        ]
        found.append(
            Tool(
                "redocly recommended",
                lambda f, t: [*lint, *map(str, f)],
                redocly_verdicts,
                NODE_ENV,
            )
        )
        found.append(Tool("redocly spec", lambda f, t: [*lint, "--extends", "spec", *map(str, f)], redocly_verdicts, NODE_ENV))  # fmt: skip
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
    peak_mb: float
    verdicts: Verdicts
    failed: str = ""


def measure(tool: Tool, files: Sequence[Path], repeat: int) -> Measured:
    walls, peak, verdicts, failed = [], 0.0, {}, ""
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as scratch:
            run = run_timed(tool.command(files, Path(scratch)), Path(scratch), tool.env)
            try:
                verdicts = tool.verdicts(run, files, Path(scratch))
            except (OSError, ValueError, KeyError) as exc:
                verdicts = dict.fromkeys(files, NOTHING)
                failed = f"exit {run.returncode}, {type(exc).__name__}: {run.stderr.strip()[-200:]}"
        walls.append(run.wall)
        peak = max(peak, run.peak_mb)
    return Measured(statistics.median(walls), tuple(walls), peak, verdicts, failed)


def whole_process(groups: list[tuple[str, list[Path], int]], peers: list[Tool]) -> None:
    """Each tool on each group of files (one command for the group), then ratios and verdicts."""
    results: dict[tuple[str, str], Measured] = {}
    for group, files, repeat in groups:
        for tool in peers:
            load = os.getloadavg()[0]
            got = results[group, tool.name] = measure(tool, files, repeat)
            runs = ", ".join(f"{w:.2f}" for w in got.walls)
            print(f"  {group} / {tool.name}: {got.wall:.2f} s (runs {runs}; load {load:.1f}), "
                  f"peak {got.peak_mb:.0f} MB {got.failed}", flush=True)  # fmt: skip
    names = [t.name for t in peers]
    print(f"\n{'whole process, wall s (peak MB)':34}" + "".join(f"{n:>22}" for n in names))
    for group, _, repeat in groups:
        cells = (f"{results[group, n].wall:.2f} ({results[group, n].peak_mb:.0f})" for n in names)
        print(f"{group + f' ×{repeat}':34}" + "".join(f"{c:>22}" for c in cells))
    for base in ("auditor audit", "auditor pipeline"):
        print(f"\nratios, tool / {base} (>1: auditor faster)")
        for group, _, _ in groups:
            own = results[group, base].wall
            cells = (f"{results[group, n].wall / own:.1f}x" for n in names)
            print(f"{group:34}" + "".join(f"{c:>22}" for c in cells))
    print("\nverdicts against auditor pipeline's (valid/invalid/no verdict; differences listed):")
    for group, files, _ in groups:
        mine = results[group, "auditor pipeline"].verdicts
        for name in names:
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


def verdicts_of(tool: Tool, files: Sequence[Path]) -> Verdicts:
    """Verdicts from one command; files it left without one (Redocly stops at the first file
    it cannot parse) are tried again one by one."""
    said = measure(tool, files, 1).verdicts
    for path in [f for f in files if said[f].valid is None]:
        said[path] = measure(tool, [path], 1).verdicts[path]
    return said


def swagger_parser_peers(base: Path, reference: dict[str, bool], peers: list[Tool]) -> None:
    """Every tool on swagger-parser's 49 cases; the 15 openapi-spec-validator accepts, listed."""
    cases = json.loads((base / "EXPECTED.json").read_text())["cases"]
    files = [base / c["file"] for c in cases]
    chosen = [t for t in peers if t.name != "auditor audit"]  # the pipeline's verdicts are its
    verdicts = {t.name: verdicts_of(t, files) for t in chosen}
    valid = sum(c["valid"] for c in cases)
    print(f"\nswagger-parser's cases (EXPECTED.json: {valid} valid, {len(cases) - valid} invalid): "
          "outcomes as expected")  # fmt: skip
    for name, said in [("openapi-spec-validator 0.9.0 (manifest)", None), *verdicts.items()]:
        got = [reference[c["file"]] if said is None else said[f].valid is True for c, f in zip(cases, files, strict=True)]  # fmt: skip
        right = [g == c["valid"] for g, c in zip(got, cases, strict=True)]
        accepted = sum(r for r, c in zip(right, cases, strict=True) if c["valid"])
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


def analyse(paths: list[str]) -> None:
    """The ``auditor pipeline`` worker: ``analyse_spec`` on each file, one verdict line each."""
    from auditor.spec.analyse import analyse_spec

    for path in paths:
        report = analyse_spec(Path(path).read_bytes())
        why = "; ".join(report.errors) or report.note or ""
        print(json.dumps({"path": path, "valid": report.valid, "why": why}), flush=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["analyse"]:
        analyse(sys.argv[2:])
    else:
        sys.exit("usage: python benchmarks/peers.py analyse FILE... (used by spec_validation.py)")
