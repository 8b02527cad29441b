"""Which URLs and addresses an untrusted catalog entry may make us reach.

Checks run on resolved addresses, not on spellings, so decimal, octal and
IPv4-mapped forms of a private address are refused like the plain form.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

ALLOWED_SCHEMES = frozenset({"http", "https"})

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class AddressRefused(Exception):
    """A connection the network policy forbids; becomes an ``error`` finding."""


def address_category(ip: IPAddress) -> str | None:
    """Why ``ip`` must not be reached by default, or None when it is a public address."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None:
            return address_category(embedded)
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_private:
        return "private"
    if ip.is_reserved:
        return "reserved"
    if not ip.is_global:
        return "non-global"
    return None


def url_problem(url: str) -> str | None:
    """A reason this URL cannot be probed at all (bad scheme, no host), or None."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        return f"malformed URL: {exc}"
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        return f"unsupported scheme {parts.scheme or '(none)'!r}: only http and https are probed"
    if not parts.hostname:
        return "URL has no host"
    return None
