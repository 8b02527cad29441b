"""The fetcher remembers what a URL's text says (``vet_url``), never where its host is.

A URL fetched twice by one fetcher is checked from the cache the second time;
the host's addresses must still be vetted by the transport at each lookup, so
a name that answers a public address first and loopback next (DNS rebinding)
is refused, and no socket is ever made for the loopback address.
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest

import auditor.net.sockets as sockets_module
from auditor.context import AuditSettings, Limits
from auditor.net.fetcher import Fetcher
from auditor.net.guard import vet_url
from auditor.net.observation import HttpObservation

PUBLIC = "93.184.216.34"  # handed out by the fake resolver; the socket factory refuses it


def test_a_cached_url_check_still_vets_each_lookup(monkeypatch: pytest.MonkeyPatch) -> None:
    answers = [PUBLIC, "127.0.0.1"]
    lookups: list[str] = []
    dials: list[str] = []

    async def fake_getaddrinfo(self: Any, host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        address = answers.pop(0) if len(answers) > 1 else answers[0]
        lookups.append(address)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    def recording_socket(addr_info: Any) -> socket.socket:
        dials.append(str(addr_info[4][0]))
        raise OSError("the test never opens a socket")

    monkeypatch.setattr(asyncio.base_events.BaseEventLoop, "getaddrinfo", fake_getaddrinfo)
    monkeypatch.setattr(sockets_module, "open_socket", recording_socket)
    url = "http://rebind-cache.test/spec.json"
    # aiohttp keeps a DNS cache of its own (cleared below); the other transports ask each dial
    settings = AuditSettings(limits=Limits(timeout=2, retries=0), http_client="aiohttp")

    async def go() -> tuple[HttpObservation, HttpObservation]:
        async with Fetcher(settings) as fetcher:
            first = await fetcher.fetch(url)
            # as when the name's TTL has run out: aiohttp would otherwise dial its cached
            # (vetted) answer again, which is safe but would not look the name up again
            fetcher._transport._session.connector.clear_dns_cache()  # type: ignore[attr-defined]
            hits = vet_url.cache_info().hits
            second = await fetcher.fetch(url)
            assert vet_url.cache_info().hits > hits  # the second check came from the cache
            return first, second

    first, second = asyncio.run(go())
    assert first.error_class == "connect" and dials == [PUBLIC]
    assert lookups == [PUBLIC, "127.0.0.1"]  # looked up again, not taken from a cache
    assert second.error_class == "refused", second.error
    assert second.error is not None and "127.0.0.1" in second.error
    assert dials == [PUBLIC]  # loopback was never dialled
