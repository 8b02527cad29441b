"""security.txt (RFC 9116), read strictly enough to tell valid from not.

Valid means what the RFC requires: at least one ``Contact``, exactly one
``Expires`` holding an RFC 3339 date-time that is still in the future. An
OpenPGP cleartext signature is unwrapped (not verified: the signature proves
authorship, and a valid file does not need one). Written by hand: the format
is a few lines of ``Field: value``, and the one library for it fetches by
itself, bypassing the guarded fetcher.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

PATH = "/.well-known/security.txt"
_SIGNED = "-----BEGIN PGP SIGNED MESSAGE-----"
_SIGNATURE = "-----BEGIN PGP SIGNATURE-----"


@dataclass(frozen=True, slots=True)
class SecurityTxt:
    contacts: tuple[str, ...]
    expires: datetime | None
    problems: tuple[str, ...]
    """Why the file is not valid; empty when it is."""
    fields: tuple[tuple[str, str, int], ...] = ()
    """Every ``(field, value, line)`` read, for the evidence."""

    @property
    def valid(self) -> bool:
        return not self.problems


def _unsign(lines: list[str]) -> tuple[list[str], int]:
    """The signed text of a cleartext-signed file and the line offset it starts at."""
    if not lines or lines[0].strip() != _SIGNED:
        return lines, 0
    start = next((i for i, line in enumerate(lines) if not line.strip()), len(lines)) + 1
    body: list[str] = []
    for line in lines[start:]:
        if line.strip() == _SIGNATURE:
            break
        body.append(line[2:] if line.startswith("- ") else line)
    return body, start


def parse(text: str, now: datetime) -> SecurityTxt:
    """Read ``text`` as security.txt and judge it as of ``now`` (timezone-aware)."""
    lines, offset = _unsign(text.splitlines())
    fields: list[tuple[str, str, int]] = []
    for number, raw in enumerate(lines, start=offset + 1):
        line = raw.strip()
        if not line or line.startswith("#") or ":" not in line:
            continue
        name, value = line.split(":", 1)
        if name.strip() and " " not in name.strip():
            fields.append((name.strip().lower(), value.strip(), number))
    contacts = tuple(v for n, v, _ in fields if n == "contact" and v)
    expiry_values = [(v, line) for n, v, line in fields if n == "expires"]
    problems: list[str] = []
    if not contacts:
        problems.append("no Contact field")
    expires: datetime | None = None
    if not expiry_values:
        problems.append("no Expires field")
    elif len(expiry_values) > 1:
        problems.append(f"Expires appears {len(expiry_values)} times (RFC 9116 allows one)")
    else:
        stated, at = expiry_values[0]
        try:
            expires = datetime.fromisoformat(stated.replace("z", "Z"))
        except ValueError:
            problems.append(f"Expires {stated!r} (line {at}) is not an RFC 3339 date-time")
        else:
            if expires.tzinfo is None:
                problems.append(f"Expires {stated!r} (line {at}) has no time zone")
                expires = None
            elif expires <= now:
                problems.append(f"expired on {expires.isoformat()} (line {at})")
    return SecurityTxt(contacts, expires, tuple(problems), tuple(fields))


def looks_like_text(content_type: str | None, body: bytes) -> bool:
    """A catch-all site answering 200 with its HTML home page has no security.txt."""
    if "html" in (content_type or "").lower():
        return False
    head = body.lstrip()[:64].lower()
    return not head.startswith((b"<!doctype", b"<html"))
