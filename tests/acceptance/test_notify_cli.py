"""``auditor notify`` and ``audit --notify`` against a real JSON webhook on 127.0.0.1.

The store is built by real audits of a local API host (tests.support.store_cli)
whose answers change from night to night; the destination is Apprise's
``json://`` webhook, received by a real HTTP server. Apprise is the user's
own configured destination, so it reaches 127.0.0.1 as configured.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from auditor.store import SCHEMA_VERSION, Store
from tests.conftest import LocalServer
from tests.support.notify import Webhook, file_digest, table_rows, webhook
from tests.support.store_cli import SPEC, Site, audit, cli, site

__all__ = ["site", "webhook"]  # fixtures

pytest.importorskip("apprise")

SPEC_BROKEN = """openapi: 3.0.3
info: {title: Broken, version: "1"}
paths:
  /x:
    get: {}
"""


def catalog(tmp_path: Path, server: LocalServer) -> Path:
    """Three entries on the local host: one goes down, one loses an operation, one
    whose spec stops validating (and with it, its tier)."""
    path = tmp_path / "catalog.yaml"
    path.write_text(
        f"""- id: flaky
  title: Flaky API
  base_url: {server.url("/flaky")}
- id: pets
  title: Pets
  organization: Pet Office
  base_url: {server.url("/api")}
  spec_url: {server.url("/spec.yaml")}
- id: tiered
  title: Tiered
  organization: Pet Office
  base_url: {server.url("/api")}
  spec_url: {server.url("/tiered.yaml")}
"""
    )
    return path


class Nights:
    """The local host's behaviour, changed between audits."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.flaky = 200
        self.tiered = (SPEC % (site.server.url("/api"), "")).encode()
        server = site.server
        server.routes["/flaky"] = lambda h: self._answer(h, self.flaky, b"{}")
        server.routes["/tiered.yaml"] = lambda h: self._answer(h, 200, self.tiered)

    @staticmethod
    def _answer(handler: Any, status: int, body: bytes) -> None:
        handler.send_response(status)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        if handler.command != "HEAD":
            handler.wfile.write(body)


def history(tmp_path: Path, site: Site) -> tuple[Path, Path]:
    """Five nights: flaky down on nights 2-3 and back on 4; pets loses DELETE on night 3;
    tiered's spec stops validating on night 5."""
    nights = Nights(site)
    path, store = catalog(tmp_path, site.server), tmp_path / "audit.db"
    audit(path, store)
    nights.flaky = 503
    audit(path, store)
    site.spec = (SPEC % (site.server.url("/api"), "")).encode()  # DELETE /pets/{id} is gone
    audit(path, store)
    nights.flaky = 200
    audit(path, store)
    nights.tiered = SPEC_BROKEN.encode()
    audit(path, store)
    return path, store


def notify(store: Path, *args: str) -> Any:
    return cli("notify", "--store", str(store), *args)


def test_each_event_is_sent_exactly_once_across_two_invocations(
    tmp_path: Path, site: Site, webhook: Webhook
) -> None:
    _, store = history(tmp_path, site)
    dry = notify(store, "--to", webhook.url(), "--dry-run", "--format", "json")
    assert dry.exit_code == 0, dry.output
    planned = json.loads(dry.stdout)
    kinds = sorted((e["kind"], e["entry"]) for e in planned["events"])
    assert ("down", "flaky") in kinds and ("recovered", "flaky") in kinds
    assert ("breaking", "pets") in kinds
    assert ("spec_invalid", "tiered") in kinds and ("tier_drop", "tiered") in kinds
    assert webhook.payloads == [] and table_rows(store, "notifications") == 0

    first = notify(store, "--to", webhook.url())
    assert first.exit_code == 0, first.output
    assert f"sent {len(kinds)} event(s) to json://127.0.0.1:{site.server.port}" in first.stderr
    (payload,) = webhook.payloads  # one message for every event
    assert payload["title"] == (
        "auditor: 1 down, 2 breaking spec changes, 1 spec no longer valid, 1 tier drop, 1 recovered"
    )
    assert payload["type"] == "failure"
    body = payload["message"]
    assert "Flaky API (flaky): 2 failed verifications since" in body
    assert "Flaky API (flaky): back after about" in body
    assert "Pets (pets): removed DELETE /pets/{id}" in body
    assert "Tiered (tiered): fair -> poor" in body
    assert "Tiered (tiered): removed GET /pets" in body
    assert table_rows(store, "notifications") == len(kinds)

    second = notify(store, "--to", webhook.url())
    assert second.exit_code == 0, second.output
    assert "nothing new for json://127.0.0.1" in second.stderr
    assert len(webhook.payloads) == 1, "an event was sent twice"


def test_a_new_run_sends_only_what_it_changed(tmp_path: Path, site: Site, webhook: Webhook) -> None:
    path, store = history(tmp_path, site)
    assert notify(store, "--to", webhook.url()).exit_code == 0
    site.spec = (SPEC % (site.server.url("/api"), "")).replace("get:", "post:").encode()
    result = cli(
        "audit", str(path), "--store", str(store), "--format", "json", "--allow-private-network",
        "--timeout", "2", "--notify", webhook.url(),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert len(webhook.payloads) == 2
    latest = webhook.payloads[-1]["message"]
    assert "Pets (pets): removed GET /pets" in latest
    assert "Flaky" not in latest and "Tiered" not in latest
    # and a resumed or repeated notify has nothing left to say
    again = notify(store, "--to", webhook.url())
    assert again.exit_code == 0 and len(webhook.payloads) == 2


def test_a_failing_destination_loses_nothing_for_the_others(
    tmp_path: Path, site: Site, http_server: LocalServer
) -> None:
    _, store = history(tmp_path, site)
    good, bad = Webhook(http_server, "/good"), Webhook(http_server, "/bad")
    bad.status = 500
    secret = "pa55-w0rd-xyz"
    result = notify(store, "--to", bad.url(secret=secret), "--to", good.url())
    assert result.exit_code == 1
    assert f"json://127.0.0.1:{http_server.port}: not sent" in result.stderr
    assert secret not in result.output and "hook-user" not in result.output
    assert "/bad" not in result.output  # the path may be a secret too
    assert len(good.payloads) == 1 and bad.payloads == []
    # the good destination's events are recorded; the bad one's wait for the next try
    bad.status = 200
    retry = notify(store, "--to", bad.url(secret=secret), "--to", good.url())
    assert retry.exit_code == 0, retry.output
    assert len(bad.payloads) == 1 and len(good.payloads) == 1
    assert bad.payloads[0]["message"] == good.payloads[0]["message"]


def test_an_unreachable_destination_is_reported_not_raised(tmp_path: Path, site: Site) -> None:
    _, store = history(tmp_path, site)
    result = notify(store, "--to", "json://127.0.0.1:9/closed-port-token")
    assert result.exit_code == 1
    assert "json://127.0.0.1:9: not sent" in result.stderr
    assert "closed-port-token" not in result.output
    assert table_rows(store, "notifications") == 0


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("not a url", "--to: not an Apprise URL"),
        ("nosuchservice://secret-token-abc@example.org", "--to (nosuchservice://example.org)"),
        ("slack://lonely-token-xyz", "--to (slack://…): not a usable Apprise URL"),
    ],
)
def test_a_malformed_destination_is_bad_input_and_changes_nothing(
    tmp_path: Path, site: Site, url: str, said: str
) -> None:
    _, store = history(tmp_path, site)
    before = file_digest(store)
    result = notify(store, "--to", url)
    assert result.exit_code == 2
    assert said in result.output
    assert "secret-token-abc" not in result.output and "lonely-token-xyz" not in result.output
    assert "Traceback" not in result.output
    assert file_digest(store) == before


def test_a_store_that_cannot_be_used_is_named(tmp_path: Path, webhook: Webhook) -> None:
    missing = tmp_path / "missing.db"
    result = notify(missing, "--to", webhook.url())
    assert result.exit_code == 2 and f"{missing}: no such store" in result.output
    assert not missing.exists()

    newer = tmp_path / "newer.db"
    with sqlite3.connect(newer) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    result = notify(newer, "--to", webhook.url())
    assert result.exit_code == 2
    assert f"{newer}: store schema version {SCHEMA_VERSION + 1} is newer" in result.output

    empty = tmp_path / "empty.db"
    Store.open(empty, write=True).close()
    before = file_digest(empty)
    result = notify(empty, "--to", webhook.url())
    assert result.exit_code == 2
    assert f"{empty}: no finished audit run to notify about" in result.output
    assert file_digest(empty) == before and webhook.payloads == []


def test_a_store_from_another_methodology_is_refused(
    tmp_path: Path, site: Site, webhook: Webhook
) -> None:
    _, store = history(tmp_path, site)
    before = file_digest(store)
    result = notify(store, "--to", webhook.url(), "--rules", "trust-v1-strict")
    assert result.exit_code == 2
    assert f"{store}: no finished audit run was scored under" in result.output
    assert "this store holds trust 1." in result.output
    assert file_digest(store) == before and webhook.payloads == []


def test_notify_needs_a_destination_and_reads_notify_in_auditor_toml(
    tmp_path: Path, site: Site, webhook: Webhook, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, store = history(tmp_path, site)
    monkeypatch.chdir(tmp_path)
    result = notify(store)
    assert result.exit_code == 2 and "give a destination" in result.output
    (tmp_path / "auditor.toml").write_text(f'[notify]\nto = ["{webhook.url()}"]\ndown_after = 3\n')
    result = notify(store)
    assert result.exit_code == 0, result.output
    (payload,) = webhook.payloads
    assert "down" not in payload["title"].split(",")[0]  # two failures are not three
    (tmp_path / "auditor.toml").write_text("[notify]\ndown_after = 0\n")
    result = notify(store)
    assert result.exit_code == 2 and "[notify] down_after" in result.output
