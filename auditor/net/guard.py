"""Which URLs and addresses an untrusted catalog entry may make us reach.

Checks run on resolved addresses, not on spellings, so decimal, octal and
IPv4-mapped forms of a private address are refused like the plain form: the
resolver turns ``2130706433`` and ``0177.0.0.1`` into ``127.0.0.1`` before
``address_category`` sees them.

Cloud metadata endpoints hand out credentials to whoever asks from inside the
machine, so they are refused even when private addresses are allowed: an
intranet audit has no reason to reach them.
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from urllib.parse import urlsplit

ALLOWED_SCHEMES = frozenset({"http", "https"})

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

CLOUD_METADATA = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean, Oracle
        "169.254.170.2",  # AWS ECS task credentials
        "169.254.170.23",  # AWS EKS pod identity
        "fd00:ec2::254",  # AWS IMDS over IPv6
        "fd00:ec2::23",  # AWS EKS pod identity over IPv6
        "100.100.100.200",  # Alibaba Cloud
        "168.63.129.16",  # Azure WireServer (a public address, so named here)
        "192.0.0.192",  # Oracle Cloud (legacy)
    )
)


class AddressRefused(Exception):
    """A connection the network policy forbids; becomes an ``error`` finding."""


_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> tuple[ipaddress.IPv4Address | None, bool]:
    """The IPv4 address an IPv6 spelling carries, and whether it alone decides.

    Mapped, 6to4 and Teredo addresses reach the IPv4 host they carry; NAT64
    and the deprecated IPv4-compatible form are refused when the IPv4 address
    is, and otherwise still judged as IPv6 addresses.
    """
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped, True
    if ip.sixtofour is not None:
        return ip.sixtofour, True
    if ip.teredo is not None:
        return ip.teredo[1], True
    if ip in _NAT64 or ip in _IPV4_COMPATIBLE:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF), False
    return None, False


def address_category(ip: IPAddress) -> str | None:
    """Why ``ip`` must not be reached by default, or None when it is a public address."""
    if ip in CLOUD_METADATA:
        return "cloud-metadata"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.is_unspecified:
            return "unspecified"
        if ip.is_loopback:
            return "loopback"
        embedded, decisive = _embedded_ipv4(ip)
        if embedded is not None:
            category = address_category(embedded)
            if decisive or category is not None:
                return category
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_reserved:
        return "reserved"
    if ip.is_private:
        return "private"
    if not ip.is_global:
        return "non-global"
    return None


def refusal(
    address: str, host: str, *, allow_private: bool, allow_cloud_metadata: bool = False
) -> str | None:
    """The refusal message for connecting to ``address`` (resolved from ``host``), or None.

    Every refusal message starts with ``refused: private address`` so reports
    and tests can recognise it whatever the category.
    """
    ip = ipaddress.ip_address(address.split("%")[0])
    category = address_category(ip)
    if category is None:
        return None
    if category == "cloud-metadata":
        if allow_cloud_metadata:
            return None
        return (
            f"refused: private address {address} ({category}) for host {host}; "
            "cloud metadata endpoints are never probed"
        )
    if allow_private:
        return None
    return (
        f"refused: private address {address} ({category}) for host {host} "
        "(use --allow-private-network to permit)"
    )


_CONTROL = re.compile("[\x00-\x1f\x7f]")
_BAD_HOST_CHAR = re.compile(r'[\s<>\\^`{|}"]')
"""Characters no host name may hold (a regex: this runs on every URL of a run)."""


def url_problem(url: str) -> str | None:
    """A reason this URL cannot be probed at all (bad scheme, no host), or None."""
    return vet_url(url)[0]


@lru_cache(maxsize=4096)
def vet_url(url: str) -> tuple[str | None, str]:
    """``(problem, host)``: why this URL cannot be probed (None if it can), and its host
    name lower-cased ("" when there is none).

    A pure function of the text, asked about the same URLs many times a run
    (every fetch, every redirect hop, every catalog URL field): remembered. The
    fetcher needs the host of every URL it checks (its per-host politeness), so
    one parse answers both.
    """
    if _CONTROL.search(url):
        # urlsplit silently drops CR, LF and tabs; what it would probe is not what was written
        return "malformed URL: control characters", ""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        return f"malformed URL: {exc}", ""
    host = parts.hostname or ""
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        problem = f"unsupported scheme {parts.scheme or '(none)'!r}: only http and https are probed"
        return problem, host
    if not host:
        return "URL has no host", host
    if _BAD_HOST_CHAR.search(host):
        return f"malformed URL: invalid host {host!r}", host
    return None, host
