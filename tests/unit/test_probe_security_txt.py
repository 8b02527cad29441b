"""security.txt (RFC 9116) validity, table-driven."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from auditor.evidence.security_txt import looks_like_text, parse

NOW = datetime(2026, 6, 1, tzinfo=UTC)

SIGNED = """-----BEGIN PGP SIGNED MESSAGE-----
Hash: SHA256

Contact: mailto:security@example.gouv.fr
Expires: 2027-01-01T00:00:00.000Z
- -escaped line
-----BEGIN PGP SIGNATURE-----
iQIzBAEBCAAdFiEE
-----END PGP SIGNATURE-----
"""


@pytest.mark.parametrize(
    ("text", "valid", "problem"),
    [
        ("Contact: mailto:a@b.fr\nExpires: 2027-01-01T00:00:00Z\n", True, None),
        ("# comment\ncontact: https://x.fr/sec\nexpires: 2026-12-31T23:59:59+01:00\n", True, None),
        (SIGNED, True, None),
        ("Contact: mailto:a@b.fr\nExpires: 2025-01-01T00:00:00Z\n", False, "expired on 2025-01-01"),
        ("Contact: mailto:a@b.fr\n", False, "no Expires field"),
        ("Expires: 2027-01-01T00:00:00Z\n", False, "no Contact field"),
        (
            "Contact: mailto:a@b.fr\nExpires: 2027-01-01T00:00:00Z\nExpires: 2028-01-01T00:00:00Z\n",
            False,
            "appears 2 times",
        ),
        ("Contact: mailto:a@b.fr\nExpires: next year\n", False, "not an RFC 3339"),
        ("Contact: mailto:a@b.fr\nExpires: 2027-01-01T00:00:00\n", False, "no time zone"),
        ("", False, "no Contact field"),
    ],
)
def test_validity(text: str, valid: bool, problem: str | None) -> None:
    parsed = parse(text, NOW)
    assert parsed.valid is valid
    if problem:
        assert any(problem in p for p in parsed.problems), parsed.problems


def test_fields_keep_their_lines_inside_a_signature() -> None:
    parsed = parse(SIGNED, NOW)
    assert parsed.contacts == ("mailto:security@example.gouv.fr",)
    assert ("contact", "mailto:security@example.gouv.fr", 4) in parsed.fields


@pytest.mark.parametrize(
    ("content_type", "body", "text"),
    [
        ("text/plain; charset=utf-8", b"Contact: x", True),
        ("text/html", b"Contact: x", False),
        (None, b"  <!DOCTYPE html><html>", False),
        ("application/octet-stream", b"<html><body>home</body></html>", False),
    ],
)
def test_html_catch_all_is_not_a_security_txt(
    content_type: str | None, body: bytes, text: bool
) -> None:
    assert looks_like_text(content_type, body) is text
