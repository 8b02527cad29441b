"""The ``auditor`` command line.

Each command lives in its own module (``auditor/cli/<name>_cmd.py``) and is
imported only when it runs, so ``auditor --help`` stays fast. Exit codes
follow ruff and Spectral: 0 done or passed, 1 a gate failed, 2 a usage or
input error, always with a message naming the file, entry and field.
"""

from __future__ import annotations

import importlib
from typing import Any

import click

from auditor import __version__

# command name -> "module:attribute"; a new command adds one line here.
COMMANDS: dict[str, str] = {
    "audit": "auditor.cli.audit_cmd:audit",
    "badge": "auditor.cli.badge_cmd:badge",
    "catalog": "auditor.cli.catalog_cmd:catalog",
    "demo": "auditor.cli.demo_cmd:demo",
    "diff": "auditor.cli.diff_cmd:diff",
    "gate": "auditor.cli.gate_cmd:gate",
    "history": "auditor.cli.history_cmd:history",
    "merge": "auditor.cli.merge_cmd:merge",
    "methodology": "auditor.cli.methodology_cmd:methodology",
    "notify": "auditor.cli.notify_cmd:notify",
    "prune": "auditor.cli.prune_cmd:prune",
    "report": "auditor.cli.report_cmd:report",
    "rescore": "auditor.cli.rescore_cmd:rescore",
}


class LazyGroup(click.Group):
    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """``auditor`` alone asked for nothing wrong: the help, exit code 0 (click says 2)."""
        if not args and not ctx.resilient_parsing:
            click.echo(ctx.get_help(), color=ctx.color)
            ctx.exit(0)
        return super().parse_args(ctx, args)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, attribute = target.split(":")
        command: Any = getattr(importlib.import_module(module), attribute)
        return command  # type: ignore[no-any-return]


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="auditor")
def main() -> None:
    """Audit public API catalogs and score how far each API can be trusted.

    For every catalog entry auditor probes the live API, fetches and
    validates its OpenAPI spec, collects proof of officialness, and scores
    five axes (officialness, availability, metadata completeness, license
    clarity, agent readiness) under a declarative methodology. Every point
    traces to a finding you can check.

    \b
    Start here:
      auditor demo                      audit the built-in demo, offline
      auditor audit catalog.yaml        audit your own catalog
      auditor audit openapi.json        audit a single spec file
      auditor methodology               how scores are computed
    """
