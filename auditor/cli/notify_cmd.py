"""``auditor notify``: send what changed in a store to chat, e-mail or a webhook."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from auditor.cli.common import RULES, load_rules
from auditor.cli.store_support import STORE_OPTION, parse_window, store_errors, store_failure
from auditor.config import ConfigError, NotifyConfig, load_config, notify_config
from auditor.errors import AuditorError
from auditor.notify.send import Sender, open_senders
from auditor.notify.service import NotifyReport, notify_store
from auditor.render.terminal_text import terminal_text


def configured() -> NotifyConfig:
    try:
        return notify_config(load_config())
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from exc


def open_notify_senders(urls: tuple[str, ...] | list[str], *, option: str) -> list[Sender]:
    """Every destination checked (and Apprise found) before anything runs: exit code 2."""
    try:
        return open_senders(list(urls), option=option)
    except AuditorError as exc:
        raise store_failure(exc) from exc


def _since(days: float | None) -> str | None:
    if days is None:
        return None
    from auditor.model import utc_now
    from auditor.store.session import days_before, iso, parse_iso

    return iso(days_before(parse_iso(utc_now()), days))


def _say_outcome(report: NotifyReport) -> None:
    for told in report.told:
        n = len(told.events)
        if told.error is not None:
            click.echo(
                terminal_text(
                    f"error: {told.label}: not sent ({told.error}); its {n} event(s) "
                    "stay unsent and go out on the next notify"
                ),
                err=True,
            )
        elif report.dry_run:
            click.echo(f"would send {n} event(s) to {told.label}" if n else
                       f"nothing new for {told.label}", err=True)  # fmt: skip
        elif told.sent:
            click.echo(f"sent {n} event(s) to {told.label}", err=True)
        else:
            click.echo(f"nothing new for {told.label}", err=True)


def _print_dry_run(report: NotifyReport, store: Path) -> None:
    from auditor.notify.message import compose

    if not report.pending:
        click.echo(f"nothing to send: no event in {store} that is not sent yet")
        return
    message = compose(report.pending, store.name)
    click.echo(terminal_text(message.title))
    for line in message.body.splitlines():
        click.echo(terminal_text(line))


def notify_after_audit(store: Path, senders: list[Sender]) -> None:
    """``audit --notify``: the same as ``auditor notify`` on the store the run went to."""
    with store_errors(store):
        report = notify_store(store, senders, down_after=configured().down_after)
    _say_outcome(report)
    if report.failed:
        sys.exit(1)


@click.command()
@STORE_OPTION
@click.option(
    "--to",
    "to",
    multiple=True,
    metavar="URL",
    help="An Apprise URL: json://HOST/PATH (a JSON webhook), slack://…, msteams://…, "
    "matrix://…, mailto://…, ntfy://…; repeatable. Default: [notify] to in auditor.toml.",
)
@click.option(
    "--down-after",
    type=click.IntRange(1, 1000),
    help="Failed verifications in a row before an entry is reported down  "
    "[default: [notify] down_after, else 2].",
)
@click.option(
    "--since",
    callback=parse_window,
    metavar="DURATION",
    help="Leave out events of runs started longer ago (e.g. 7d): for a first notify on a "
    "store with a long history.",
)
@click.option(
    "--rules",
    type=RULES,
    help="Compare tiers under this methodology (default: the latest run's).",
)
@click.option("--dry-run", is_flag=True, help="Print what would be sent; send and record nothing.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("text", "json")),
    default="text",
    show_default=True,
    help="text for people, json for scripts.",
)
def notify(
    store: Path,
    to: tuple[str, ...],
    down_after: int | None,
    since: float | None,
    rules: Path | None,
    dry_run: bool,
    fmt: str,
) -> None:
    """Send what changed in the audit history to chat, e-mail or a webhook.

    \b
    Events, worked out from the store (never from the network), each sent
    once to each destination, many of them as one message:
      - an entry goes down (N failed verifications in a row) or recovers;
      - its tier drops or rises;
      - a BREAKING spec change (a field or operation removed);
      - a spec that stops validating; a TLS certificate under 14 days;
      - a run in which the auditor's own network failed.

    \b
    Exit codes: 0 sent (or nothing new), 1 a destination failed (its events
    are sent next time; the others are recorded), 2 bad input (a malformed
    URL, a store that cannot be used), with nothing in the store changed.

    \b
    Examples:
      auditor notify --store audit.db --to "json://127.0.0.1:8080/hook"
      auditor notify --store audit.db --to "slack://T000/B000/XXXX/#apis" --dry-run
      auditor notify --store audit.db --since 1d --format json
    """
    settings = configured()
    urls = list(to) or list(settings.to)
    if not urls and not dry_run:
        raise click.UsageError(
            "give a destination: --to URL (an Apprise URL), or [notify] to = [...] in auditor.toml"
        )
    methodology = load_rules(rules) if rules is not None else None
    senders = open_notify_senders(urls, option="--to" if to else "[notify] to")
    with store_errors(store):
        report = notify_store(
            store,
            senders,
            down_after=down_after or settings.down_after,
            since=_since(since),
            rules=(methodology.id, methodology.version) if methodology else None,
            dry_run=dry_run,
        )
    if fmt == "json":
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    elif dry_run:
        _print_dry_run(report, store)
    _say_outcome(report)
    if report.failed:
        sys.exit(1)
