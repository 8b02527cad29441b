"""``auditor diff``: what changed between two recorded runs."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
import orjson

from auditor.cli.store_support import STORE_OPTION, format_option, store_errors
from auditor.cli.tier_names import tier_name
from auditor.render.terminal_text import terminal_text

if TYPE_CHECKING:  # the store is imported only when the command runs
    from auditor.store.diff import RunDiff
    from auditor.store.runs import RunInfo


def _num(value: float | None) -> str:
    return "unknown" if value is None else f"{value:g}"


def _delta(value: float | None) -> str:
    return "" if value is None else f" ({value:+g})"


def _run_line(info: RunInfo) -> str:
    started = info.started_at.replace("T", " ").rstrip("Z")
    state = "" if info.finished else ", unfinished"
    kind = f"rescore of run {info.rescore_of}" if info.kind == "rescore" else info.kind
    return f"run {info.id} ({started}, {kind}, {info.methodology_id} {info.methodology_version}{state})"


@click.command()
@click.argument("run_a", required=False)
@click.argument("run_b", required=False)
@STORE_OPTION
@format_option()
@click.option("--list", "list_runs_", is_flag=True, help="List the runs in the store and exit.")
@click.option(
    "--fail-on-breaking",
    is_flag=True,
    help="Exit with code 1 when a spec lost a field or an operation (a CI gate).",
)
def diff(
    run_a: str | None,
    run_b: str | None,
    store: Path,
    fmt: str,
    list_runs_: bool,
    fail_on_breaking: bool,
) -> None:
    """Compare two runs: score and tier changes, axes that moved, new and gone
    entries, spec changes (BREAKING when a field or operation disappeared).

    RUN_A and RUN_B are run ids, or `latest` / `previous`. With none, the
    latest finished run is compared with the one before it; with one, that
    run is compared with the latest.

    \b
    Examples:
      auditor diff --store audit.db
      auditor diff 12 15 --store audit.db --format json
      auditor diff --store audit.db --list
    """
    from auditor.store import Store, diff_runs, list_runs

    with store_errors(store), Store.open(store) as opened:
        if list_runs_:
            runs = list_runs(opened)
            if fmt == "json":
                data = [r.to_dict() for r in runs]
                sys.stdout.buffer.write(orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n")
            else:
                for info in runs:
                    count = info.counts.get("entries", "?") if info.counts else "?"
                    click.echo(f"{_run_line(info)}: {count} entries")
            return
        result = diff_runs(opened, run_a, run_b)
    if fmt == "json":
        sys.stdout.buffer.write(orjson.dumps(result.to_dict(), option=orjson.OPT_INDENT_2) + b"\n")
    else:
        _print_text(result)
    if fail_on_breaking and result.breaking:
        sys.exit(1)


def echo(line: str) -> None:
    """One line of text, made inert (ids, titles and field names come from catalogs and specs);
    a leading line break is the blank line before a section."""
    if line.startswith("\n"):
        click.echo("")
        line = line[1:]
    click.echo(terminal_text(line))


def _print_text(result: RunDiff) -> None:
    echo(_run_line(result.run_a))
    echo(f"  -> {_run_line(result.run_b)}")
    summary = result.to_dict()["summary"]
    echo(
        f"changed {summary['changed']}, new {summary['new']}, gone {summary['gone']}, "
        f"unchanged {summary['unchanged']}, spec changes {summary['spec_changes']} "
        f"({summary['breaking']} BREAKING)"
    )
    if result.changed:
        echo("\nscore and tier changes:")
        for change in result.changed:
            before = tier_name(change.tier_before, result.run_a.methodology_id)
            after = tier_name(change.tier_after, result.run_b.methodology_id)
            tier = f"  {before} -> {after}" if change.tier_before != change.tier_after else ""
            echo(
                f"  {change.entry_id}: {_num(change.score_before)} -> {_num(change.score_after)}"
                f"{_delta(change.score_delta)}{tier}"
            )
            for move in change.axes:
                echo(
                    f"      {move.axis}: {_num(move.before)} -> {_num(move.after)}{_delta(move.delta)}"
                )
    for title, entries, mark, run in (
        ("new", result.new, "+", result.run_b),
        ("gone", result.gone, "-", result.run_a),
    ):
        if entries:
            echo(f"\n{title} entries:")
            for entry in entries:
                echo(
                    f"  {mark} {entry.entry_id} ({entry.title}): {_num(entry.score)} "
                    f"{tier_name(entry.tier, run.methodology_id)}"
                )
    if result.spec_changes:
        echo("\nspec changes:")
        for spec in result.spec_changes:
            flag = "BREAKING " if spec.breaking else ""
            before = spec.sha_before[:10] if spec.sha_before else "none"
            after = spec.sha_after[:10] if spec.sha_after else "none"
            echo(f"  {spec.entry_id}: {flag}{spec.kind} {before} -> {after}")
            for label, items in (
                ("fields removed", spec.fields_removed),
                ("operations removed", spec.operations_removed),
                ("fields added", spec.fields_added),
                ("operations added", spec.operations_added),
            ):
                if items:
                    shown = ", ".join(items[:10]) + (
                        f", ... ({len(items)} in all)" if len(items) > 10 else ""
                    )
                    echo(f"      {label}: {shown}")
            if not spec.inventory_known and spec.kind == "changed":
                echo(
                    "      (no field inventory for one of the documents: only the change is known)"
                )
