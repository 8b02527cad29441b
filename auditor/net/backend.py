"""A connection backend for httpcore that checks every address at connect time.

Resolving and checking in the same place we connect closes the DNS-rebinding
window: the address we vetted is the address we dial. Every redirect hop and
every new connection passes through here.
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import socket
import ssl
from collections.abc import Iterable

import httpcore
from httpcore._backends.auto import AutoBackend  # private; see GuardedBackend.__init__

from auditor.context import NetworkPolicy
from auditor.net.guard import AddressRefused, refusal
from auditor.net.transport import TransportError

RESOLVE_TIMEOUT = 5.0
"""Seconds a name lookup may take: past that the resolver is taken for unreachable (glibc
itself gives up after 5 s a try), before the request's own timeout (10 s by default) fires
and hides which step hung."""
RESOLVER_DOWN = frozenset({socket.EAI_AGAIN})
"""``getaddrinfo`` errors meaning the resolver gave no answer (could not be reached, or
timed out), as opposed to an answer that the name does not exist (``EAI_NONAME``)."""
NO_ROUTE = frozenset({errno.ENETUNREACH, errno.EHOSTUNREACH})
"""Connect errors raised by this machine's own routing: no route out, so nothing was asked."""


class DnsFailure(httpcore.ConnectError):
    """The host name did not resolve; told apart from a refused connection.

    ``resolver_down``: the resolver itself gave no answer (EAI_AGAIN, a lookup
    that timed out): a failure of the auditing machine's network, not a sign
    that the name does not exist.
    """

    def __init__(self, message: str, *, resolver_down: bool = False) -> None:
        super().__init__(message)
        self.resolver_down = resolver_down


def auditor_side_cause(chain: Iterable[BaseException]) -> tuple[str, str] | None:
    """``(error_class, message)`` when a failed exchange never left this machine.

    ``resolver``: the resolver could not be reached or did not answer;
    ``no_route``: this machine has no route to the address (ENETUNREACH,
    EHOSTUNREACH). Both transports ask this first, so both classify alike.
    """
    for error in chain:
        if isinstance(error, DnsFailure) and error.resolver_down:
            return "resolver", f"the auditor's DNS resolver gave no answer: {error}"
        if isinstance(error, OSError) and error.errno in NO_ROUTE:
            reason = error.strerror or str(error)
            return "no_route", f"no route from the auditor's machine: {reason}"
    return None


def error_chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and what caused it (``__cause__``, else ``__context__``), each once."""
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def dial_failure(exc: BaseException) -> TransportError | None:
    """``exc`` if already classified, else what failed before an answer, told alike by the
    transports that share this backend's errors: the auditor's own network
    (``auditor_side_cause``), DNS, TLS; else None."""
    if isinstance(exc, TransportError):
        return exc
    chain = error_chain(exc)
    text = str(exc) or type(exc).__name__
    local = auditor_side_cause(chain)
    if local is not None:
        return TransportError(*local)
    if any(isinstance(e, DnsFailure) for e in chain):
        return TransportError("dns", text)
    if any(isinstance(e, ssl.SSLError) for e in chain):
        return TransportError("tls", f"TLS error: {text}")
    return None


async def vetted_addresses(policy: NetworkPolicy, host: str, port: int) -> list[tuple[str, int]]:
    """Resolve ``host`` and return the addresses to dial, or raise if any is refused.

    Shared by every transport (httpcore's backend here, aiohttp's resolver in
    aiohttp_transport.py), so the policy is decided in exactly one place.
    """
    override = policy.host_overrides.get(host.lower().rstrip("."))
    if override is not None:
        return [override]
    if policy.offline:
        raise AddressRefused(f"refused: offline mode, no network access ({host})")
    name = host[:-1] if host.endswith(".") else host  # ``localhost.`` is ``localhost``
    _refuse_before_resolving(policy, host, name)
    literal = _literal(name)
    addresses = [literal] if literal is not None else await _resolve(name, port)
    # One refused address refuses the host: a name that also resolves to a
    # private address is not trusted to land on the public one.
    for address in addresses:
        problem = refusal(
            address,
            host,
            allow_private=policy.allow_private,
            allow_cloud_metadata=policy.allow_cloud_metadata,
        )
        if problem is not None:
            raise AddressRefused(problem)
    return [(a, port) for a in addresses]


def _refuse_before_resolving(policy: NetworkPolicy, host: str, name: str) -> None:
    """Refuse what needs no resolver to judge: an address with a zone id (``fe80::1%eth0``,
    scoped to this machine's links) and names under ``localhost`` (RFC 6761: this machine,
    whatever a resolver says, and a fully qualified ``localhost.`` may not be in its files).
    Without this they went to DNS and came back as a DNS failure, not a refusal."""
    address: str | None = None
    if "%" in name:
        address = name.split("%", 1)[0]
    elif name.lower() == "localhost" or name.lower().endswith(".localhost"):
        address = "127.0.0.1"
    if address is None:
        return
    try:
        problem = refusal(
            address,
            host,
            allow_private=policy.allow_private,
            allow_cloud_metadata=policy.allow_cloud_metadata,
        )
    except ValueError:
        raise AddressRefused(f"refused: malformed address {host!r}") from None
    if problem is not None:
        raise AddressRefused(problem)


def _literal(host: str) -> str | None:
    """A canonical IP literal written as the resolver would answer it, else None.

    A literal is its own answer, so no resolver thread is spent on it (a run
    may ask thousands of times); legacy spellings and scoped addresses still
    go through ``getaddrinfo``.
    """
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            return None
        return socket.inet_ntop(socket.AF_INET6, ip.packed)
    return str(ip)


async def _resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (legacy spellings such as ``2130706433`` included)."""
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(RESOLVE_TIMEOUT):
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except TimeoutError as exc:
        message = f"DNS lookup for {host} got no answer within {RESOLVE_TIMEOUT:g}s"
        raise DnsFailure(message, resolver_down=True) from exc
    except (socket.gaierror, UnicodeError) as exc:
        down = isinstance(exc, socket.gaierror) and exc.errno in RESOLVER_DOWN
        raise DnsFailure(f"DNS lookup failed for {host}: {exc}", resolver_down=down) from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolves, vets every address, then dials only vetted addresses."""

    def __init__(self, policy: NetworkPolicy) -> None:
        self._policy = policy
        # httpcore.AnyIOBackend is the public class AutoBackend picks under asyncio;
        # AutoBackend stays while tests/acceptance/test_hostile_addresses.py patches it here.
        self._inner = AutoBackend()

    async def _vetted_addresses(self, host: str, port: int) -> list[tuple[str, int]]:
        return await vetted_addresses(self._policy, host, port)

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        last_error: Exception | None = None
        for address, target_port in await self._vetted_addresses(host, port):
            try:
                return await self._inner.connect_tcp(
                    address,
                    target_port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last_error = exc
        raise last_error or httpcore.ConnectError(f"no address for {host}")

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise AddressRefused("refused: unix sockets are never probed")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)
