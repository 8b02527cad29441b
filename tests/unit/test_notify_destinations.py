"""Destinations are named without their secrets; malformed ones are refused up front."""

from __future__ import annotations

import pytest

from auditor.notify.destinations import DestinationError, parse_destination
from auditor.notify.send import open_senders

SECRET_URLS = [
    # (url, label, secrets that must never be shown)
    ("json://127.0.0.1:8080/hook", "json://127.0.0.1:8080", ["hook"]),
    (
        "jsons://bob:s3cr3t-pw@hooks.example.org/path-token-123?:key=abcdef",
        "jsons://hooks.example.org",
        ["s3cr3t-pw", "path-token-123", "abcdef", "bob"],
    ),
    (
        "slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ/#general",
        "slack://…",
        ["T1JJ3T3L2", "A1BRTD4JD", "TIiajkdnlazkcOXrIdevi7FQ"],
    ),
    ("tgram://123456789:AABBccDDeeFF/987654", "tgram://…", ["123456789", "AABBccDDeeFF"]),
    ("mailto://alerts:hunter22@mail.example.org", "mailto://mail.example.org", ["hunter22"]),
    ("ntfys://ntfy.sh/private-topic-42", "ntfys://ntfy.sh", ["private-topic-42"]),
    ("json://[::1]:9000/x", "json://[::1]:9000", []),
]


@pytest.mark.parametrize(("url", "label", "secrets"), SECRET_URLS)
def test_a_destination_shows_its_scheme_and_host_only(
    url: str, label: str, secrets: list[str]
) -> None:
    destination = parse_destination(url, "--to")
    assert destination.label == label
    said = destination.scrub(f"could not reach {url} (token {' '.join(secrets)})")
    for secret in secrets:
        assert secret not in destination.label and secret not in said
    assert destination.key != url and len(destination.key) == 64


def test_text_that_is_not_a_url_is_refused_without_echoing_it() -> None:
    with pytest.raises(DestinationError, match=r"--to #2: not an Apprise URL") as caught:
        parse_destination("hooks.slack.com/services/T000/B000/SECRETXYZ", "--to #2")
    assert "SECRETXYZ" not in str(caught.value)


@pytest.mark.parametrize(
    "url",
    [
        "nosuchservice://token-abc123@example.org/x",
        "json://",
        "slack://only-one-token-xyz",
    ],
)
def test_a_url_apprise_cannot_use_is_refused_naming_it_redacted(url: str) -> None:
    pytest.importorskip("apprise")
    with pytest.raises(DestinationError, match=r"--to: not|--to \(") as caught:
        open_senders([url])
    assert "abc123" not in str(caught.value) and "only-one-token-xyz" not in str(caught.value)


def test_every_destination_is_checked_before_any_is_used() -> None:
    pytest.importorskip("apprise")
    with pytest.raises(DestinationError, match=r"--to #2 \(nosuch://…\)"):
        open_senders(["json://127.0.0.1:9/ok", "nosuch://x"])
