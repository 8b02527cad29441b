"""The network guard: which addresses are refused by default, which URLs are probed at all."""

from __future__ import annotations

import ipaddress

import pytest

from auditor.net.guard import address_category, refusal, url_problem


@pytest.mark.parametrize(
    ("address", "category"),
    [
        # loopback, both families
        ("127.0.0.1", "loopback"),
        ("127.255.255.254", "loopback"),
        ("::1", "loopback"),
        # RFC 1918 private ranges, at their edges
        ("10.0.0.1", "private"),
        ("10.255.255.255", "private"),
        ("172.16.0.1", "private"),
        ("172.31.255.255", "private"),
        ("192.168.1.1", "private"),
        # link-local
        ("169.254.1.1", "link-local"),
        ("fe80::1", "link-local"),
        # cloud metadata endpoints are named as such (link-local, private or even public)
        ("169.254.169.254", "cloud-metadata"),
        ("169.254.170.2", "cloud-metadata"),
        ("fd00:ec2::254", "cloud-metadata"),
        ("100.100.100.200", "cloud-metadata"),
        ("168.63.129.16", "cloud-metadata"),
        ("::ffff:169.254.169.254", "cloud-metadata"),
        # multicast
        ("224.0.0.1", "multicast"),
        ("239.255.255.250", "multicast"),
        ("ff02::1", "multicast"),
        # unspecified
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        # carrier-grade NAT is neither private (RFC 1918) nor global
        ("100.64.0.1", "non-global"),
        ("100.127.255.254", "non-global"),
        # IPv4-mapped IPv6 spellings are judged by the IPv4 address they carry
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:169.254.1.1", "link-local"),
        ("::ffff:10.0.0.1", "private"),
        # NAT64 and the deprecated IPv4-compatible form carry an IPv4 address too
        ("64:ff9b::7f00:1", "loopback"),
        ("64:ff9b::a9fe:a9fe", "cloud-metadata"),
        ("::127.0.0.1", "loopback"),
        ("::10.0.0.1", "private"),
        # reserved and documentation ranges
        ("240.0.0.1", "reserved"),
        ("255.255.255.255", "reserved"),
        ("192.0.2.1", "private"),
        ("2001:db8::1", "private"),
        # 6to4 and Teredo also embed an IPv4 address (here 127.0.0.1)
        ("2002:7f00:1::", "loopback"),
        ("2001:0:4136:e378:8000:63bf:80ff:fffe", "loopback"),
        # unique local IPv6 addresses
        ("fd00::1", "private"),
        ("fc00::1", "private"),
    ],
)
def test_address_category_refuses_non_public_addresses(address: str, category: str) -> None:
    assert address_category(ipaddress.ip_address(address)) == category


@pytest.mark.parametrize(
    "address",
    [
        "8.8.8.8",
        "1.1.1.1",
        "172.32.0.1",  # just outside 172.16.0.0/12
        "100.128.0.1",  # just outside 100.64.0.0/10
        "2606:4700::1111",
        "2001:4860:4860::8888",
        "::ffff:8.8.8.8",  # IPv4-mapped public address stays public
    ],
)
def test_address_category_lets_public_addresses_through(address: str) -> None:
    assert address_category(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("ftp://ftp.example.org/api", "unsupported scheme 'ftp'"),
        ("file:///etc/passwd", "unsupported scheme 'file'"),
        ("javascript:alert(1)", "unsupported scheme 'javascript'"),
        ("gopher://example.org:70/", "unsupported scheme 'gopher'"),
        ("//example.org/api", "unsupported scheme '(none)'"),
        ("", "unsupported scheme '(none)'"),
        ("http://", "no host"),
        ("https:///path/only", "no host"),
        ("http://example.org:99999/", "malformed URL"),
        ("http://example.org:abc/", "malformed URL"),
        ("http://[::1/", "malformed URL"),
    ],
)
def test_url_problem_names_the_reason(url: str, fragment: str) -> None:
    problem = url_problem(url)
    assert problem is not None
    assert fragment in problem


def test_url_problem_explains_which_schemes_are_probed() -> None:
    assert url_problem("ftp://x.example/") == (
        "unsupported scheme 'ftp': only http and https are probed"
    )


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org",
        "https://api.example.gouv.fr/v1/items?x=1",
        "HTTPS://EXAMPLE.ORG/",  # scheme case does not matter
        "http://127.0.0.1:8080/",  # addresses are judged at connect time, not here
        "https://[2606:4700::1111]:443/",
        "http://user:pass@example.org/",
    ],
)
def test_url_problem_accepts_http_and_https(url: str) -> None:
    assert url_problem(url) is None


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("http://exa mple.org/", "invalid host"),
        ("http://example.org\r\nX-Injected: 1/", "control characters"),
        ("http://example.org/\x00", "control characters"),
    ],
)
def test_url_problem_refuses_hosts_no_resolver_should_see(url: str, fragment: str) -> None:
    problem = url_problem(url)
    assert problem is not None and fragment in problem


def test_refusal_messages_start_the_same_way_and_name_the_host() -> None:
    message = refusal("10.0.0.1", "intranet.example", allow_private=False)
    assert message == (
        "refused: private address 10.0.0.1 (private) for host intranet.example "
        "(use --allow-private-network to permit)"
    )
    assert refusal("8.8.8.8", "dns.google", allow_private=False) is None


def test_allow_private_lifts_everything_but_cloud_metadata() -> None:
    for address in ("127.0.0.1", "10.0.0.1", "::1", "169.254.1.1", "fe80::1%eth0"):
        assert refusal(address, "h", allow_private=True) is None
    message = refusal("169.254.169.254", "h", allow_private=True)
    assert message is not None
    assert message.startswith("refused: private address 169.254.169.254 (cloud-metadata)")
    assert refusal("169.254.169.254", "h", allow_private=True, allow_cloud_metadata=True) is None
